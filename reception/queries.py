"""Reads of appeals, through one access check."""

from __future__ import annotations

from django.db.models import QuerySet

from participation.access import AccessDenied, AnyUser, holds_role
from participation.models import Official, Role
from reception.models import Appeal, AppealEvent


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
