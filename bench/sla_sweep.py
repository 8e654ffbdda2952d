"""Benchmark: the SLA sweep over 200,000 open appeals and their 600,000 clocks.

    python bench/sla_sweep.py [--appeals 200000] [--due 10000]

Runs on a fresh SQLite file in a temporary directory (or on DATABASE_URL if
set: use an empty, disposable database). The appeals are written with
``bulk_create`` (no actions, no moderation): ten district agencies under one
regional akimat, each with a head, and three running clocks per appeal (T2,
T3, T4) whose moments are computed once per registration day with the
working-day calendar. The benchmark's "now" is a fixed Wednesday morning in
Almaty; every appeal was registered on it or on one of the two working days
before, so no clock is due at "now".

Three figures:

* ``idle_sweep_ms``: the median of several ``sweep(now)`` calls with nothing due.
* ``events_per_s``: ``--due`` T3 clocks fall due at once, three times over: their
  warning moment is moved into the past and one sweep is timed until it returns
  (``--due`` warnings), then their due moment (as many breaches), then their
  escalation moment (as many escalations). Events fired / seconds, all three
  sweeps together; each sweep must fire exactly ``--due`` events of its kind.
* ``duplicate_events``: ``--due`` other appeals' T2 clocks get all three moments
  in the past, and two sweeps race, in two processes started with "spawn" and
  released together by a barrier, on the same database. Each of the
  3 × ``--due`` events must be written once: ``duplicate_events`` counts the
  timeline rows (``AppealEvent``) beyond one per (clock, event),
  ``duplicate_notifications`` the notifications beyond one per (person, appeal,
  kind), and ``racing_events_missing`` the events that neither sweep fired.

PostgreSQL is vacuumed and analysed after the fill, as autovacuum would soon do;
SQLite gets no ANALYZE, as the platform never runs it. The last line printed is
one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 5000
AGENCIES = 10
CITIZENS = 1000
IDLE_SWEEPS = 7
# A Wednesday, 11:00 in Almaty (UTC+5): the benchmark's "now", fixed so that
# every run counts on the same calendar.
NOW = dt.datetime(2025, 6, 4, 6, 0, tzinfo=dt.UTC)
EVENT_NAMES = ("warning", "breach", "escalation")


def configure(workdir: str) -> None:
    """The environment for the benchmark and for the racing processes (inherited)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    # Production mode: DEBUG off (with DEBUG on, Django also records every query).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("SQLITE_PATH", str(Path(workdir) / "bench.sqlite3"))


def log(message: str) -> None:
    print(message, flush=True)


def fill(appeals: int) -> list[int]:
    """Agencies, heads, citizens, appeals and three clocks each; the appeal ids, ascending."""
    from django.db import transaction

    from participation.models import Agency, Official, User
    from participation.workdays import end_of_day, load_calendar, local_date
    from reception.clocks import SUPERIOR_AFTER_DAYS, target
    from reception.models import Appeal, Clock

    regional = Agency.objects.create(
        kind=Agency.Kind.REGIONAL_AKIMAT,
        slug="bench-region",
        name_kk="Облыс әкімдігі",
        name_ru="Акимат области",
        name_en="Regional akimat",
    )
    agencies = Agency.objects.bulk_create(
        Agency(
            kind=Agency.Kind.DISTRICT_AKIMAT,
            parent=regional,
            slug=f"bench-district-{n}",
            name_kk=f"Аудан әкімдігі {n}",
            name_ru=f"Акимат района {n}",
            name_en=f"District akimat {n}",
        )
        for n in range(AGENCIES)
    )
    heads = User.objects.bulk_create(
        User(email=f"head{n}@example.kz", display_name=f"Head {n}") for n in range(AGENCIES + 1)
    )
    Official.objects.bulk_create(
        Official(
            user=user,
            agency=agency,
            slug=f"bench-head-{n}",
            name_kk=f"Басшы {n}",
            name_ru=f"Руководитель {n}",
            name_en=f"Head {n}",
            position_kk="Әкім",
            position_ru="Аким",
            position_en="Akim",
            is_head=True,
        )
        for n, (user, agency) in enumerate(zip(heads, [regional, *agencies], strict=True))
    )
    citizens = User.objects.bulk_create(
        User(email=f"citizen{n}@example.kz", display_name=f"Citizen {n}") for n in range(CITIZENS)
    )

    # Moments per (registration day, kind), computed once: the calendar is the
    # one the actions use (clocks.start), loaded once.
    calendar = load_calendar()
    today = local_date(NOW)
    days: list[dt.date] = []
    day = today
    while len(days) < 3:
        if calendar.is_working_day(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    kinds = (Clock.Kind.FIRST_RESPONSE, Clock.Kind.ANSWER, Clock.Kind.LEGAL)
    moments: dict[tuple[dt.date, str], tuple[int, dt.datetime, dt.datetime, dt.datetime]] = {}
    for registered in days:
        for kind in kinds:
            n = target(kind)
            due = calendar.due_moment(registered, n)
            escalate = end_of_day(calendar.add_working_days(local_date(due), SUPERIOR_AFTER_DAYS))
            warn = calendar.warning_moment(registered, n)
            if warn <= NOW:
                raise SystemExit(f"{kind} registered {registered} would be due: {warn} <= {NOW}")
            moments[registered, kind.value] = (n, warn, due, escalate)
    log(f"registration days {', '.join(map(str, days))}; now {NOW.isoformat()}")

    ids: list[int] = []
    for start in range(0, appeals, BATCH):
        with transaction.atomic():
            batch = []
            for number in range(start, min(start + BATCH, appeals)):
                registered = days[number % len(days)]
                submitted = dt.datetime.combine(registered, dt.time(4, 0), tzinfo=dt.UTC)
                agency = agencies[number % AGENCIES]
                batch.append(
                    Appeal(
                        tracking_number=f"B-2025-{number:09d}",
                        kind=Appeal.Kind.QUESTION,
                        subject=f"Appeal {number}",
                        text=f"Please repair the road in yard {number}.",
                        is_public=True,
                        citizen=citizens[number % CITIZENS],
                        agency=agency,
                        state=Appeal.State.REGISTERED,
                        submitted_at=submitted,
                        registered_on=registered,
                    )
                )
            created = Appeal.objects.bulk_create(batch)
            clocks = []
            for appeal in created:
                for kind in kinds:
                    n, warn, due, escalate = moments[appeal.registered_on, kind.value]
                    clocks.append(
                        Clock(
                            appeal_id=appeal.pk,
                            agency_id=appeal.agency_id,
                            kind=kind,
                            working_days=n,
                            registered_on=appeal.registered_on,
                            warn_at=warn,
                            due_at=due,
                            escalate_at=escalate,
                        )
                    )
            Clock.objects.bulk_create(clocks, batch_size=BATCH)
            ids += [appeal.pk for appeal in created]
    return sorted(ids)


def analyse(connection: Any) -> None:
    """Planner statistics as production would have them.

    PostgreSQL's autovacuum vacuums and analyses a freshly filled table soon (done
    here, so that it does not run during the timings); SQLite has no statistics
    unless someone runs ANALYZE, and the platform never does.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def fired(counts: dict[str, int]) -> int:
    return sum(counts[name] for name in EVENT_NAMES)


def race(now_iso: str, barrier: Any, results: Any) -> None:
    """One of the two racing sweeps, in its own process (started with "spawn")."""
    import django

    django.setup()
    from django.db import connection

    from reception.sweep import sweep

    connection.ensure_connection()
    barrier.wait(timeout=300)
    started = time.perf_counter()
    try:
        counts = sweep(dt.datetime.fromisoformat(now_iso))
        results.put({"pid": os.getpid(), "counts": counts, "s": time.perf_counter() - started})
    except Exception as error:
        results.put({"pid": os.getpid(), "error": repr(error)})
        raise


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=200_000, help="open appeals")
    parser.add_argument("--due", type=int, default=10_000, help="clocks falling due at once")
    args = parser.parse_args()
    if args.appeals < 2 * args.due:
        parser.error("--appeals must be at least twice --due")

    workdir = tempfile.mkdtemp(prefix="bench-sla-")
    configure(workdir)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from participation.models import Notification
    from reception.models import Appeal, AppealEvent, Clock
    from reception.sweep import sweep

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"{connection.vendor}: migrated in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    appeal_ids = fill(args.appeals)
    analyse(connection)
    clocks = Clock.objects.count()
    log(
        f"filled {len(appeal_ids)} appeals and {clocks} clocks "
        f"in {time.perf_counter() - started:.1f} s"
    )

    # Idle: nothing is due at NOW. The first sweep warms up and must fire nothing.
    warm = sweep(NOW)
    if any(warm.values()):
        raise SystemExit(f"the idle sweep fired {warm}: the fill is wrong")
    idle = []
    for _ in range(IDLE_SWEEPS):
        t0 = time.perf_counter()
        counts = sweep(NOW)
        idle.append(time.perf_counter() - t0)
        assert not any(counts.values()), counts
    idle_ms = statistics.median(idle) * 1000
    log(f"idle sweep: median {idle_ms:.1f} ms, max {max(idle) * 1000:.1f} ms")

    # Events: the T3 clocks of the first --due appeals fall due, one moment at a time.
    past = NOW - dt.timedelta(minutes=1)
    due_set = Clock.objects.filter(
        appeal_id__gte=appeal_ids[0],
        appeal_id__lte=appeal_ids[args.due - 1],
        kind=Clock.Kind.ANSWER,
    )
    event_seconds = 0.0
    event_counts: dict[str, int] = {}
    rates: dict[str, float] = {}
    for name, moment in zip(EVENT_NAMES, ("warn_at", "due_at", "escalate_at"), strict=True):
        moved = due_set.update(**{moment: past})
        assert moved == args.due, moved
        t0 = time.perf_counter()
        counts = sweep(NOW)
        seconds = time.perf_counter() - t0
        expected = {"warning": 0, "breach": 0, "escalation": 0, "closed": 0, name: args.due}
        if counts != expected:
            raise SystemExit(f"{name}: the sweep fired {counts}, expected {expected}")
        event_seconds += seconds
        event_counts[name] = counts[name]
        rates[name] = counts[name] / seconds
        log(f"{counts[name]} {name} events in {seconds:.2f} s: {rates[name]:.0f} events/s")
    events = sum(event_counts.values())
    events_per_s = events / event_seconds
    log(f"{events} events in {event_seconds:.2f} s: {events_per_s:.0f} events/s")

    # Race: another --due appeals' T2 clocks have every moment in the past; two
    # processes sweep at once.
    race_ids = appeal_ids[args.due : 2 * args.due]
    race_set = Clock.objects.filter(
        appeal_id__gte=race_ids[0], appeal_id__lte=race_ids[-1], kind=Clock.Kind.FIRST_RESPONSE
    )
    moved = race_set.update(warn_at=past, due_at=past, escalate_at=past)
    assert moved == args.due, moved
    connection.close()

    import multiprocessing

    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    results = context.Queue()
    processes = [
        context.Process(target=race, args=(NOW.isoformat(), barrier, results)) for _ in range(2)
    ]
    t0 = time.perf_counter()
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=600) for _ in processes]
    for process in processes:
        process.join()
    race_seconds = time.perf_counter() - t0
    errors = [outcome["error"] for outcome in outcomes if "error" in outcome]
    if errors:
        raise SystemExit(f"a racing sweep failed: {errors}")
    racing_total = sum(fired(outcome["counts"]) for outcome in outcomes)
    for outcome in outcomes:
        log(f"racing sweep {outcome['pid']}: {outcome['counts']} in {outcome['s']:.2f} s")

    actions = [f"clock_{name}" for name in EVENT_NAMES]
    timeline = AppealEvent.objects.filter(
        appeal_id__gte=race_ids[0], appeal_id__lte=race_ids[-1], action__in=actions
    )
    rows = timeline.count()
    distinct = timeline.values("appeal_id", "action", "note").distinct().count()
    duplicate_events = rows - distinct
    per_clock = (
        timeline.values("appeal_id", "action", "note")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    # Tracking numbers have a fixed width and follow the ids: the race's appeals'
    # addresses are one range of strings.
    first, last = (Appeal.objects.get(pk=pk).path for pk in (race_ids[0], race_ids[-1]))
    notes = Notification.objects.filter(
        url__gte=first, url__lte=last, kind__in=["clock_warning", "clock_breach", "clock_escalated"]
    )
    note_rows = notes.count()
    note_distinct = notes.values("user_id", "url", "kind").distinct().count()
    claimed = race_set.filter(
        warned_at__isnull=False, breached_at__isnull=False, escalated_at__isnull=False
    ).count()
    missing = 3 * args.due - distinct
    log(
        f"race: {racing_total} events claimed in {race_seconds:.1f} s (with start-up), "
        f"{rows} timeline rows for {distinct} events, {note_rows} notifications, "
        f"{claimed} clocks fully claimed, {missing} events missing"
    )

    result = {
        "database": connection.vendor,
        "appeals": len(appeal_ids),
        "clocks": clocks,
        "idle_sweep_ms": round(idle_ms, 2),
        "idle_sweep_max_ms": round(max(idle) * 1000, 2),
        "events": events,
        "events_by_kind": event_counts,
        "events_per_s": round(events_per_s, 1),
        "events_per_s_by_kind": {name: round(rate, 1) for name, rate in rates.items()},
        "duplicate_events": duplicate_events,
        "duplicated_clock_events": per_clock,
        "duplicate_notifications": note_rows - note_distinct,
        "racing_events_total": racing_total,
        "racing_events_expected": 3 * args.due,
        "racing_events_missing": missing,
        "racing_split": sorted(fired(outcome["counts"]) for outcome in outcomes),
    }
    connection.close()
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
