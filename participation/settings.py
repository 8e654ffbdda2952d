"""One settings module, configured by environment variables.

With nothing set, the platform runs on the embedded default: SQLite in WAL
mode, the in-memory channel layer, the local-memory cache and a SQLite-backed
task queue, e-mail to the console. ``DATABASE_URL`` switches to PostgreSQL;
``REDIS_URL`` switches the channel layer, the cache and the task queue to Redis.

Every variable is documented in README.md. Settings are read here only: code
elsewhere reads ``django.conf.settings`` at call time, never at import time.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}") from exc


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")
# True inside the test suite: pytest-django loads settings before any conftest runs.
TESTING = envbool("TESTING", "False") or "pytest" in sys.modules

SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off: generate one with "
            "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    SECRET_KEY = "insecure-development-key-never-used-in-production"  # noqa: S105

VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

SITE_ROOT = env("SITE_ROOT", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env("SITE_NAME", "Open Dialogue")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",
    "participation",
    "reception",
    "forums",
    "moderation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "huey.contrib.djhuey",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "participation.middleware.ContentSecurityPolicyMiddleware",
    "participation.middleware.RejectNulMiddleware",
    "participation.middleware.ApiMethodNotAllowedMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "participation.middleware.StaffMFAMiddleware",
]

ROOT_URLCONF = "participation.urls"
ASGI_APPLICATION = "participation.asgi.application"
AUTH_USER_MODEL = "participation.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "participation.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    # Served over ASGI, Django's persistent connections belong to whichever worker
    # thread ran the request and pile up under load (Django ticket #33497): every
    # connection is closed after its request, and on PostgreSQL they come from
    # psycopg's pool, bounded per process. The test suite connects directly.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    pooled = postgres and envbool("DATABASE_POOL", "True") and not TESTING
    if pooled:
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": envint("DATABASE_POOL_MIN", 2),
            "max_size": envint("DATABASE_POOL_MAX", 20),
            "timeout": 10,  # seconds a request waits for a free connection
        }
    else:
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if pooled or (postgres and TESTING):
        # Where a connection outlives its request (the pool; the suite's one
        # connection), rows.prepared_cursor prepares the statements every request
        # runs: the session, the user, a signature. Django's own cursors bind on
        # the client and never prepare, whatever this says. Without the pool
        # (PgBouncer in front) nothing is prepared.
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the
                # write lock at BEGIN so two writers queue instead of deadlocking.
                "init_command": (
                    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer, cache, task queue --------------------------------

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CHANNEL_LAYERS: dict[str, Any] = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env("REDIS_PREFIX", "participation")},
        }
    }
    CACHES: dict[str, Any] = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("REDIS_PREFIX", "participation"),
        }
    }
    HUEY: dict[str, Any] = {
        "huey_class": "huey.RedisHuey",
        "name": env("REDIS_PREFIX", "participation"),
        "url": REDIS_URL,
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Rate-limit counters and duplicate fingerprints live here: the default of
    # 300 entries would evict them under load, and limits would stop holding.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "participation",
        "filename": env("HUEY_SQLITE_PATH", str(VAR_DIR / "huey.sqlite3")),
    }
# Tasks run in the worker (`manage.py run_huey`); HUEY_IMMEDIATE=1 runs them
# inline, which only the test suite should want.
HUEY["immediate"] = envbool("HUEY_IMMEDIATE", "False")
HUEY["consumer"] = {"workers": envint("HUEY_WORKERS", 2), "worker_type": "thread"}

# --- Identity ---------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Django's and allauth's backends, reading the signed-in user with one prepared
    # statement (participation/auth.py).
    "participation.auth.PasswordBackend",
    "participation.auth.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_ADAPTER = "participation.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
# Rate limits live in the cache: with REDIS_URL they hold across processes.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}
if envbool("DISABLE_RATE_LIMITS", "False"):
    ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]

MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = SITE_NAME
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG

# --- Moderation (SPEC §6; docs/moderation.md) -------------------------------

# Personal data in public text: "hold" for a moderator, or "redact" at once.
MODERATION_PERSONAL_DATA = {
    "iin": env("MODERATION_IIN_ACTION", "hold"),
    "phone": env("MODERATION_PHONE_ACTION", "redact"),
    "email": env("MODERATION_EMAIL_ACTION", "redact"),
}
# A person's first posts are held until this many have been published.
MODERATION_TRUSTED_AFTER_POSTS = envint("MODERATION_TRUSTED_AFTER_POSTS", 2)
# Accounts younger than this may post no more than MODERATION_YOUNG_ACCOUNT_LINKS links.
MODERATION_YOUNG_ACCOUNT_DAYS = envint("MODERATION_YOUNG_ACCOUNT_DAYS", 7)
MODERATION_YOUNG_ACCOUNT_LINKS = envint("MODERATION_YOUNG_ACCOUNT_LINKS", 0)
# (posts, seconds) windows per person and per address.
MODERATION_RATE_LIMITS = {
    "user": [(envint("MODERATION_POSTS_PER_MINUTE", 10), 60), (200, 3600)],
    "ip": [(envint("MODERATION_POSTS_PER_MINUTE_PER_IP", 60), 60)],
}
MODERATION_DUPLICATE_SECONDS = 600
MODERATION_REPORTS_TO_HIDE = 3
MODERATION_CLAIM_MINUTES = 15

# --- JSON API (docs/api.md) ------------------------------------------------

# (requests, seconds) per caller: anonymous callers by address, the others by
# token or by person. Writes count against both their own and the read limits.
API_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "read": (envint("API_READS_PER_MINUTE", 120), 60),
    "read_authenticated": (envint("API_READS_PER_MINUTE_AUTHENTICATED", 600), 60),
    "write": (envint("API_WRITES_PER_MINUTE", 10), 60),
    "write_authenticated": (envint("API_WRITES_PER_MINUTE_AUTHENTICATED", 30), 60),
}
if envbool("DISABLE_RATE_LIMITS", "False"):
    API_RATE_LIMITS = {}
# --- Petitions (SPEC §5; docs/petitions.md) ---------------------------------

# Supporters the initiative group gathers, within so many working days, before listing.
PETITION_SUPPORTERS = envint("PETITION_SUPPORTERS", 50)
PETITION_SUPPORT_WORKING_DAYS = envint("PETITION_SUPPORT_WORKING_DAYS", 10)
PETITION_WINDOW_DAYS = envint("PETITION_WINDOW_DAYS", 182)
PETITION_THRESHOLDS = {
    "republic": envint("PETITION_THRESHOLD_REPUBLIC", 50000),
    "region": envint("PETITION_THRESHOLD_REGION", 10000),
    "city": envint("PETITION_THRESHOLD_CITY", 1000),
}
PETITION_RESPONSE_WORKING_DAYS = {"local": 20, "central": 40}
# Signatures per address: over either limit they are kept but not counted.
# How often an open petition page refreshes its count (petitions.js, count.json).
PETITION_COUNT_POLL_SECONDS = envint("PETITION_COUNT_POLL_SECONDS", 10)
PETITION_RATE_BURST = envint("PETITION_RATE_BURST", 30)  # per minute
PETITION_RATE_SUSTAINED = envint("PETITION_RATE_SUSTAINED", 300)  # per hour
PETITION_TALLY_KICK_SECONDS = envint("PETITION_TALLY_KICK_SECONDS", 1)
PETITION_ANONYMISE_AFTER_DAYS = envint("PETITION_ANONYMISE_AFTER_DAYS", 90)

# --- Languages --------------------------------------------------------------

LANGUAGE_CODE = env("LANGUAGE_CODE", "kk")
LANGUAGES = [
    ("kk", _("Kazakh")),
    ("ru", _("Russian")),
    ("en", _("English")),
]
if LANGUAGE_CODE not in {code for code, _name in LANGUAGES}:
    raise ImproperlyConfigured(f"LANGUAGE_CODE must be kk, ru or en, not {LANGUAGE_CODE!r}")
# Our own catalog first; vendor_locale carries Kazakh for django-allauth and
# Django strings that upstream has not translated yet.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "vendor_locale"]
# Django has no Kazakh date formats; ours live in participation/formats/kk.
FORMAT_MODULE_PATH = ["participation.formats"]
USE_I18N = True
USE_TZ = True
# Stored times are UTC; Asia/Almaty is the local time for display and for
# counting working days (UTC+5 since 2024-03-01, UTC+6 before).
TIME_ZONE = "Asia/Almaty"

# --- Static files and uploads -----------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# --- E-mail -----------------------------------------------------------------

DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if env("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env("EMAIL_HOST")
    EMAIL_PORT = envint("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True")
    EMAIL_TIMEOUT = 10
elif env("EMAIL_FILE_PATH"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- Security ---------------------------------------------------------------

# Behind a reverse proxy (production), trust its X-Forwarded-Proto and the last
# X-Forwarded-For hop (participation/http.py) for rate limits.
BEHIND_PROXY = envbool("BEHIND_PROXY", "False" if DEBUG else "True")
# Django's database sessions, read with one prepared statement (participation/sessions.py).
SESSION_ENGINE = "participation.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if BEHIND_PROXY:
        # The proxy in front (see README) terminates TLS and must set this header.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    HUEY["immediate"] = True

# --- Logging ----------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
