"""Reading sanctions. Every place that accepts user content asks ``active_restriction``.

The pipeline asks on every create and edit; the live-session consumer and the
API ask before accepting a message (they call the pipeline, so they do).
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from moderation.models import Sanction

# How long "this person has no ban or mute" may be remembered. Issuing a sanction
# forgets it at once (``forget``), so a new sanction takes effect immediately.
_CLEAR_SECONDS = 60


def _clear_key(user_id: int) -> str:
    return f"moderation:unsanctioned:{user_id}"


def forget(user_id: int) -> None:
    cache.delete(_clear_key(user_id))


def active_restriction(user: Any) -> Sanction | None:
    """The ban, or the mute that ends last, in force for ``user`` now; None if they may post."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if cache.get(_clear_key(user.pk)):
        return None
    now = timezone.now()
    current = list(
        Sanction.objects.filter(user=user, kind__in=[Sanction.Kind.BAN, Sanction.Kind.MUTE])
        .filter(revoked_at__isnull=True, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )
    if not current:
        cache.set(_clear_key(user.pk), 1, timeout=_CLEAR_SECONDS)
        return None
    permanent = [s for s in current if s.ends_at is None]
    return permanent[0] if permanent else max(current, key=lambda s: s.ends_at or now)
