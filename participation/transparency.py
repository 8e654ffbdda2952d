"""Transparency: who answers on time, across agencies and per agency (docs/transparency.md).

The reception figures come from ``reception.stats`` (the one place they are
computed); this module adds what the pages, the API and the open-data exports
share on top of them: the period and region filters, the ranking, and the
sections other apps contribute.

EXTENSION POINT (issues 5 and 7): petitions ("petitions responded on time")
and live sessions ("sessions held", "questions answered") add their figures
with ``register_section`` from their app's ``ready()``. Each provider gets the
agency (None: all agencies), the period and the region, and returns a
``Section`` or None. The pages, ``/api/statistics`` and the exports show
every registered section without further changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import Agency, Region
from participation.workdays import local_date
from reception.models import Clock
from reception.stats import (
    EMPTY,
    Period,
    Record,
    TrendPoint,
    months,
    records_by_agency,
    trend,
)
from reception.stats import version as stats_version

# --- Filters ---------------------------------------------------------------------------


class Preset(StrEnum):
    LAST_30_DAYS = "30d"
    LAST_90_DAYS = "90d"
    LAST_12_MONTHS = "12m"
    THIS_YEAR = "year"
    ALL_TIME = "all"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return str(_PRESET_LABELS[self])


_PRESET_LABELS = {
    Preset.LAST_30_DAYS: _("Last 30 days"),
    Preset.LAST_90_DAYS: _("Last 90 days"),
    Preset.LAST_12_MONTHS: _("Last 12 months"),
    Preset.THIS_YEAR: _("This year"),
    Preset.ALL_TIME: _("All time"),
    Preset.CUSTOM: _("Dates below"),
}


def resolve_period(
    preset: Preset, *, start: date | None = None, end: date | None = None, today: date | None = None
) -> Period:
    """The registration days a preset covers (local dates)."""
    # Open-ended: an appeal sent at the weekend is registered on the next working
    # day, after today, and belongs in "the last 30 days" all the same.
    today = today or local_date(timezone.now())
    if preset == Preset.LAST_30_DAYS:
        return Period(today - timedelta(days=29), None)
    if preset == Preset.LAST_90_DAYS:
        return Period(today - timedelta(days=89), None)
    if preset == Preset.LAST_12_MONTHS:
        return Period(months_back(today, 11), None)
    if preset == Preset.THIS_YEAR:
        return Period(today.replace(month=1, day=1), None)
    if preset == Preset.CUSTOM:
        return Period(start, end)
    return Period()


def months_back(today: date, count: int) -> date:
    """The first day of the month ``count`` months before ``today``'s."""
    index = today.year * 12 + today.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


MAX_TREND_MONTHS = 36


def trend_range(period: Period, *, today: date | None = None) -> tuple[date, date]:
    """The months a trend chart covers: the period's, at most the last 36, to today."""
    today = today or local_date(timezone.now())
    end = min(period.end or today, today)
    earliest = months_back(end, MAX_TREND_MONTHS - 1)
    start = max(period.start or months_back(end, 11), earliest)
    return start, max(start, end)


# --- Sections other apps add -------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | None
    unit: str = ""  # "%" for rates


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: list[Figure]


Provider = Callable[[Agency | None, Period, Region | None], Section | None]
_PROVIDERS: list[Provider] = []


def register_section(provider: Provider) -> None:
    """Add a section of figures to every transparency page, the API and the exports."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def sections(agency: Agency | None, period: Period, region: Region | None) -> list[Section]:
    found = (provider(agency, period, region) for provider in _PROVIDERS)
    return [section for section in found if section is not None]


# --- Ranking ------------------------------------------------------------------------------


class Sort(StrEnum):
    ON_TIME = "on_time"
    LEGAL = "legal"
    MEDIAN = "median"
    OVERDUE = "overdue"
    SATISFACTION = "satisfaction"
    APPEALS = "appeals"

    @property
    def label(self) -> str:
        return str(_SORT_LABELS[self])


_SORT_LABELS = {
    Sort.ON_TIME: _("Answered on time (5 working days)"),
    Sort.LEGAL: _("Within the legal deadline"),
    Sort.MEDIAN: _("Fastest median answer"),
    Sort.OVERDUE: _("Fewest overdue now"),
    Sort.SATISFACTION: _("Most satisfied citizens"),
    Sort.APPEALS: _("Most appeals"),
}


@dataclass(frozen=True)
class Row:
    rank: int | None  # None: nothing to rank by in this period
    agency: Agency
    record: Record


def _sort_value(record: Record, sort: Sort) -> float | None:
    """The value the ranking orders by, larger is better; None is unranked."""
    if sort == Sort.ON_TIME:
        rate = record.clock(Clock.Kind.ANSWER).rate
        return None if rate is None else float(rate)
    if sort == Sort.LEGAL:
        rate = record.clock(Clock.Kind.LEGAL).rate
        return None if rate is None else float(rate)
    if sort == Sort.MEDIAN:
        median = record.median_days_to_answer
        return None if median is None else -float(median)
    if sort == Sort.OVERDUE:
        return None if record.appeals == 0 and record.overdue_now == 0 else -record.overdue_now
    if sort == Sort.SATISFACTION:
        return None if record.satisfaction is None else float(record.satisfaction)
    return float(record.appeals) if record.appeals else None


CACHE_SECONDS = 60


def ranking(
    *, period: Period, region: Region | None = None, sort: Sort = Sort.ON_TIME
) -> tuple[list[Row], Record]:
    """Every agency (of the region) with its record, best first by ``sort``, and the
    record of them all.

    Equal values share a rank (1, 2, 2, 4); agencies with nothing to rank by
    come last, unranked, by name.

    Cached for up to a minute (the overview reads every answered appeal of the
    period): the key holds the statistics version, which every appeal step
    changes, so only "overdue now" may lag, by less than a minute.
    """
    key = _cache_key("ranking", period.start, period.end, region.pk if region else "", sort.value)
    found: tuple[list[Row], Record] | None = cache.get(key)
    if found is None:
        found = _ranking(period=period, region=region, sort=sort)
        cache.set(key, found, timeout=CACHE_SECONDS)
    return found


def _ranking(*, period: Period, region: Region | None, sort: Sort) -> tuple[list[Row], Record]:
    agencies = Agency.objects.select_related("region", "parent")
    if region is not None:
        agencies = agencies.filter(region=region)
    records, total = records_by_agency(period=period, region=region)
    scored = [
        (agency, records.get(agency.pk, EMPTY)) for agency in agencies.order_by("name_en", "id")
    ]
    ranked = [(a, r, v) for a, r in scored if (v := _sort_value(r, sort)) is not None]
    ranked.sort(key=lambda item: -item[2])
    rows: list[Row] = []
    previous: float | None = None
    rank = 0
    for position, (agency, record, value) in enumerate(ranked, start=1):
        if value != previous:
            rank, previous = position, value
        rows.append(Row(rank=rank, agency=agency, record=record))
    rows.extend(
        Row(rank=None, agency=agency, record=record)
        for agency, record in scored
        if _sort_value(record, sort) is None
    )
    return rows, total


def agency_trend(
    *, period: Period, agency: Agency | None = None, region: Region | None = None
) -> list[TrendPoint]:
    """The months of the period, cached like the ranking (same key rules)."""
    start, end = trend_range(period)
    key = _cache_key("trend", start, end, agency.pk if agency else "", region.pk if region else "")
    found: list[TrendPoint] | None = cache.get(key)
    if found is None:
        found = trend(start=start, end=end, agency=agency, region=region)
        cache.set(key, found, timeout=CACHE_SECONDS)
    return found


def _cache_key(*parts: object) -> str:
    """A cache key that changes with every appeal step and every minute."""
    bucket = int(timezone.now().timestamp() // CACHE_SECONDS)
    return ":".join(str(part) for part in ("transparency", stats_version(), bucket, *parts))


__all__ = [
    "Figure",
    "Period",
    "Preset",
    "Row",
    "Section",
    "Sort",
    "agency_trend",
    "months",
    "ranking",
    "register_section",
    "resolve_period",
    "sections",
]
