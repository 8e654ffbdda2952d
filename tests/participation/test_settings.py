"""Settings come from the environment; production refuses unsafe configuration.

Each test starts a fresh Python process, since settings are read once at start.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7Qm2vL9pR4tY8wZ1cB6nH3jK5fD0sA2gU7iO9eW4rT6yP8qM1zX3vC5bN7mL0kJ",
    "ALLOWED_HOSTS": "dialog.example.kz",
}


def run(
    argv: list[str], extra_env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess[str]:
    """Run Python with ``argv`` in a clean environment plus ``extra_env``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "PYTEST_CURRENT_TEST"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "participation.settings", "VAR_DIR": str(tmp_path)})
    env.update(extra_env)
    return subprocess.run(  # noqa: S603
        [sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
    "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'], "
    "'huey': s.HUEY['huey_class'], 'lang': s.LANGUAGE_CODE, "
    "'init': s.DATABASES['default'].get('OPTIONS', {}).get('init_command', '')}))"
)


def test_it_runs_on_the_embedded_default_with_nothing_set(tmp_path):
    result = run(["-c", SHOW], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["db"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in shown["init"]
    assert shown["layer"] == "channels.layers.InMemoryChannelLayer"
    assert shown["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert shown["huey"] == "huey.SqliteHuey"
    assert shown["lang"] == "kk"


def test_a_database_url_switches_to_postgresql_and_a_redis_url_to_redis(tmp_path):
    result = run(
        ["-c", SHOW],
        {"DATABASE_URL": "postgres://u:p@db.internal:5432/dialog", "REDIS_URL": "redis://r:6379/0"},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["db"] == "django.db.backends.postgresql"
    assert shown["layer"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert shown["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert shown["huey"] == "huey.RedisHuey"


def test_the_default_language_is_configurable(tmp_path):
    result = run(["-c", SHOW], {"LANGUAGE_CODE": "ru"}, tmp_path)
    assert json.loads(result.stdout)["lang"] == "ru"


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["-c", SHOW], env, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_variable_gets_a_clear_error(tmp_path):
    result = run(["-c", SHOW], {"DEBUG": "perhaps"}, tmp_path)
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_production_passes_the_deployment_checklist_with_no_warnings(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_html_lang_follows_the_url(client, db, language):
    response = client.get(f"/{language}/")
    assert f'<html lang="{language}">' in response.content.decode()
