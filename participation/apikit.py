"""What every router of the JSON API shares: authentication, the error format,
cursor pagination and rate limits (docs/api.md).

Routers (``reception/api.py``, later ``forums/api.py`` ...) import from here;
``participation/api.py`` holds the ``NinjaAPI`` instance and mounts them. The
split keeps imports one way: routers never import the module that imports them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.cache import cache
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.security import APIKeyCookie, HttpBearer
from ninja.throttling import BaseThrottle
from ninja.utils import check_csrf
from pydantic import AfterValidator

from participation.actions import api_token_digest, do_touch_api_token
from participation.http import client_ip
from participation.models import ApiToken, User

# --- The one error format ------------------------------------------------------------


class ErrorBody(Schema):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = []


class ErrorOut(Schema):
    """Every error the API gives, whatever went wrong."""

    error: ErrorBody


class ApiError(Exception):
    """An error to answer with: HTTP status, a stable code, a human message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or []

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "status": self.status,
                "code": self.code,
                "message": self.message,
                "details": self.details,
            }
        }


# Responses every operation may give, for the schema: schemathesis checks them.
ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}
WRITE_ERRORS: dict[int, type[Schema]] = {**ERRORS, 401: ErrorOut, 403: ErrorOut, 409: ErrorOut}


# --- Authentication ---------------------------------------------------------------


def _bearer(request: HttpRequest) -> str:
    header = str(request.headers.get("Authorization", ""))
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def user_for_token(raw: str) -> tuple[User, ApiToken] | None:
    """The active person behind an active token, or None."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=api_token_digest(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user, token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer odk_…``: a personal token made on the profile page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = user_for_token(token)
        if found is None:
            return None
        user, api_token = found
        do_touch_api_token(api_token)
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The site's own session cookie, as in the browser; unsafe methods need the CSRF token.

    Unlike ninja's own, it answers 401 (not a CSRF 403) to someone not signed in.
    """

    def __init__(self) -> None:
        super().__init__(csrf=False)

    @property
    def param_name(self) -> str:  # type: ignore[override]  # read when used, not at import
        return str(settings.SESSION_COOKIE_NAME)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User) or not user.is_active:
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request):
            raise ApiError(403, "csrf_failed", _("The CSRF token is missing or wrong."))
        return user


WRITE_AUTH = [TokenAuth(), SessionAuth()]


def acting_user(request: HttpRequest) -> User:
    """The person an authenticated operation acts for."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user


# --- Rate limits ------------------------------------------------------------------


def rate_key(request: HttpRequest) -> tuple[str, str]:
    """Who is asking, for rate limits: ("token", id), ("user", id) or ("ip", address)."""
    token = getattr(request, "api_token", None)
    if token is None and (raw := _bearer(request)):
        found = user_for_token(raw)
        token = found[1] if found else None
    if isinstance(token, ApiToken):
        return "token", str(token.pk)
    user = getattr(request, "user", AnonymousUser())
    if user.is_authenticated:
        return "user", str(user.pk)
    return "ip", client_ip(request) or "unknown"


class RateLimit(BaseThrottle):
    """A fixed window per token, person or address, counted in the cache.

    With REDIS_URL the cache is shared, so limits hold across processes.
    ``scope`` picks the limits in ``settings.API_RATE_LIMITS``: anonymous
    callers get the ``<scope>`` pair, token and session callers the
    ``<scope>_authenticated`` one.
    """

    _wait = threading.local()

    def __init__(self, scope: str) -> None:
        self.scope = scope

    def allow_request(self, request: HttpRequest) -> bool:
        limits: dict[str, tuple[int, int]] = settings.API_RATE_LIMITS
        if not limits:
            return True
        kind, ident = rate_key(request)
        name = self.scope if kind == "ip" else f"{self.scope}_authenticated"
        limit, window = limits[name]
        bucket = int(time.time() // window)
        key = f"api:rate:{self.scope}:{kind}:{ident}:{bucket}"
        if cache.add(key, 1, timeout=window + 1):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, timeout=window + 1)
                count = 1
        self._wait.seconds = window - int(time.time()) % window
        return count <= limit

    def wait(self) -> float | None:
        return float(getattr(self._wait, "seconds", 60))


READ_LIMIT = RateLimit("read")
WRITE_LIMIT = RateLimit("write")


# --- Cursor pagination --------------------------------------------------------------

T = TypeVar("T")
M = TypeVar("M", bound=Model)

MAX_LIMIT = 100
DEFAULT_LIMIT = 20


class PageParams(Schema):
    """Query parameters of every list: extend it with the list's own filters."""

    cursor: str | None = Field(None, description="next_cursor of the previous page.")
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")


class Page(Schema, Generic[T]):
    """One page of a list; pass ``next_cursor`` as ``cursor`` for the next (null: the end)."""

    items: list[T]
    next_cursor: str | None


_CURSOR_SALT = "participation.api.cursor"


def paginate(
    queryset: QuerySet[M], *, cursor: str | None, limit: int, order: Sequence[str]
) -> tuple[list[M], str | None]:
    """Keyset pagination on ``order`` (all ascending or all descending, ending in a
    unique field): pages stay cheap however deep, and rows added meanwhile never
    shift a page. The cursor is signed, so a forged one is refused, not trusted."""
    descending = order[0].startswith("-")
    names = [name.lstrip("-") for name in order]
    queryset = queryset.order_by(*order)
    if cursor:
        try:
            values = signing.loads(cursor, salt=_CURSOR_SALT)
        except signing.BadSignature as exc:
            raise ApiError(
                400, "invalid_cursor", _("This cursor is not one the API gave.")
            ) from exc
        if not isinstance(values, list) or len(values) != len(names):
            raise ApiError(400, "invalid_cursor", _("This cursor is not one the API gave."))
        queryset = queryset.filter(_after(names, values, descending=descending))
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    values = [_plain(getattr(last, name)) for name in names]
    return rows, signing.dumps(values, salt=_CURSOR_SALT, compress=True)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value


def _after(names: list[str], values: list[object], *, descending: bool) -> Q:
    """Rows strictly after the cursor row in the (lexicographic) order."""
    op = "lt" if descending else "gt"
    condition = Q()
    for index, name in enumerate(names):
        step = Q(**{f"{name}__{op}": values[index]})
        for earlier, value in zip(names[:index], values[:index], strict=True):
            step &= Q(**{earlier: value})
        condition |= step
    return condition


def _refuse_nul(value: str) -> str:
    """PostgreSQL cannot store U+0000: refused as invalid input (422), as the forms do."""
    if "\x00" in value:
        raise ValueError(_("Null characters are not allowed."))
    return value


# A string field of an API input: text and slugs alike.
Text = Annotated[str, AfterValidator(_refuse_nul)]
