"""Reads of appeals, through one access check."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, QuerySet, Subquery
from django.utils import timezone

from participation.access import AccessDenied, AnyUser, holds_role
from participation.models import Agency, Official, Role
from participation.queries import subtree_ids
from reception.models import Appeal, AppealEvent, Clock


def can_see_all(user: AnyUser, appeal: Appeal) -> bool:
    """The citizen, the operator who submitted it, its office (and the bodies above),
    and the moderators who cover it see everything; others only what is public."""
    if not user.is_authenticated:
        return False
    if user.pk in (appeal.citizen_id, appeal.submitted_by_id):
        return True
    return any(
        holds_role(user, role, appeal.agency)
        for role in (Role.OFFICIAL, Role.DELEGATE, Role.MODERATOR)
    )


def access_appeal(user: AnyUser, number: str) -> tuple[Appeal, bool]:
    """(appeal, sees everything); AccessDenied for a missing or a private appeal alike."""
    try:
        appeal = Appeal.objects.select_related("agency", "official", "citizen").get(
            tracking_number=number.strip().upper()
        )
    except Appeal.DoesNotExist as exc:
        raise AccessDenied from exc
    full = can_see_all(user, appeal)
    if not full and not appeal.is_visible:
        raise AccessDenied
    return appeal, full


def timeline(appeal: Appeal, *, full: bool) -> QuerySet[AppealEvent]:
    events = appeal.events.select_related("agency")
    return events if full else events.filter(is_public=True)


def room_appeals(official: Official) -> QuerySet[Appeal]:
    """The published questions of a reception room, newest first."""
    return official.appeals.filter(is_visible=True).order_by("-submitted_at")


def covered_agency_ids(agencies: list[Agency]) -> list[int]:
    """These agencies and every agency below them (a membership covers its subtree)."""
    return sorted(subtree_ids(agency.pk for agency in agencies))


def office_appeals(
    agency_ids: list[int], *, filters: dict[str, str], user: Any
) -> QuerySet[Appeal]:
    """The office inbox: most urgent first (the nearest live deadline)."""
    appeals = Appeal.objects.filter(agency_id__in=agency_ids).select_related("assignee", "agency")
    if filters.get("state", "open") == "open":
        appeals = appeals.filter(state__in=OPEN_STATES)
    if filters.get("kind") in Appeal.Kind.values:
        appeals = appeals.filter(kind=filters["kind"])
    if filters.get("assignee") == "me":
        appeals = appeals.filter(assignee=user)
    elif filters.get("assignee") == "none":
        appeals = appeals.filter(assignee__isnull=True)
    now = timezone.now()
    live = Clock.objects.filter(appeal=OuterRef("pk"), state=Clock.State.RUNNING).exclude(
        kind=Clock.Kind.MODERATION
    )
    if filters.get("clock") == "breached":
        appeals = appeals.filter(Exists(live.filter(due_at__lt=now)))
    elif filters.get("clock") == "at_risk":
        appeals = appeals.filter(Exists(live.filter(warn_at__lt=now, due_at__gte=now)))
    next_due = live.order_by("due_at").values("due_at")[:1]
    return appeals.annotate(next_due=Subquery(next_due)).order_by(
        F("next_due").asc(nulls_last=True), "submitted_at"
    )


OPEN_STATES = [Appeal.State.REGISTERED, Appeal.State.ACCEPTED, Appeal.State.AWAITING_CITIZEN]
