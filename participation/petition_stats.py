"""Petitions on the transparency pages: how many reached their threshold, and whether
the government answered them within the term (20 or 40 working days)."""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Agency, Region
from participation.petition_models import Petition
from participation.transparency import Figure, Section
from reception.stats import Period, percent


def transparency_section(
    agency: Agency | None, period: Period, region: Region | None
) -> Section | None:
    """Petitions whose threshold was reached in the period (by local date)."""
    now = timezone.now()
    petitions = Petition.objects.filter(threshold_reached_at__isnull=False)
    if agency is not None:
        petitions = petitions.filter(agency=agency)
    if region is not None:
        petitions = petitions.filter(agency__region=region)
    since, until = period.moments()
    if since is not None:
        petitions = petitions.filter(threshold_reached_at__gte=since)
    if until is not None:
        petitions = petitions.filter(threshold_reached_at__lt=until)
    counts = petitions.aggregate(
        reached=Count("id"),
        responded=Count("id", filter=Q(responded_at__isnull=False)),
        on_time=Count("id", filter=Q(responded_at__lte=F("response_due_at"))),
        overdue=Count(
            "id",
            filter=Q(responded_at__isnull=True, response_due_at__lt=now)
            & Q(state=Petition.State.CONSIDERATION),
        ),
    )
    return Section(
        key="petitions",
        title=_("Petitions"),
        figures=[
            Figure("threshold_reached", _("Reached their threshold"), counts["reached"]),
            Figure("responded", _("Responded"), counts["responded"]),
            Figure("responded_on_time", _("Responded on time"), counts["on_time"]),
            Figure(
                "on_time_percent",
                _("Responded on time, of those reaching the threshold"),
                percent(counts["on_time"], counts["reached"]),
                "%",
            ),
            Figure("overdue_now", _("Response overdue now"), counts["overdue"]),
        ],
    )
