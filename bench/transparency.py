"""Benchmark: transparency statistics, the API and the exports over a year of appeals.

    python bench/transparency.py [--appeals 100000] [--agencies 200]

Runs on a fresh SQLite file in a temporary directory (or on DATABASE_URL if
set: use an empty, disposable database). Appeals are written with
``bulk_create`` (no actions, no moderation) over the 365 days before a fixed
"now", spread over ``--agencies`` agencies in three regions; 80 % are
answered, within 0–12 days, with their T2–T4 clocks met (on time or late);
the rest have running clocks, many overdue; a third of the answered are
rated, some reopened. Every appeal is public and published.

Figures (medians of several runs, in milliseconds, through Django's test
client with the whole middleware stack, DEBUG off):

* ``overview_cold_ms`` / ``overview_cached_ms``: ``/en/transparency/`` (totals,
  ranking of every agency, trend charts) for the last 12 months, with the
  ranking's one-minute cache cleared before each run, and with it warm;
* ``agency_ms``: one agency's page;
* ``api_statistics_cold_ms``: ``/api/statistics``, cache cleared;
* ``api_appeals_page_ms``: one page of 100 published appeals, first and
  after 50 pages (cursor pagination: should not grow);
* ``export_appeals_rows_per_s``: the streamed CSV of every published appeal.

PostgreSQL is vacuumed and analysed after the fill, as autovacuum would soon do.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2025, 6, 4, 6, 0, tzinfo=dt.UTC)  # a Wednesday, 11:00 in Almaty
BATCH = 5000
RUNS = 5


def configure(workdir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("SQLITE_PATH", str(Path(workdir) / "bench.sqlite3"))
    os.environ["DISABLE_RATE_LIMITS"] = "true"
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    os.environ["TESTING"] = "true"  # plain static files storage: no collectstatic manifest


def log(message: str) -> None:
    print(message, flush=True)


def fill(appeals: int, agencies: int) -> None:
    from django.db import transaction

    from participation.models import Agency, Region, User
    from participation.workdays import end_of_day, load_calendar
    from reception.models import Appeal, Clock

    rng = random.Random(8)
    calendar = load_calendar()
    regions = list(Region.objects.order_by("slug")[:3])
    with transaction.atomic():
        bodies = Agency.objects.bulk_create(
            Agency(
                kind=Agency.Kind.CITY_AKIMAT,
                slug=f"bench-{n}",
                name_kk=f"Әкімдік {n}",
                name_ru=f"Акимат {n}",
                name_en=f"Akimat {n}",
                region=regions[n % 3],
            )
            for n in range(agencies)
        )
        citizens = User.objects.bulk_create(
            User(email=f"bench{n}@example.kz", password="!")  # noqa: S106  (unusable)
            for n in range(500)
        )
    days = {"t2": 3, "t3": 5, "t4": 15}
    today = (NOW + dt.timedelta(hours=5)).date()
    written = 0
    while written < appeals:
        size = min(BATCH, appeals - written)
        rows, plans = [], []
        for n in range(written, written + size):
            registered = today - dt.timedelta(days=rng.randrange(0, 365))
            registered = registered if calendar.is_working_day(registered) else (
                calendar.add_working_days(registered, 1)
            )  # fmt: skip
            submitted = end_of_day(registered) - dt.timedelta(hours=8)
            answered = None
            if rng.random() < 0.8:
                answered = end_of_day(
                    registered + dt.timedelta(days=rng.randrange(0, 13))
                ) - dt.timedelta(hours=6)
                if answered > NOW:
                    answered = None
            rating = ""
            if answered is not None and rng.random() < 0.33:
                rating = rng.choice(["satisfied", "satisfied", "unsatisfied"])
            rows.append(
                Appeal(
                    tracking_number=f"A-BENCH-{n:08d}",
                    kind="question",
                    subject=f"Appeal {n}",
                    text="Text",
                    text_html="<p>Text</p>",
                    is_public=True,
                    is_visible=True,
                    citizen=citizens[n % len(citizens)],
                    agency=bodies[n % len(bodies)],
                    state="answered" if answered else "accepted",
                    submitted_at=submitted,
                    registered_on=registered,
                    answer="Answer" if answered else "",
                    answer_html="<p>Answer</p>" if answered else "",
                    outcome="resolved" if answered else "",
                    answered_at=answered,
                    rating=rating,
                    reopened=rating == "unsatisfied",
                )
            )
            plans.append((registered, answered))
        with transaction.atomic():
            created = Appeal.objects.bulk_create(rows)
            clocks = []
            for appeal, (registered, answered) in zip(created, plans, strict=True):
                for kind, n in days.items():
                    due = calendar.due_moment(registered, n)
                    clocks.append(
                        Clock(
                            appeal=appeal,
                            agency_id=appeal.agency_id,
                            kind=kind,
                            working_days=n,
                            registered_on=registered,
                            warn_at=due,
                            due_at=due,
                            escalate_at=due,
                            state="met" if answered else "running",
                            stopped_at=answered,
                        )
                    )
            Clock.objects.bulk_create(clocks, batch_size=BATCH)
        written += size
    log(f"filled {appeals} appeals, {3 * appeals} clocks, {agencies} agencies")


def timed(call: Any) -> float:
    runs = []
    for _ in range(RUNS):
        start = time.perf_counter()
        call()
        runs.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(runs), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--appeals", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=200)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-transparency-")
    configure(workdir)
    try:
        import django

        django.setup()
        import time_machine
        from django.core.cache import cache
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        fill(args.appeals, args.agencies)
        from django.db import connection

        if connection.vendor == "postgresql":  # as autovacuum soon would, before timing
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        client = Client(HTTP_HOST="localhost")
        results: dict[str, Any] = {"appeals": args.appeals, "agencies": args.agencies}
        with time_machine.travel(NOW, tick=False):

            def get(url: str) -> None:
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            def cold(url: str) -> None:
                cache.clear()  # the ranking is cached for a minute: time it uncached
                get(url)

            results["overview_cold_ms"] = timed(lambda: cold("/en/transparency/"))
            results["overview_cached_ms"] = timed(lambda: get("/en/transparency/"))
            results["agency_ms"] = timed(lambda: get("/en/transparency/bench-1/"))
            results["api_statistics_cold_ms"] = timed(lambda: cold("/api/statistics"))
            results["api_appeals_first_page_ms"] = timed(lambda: get("/api/appeals?limit=100"))
            cursor = None
            for _ in range(50):
                page = client.get(
                    "/api/appeals?limit=100" + (f"&cursor={cursor}" if cursor else "")
                ).json()
                cursor = page["next_cursor"]
            results["api_appeals_page_51_ms"] = timed(
                lambda: get(f"/api/appeals?limit=100&cursor={cursor}")
            )
            start = time.perf_counter()
            response = client.get("/open-data/appeals.csv?period=all")
            lines = sum(1 for _ in response.streaming_content) - 1
            seconds = time.perf_counter() - start
            results["export_appeals_rows"] = lines
            results["export_appeals_rows_per_s"] = round(lines / seconds)
        for name, value in results.items():
            log(f"{name:>28}: {value}")
        print(json.dumps(results))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
