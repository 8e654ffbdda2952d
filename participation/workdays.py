"""The Kazakh working-day calendar that every SLA clock counts in.

A day is a working day unless it is a weekend or a public holiday, with two
layers of corrections, the second winning:

1. the ``holidays`` package's: a holiday that falls on a weekend gives the next
   working day off (except Orthodox Christmas and Kurban ait), and the
   government's decreed transfers (a Saturday or Sunday becomes a working day,
   a weekday a day off);
2. a ``WorkdayOverride`` row in the database, because transfers are decreed
   every year, sometimes after the package release we run.

Days are counted in Asia/Almaty local time (UTC+5 since 2024-03-01, UTC+6
before; tzdata 2024a or newer knows this). Moments are aware UTC datetimes.

A term of N working days starts the day after registration and ends at
23:59:59 local time on the N-th working day (SPEC §2).

Each module-level function reads the overrides in one query. A caller that
counts for many rows (the clock sweep) loads a ``WorkCalendar`` once with
``load_calendar()`` and passes it as ``calendar=``, so the whole batch costs one
query. Overrides are never cached across calls, so an admin's correction counts
from the next call on, with no signal to keep a cache fresh. Only the package's
data, which cannot change while the process runs, is cached per year.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_right
from collections.abc import Mapping
from zoneinfo import ZoneInfo

import holidays

from participation.models import WorkdayOverride

ALMATY = ZoneInfo("Asia/Almaty")
END_OF_DAY = dt.time(23, 59, 59)
_SATURDAY = 5


@functools.lru_cache(maxsize=256)
def _package_year(year: int) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """The package's days off and extra working days in ``year``.

    Neighbouring years are loaded too: a decree may move a day off across New
    Year (in 2014, 3 January was paid for by Saturday 28 December 2013), and the
    package files such a transfer under the year of the day off.
    """
    calendar = holidays.country_holidays("KZ", years=(year - 1, year, year + 1))
    days_off = frozenset(day for day in calendar if day.year == year)
    extra_working = frozenset(day for day in calendar.weekend_workdays if day.year == year)
    return days_off, extra_working


def _package_is_working_day(day: dt.date) -> bool:
    days_off, extra_working = _package_year(day.year)
    if day in extra_working:
        return True
    return day.weekday() < _SATURDAY and day not in days_off


@functools.lru_cache(maxsize=256)
def _package_working_ordinals(year: int) -> tuple[int, ...]:
    """The ordinals of the package's working days in ``year``, ascending: bisectable."""
    first = dt.date(year, 1, 1).toordinal()
    last = dt.date(year, 12, 31).toordinal()
    return tuple(
        ordinal
        for ordinal in range(first, last + 1)
        if _package_is_working_day(dt.date.fromordinal(ordinal))
    )


def calendar_cache_clear() -> None:
    """Forget the package's cached years (tests, or after upgrading ``holidays``).

    Database overrides need no clearing: they are read afresh by every call.
    """
    _package_year.cache_clear()
    _package_working_ordinals.cache_clear()


def _as_date(day: dt.date) -> dt.date:
    # A datetime is a date too, but a UTC datetime's date is the wrong day for
    # part of every evening in Almaty: make the caller say which day it means.
    if isinstance(day, dt.datetime):
        raise TypeError("Pass a date; turn a moment into one with local_date().")
    return day


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Moments must be aware datetimes (stored in UTC).")
    return moment


def local_date(moment: dt.datetime) -> dt.date:
    """The Almaty calendar date of an aware moment."""
    return _aware(moment).astimezone(ALMATY).date()


def end_of_day(day: dt.date) -> dt.datetime:
    """23:59:59 Almaty time on ``day``, as an aware UTC datetime."""
    return dt.datetime.combine(_as_date(day), END_OF_DAY, tzinfo=ALMATY).astimezone(dt.UTC)


class WorkCalendar:
    """The working-day calendar as the package and a fixed set of overrides see it.

    Cheap to build; days are looked up per year and kept for the calendar's
    life, so reuse one calendar for a batch rather than one per row.
    """

    def __init__(self, overrides: Mapping[dt.date, bool] | None = None) -> None:
        self.overrides: dict[dt.date, bool] = dict(overrides or {})
        self._override_years = {day.year for day in self.overrides}
        self._ordinals: dict[int, tuple[int, ...]] = {}

    def _working_ordinals(self, year: int) -> tuple[int, ...]:
        if year not in self._override_years:
            return _package_working_ordinals(year)
        if year not in self._ordinals:
            working = set(_package_working_ordinals(year))
            for day, is_working in self.overrides.items():
                if day.year == year:
                    if is_working:
                        working.add(day.toordinal())
                    else:
                        working.discard(day.toordinal())
            self._ordinals[year] = tuple(sorted(working))
        return self._ordinals[year]

    def is_working_day(self, day: dt.date) -> bool:
        """Whether offices work on ``day``: an override first, then the package."""
        override = self.overrides.get(_as_date(day))
        if override is not None:
            return override
        return _package_is_working_day(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The N-th working day after ``day`` (``day`` itself when N is 0).

        ``day`` need not be a working day: counting starts the day after it.
        """
        if n < 0:
            raise ValueError("A term is a count of working days: n must be 0 or more.")
        day = _as_date(day)
        if n == 0:
            return day
        year = day.year
        ordinals = self._working_ordinals(year)
        index = bisect_right(ordinals, day.toordinal()) + n - 1
        while index >= len(ordinals):
            index -= len(ordinals)
            year += 1
            ordinals = self._working_ordinals(year)
        return dt.date.fromordinal(ordinals[index])

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The number of working days in (start, end]; 0 when ``end`` is not after ``start``."""
        start, end = _as_date(start), _as_date(end)
        if end <= start:
            return 0
        low, high = start.toordinal(), end.toordinal()
        count = 0
        for year in range(start.year, end.year + 1):
            ordinals = self._working_ordinals(year)
            count += bisect_right(ordinals, high) - bisect_right(ordinals, low)
        return count

    def registration_day(self, moment: dt.datetime) -> dt.date:
        """The local date of ``moment`` if it is a working day, else the next working day."""
        day = local_date(moment)
        return day if self.is_working_day(day) else self.add_working_days(day, 1)

    def due_moment(self, registered: dt.date, n: int) -> dt.datetime:
        """The end (23:59:59 local, as UTC) of the N-th working day after registration."""
        return end_of_day(self.add_working_days(registered, n))

    def warning_moment(self, registered: dt.date, n: int) -> dt.datetime:
        """The end of working day N − threshold: from then on the clock is at risk.

        When N − threshold is 0 (N = 1), that is the end of the registration day.
        """
        return end_of_day(self.add_working_days(registered, max(0, n - at_risk_threshold(n))))

    def working_days_remaining(self, due: dt.datetime, now: dt.datetime) -> int:
        """Working days after today's local date up to and including the due day.

        0 on the due day itself and never negative: once the due moment has
        passed, ``is_breached`` says so, and ``working_days_between(due day,
        today)`` says by how much.
        """
        return self.working_days_between(local_date(now), local_date(due))

    def resume_due(
        self, due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime
    ) -> dt.datetime:
        """The due moment after a pause, moved on by the working days the pause covered.

        The working days counted are those in (local date of the pause, local
        date of the resumption]: a pause and a resumption on the same day move
        nothing; paused on Friday and resumed on Monday moves one working day.
        """
        if resumed_at < paused_at:
            raise ValueError("A clock cannot resume before it was paused.")
        passed = self.working_days_between(local_date(paused_at), local_date(resumed_at))
        if passed == 0:
            return due
        return end_of_day(self.add_working_days(local_date(due), passed))


def load_calendar() -> WorkCalendar:
    """The calendar with the database's overrides as they are now: one query."""
    return WorkCalendar(dict(WorkdayOverride.objects.values_list("date", "is_working_day")))


def _calendar(calendar: WorkCalendar | None) -> WorkCalendar:
    return calendar if calendar is not None else load_calendar()


def at_risk_threshold(n: int) -> int:
    """How few remaining working days put a term of N at risk: max(1, ⌈0.2·N⌉)."""
    if n < 0:
        raise ValueError("A term is a count of working days: n must be 0 or more.")
    # Integer ceiling of N/5: 0.2 * N in floating point is not always exact.
    return max(1, -(-n // 5))


def is_breached(due: dt.datetime, now: dt.datetime) -> bool:
    """Whether ``now`` is after the due moment (the due second itself is still on time)."""
    return _aware(now) > _aware(due)


def is_working_day(day: dt.date, *, calendar: WorkCalendar | None = None) -> bool:
    """Whether offices work on ``day`` (an override first, then the package)."""
    return _calendar(calendar).is_working_day(day)


def registration_day(moment: dt.datetime, *, calendar: WorkCalendar | None = None) -> dt.date:
    """The day an appeal submitted at ``moment`` is registered (SPEC §2, lifecycle 1)."""
    return _calendar(calendar).registration_day(moment)


def add_working_days(day: dt.date, n: int, *, calendar: WorkCalendar | None = None) -> dt.date:
    """The N-th working day after ``day``: where a term of N starting after ``day`` ends."""
    return _calendar(calendar).add_working_days(day, n)


def due_moment(registered: dt.date, n: int, *, calendar: WorkCalendar | None = None) -> dt.datetime:
    """23:59:59 local time on the N-th working day after ``registered``, in UTC."""
    return _calendar(calendar).due_moment(registered, n)


def warning_moment(
    registered: dt.date, n: int, *, calendar: WorkCalendar | None = None
) -> dt.datetime:
    """The end of working day N − ``at_risk_threshold(N)``, in UTC."""
    return _calendar(calendar).warning_moment(registered, n)


def working_days_between(
    start: dt.date, end: dt.date, *, calendar: WorkCalendar | None = None
) -> int:
    """The number of working days in (start, end]."""
    return _calendar(calendar).working_days_between(start, end)


def working_days_remaining(
    due: dt.datetime, now: dt.datetime, *, calendar: WorkCalendar | None = None
) -> int:
    """Working days after today (local) up to the due day; 0 on it and after it."""
    return _calendar(calendar).working_days_remaining(due, now)


def resume_due(
    due: dt.datetime,
    paused_at: dt.datetime,
    resumed_at: dt.datetime,
    *,
    calendar: WorkCalendar | None = None,
) -> dt.datetime:
    """The due moment of a clock resumed after a pause (see ``WorkCalendar.resume_due``)."""
    return _calendar(calendar).resume_due(due, paused_at, resumed_at)
