"""Live statistics of a reception room or an agency: how it keeps its deadlines.

Computed from the stored clocks and appeals at request time (no job needs to
have run): on-time rate per clock, median working days to answer, appeals
overdue now, and satisfaction.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from participation.models import Agency, Official
from participation.workdays import load_calendar, local_date
from reception.models import Appeal, Clock

SHOWN_CLOCKS = (Clock.Kind.FIRST_RESPONSE, Clock.Kind.ANSWER, Clock.Kind.LEGAL)


@dataclass(frozen=True)
class ClockRecord:
    kind: Clock.Kind
    finished: int
    on_time: int

    @property
    def rate(self) -> int | None:
        """Whole per cent met on time, or None before any clock has finished."""
        return round(100 * self.on_time / self.finished) if self.finished else None


@dataclass(frozen=True)
class Record:
    appeals: int
    answered: int
    clocks: list[ClockRecord]
    median_days_to_answer: float | None
    overdue_now: int
    rated: int
    satisfied: int

    @property
    def satisfaction(self) -> int | None:
        return round(100 * self.satisfied / self.rated) if self.rated else None


def record(*, official: Official | None = None, agency: Agency | None = None) -> Record:
    appeals: QuerySet[Appeal] = Appeal.objects.all()
    clocks = Clock.objects.all()
    if official is not None:
        appeals = appeals.filter(official=official)
        clocks = clocks.filter(appeal__official=official)
    if agency is not None:
        appeals = appeals.filter(agency=agency)
        clocks = clocks.filter(agency=agency)  # each agency answers for its own clocks
    finished = (
        clocks.filter(kind__in=SHOWN_CLOCKS, state=Clock.State.MET)
        .values("kind")
        .annotate(finished=Count("id"), on_time=Count("id", filter=Q(stopped_at__lte=F("due_at"))))
    )
    by_kind: dict[str, tuple[int, int]] = {
        row["kind"]: (row["finished"], row["on_time"]) for row in finished
    }
    calendar = load_calendar()
    durations = [
        calendar.working_days_between(registered_on, local_date(answered_at))
        for registered_on, answered_at in appeals.filter(answered_at__isnull=False).values_list(
            "registered_on", "answered_at"
        )
        if answered_at is not None
    ]
    ratings = appeals.exclude(rating="").aggregate(
        rated=Count("id"), satisfied=Count("id", filter=Q(rating=Appeal.Rating.SATISFIED))
    )
    overdue = (
        clocks.filter(state=Clock.State.RUNNING, due_at__lt=timezone.now())
        .exclude(kind=Clock.Kind.MODERATION)
        .values("appeal")
        .distinct()
        .count()
    )
    return Record(
        appeals=appeals.count(),
        answered=len(durations),
        clocks=[
            ClockRecord(
                kind=kind,
                finished=by_kind.get(kind, (0, 0))[0],
                on_time=by_kind.get(kind, (0, 0))[1],
            )
            for kind in SHOWN_CLOCKS
        ],
        median_days_to_answer=statistics.median(durations) if durations else None,
        overdue_now=overdue,
        rated=ratings["rated"],
        satisfied=ratings["satisfied"],
    )
