"""Reads for the queue, the item page and the public register."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from moderation.models import DecisionAppeal, ModerationItem, State
from participation.access import AccessDenied, AnyUser, holds_role, memberships
from participation.models import Role
from participation.queries import subtree_ids


def moderated_agency_ids(user: AnyUser) -> set[int] | None:
    """The agencies a moderator covers (with everything below them); None: all of them."""
    scopes = [m.agency_id for m in memberships(user) if m.role == Role.MODERATOR]
    if None in scopes:
        return None
    return subtree_ids(pk for pk in scopes if pk is not None)


def queue_for(user: AnyUser) -> QuerySet[ModerationItem]:
    """Items waiting for a moderator, most urgent first: live chat, then the nearest
    deadline, then the oldest."""
    items = ModerationItem.objects.filter(
        Q(state=State.HELD) | Q(needs_review=True) | Q(hidden_by_reports=True)
    )
    covered = moderated_agency_ids(user)
    if covered is not None:
        items = items.filter(agency_id__in=covered)
    return items.select_related("author", "claimed_by").order_by(
        "priority", F("due_at").asc(nulls_last=True), "submitted_at", "pk"
    )


def access_item_by_id(user: AnyUser, pk: int) -> ModerationItem:
    """The item, for its author or a moderator who covers it; AccessDenied for anyone else."""
    try:
        item = ModerationItem.objects.select_related("author", "agency", "decided_by").get(pk=pk)
    except ModerationItem.DoesNotExist as exc:
        raise AccessDenied from exc
    if not user.is_authenticated:
        raise AccessDenied
    if item.author_id == user.pk or holds_role(user, Role.MODERATOR, item.agency):
        return item
    raise AccessDenied


def register_stats(days: int = 365) -> dict[str, Any]:
    """The public moderation register: what was decided, why, how fast, and appeals."""
    since = timezone.now() - timedelta(days=days)
    decided = ModerationItem.objects.filter(decided_at__gte=since)
    by_reason = list(
        ModerationItem.objects.filter(submitted_at__gte=since)
        .exclude(state=State.PUBLISHED, decided_at__isnull=True)
        .values("state", "reason")
        .annotate(count=Count("id"))
        .order_by("-count")
    )
    durations = [
        (decided_at - submitted_at).total_seconds() / 3600
        for submitted_at, decided_at in decided.values_list("submitted_at", "decided_at")
        if decided_at is not None
    ]
    appeals = DecisionAppeal.objects.filter(created_at__gte=since)
    return {
        "days": days,
        "submitted": ModerationItem.objects.filter(submitted_at__gte=since).count(),
        "published_automatically": ModerationItem.objects.filter(
            submitted_at__gte=since, state=State.PUBLISHED, decided_at__isnull=True
        ).count(),
        "decided_by_moderators": len(durations),
        "median_hours_to_decision": round(statistics.median(durations), 1) if durations else None,
        "by_reason": by_reason,
        "appeals": appeals.count(),
        "appeals_upheld": appeals.filter(outcome=DecisionAppeal.Outcome.UPHELD).count(),
        "appeals_overturned": appeals.filter(outcome=DecisionAppeal.Outcome.OVERTURNED).count(),
        "appeals_pending": appeals.filter(decided_at__isnull=True).count(),
    }
