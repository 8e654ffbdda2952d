"""The JSON API: one NinjaAPI instance, its error handlers, and every app's router.

OpenAPI 3.1 at ``/api/openapi.json``, browsable docs at ``/api/docs``. Public
reads need no account; writes need a personal token or the site's session.
How an app adds its router: docs/api.md. The shared pieces (authentication,
errors, pagination, rate limits) are in ``participation.apikit``.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.renderers import JSONRenderer

from participation.access import AccessDenied, MFARequired
from participation.apikit import (
    ERRORS,
    READ_LIMIT,
    WRITE_AUTH,
    WRITE_ERRORS,
    ApiError,
    Page,
    PageParams,
    acting_user,
    paginate,
)
from participation.models import Agency, Official, Region

logger = logging.getLogger(__name__)

DESCRIPTION = """
The public data of the Open Dialogue platform: agencies, officials, published
appeals with their answers, and how each agency keeps its deadlines.

Reads are public. Writes (submitting an appeal) need a personal API token,
made on your profile page and sent as `Authorization: Bearer <token>`, or the
site's session cookie with its CSRF token. Lists are paged with an opaque
`cursor`. Every error has the same shape: `{"error": {"status", "code",
"message", "details"}}`. Rate limits answer 429 with `Retry-After`.
Nothing private (e-mail addresses, real names, IINs, private appeals and
their files) is ever in a response.
"""


class Utf8Renderer(JSONRenderer):
    """Kazakh and Russian as letters, not \\u escapes: a third of the size, and readable."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Open Dialogue API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    throttle=[READ_LIMIT],
    renderer=Utf8Renderer(),
)


# --- The one error format --------------------------------------------------------------


def _respond(request: HttpRequest, error: ApiError) -> HttpResponse:
    response = api.create_response(request, error.body(), status=error.status)
    return response


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return _respond(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {
            "field": ".".join(str(part) for part in error.get("loc", ())),
            "message": str(error.get("msg", "")),
        }
        for error in exc.errors
    ]
    return _respond(
        request, ApiError(422, "invalid", _("Some of the input is not valid."), details=details)
    )


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    return _respond(request, ApiError(429, "rate_limited", _("Too many requests: wait and retry.")))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _respond(
        request,
        ApiError(
            401, "unauthenticated", _("Sign in, or send a valid API token as a Bearer token.")
        ),
    )
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    return _respond(
        request, ApiError(exc.status_code, codes.get(exc.status_code, "error"), str(exc.message))
    )


@api.exception_handler(Http404)
@api.exception_handler(AccessDenied)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    # One answer for missing and forbidden, as on the pages.
    return _respond(request, ApiError(404, "not_found", _("Not found.")))


@api.exception_handler(MFARequired)
def _mfa_required(request: HttpRequest, exc: MFARequired) -> HttpResponse:
    return _respond(
        request,
        ApiError(
            403, "mfa_required", _("Your role needs two-factor authentication on your account.")
        ),
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _respond(request, ApiError(403, "forbidden", _("You may not do this.")))


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged with its stack trace for us; the caller gets the same shape as any error.
    logger.exception("API error on %s %s", request.method, request.path)
    return _respond(request, ApiError(500, "server_error", _("Something went wrong on our side.")))


def not_found_view(request: HttpRequest, path: str = "") -> HttpResponse:
    """Unknown addresses under /api/ answer in the API's error format, not an HTML page."""
    return _respond(request, ApiError(404, "not_found", _("There is no such API address.")))


# --- The shared core: regions, agencies, officials -------------------------------------

router = Router(tags=["agencies"])


class RegionOut(Schema):
    slug: str
    name_kk: str
    name_ru: str
    name_en: str


class AgencyOut(Schema):
    slug: str
    kind: AgencyKind
    name_kk: str
    name_ru: str
    name_en: str
    parent: str | None
    region: str | None
    website: str
    url: str

    @staticmethod
    def resolve_parent(agency: Agency) -> str | None:
        return agency.parent.slug if agency.parent else None

    @staticmethod
    def resolve_region(agency: Agency) -> str | None:
        return agency.region.slug if agency.region else None

    @staticmethod
    def resolve_url(agency: Agency) -> str:
        return agency.get_absolute_url()


class OfficialOut(Schema):
    slug: str
    agency: str
    name_kk: str
    name_ru: str
    name_en: str
    position_kk: str
    position_ru: str
    position_en: str
    is_head: bool
    url: str

    @staticmethod
    def resolve_agency(official: Official) -> str:
        return official.agency.slug

    @staticmethod
    def resolve_url(official: Official) -> str:
        return official.get_absolute_url()


class MeOut(Schema):
    """Who the token or session belongs to: public facts only."""

    id: int
    public_name: str
    preferred_language: str


class AgencyKind(StrEnum):
    """Agency.Kind under its own name in the schema (Appeal.Kind is "Kind" too)."""

    PARLIAMENT = "parliament"
    CHAMBER = "chamber"
    MINISTRY = "ministry"
    REGIONAL_AKIMAT = "regional_akimat"
    CITY_AKIMAT = "city_akimat"
    DISTRICT_AKIMAT = "district_akimat"
    OTHER = "other"


class AgencyFilters(PageParams):
    kind: AgencyKind | None = None
    region: str | None = None
    parent: str | None = None
    q: str | None = None


class OfficialFilters(PageParams):
    agency: str | None = None


@router.get("/regions", response={200: list[RegionOut], **ERRORS}, tags=["agencies"])
def list_regions(request: HttpRequest) -> Any:
    """Every region (oblys or city of republican significance)."""
    return Region.objects.order_by("slug")


@router.get("/agencies", response={200: Page[AgencyOut], **ERRORS})
def list_agencies(
    request: HttpRequest,
    filters: Query[AgencyFilters],
) -> Any:
    """State bodies, by id; filter by kind, region slug, superior body's slug, or name."""
    agencies = Agency.objects.select_related("parent", "region")
    if filters.kind:
        agencies = agencies.filter(kind=filters.kind)
    if filters.region:
        agencies = agencies.filter(region__slug=filters.region)
    if filters.parent:
        agencies = agencies.filter(parent__slug=filters.parent)
    if filters.q:
        words = filters.q.split()[:8]
        for word in words:
            agencies = agencies.filter(
                Q(name_kk__icontains=word) | Q(name_ru__icontains=word) | Q(name_en__icontains=word)
            )
    items, next_cursor = paginate(
        agencies, cursor=filters.cursor, limit=filters.limit, order=["id"]
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/agencies/{slug}", response={200: AgencyOut, **ERRORS})
def get_agency(request: HttpRequest, slug: str) -> Any:
    return get_object_or_404(Agency.objects.select_related("parent", "region"), slug=slug)


@router.get("/officials", response={200: Page[OfficialOut], **ERRORS}, tags=["officials"])
def list_officials(
    request: HttpRequest,
    filters: Query[OfficialFilters],
) -> Any:
    """Officials with a reception room; filter by their agency's slug."""
    officials = Official.objects.select_related("agency")
    if filters.agency:
        officials = officials.filter(agency__slug=filters.agency)
    items, next_cursor = paginate(
        officials, cursor=filters.cursor, limit=filters.limit, order=["id"]
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/officials/{slug}", response={200: OfficialOut, **ERRORS}, tags=["officials"])
def get_official(request: HttpRequest, slug: str) -> Any:
    return get_object_or_404(Official.objects.select_related("agency"), slug=slug)


@router.get(
    "/me",
    response={200: MeOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    tags=["account"],
)
def me(request: HttpRequest) -> Any:
    """The account the token or session belongs to (to check a token works)."""
    user = acting_user(request)
    return {
        "id": user.pk,
        "public_name": user.public_name,
        "preferred_language": user.preferred_language,
    }


# --- Every app's router ------------------------------------------------------------------
# An app adds its own here (docs/api.md): ("prefix", "app.api.router").

ROUTERS: list[tuple[str, str]] = [
    ("/", "participation.api.router"),
    ("/", "reception.api.router"),
    ("/", "reception.live_api.router"),
    ("/", "participation.petition_api.router"),
    ("/", "forums.api.router"),
]

for _prefix, _dotted in ROUTERS:
    api.add_router(_prefix, router if _dotted == f"{__name__}.router" else import_string(_dotted))
