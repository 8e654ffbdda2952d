"""Reading sanctions. Every place that accepts user content asks ``active_restriction``.

The pipeline asks on every create and edit; the live-session consumer and the
API ask before accepting a message (they call the pipeline, so they do).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from moderation.models import Sanction


def active_restriction(user: Any) -> Sanction | None:
    """The ban, or the mute that ends last, in force for ``user`` now; None if they may post."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    now = timezone.now()
    current = (
        Sanction.objects.filter(user=user, kind__in=[Sanction.Kind.BAN, Sanction.Kind.MUTE])
        .filter(revoked_at__isnull=True, starts_at__lte=now)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )
    ban = current.filter(kind=Sanction.Kind.BAN, ends_at__isnull=True).first()
    return ban or current.order_by("-ends_at").first()
