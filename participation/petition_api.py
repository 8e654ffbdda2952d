"""Petitions in the JSON API: listed petitions with their exact counts, per-region
totals, timelines and responses; signing.

The same data as the open-data files (``petition_queries.open_data``): never
the author, a signer, an address or an e-mail domain.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from participation import petition_actions, petition_queries
from participation.access import AccessDenied
from participation.apikit import (
    ERRORS,
    READ_LIMIT,
    WRITE_AUTH,
    WRITE_ERRORS,
    WRITE_LIMIT,
    ApiError,
    Page,
    PageParams,
    acting_user,
    paginate,
)
from participation.http import client_ip
from participation.models import Region
from participation.petition_models import Petition

router = Router(tags=["petitions"])


class PetitionState(StrEnum):
    """The listed states (drafts, those gathering supporters and rejected ones are not)."""

    OPEN = "open"
    CONSIDERATION = "consideration"
    RESPONDED = "responded"
    CLOSED = "closed"
    EXPIRED = "expired"


class PetitionLevel(StrEnum):
    REPUBLIC = "republic"
    REGION = "region"
    CITY = "city"


class PetitionOut(Schema):
    id: int
    number: str
    title: str
    state: PetitionState
    level: PetitionLevel
    agency: str = Field(description="Slug of the body it is addressed to.")
    threshold: int
    signature_count: int = Field(description="Valid signatures, exact as of counted_at.")
    counted_at: datetime | None
    closes_at: datetime | None
    url: str

    @staticmethod
    def resolve_agency(petition: Petition) -> str:
        return petition.agency.slug

    @staticmethod
    def resolve_url(petition: Petition) -> str:
        return petition.get_absolute_url()


class RegionCountOut(Schema):
    slug: str | None = Field(description="None: signers who named no region.")
    name: str
    count: int


class StepOut(Schema):
    action: str
    at: datetime | None


class PetitionDetailOut(PetitionOut):
    text_html: str = Field(description="The petition as published: sanitised HTML.")
    opened_at: datetime | None
    threshold_reached_at: datetime | None
    response_due_at: datetime | None
    responded_at: datetime | None
    response_html: str = Field(description="The government's response; empty before it.")
    regions: list[RegionCountOut] = Field(description="Per-region totals; they add up.")
    timeline: list[StepOut]


class PetitionFilters(PageParams):
    state: PetitionState | None = None
    agency: str | None = Field(None, description="Slug of the addressed body.")


def _listed(pk: int) -> Petition:
    petition = petition_queries.listed().filter(pk=pk).first()
    if petition is None:
        raise AccessDenied
    return petition


@router.get("/petitions", response={200: Page[PetitionOut], **ERRORS})
def list_petitions(request: HttpRequest, filters: Query[PetitionFilters]) -> Any:
    """Listed petitions, newest first."""
    petitions = petition_queries.listed(filters.state or "")
    if filters.agency:
        petitions = petitions.filter(agency__slug=filters.agency)
    items, next_cursor = paginate(
        petitions, cursor=filters.cursor, limit=filters.limit, order=["-created_at", "-id"]
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/petitions/{petition_id}", response={200: PetitionDetailOut, **ERRORS})
def get_petition(request: HttpRequest, petition_id: int) -> Any:
    """A listed petition: its text, count per region, timeline and response."""
    petition = _listed(petition_id)
    data = petition_queries.open_data(petition)  # the open-data file's regions and steps
    petition.regions = data["regions"]  # type: ignore[attr-defined]
    petition.timeline = data["timeline"]  # type: ignore[attr-defined]
    return petition


class SignIn(Schema):
    region: str | None = Field(None, description="Slug of the signer's region (optional).")
    public: bool = Field(False, description="Show the signer's public name on the page.")


class SignOut(Schema):
    new: bool = Field(description="False: this person had signed already (nothing changed).")
    counted: bool = Field(
        description="False: over the address's rate limit; kept for a moderator to check."
    )


@router.post(
    "/petitions/{petition_id}/signatures",
    response={200: SignOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    throttle=[READ_LIMIT, WRITE_LIMIT],
)
def sign(request: HttpRequest, petition_id: int, payload: SignIn) -> Any:
    """Sign a petition: once per person, whatever the spelling of their e-mail address.

    Signing again is harmless and answers ``new: false``.
    """
    region = None
    if payload.region:
        region = Region.objects.filter(slug=payload.region).first()
        if region is None:
            raise ApiError(422, "unknown_region", _("There is no such region."))
    try:
        result = petition_actions.do_sign(
            Petition(pk=petition_id),
            user=acting_user(request),
            region=region,
            public=payload.public,
            ip=client_ip(request),
        )
    except petition_actions.PetitionError as refused:
        raise ApiError(409, "refused", str(refused.message)) from refused
    return {"new": result.created, "counted": result.counted}
