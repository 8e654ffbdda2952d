"""The Kazakh working-day calendar: SPEC §2's counting rules and worked examples."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.utils import timezone

from participation.models import WorkdayOverride
from participation.workdays import (
    ALMATY,
    WorkCalendar,
    add_working_days,
    at_risk_threshold,
    calendar_cache_clear,
    due_moment,
    is_breached,
    is_working_day,
    load_calendar,
    local_date,
    registration_day,
    resume_due,
    warning_moment,
    working_days_between,
    working_days_remaining,
)

pytestmark = pytest.mark.django_db

D = dt.date


def almaty(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    """A local Almaty wall-clock moment, as the aware UTC datetime the database stores."""
    local = dt.datetime(year, month, day, hour, minute, second, tzinfo=ALMATY)
    return local.astimezone(dt.UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    """No test here may lean on the real clock; tests about "now" travel further."""
    with time_machine.travel(utc(2025, 3, 7, 6, 0), tick=False):
        yield


def override(day: dt.date, *, working: bool, reason: str) -> WorkdayOverride:
    return WorkdayOverride.objects.create(date=day, is_working_day=working, reason_en=reason)


# SPEC §2, worked examples.


def test_it_registers_a_friday_appeal_the_same_day_and_skips_8_march_and_nauryz():
    """Fri 2025-03-07 17:00: registered that day; +3 → 13 March, +5 → 17 March, +15 → 3 April."""
    registered = registration_day(almaty(2025, 3, 7, 17, 0))
    assert registered == D(2025, 3, 7)
    # Saturday 8 March 2025 moved to Monday 10 March.
    assert add_working_days(registered, 3) == D(2025, 3, 13)
    assert add_working_days(registered, 5) == D(2025, 3, 17)
    # Nauryz: 21–23 March, the weekend days of it moved to Monday 24 and Tuesday 25.
    assert add_working_days(registered, 15) == D(2025, 4, 3)


def test_it_registers_a_saturday_appeal_on_the_transferred_working_sunday():
    """Sat 2025-01-04: registered Sun 2025-01-05, a working day; +3 → 9 January (7 Jan is off)."""
    registered = registration_day(almaty(2025, 1, 4, 11, 0))
    assert registered == D(2025, 1, 5)
    assert add_working_days(registered, 3) == D(2025, 1, 9)


def test_it_reads_2024_03_01_18_30_utc_as_friday_evening_in_almaty():
    """2024-03-01T18:30Z is Friday 23:30 at +05:00: registered that day; +5 → 11 March."""
    moment = utc(2024, 3, 1, 18, 30)
    assert moment.astimezone(ALMATY).utcoffset() == dt.timedelta(hours=5)
    registered = registration_day(moment)
    assert registered == D(2024, 3, 1)
    # 8 March 2024 was a Friday holiday.
    assert add_working_days(registered, 5) == D(2024, 3, 11)


# Local time on both sides of the 2024 change of offset.


def test_it_reads_moments_before_march_2024_at_utc_plus_6():
    """Fri 2024-02-23T18:30Z was already Saturday 00:30 in Almaty: registered on Monday."""
    moment = utc(2024, 2, 23, 18, 30)
    assert moment.astimezone(ALMATY).utcoffset() == dt.timedelta(hours=6)
    assert local_date(moment) == D(2024, 2, 24)
    assert registration_day(moment) == D(2024, 2, 26)


def test_it_lives_the_last_hour_of_29_february_2024_twice():
    """Almaty left UTC+6 at midnight: 17:30Z and 18:30Z are both Thursday 23:30 local."""
    assert local_date(utc(2024, 2, 29, 17, 30)) == D(2024, 2, 29)
    assert local_date(utc(2024, 2, 29, 18, 30)) == D(2024, 2, 29)
    assert local_date(utc(2024, 2, 29, 19, 0)) == D(2024, 3, 1)


def test_it_gives_the_due_moment_in_utc_with_the_offset_of_the_due_day():
    """23:59:59 local is 17:59:59Z before March 2024 and 18:59:59Z after."""
    assert due_moment(D(2024, 2, 26), 1) == utc(2024, 2, 27, 17, 59, 59)
    # Registered under +06:00, due under +05:00: the due day's offset counts.
    assert due_moment(D(2024, 2, 26), 5) == utc(2024, 3, 4, 18, 59, 59)
    assert due_moment(D(2025, 3, 7), 3) == utc(2025, 3, 13, 18, 59, 59)
    assert due_moment(D(2025, 3, 7), 3).astimezone(ALMATY) == dt.datetime(
        2025, 3, 13, 23, 59, 59, tzinfo=ALMATY
    )


def test_it_refuses_naive_moments_and_datetimes_given_as_days():
    """A naive moment has no local date, and a UTC datetime's date is the wrong day at night."""
    with pytest.raises(ValueError, match="aware"):
        registration_day(dt.datetime(2025, 3, 7, 17, 0))
    with pytest.raises(TypeError):
        add_working_days(utc(2025, 3, 7, 20, 0), 1)


# What the holidays package knows.


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (D(2025, 1, 1), "New Year"),
        (D(2025, 1, 2), "New Year, second day"),
        (D(2025, 1, 3), "transferred from Sunday 5 January 2025"),
        (D(2025, 1, 7), "Orthodox Christmas"),
        (D(2024, 3, 8), "International Women's Day"),
        (D(2025, 3, 10), "8 March 2025 fell on a Saturday"),
        (D(2025, 3, 24), "Nauryz 22 March 2025 fell on a Saturday"),
        (D(2025, 3, 25), "Nauryz 23 March 2025 fell on a Sunday"),
        (D(2025, 5, 1), "Unity Day"),
        (D(2025, 5, 7), "Defender of the Fatherland Day"),
        (D(2024, 5, 8), "transferred from Saturday 4 May 2024"),
        (D(2025, 5, 9), "Victory Day"),
        (D(2026, 5, 11), "Victory Day 2026 fell on a Saturday"),
        (D(2025, 6, 6), "Kurban ait 2025"),
        (D(2026, 7, 6), "Capital Day"),
        (D(2024, 7, 8), "Capital Day 2024 fell on a Saturday"),
        (D(2024, 8, 30), "Constitution Day"),
        (D(2025, 9, 1), "Constitution Day 2025 fell on a Saturday"),
        (D(2022, 10, 25), "Republic Day, restored in 2022"),
        (D(2025, 10, 27), "Republic Day 2025 fell on a Saturday"),
        (D(2024, 12, 16), "Independence Day"),
        (D(2025, 12, 16), "Independence Day"),
    ],
)
def test_it_keeps_public_holidays_and_their_moved_days_off(day, why):
    """Holidays, holidays moved off a weekend and decreed transfers are days off."""
    assert day.weekday() < 5, why
    assert not is_working_day(day), why


@pytest.mark.parametrize(
    ("day", "why"),
    [
        (D(2025, 1, 5), "Sunday, working in exchange for Friday 3 January 2025"),
        (D(2024, 5, 4), "Saturday, working in exchange for Wednesday 8 May 2024"),
        (D(2024, 6, 17), "Kurban ait 2024 fell on a Sunday and is not moved"),
        (D(2024, 1, 8), "Orthodox Christmas 2024 fell on a Sunday and is not moved"),
        (D(2025, 5, 8), "no transfer between 7 and 9 May 2025"),
        (D(2024, 12, 17), "Independence Day is one day since 2022"),
        (D(2021, 10, 25), "Republic Day was not a holiday before 2022"),
        (D(2026, 8, 31), "Constitution Day moved to 15 March from 2027; none in 2026"),
    ],
)
def test_it_counts_these_days_as_working_days(day, why):
    assert is_working_day(day), why


def test_it_counts_across_new_year():
    """30 Dec 2025 + 3: 31 December, then 1–2 January off and a weekend, so 5 and 6 January."""
    assert add_working_days(D(2025, 12, 30), 3) == D(2026, 1, 6)
    # 30, 31 December; 5, 6, 8, 9 January (7 January is Christmas).
    assert working_days_between(D(2025, 12, 29), D(2026, 1, 9)) == 6


def test_it_knows_a_transfer_that_crosses_new_year():
    """Friday 3 January 2014 was paid for by Saturday 28 December 2013."""
    assert is_working_day(D(2013, 12, 28))
    assert not is_working_day(D(2014, 1, 3))


def test_a_term_of_zero_ends_on_the_day_itself_and_a_negative_term_is_refused():
    assert add_working_days(D(2025, 3, 8), 0) == D(2025, 3, 8)
    with pytest.raises(ValueError):
        add_working_days(D(2025, 3, 7), -1)


def test_it_counts_working_days_in_a_half_open_interval():
    """(start, end]: the start is never counted, the end is; an empty interval counts 0."""
    assert working_days_between(D(2025, 3, 7), D(2025, 3, 13)) == 3
    assert working_days_between(D(2025, 3, 7), D(2025, 3, 10)) == 0
    assert working_days_between(D(2025, 3, 13), D(2025, 3, 13)) == 0
    assert working_days_between(D(2025, 3, 13), D(2025, 3, 7)) == 0


# Database overrides.


def test_an_override_makes_a_saturday_a_working_day():
    """A decreed working Saturday the package lacks: a term can end on it."""
    assert add_working_days(D(2025, 3, 14), 1) == D(2025, 3, 17)
    override(D(2025, 3, 15), working=True, reason="Transferred working Saturday")
    assert is_working_day(D(2025, 3, 15))
    assert add_working_days(D(2025, 3, 14), 1) == D(2025, 3, 15)
    assert registration_day(almaty(2025, 3, 15, 10, 0)) == D(2025, 3, 15)


def test_an_override_makes_a_wednesday_a_day_off():
    """A decreed day off the package lacks pushes every term across it by a day."""
    assert add_working_days(D(2025, 3, 7), 3) == D(2025, 3, 13)
    override(D(2025, 3, 12), working=False, reason="Decreed day off")
    assert not is_working_day(D(2025, 3, 12))
    assert add_working_days(D(2025, 3, 7), 3) == D(2025, 3, 14)
    assert working_days_between(D(2025, 3, 7), D(2025, 3, 14)) == 3
    assert registration_day(almaty(2025, 3, 12, 10, 0)) == D(2025, 3, 13)


def test_an_override_wins_over_the_package():
    """Declaring the package's holiday a working day makes it one."""
    override(D(2025, 3, 10), working=True, reason="Correction")
    assert add_working_days(D(2025, 3, 7), 3) == D(2025, 3, 12)


def test_an_admins_change_counts_from_the_next_call_without_any_cache_to_clear():
    """Overrides are read per call, so editing or deleting one takes effect at once."""
    row = override(D(2025, 3, 12), working=False, reason="Decreed day off")
    assert add_working_days(D(2025, 3, 7), 3) == D(2025, 3, 14)
    row.is_working_day = True
    row.save()
    assert add_working_days(D(2025, 3, 7), 3) == D(2025, 3, 13)
    row.delete()
    calendar_cache_clear()  # the package's years only: harmless, and rebuilt on demand
    assert add_working_days(D(2025, 3, 7), 3) == D(2025, 3, 13)


def test_a_loaded_calendar_costs_one_query_for_a_whole_batch(django_assert_num_queries):
    """The sweep loads the overrides once, then counts for every row without the database."""
    override(D(2025, 3, 12), working=False, reason="Decreed day off")
    with django_assert_num_queries(1):
        calendar = load_calendar()
        dues = [
            due_moment(D(2025, 3, 1) + dt.timedelta(days=i), 5, calendar=calendar)
            for i in range(100)
        ]
    # Registered 7 March: 11, 13, 14, 17 and 18 March, since 10 and 12 March are off.
    assert dues[6] == utc(2025, 3, 18, 18, 59, 59)
    with django_assert_num_queries(1):
        add_working_days(D(2025, 3, 7), 3)


def test_a_calendar_can_be_built_without_the_database():
    calendar = WorkCalendar({D(2025, 3, 15): True})
    assert calendar.add_working_days(D(2025, 3, 14), 1) == D(2025, 3, 15)
    assert WorkCalendar().add_working_days(D(2025, 3, 14), 1) == D(2025, 3, 17)


# At risk, breached, remaining.


@pytest.mark.parametrize(
    ("n", "threshold"),
    [(0, 1), (1, 1), (3, 1), (5, 1), (6, 2), (10, 2), (11, 3), (15, 3), (20, 4)],
)
def test_the_at_risk_threshold_is_a_fifth_of_the_term_rounded_up_and_at_least_one(n, threshold):
    assert at_risk_threshold(n) == threshold


@pytest.mark.parametrize(
    ("n", "warn_on"),
    [
        (1, D(2025, 3, 7)),  # N − 1 = 0: the end of the registration day
        (3, D(2025, 3, 12)),  # working day 2
        (5, D(2025, 3, 14)),  # working day 4
        (15, D(2025, 3, 31)),  # working day 12, after Nauryz
    ],
)
def test_the_warning_fires_at_the_end_of_working_day_n_minus_the_threshold(n, warn_on):
    moment = warning_moment(D(2025, 3, 7), n)
    assert moment == dt.datetime.combine(warn_on, dt.time(23, 59, 59), tzinfo=ALMATY)
    # At the warning moment exactly the threshold's number of working days remain.
    due = due_moment(D(2025, 3, 7), n)
    assert working_days_remaining(due, moment) == at_risk_threshold(n)


def test_it_counts_the_working_days_remaining_until_the_due_day():
    """Registered Fri 7 March 2025 for 5 days, due Mon 17 March 23:59:59 local."""
    due = due_moment(D(2025, 3, 7), 5)
    with time_machine.travel(almaty(2025, 3, 7, 17, 0), tick=False):
        assert working_days_remaining(due, timezone.now()) == 5
    with time_machine.travel(almaty(2025, 3, 9, 12, 0), tick=False):
        # Sunday: Monday 10 March is a holiday, so 11–14 and 17 remain.
        assert working_days_remaining(due, timezone.now()) == 5
    with time_machine.travel(almaty(2025, 3, 14, 9, 0), tick=False):
        assert working_days_remaining(due, timezone.now()) == 1
    with time_machine.travel(almaty(2025, 3, 17, 23, 59, 59), tick=False):
        assert working_days_remaining(due, timezone.now()) == 0
        assert not is_breached(due, timezone.now())


def test_a_clock_is_breached_only_after_its_due_second():
    due = due_moment(D(2025, 3, 7), 5)
    with time_machine.travel(almaty(2025, 3, 18, 0, 0), tick=False):
        assert is_breached(due, timezone.now())
        assert working_days_remaining(due, timezone.now()) == 0
        # How late, in working days: Tuesday 18 March is the first day past due.
        assert working_days_between(local_date(due), local_date(timezone.now())) == 1


# Pause and resume.


def test_a_pause_across_a_holiday_moves_the_due_day_by_the_working_days_it_covered():
    """Registered Tue 4 March 2025 for 5 days: due Wed 12 March (Mon 10 March is off).

    Paused Friday 7 March, resumed Tuesday 11 March: of Sat, Sun, Mon (holiday)
    and Tue only Tuesday was a working day, so the due day moves one working
    day, to Thursday 13 March, and the two working days left at the pause are
    still left at the resumption.
    """
    due = due_moment(D(2025, 3, 4), 5)
    assert due == almaty(2025, 3, 12, 23, 59, 59)
    paused_at, resumed_at = almaty(2025, 3, 7, 10, 0), almaty(2025, 3, 11, 9, 0)
    with time_machine.travel(resumed_at, tick=False):
        resumed_due = resume_due(due, paused_at, timezone.now())
    assert resumed_due == almaty(2025, 3, 13, 23, 59, 59)
    assert working_days_remaining(due, paused_at) == 2
    assert working_days_remaining(resumed_due, resumed_at) == 2


def test_a_pause_within_one_day_moves_nothing():
    due = due_moment(D(2025, 3, 4), 5)
    assert resume_due(due, almaty(2025, 3, 5, 9, 0), almaty(2025, 3, 5, 17, 0)) == due


def test_a_clock_cannot_resume_before_it_was_paused():
    due = due_moment(D(2025, 3, 4), 5)
    with pytest.raises(ValueError):
        resume_due(due, almaty(2025, 3, 6, 9, 0), almaty(2025, 3, 5, 9, 0))
