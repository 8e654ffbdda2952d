"""Live statistics of reception rooms and agencies: how they keep their deadlines.

This module is the one place the reception figures are computed, for the
reception room and agency pages, the transparency pages, the API and the
open-data exports alike. Everything is read from the stored clocks and
appeals at request time (no job needs to have run).

Definitions (docs/open-data.md repeats them for readers of the exports):

- ``appeals``: appeals handled by the agency (or addressed to the official)
  whose registration day falls in the period.
- ``answered``: those of them with an answer.
- clock rates: T2–T4 clocks of the agency, started in the period, that were
  met; ``on_time`` are those met before their due moment.
- ``median_days_to_answer``: working days from registration to the local date
  of the answer (the Kazakh calendar, with its holidays and transfers).
- ``overdue_now``: appeals with a T2–T4 clock running past its due moment now.
- ``satisfaction``: satisfied ratings over all ratings; ``reopen_rate``:
  appeals reopened after an unsatisfied rating over appeals answered.

The whole-percent rates round half to even (Python's ``round``).
"""

from __future__ import annotations

import statistics
import uuid
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from participation.models import Agency, Official, Region
from participation.workdays import ALMATY, load_calendar, local_date
from reception.models import Appeal, Clock

SHOWN_CLOCKS = (Clock.Kind.FIRST_RESPONSE, Clock.Kind.ANSWER, Clock.Kind.LEGAL)
# Changes whenever an appeal takes a step: caches of these figures include it in their key.
VERSION_KEY = "reception:stats:version"


def mark_changed() -> None:
    """Appeals or clocks changed: figures cached before are stale.

    ``reception.actions`` calls it with every timeline event, so every step counts.
    The version moves at once and again on commit: a reader between the two may
    cache what it saw before the commit, and the second move retires that.
    """

    def bump() -> None:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)

    bump()
    transaction.on_commit(bump)


def version() -> str:
    return str(cache.get(VERSION_KEY, "0"))


def percent(part: int, whole: int) -> int | None:
    """Whole per cent, or None when there is nothing to divide."""
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Period:
    """Registration days from ``start`` to ``end``, both included; None is open-ended."""

    start: date | None = None
    end: date | None = None

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)

    def moments(self) -> tuple[datetime | None, datetime | None]:
        """The period as aware moments, [local midnight of start, of the day after end);
        None where it is open, or so far off that no moment in UTC could be before
        or after it (a filter asked for year 1)."""
        since = until = None
        if self.start is not None and self.start > date.min + timedelta(days=1):
            since = datetime.combine(self.start, time(0), ALMATY)
        if self.end is not None and self.end < date.max - timedelta(days=1):
            until = datetime.combine(self.end + timedelta(days=1), time(0), ALMATY)
        return since, until


ALL_TIME = Period()


@dataclass(frozen=True)
class ClockRecord:
    kind: Clock.Kind
    finished: int
    on_time: int

    @property
    def rate(self) -> int | None:
        """Whole per cent met on time, or None before any clock has finished."""
        return percent(self.on_time, self.finished)


@dataclass(frozen=True)
class Record:
    appeals: int
    answered: int
    clocks: list[ClockRecord]
    median_days_to_answer: float | None
    overdue_now: int
    rated: int
    satisfied: int
    reopened: int = 0

    @property
    def satisfaction(self) -> int | None:
        return percent(self.satisfied, self.rated)

    @property
    def reopen_rate(self) -> int | None:
        return percent(self.reopened, self.answered)

    @property
    def answer_rate(self) -> int | None:
        return percent(self.answered, self.appeals)

    def clock(self, kind: Clock.Kind) -> ClockRecord:
        return next(row for row in self.clocks if row.kind == kind)

    def as_dict(self) -> dict[str, object]:
        """The record as plain values, keyed as in the API and the exports."""
        values: dict[str, object] = {
            "appeals": self.appeals,
            "answered": self.answered,
            "median_days_to_answer": self.median_days_to_answer,
            "overdue_now": self.overdue_now,
            "rated": self.rated,
            "satisfied": self.satisfied,
            "satisfaction_percent": self.satisfaction,
            "reopened": self.reopened,
            "reopen_rate_percent": self.reopen_rate,
        }
        for row in self.clocks:
            values[f"{row.kind.value}_finished"] = row.finished
            values[f"{row.kind.value}_on_time"] = row.on_time
            values[f"{row.kind.value}_on_time_percent"] = row.rate
        return values


EMPTY = Record(
    appeals=0,
    answered=0,
    clocks=[ClockRecord(kind=kind, finished=0, on_time=0) for kind in SHOWN_CLOCKS],
    median_days_to_answer=None,
    overdue_now=0,
    rated=0,
    satisfied=0,
)


def record(
    *,
    official: Official | None = None,
    agency: Agency | None = None,
    period: Period = ALL_TIME,
    region: Region | None = None,
    now: datetime | None = None,
) -> Record:
    """The record of one official's room, one agency, or (neither) all agencies."""
    appeals, clocks = _scope(period=period, region=region)
    if official is not None:
        appeals = appeals.filter(official=official)
        clocks = clocks.filter(appeal__official=official)
    if agency is not None:
        appeals = appeals.filter(agency=agency)
        clocks = clocks.filter(agency=agency)  # each agency answers for its own clocks
    return _records(appeals, clocks, group=None, now=now).get(None, EMPTY)


def records_by_agency(
    *, period: Period = ALL_TIME, region: Region | None = None, now: datetime | None = None
) -> tuple[dict[int, Record], Record]:
    """Every agency's record at once (a fixed number of queries), keyed by agency id,
    and the record of them all, from the same rows (equal to ``record(period, region)``).

    Agencies with nothing in the period are missing: use ``EMPTY`` for them.
    """
    appeals, clocks = _scope(period=period, region=region)
    records = _records(appeals, clocks, group="agency_id", now=now)
    total = records.pop(_TOTAL, EMPTY)
    return {int(key): value for key, value in records.items() if isinstance(key, int)}, total


_TOTAL = "total"  # the key of all groups together in _records' result


def _scope(*, period: Period, region: Region | None) -> tuple[QuerySet[Appeal], QuerySet[Clock]]:
    appeals: QuerySet[Appeal] = Appeal.objects.all()
    clocks: QuerySet[Clock] = Clock.objects.all()
    if period.start is not None:
        appeals = appeals.filter(registered_on__gte=period.start)
        clocks = clocks.filter(registered_on__gte=period.start)
    if period.end is not None:
        appeals = appeals.filter(registered_on__lte=period.end)
        clocks = clocks.filter(registered_on__lte=period.end)
    if region is not None:
        appeals = appeals.filter(agency__region=region)
        clocks = clocks.filter(agency__region=region)
    return appeals, clocks


def _records(
    appeals: QuerySet[Appeal],
    clocks: QuerySet[Clock],
    *,
    group: str | None,
    now: datetime | None,
) -> dict[Hashable, Record]:
    """The records of these appeals and clocks, one per value of ``group`` (None: one)."""
    now = now or timezone.now()
    keys = [group] if group else []

    def key(row: dict[str, object]) -> Hashable:
        return row[group] if group else None

    tallies = {
        "total": Count("id"),
        "rated": Count("id", filter=~Q(rating="")),
        "satisfied": Count("id", filter=Q(rating=Appeal.Rating.SATISFIED)),
        "reopened": Count("id", filter=Q(reopened=True)),
    }
    # values() with no field would group by every column: one aggregate when ungrouped.
    counts = (
        appeals.values(*keys).annotate(**tallies).order_by()
        if group
        else [appeals.aggregate(**tallies)]
    )
    by_key: dict[Hashable, dict[str, int]] = {}
    for row in counts:
        if row["total"]:
            by_key[key(row)] = {name: int(row[name]) for name in tallies}

    finished: dict[Hashable, dict[str, tuple[int, int]]] = defaultdict(dict)
    for row in (
        clocks.filter(kind__in=SHOWN_CLOCKS, state=Clock.State.MET)
        .values(*keys, "kind")
        .annotate(finished=Count("id"), on_time=Count("id", filter=Q(stopped_at__lte=F("due_at"))))
        .order_by()
    ):
        finished[key(row)][str(row["kind"])] = (int(row["finished"]), int(row["on_time"]))

    calendar = load_calendar()
    durations: dict[Hashable, list[int]] = defaultdict(list)
    for row in appeals.filter(answered_at__isnull=False).values(
        *keys, "registered_on", "answered_at"
    ):
        answered_at = row["answered_at"]
        assert isinstance(answered_at, datetime)
        durations[key(row)].append(
            calendar.working_days_between(row["registered_on"], local_date(answered_at))
        )

    overdue: dict[Hashable, int] = defaultdict(int)
    overdue_appeals: set[object] = set()
    for row in (
        clocks.filter(state=Clock.State.RUNNING, due_at__lt=now)
        .exclude(kind=Clock.Kind.MODERATION)
        .values(*keys, "appeal")
        .distinct()
        .order_by()
    ):
        overdue[key(row)] += 1
        overdue_appeals.add(row["appeal"])

    if group:
        # All groups together, from the rows already read: one pass serves the
        # ranking and its totals (the medians need every duration, not the groups').
        by_key[_TOTAL] = {name: sum(count[name] for count in by_key.values()) for name in tallies}
        groups = list(finished.values())
        for kind in SHOWN_CLOCKS:
            pairs = [f[kind.value] for f in groups if kind.value in f]
            finished[_TOTAL][kind.value] = (sum(p[0] for p in pairs), sum(p[1] for p in pairs))
        durations[_TOTAL] = [days for values in list(durations.values()) for days in values]
        overdue[_TOTAL] = len(overdue_appeals)

    result: dict[Hashable, Record] = {}
    for group_key in set(by_key) | set(finished) | set(overdue):
        count = by_key.get(group_key, {})
        days = durations.get(group_key, [])
        result[group_key] = Record(
            appeals=count.get("total", 0),
            answered=len(days),
            clocks=[
                ClockRecord(
                    kind=kind,
                    finished=finished[group_key].get(kind.value, (0, 0))[0],
                    on_time=finished[group_key].get(kind.value, (0, 0))[1],
                )
                for kind in SHOWN_CLOCKS
            ],
            median_days_to_answer=statistics.median(days) if days else None,
            overdue_now=overdue.get(group_key, 0),
            rated=count.get("rated", 0),
            satisfied=count.get("satisfied", 0),
            reopened=count.get("reopened", 0),
        )
    return result


# --- Trends ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    """One month: appeals registered, appeals answered, and answer clocks (T3) met on time."""

    month: date  # the first day of the month
    received: int = 0
    answered: int = 0
    t3_finished: int = 0
    t3_on_time: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def on_time_rate(self) -> int | None:
        return percent(self.t3_on_time, self.t3_finished)


def months(start: date, end: date) -> list[date]:
    """The first days of the months from ``start``'s to ``end``'s, both included."""
    first, last = start.replace(day=1), end.replace(day=1)
    found = []
    while first <= last:
        found.append(first)
        first = first.replace(year=first.year + 1, month=1) if first.month == 12 else (
            first.replace(month=first.month + 1)
        )  # fmt: skip
    return found


def trend(
    *,
    start: date,
    end: date,
    agency: Agency | None = None,
    region: Region | None = None,
) -> list[TrendPoint]:
    """Month by month from ``start`` to ``end``: received (by registration day),
    answered (by the local date of the answer), and T3 clocks met (by the local
    date they stopped), on time or not."""
    buckets = months(start, end)
    appeals: QuerySet[Appeal] = Appeal.objects.all()
    clocks: QuerySet[Clock] = Clock.objects.filter(kind=Clock.Kind.ANSWER, state=Clock.State.MET)
    if agency is not None:
        appeals = appeals.filter(agency=agency)
        clocks = clocks.filter(agency=agency)
    if region is not None:
        appeals = appeals.filter(agency__region=region)
        clocks = clocks.filter(agency__region=region)
    # Moments from the first local instant of ``start`` to the last of ``end``; months
    # are cut in local time by the database, so only one row per month comes back.
    low = datetime.combine(start, time.min, tzinfo=ALMATY)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=ALMATY)
    received = {
        _month(row["month"]): row["n"]
        for row in appeals.filter(registered_on__range=(start, end))
        .annotate(month=TruncMonth("registered_on"))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    answered = {
        _month(row["month"]): row["n"]
        for row in appeals.filter(answered_at__gte=low, answered_at__lt=high)
        .annotate(month=TruncMonth("answered_at", tzinfo=ALMATY))
        .values("month")
        .annotate(n=Count("id"))
        .order_by()
    }
    finished = {
        _month(row["month"]): (row["n"], row["on_time"])
        for row in clocks.filter(stopped_at__gte=low, stopped_at__lt=high)
        .annotate(month=TruncMonth("stopped_at", tzinfo=ALMATY))
        .values("month")
        .annotate(n=Count("id"), on_time=Count("id", filter=Q(stopped_at__lte=F("due_at"))))
        .order_by()
    }
    return [
        TrendPoint(
            month=month,
            received=received.get(month, 0),
            answered=answered.get(month, 0),
            t3_finished=finished.get(month, (0, 0))[0],
            t3_on_time=finished.get(month, (0, 0))[1],
        )
        for month in buckets
    ]


def _month(value: date | datetime) -> date:
    """The first day of a truncated month, whether the database gave a date or a moment."""
    if isinstance(value, datetime):
        return (value.astimezone(ALMATY) if value.tzinfo else value).date().replace(day=1)
    return value.replace(day=1)
