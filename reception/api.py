"""Reception in the JSON API: published appeals with their answers, submitting an
appeal, and the statistics of how agencies keep their deadlines.

Only the public part of a published appeal ever leaves here: never the
citizen, the files, the private timeline, drafts, or a private appeal at all.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

from moderation.pipeline import ContentRefused
from participation import transparency
from participation.apikit import (
    ERRORS,
    READ_LIMIT,
    WRITE_AUTH,
    WRITE_ERRORS,
    WRITE_LIMIT,
    ApiError,
    Page,
    PageParams,
    Text,
    acting_user,
    paginate,
)
from participation.http import client_ip
from participation.models import Agency, Official, Region
from reception import actions, stats
from reception.models import Appeal, AppealEvent

router = Router(tags=["appeals"])


# --- Published appeals --------------------------------------------------------------


class AppealKind(StrEnum):
    """Appeal.Kind under its own name in the schema (Agency.Kind is "Kind" too)."""

    QUESTION = "question"
    COMPLAINT = "complaint"
    PROPOSAL = "proposal"
    REQUEST = "request"


class AppealState(StrEnum):
    REGISTERED = "registered"
    ACCEPTED = "accepted"
    AWAITING_CITIZEN = "awaiting_citizen"
    ANSWERED = "answered"
    CLOSED = "closed"
    ESCALATED = "escalated"
    NOT_CONSIDERED = "not_considered"


class EventOut(Schema):
    action: str
    at: datetime
    agency: str | None


class AppealOut(Schema):
    tracking_number: str
    kind: AppealKind
    subject: str
    text_html: str = Field(description="The appeal as published: sanitised HTML.")
    state: AppealState
    agency: str = Field(description="Slug of the agency handling it now.")
    official: str | None = Field(description="Slug of the official it is addressed to.")
    registered_on: date
    answer_html: str = Field(description="The answer, sanitised HTML; empty before it.")
    outcome: str
    answered_at: datetime | None
    reopened: bool
    url: str

    @staticmethod
    def resolve_agency(appeal: Appeal) -> str:
        return appeal.agency.slug

    @staticmethod
    def resolve_official(appeal: Appeal) -> str | None:
        return appeal.official.slug if appeal.official else None

    @staticmethod
    def resolve_url(appeal: Appeal) -> str:
        return appeal.get_absolute_url()


class AppealDetailOut(AppealOut):
    timeline: list[EventOut]


class AppealFilters(PageParams):
    agency: str | None = Field(None, description="Slug of the handling agency.")
    official: str | None = Field(None, description="Slug of the addressed official.")
    state: AppealState | None = None
    kind: AppealKind | None = None


def published_appeals() -> Any:
    """The one query for appeals the public may read: public and published."""
    return Appeal.objects.filter(is_visible=True).select_related("agency", "official")


@router.get("/appeals", response={200: Page[AppealOut], **ERRORS})
def list_appeals(
    request: HttpRequest,
    filters: Query[AppealFilters],
) -> Any:
    """Published appeals, newest first, with their answers."""
    appeals = published_appeals()
    if filters.agency:
        appeals = appeals.filter(agency__slug=filters.agency)
    if filters.official:
        appeals = appeals.filter(official__slug=filters.official)
    if filters.state:
        appeals = appeals.filter(state=filters.state)
    if filters.kind:
        appeals = appeals.filter(kind=filters.kind)
    items, next_cursor = paginate(
        appeals, cursor=filters.cursor, limit=filters.limit, order=["-submitted_at", "-id"]
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/appeals/{number}", response={200: AppealDetailOut, **ERRORS})
def get_appeal(request: HttpRequest, number: str) -> Any:
    """A published appeal and its public timeline. A private or missing one: 404 alike."""
    appeal = get_object_or_404(published_appeals(), tracking_number=number.strip().upper()[:30])
    events = AppealEvent.objects.filter(appeal=appeal, is_public=True).select_related("agency")
    appeal.timeline = [
        {"action": e.action, "at": e.created_at, "agency": e.agency.slug if e.agency else None}
        for e in events
    ]
    return appeal


# --- Submitting an appeal ---------------------------------------------------------------


class AppealIn(Schema):
    kind: AppealKind
    subject: Text = Field(min_length=1, max_length=200)
    text: Text = Field(min_length=1, max_length=20000)
    is_public: bool = Field(
        True, description="Public appeals are shown, once moderation publishes them."
    )
    agency: Text | None = Field(None, description="Slug of the agency to write to.")
    official: Text | None = Field(None, description="Slug of the official to write to.")


class AppealCreatedOut(Schema):
    tracking_number: str
    state: AppealState
    registered_on: date
    is_public: bool
    url: str


@router.post(
    "/appeals",
    response={201: AppealCreatedOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    throttle=[READ_LIMIT, WRITE_LIMIT],
)
def submit_appeal(request: HttpRequest, payload: AppealIn) -> Any:
    """Submit an appeal to an official's reception room or to an agency (exactly one).

    Files cannot be attached through the API; use the web form for them.
    """
    if bool(payload.agency) == bool(payload.official):
        raise ApiError(
            422,
            "invalid",
            _("Address the appeal to exactly one of an agency or an official."),
            details=[{"field": "body.agency", "message": "give agency or official, not both"}],
        )
    if not payload.subject.strip() or not payload.text.strip():
        raise ApiError(422, "invalid", _("The subject and the text must not be blank."))
    official = (
        Official.objects.select_related("agency").filter(slug=payload.official).first()
        if payload.official
        else None
    )
    agency = Agency.objects.filter(slug=payload.agency).first() if payload.agency else None
    if official is None and agency is None:
        raise ApiError(422, "unknown_addressee", _("There is no such agency or official."))
    try:
        appeal = actions.do_submit_appeal(
            citizen=acting_user(request),
            kind=Appeal.Kind(payload.kind),
            subject=payload.subject,
            text=payload.text,
            is_public=payload.is_public,
            official=official,
            agency=agency if official is None else None,
            ip=client_ip(request),
        )
    except (ContentRefused, actions.InvalidTransition) as refused:
        raise ApiError(409, "refused", str(refused.message)) from refused
    return Status(
        201,
        {
            "tracking_number": appeal.tracking_number,
            "state": appeal.state,
            "registered_on": appeal.registered_on,
            "is_public": appeal.is_public,
            "url": appeal.get_absolute_url(),
        },
    )


# --- Statistics ---------------------------------------------------------------------------

stats_router = Router(tags=["statistics"])


class RecordOut(Schema):
    appeals: int
    answered: int
    median_days_to_answer: float | None
    overdue_now: int
    rated: int
    satisfied: int
    satisfaction_percent: int | None
    reopened: int
    reopen_rate_percent: int | None
    t2_finished: int
    t2_on_time: int
    t2_on_time_percent: int | None
    t3_finished: int
    t3_on_time: int
    t3_on_time_percent: int | None
    t4_finished: int
    t4_on_time: int
    t4_on_time_percent: int | None


class PeriodOut(Schema):
    start: date | None
    end: date | None


class RankedAgencyOut(Schema):
    rank: int | None
    agency: str
    name_kk: str
    name_ru: str
    name_en: str
    record: RecordOut


class StatisticsOut(Schema):
    period: PeriodOut
    region: str | None
    sort: transparency.Sort
    totals: RecordOut
    sections: dict[str, dict[str, float | int | None]] = Field(
        description="Figures other parts of the platform add (petitions, live sessions)."
    )
    agencies: list[RankedAgencyOut]


class TrendOut(Schema):
    month: date
    received: int
    answered: int
    t3_finished: int
    t3_on_time: int
    t3_on_time_percent: int | None


class AgencyStatisticsOut(Schema):
    agency: str
    period: PeriodOut
    record: RecordOut
    sections: dict[str, dict[str, float | int | None]]
    trend: list[TrendOut]


class StatisticsFilters(Schema):
    period: transparency.Preset | None = Field(
        None, description="A preset; 'custom' (or giving start/end) uses start and end."
    )
    start: date | None = Field(None, description="First registration day, included.")
    end: date | None = Field(None, description="Last registration day, included.")
    region: str | None = Field(None, description="Region slug: only its agencies.")
    sort: transparency.Sort | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _iso_date(cls, value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(_("Write the date as YYYY-MM-DD."))
        return value


def resolve_filters(
    filters: StatisticsFilters,
) -> tuple[stats.Period, Region | None, transparency.Sort]:
    """The period, region and order asked for; a clear 422 when they make no sense."""
    if filters.start and filters.end and filters.start > filters.end:
        raise ApiError(422, "invalid", _("The start date is after the end date."))
    preset = filters.period or (
        transparency.Preset.CUSTOM
        if filters.start or filters.end
        else transparency.Preset.LAST_12_MONTHS
    )
    period = transparency.resolve_period(preset, start=filters.start, end=filters.end)
    region = None
    if filters.region:
        region = Region.objects.filter(slug=filters.region).first()
        if region is None:
            raise ApiError(422, "unknown_region", _("There is no such region."))
    return period, region, filters.sort or transparency.Sort.ON_TIME


def section_values(sections: list[transparency.Section]) -> dict[str, dict[str, Any]]:
    return {s.key: {f.key: f.value for f in s.figures} for s in sections}


@stats_router.get("/statistics", response={200: StatisticsOut, **ERRORS})
def statistics(request: HttpRequest, filters: Query[StatisticsFilters]) -> Any:
    """Every agency ranked, and the totals, for a period (default: the last 12 months)."""
    period, region, sort = resolve_filters(filters)
    rows, total = transparency.ranking(period=period, region=region, sort=sort)
    return {
        "period": {"start": period.start, "end": period.end},
        "region": region.slug if region else None,
        "sort": sort,
        "totals": total.as_dict(),
        "sections": section_values(transparency.sections(None, period, region)),
        "agencies": [
            {
                "rank": row.rank,
                "agency": row.agency.slug,
                "name_kk": row.agency.name_kk,
                "name_ru": row.agency.name_ru,
                "name_en": row.agency.name_en,
                "record": row.record.as_dict(),
            }
            for row in rows
        ],
    }


@stats_router.get("/statistics/agencies/{slug}", response={200: AgencyStatisticsOut, **ERRORS})
def agency_statistics(request: HttpRequest, slug: str, filters: Query[StatisticsFilters]) -> Any:
    """One agency's record and its monthly trend for a period."""
    agency = get_object_or_404(Agency, slug=slug)
    period, _region, _sort = resolve_filters(filters)
    return {
        "agency": agency.slug,
        "period": {"start": period.start, "end": period.end},
        "record": stats.record(agency=agency, period=period).as_dict(),
        "sections": section_values(transparency.sections(agency, period, None)),
        "trend": [
            {
                "month": point.month,
                "received": point.received,
                "answered": point.answered,
                "t3_finished": point.t3_finished,
                "t3_on_time": point.t3_on_time,
                "t3_on_time_percent": point.on_time_rate,
            }
            for point in transparency.agency_trend(period=period, agency=agency)
        ],
    }


router.add_router("/", stats_router)
