"""The transparency pages, the API and the exports show the numbers the records give,
on generated appeals spanning Kazakh holidays, with time frozen."""

from __future__ import annotations

import csv
import io
import random
import re
import statistics
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from participation.models import Agency
from participation.workdays import load_calendar, local_date
from reception import actions
from reception.models import Appeal, Clock
from tests.api.conftest import body
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2025, 6, 10, 12, 0, tzinfo=ALMATY)
START, END = date(2025, 1, 1), date(2025, 5, 31)
FILTER = f"period=custom&start={START}&end={END}"


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ALMATY)


@pytest.fixture
def history(world, published):
    """Forty appeals from late December to May: around New Year, Orthodox Christmas,
    8 March (moved to Monday 10 March), Nauryz (21–25 March) and 1–9 May; answered
    early, late or never, rated, reopened, forwarded."""
    rng = random.Random(8)
    offices = [
        (world.almaty, world.aigerim),
        (world.bostandyk, world.aigerim),
        (world.mazhilis, world.marat),
    ]
    citizens = [UserFactory.create() for _ in range(6)]
    first = date(2024, 12, 20)
    for index in range(40):
        agency, head = offices[index % 3]
        submitted = at(first + timedelta(days=rng.randrange(0, 160)), hour=rng.choice([9, 18, 23]))
        citizen = citizens[index % len(citizens)]
        with time_machine.travel(submitted, tick=False):
            appeal = actions.do_submit_appeal(
                citizen=citizen, kind=Appeal.Kind.QUESTION, subject=f"Appeal {index}",
                text=f"Text {index}", is_public=index % 4 != 0, agency=agency,
            )  # fmt: skip
        moment = submitted
        if index % 10 == 7:  # forwarded from the Mazhilis to Almaty
            moment += timedelta(days=rng.randrange(1, 4))
            with time_machine.travel(moment, tick=False):
                if appeal.agency != world.almaty:
                    actions.do_forward(appeal, actor=head, to_agency=world.almaty, reason="Local")
                    head = world.aigerim
        if index % 5 == 4:  # never answered: overdue by now
            continue
        moment += timedelta(days=rng.randrange(0, 5))
        with time_machine.travel(moment, tick=False):
            actions.do_accept(appeal, actor=head)
        moment += timedelta(days=rng.randrange(0, 14), hours=rng.randrange(0, 8))
        if moment >= NOW:
            continue
        with time_machine.travel(moment, tick=False):
            actions.do_answer(appeal, actor=head, text="Answer", outcome=Appeal.Outcome.RESOLVED)
        moment += timedelta(days=1)
        rating = rng.choice([None, Appeal.Rating.SATISFIED, Appeal.Rating.UNSATISFIED])
        if rating is None or moment >= NOW:
            continue
        with time_machine.travel(moment, tick=False):
            actions.do_rate(appeal, citizen=appeal.citizen, rating=rating)
    return world


def direct(agency):
    """The figures computed straight from the rows, counting working days one by one."""
    calendar = load_calendar()
    appeal_rows = Appeal.objects.filter(registered_on__range=(START, END))
    clock_rows = Clock.objects.filter(registered_on__range=(START, END))
    if agency is not None:
        appeal_rows, clock_rows = (
            appeal_rows.filter(agency=agency),
            clock_rows.filter(agency=agency),
        )
    appeals, clocks = list(appeal_rows), list(clock_rows)

    def working_days(start: date, end: date) -> int:
        return sum(
            calendar.is_working_day(start + timedelta(days=n))
            for n in range(1, (end - start).days + 1)
        )

    answered = [a for a in appeals if a.answered_at]
    durations = [
        working_days(a.registered_on, local_date(a.answered_at))  # type: ignore[arg-type]
        for a in answered
    ]
    rated = [a for a in appeals if a.rating]
    figures: dict = {
        "appeals": len(appeals),
        "answered": len(answered),
        "median_days_to_answer": statistics.median(durations) if durations else None,
        "overdue_now": len(
            {
                c.appeal_id
                for c in clocks
                if c.state == "running" and c.kind != "t1" and c.due_at < NOW
            }
        ),
        "satisfaction_percent": pct(sum(a.rating == "satisfied" for a in rated), len(rated)),
        "reopen_rate_percent": pct(sum(a.reopened for a in appeals), len(answered)),
    }
    for kind in ("t2", "t3", "t4"):
        met = [c for c in clocks if c.kind == kind and c.state == "met"]
        on_time = sum(c.stopped_at <= c.due_at for c in met)  # type: ignore[operator]
        figures[f"{kind}_finished"] = len(met)
        figures[f"{kind}_on_time"] = on_time
        figures[f"{kind}_on_time_percent"] = pct(on_time, len(met))
    return figures


def pct(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def shown(html):
    """The figures a page shows, by their data-figure names."""
    figures: dict = {}
    for name, text in re.findall(r'data-figure="(\w+)">([^<]*)<', html):
        value = text.strip().rstrip("%")
        figures[name] = None if value == "—" else float(value) if "." in value else int(value)
    return figures


def test_the_generated_history_covers_what_matters(history):
    """Holidays, late answers, overdue appeals, reopened ones: else the test proves little."""
    calendar = load_calendar()
    days = set(Appeal.objects.values_list("registered_on", flat=True))
    assert any(not calendar.is_working_day(d - timedelta(days=1)) for d in days)
    with time_machine.travel(NOW, tick=False):
        figures = direct(None)
    assert figures["overdue_now"] and figures["t3_on_time"] < figures["t3_finished"]
    assert Appeal.objects.filter(reopened=True).exists()
    assert Clock.objects.filter(state="stopped").exists()  # forwarded


@pytest.mark.parametrize("slug", ["almaty", "bostandyk", "mazhilis"])
def test_an_agencys_page_shows_what_its_records_give(client, history, slug):
    agency = Agency.objects.get(slug=slug)
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/en/transparency/{slug}/?{FILTER}").content.decode()
        expected = direct(agency)
    figures = shown(page)
    assert {name: figures[name] for name in expected} == expected


def test_the_overview_and_the_api_and_the_exports_agree_with_the_records(client, history):
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/en/transparency/?{FILTER}").content.decode()
        totals = direct(None)
        per_agency = {a.slug: direct(a) for a in Agency.objects.all()}
        api = client.get(f"/api/statistics?{FILTER}").json()
        rows = list(csv.DictReader(io.StringIO(
            body(client.get(f"/open-data/statistics.csv?{FILTER}")).decode()
        )))  # fmt: skip
    assert {name: shown(page)[name] for name in totals} == totals
    assert {name: api["totals"][name] for name in totals} == totals
    for entry in api["agencies"]:
        expected = per_agency[entry["agency"]]
        assert {name: entry["record"][name] for name in expected} == expected
    for row in rows:
        expected = per_agency[row["agency"]]
        assert {name: row[name] for name in expected} == {
            name: "" if value is None else str(value) for name, value in expected.items()
        }


def test_the_ranking_orders_by_answers_on_time(client, history):
    with time_machine.travel(NOW, tick=False):
        api = client.get(f"/api/statistics?{FILTER}&sort=on_time").json()
        page = client.get(f"/en/transparency/?{FILTER}&sort=on_time").content.decode()
    ranked = [e for e in api["agencies"] if e["rank"] is not None]
    rates = [e["record"]["t3_on_time_percent"] for e in ranked]
    assert rates == sorted(rates, reverse=True) and len(ranked) == 3
    assert [e["rank"] for e in api["agencies"]][-1] is None  # the parliament: nothing to rank
    order = re.findall(r'<tr data-agency="([\w-]+)"', page)
    assert order == [e["agency"] for e in api["agencies"]]


def test_the_region_filter_keeps_its_agencies_only(client, history):
    with time_machine.travel(NOW, tick=False):
        api = client.get(f"/api/statistics?{FILTER}&region=almaty").json()
        expected = direct(history.almaty)["appeals"] + direct(history.bostandyk)["appeals"]
    assert {e["agency"] for e in api["agencies"]} == {"almaty", "bostandyk"}
    assert api["totals"]["appeals"] == expected


def test_the_median_counts_working_days_across_nauryz(client, world, published):
    """Registered Thursday 20 March 2025, answered Wednesday 26 March: 21–25 March are
    days off (Nauryz, with the weekend's days moved), so one working day passed."""
    with time_machine.travel(at(date(2025, 3, 20)), tick=False):
        appeal = actions.do_submit_appeal(
            citizen=world.alice, kind=Appeal.Kind.QUESTION, subject="Nauryz", text="T",
            is_public=True, agency=world.almaty,
        )  # fmt: skip
    with time_machine.travel(at(date(2025, 3, 26)), tick=False):
        actions.do_answer(appeal, actor=world.aigerim, text="A", outcome=Appeal.Outcome.RESOLVED)
        figures = shown(client.get(f"/en/transparency/almaty/?{FILTER}").content.decode())
    assert figures["median_days_to_answer"] == 1
    assert figures["t3_on_time_percent"] == 100


def test_the_trend_charts_are_svg_with_a_table_and_no_inline_style(client, history):
    with time_machine.travel(NOW, tick=False):
        page = client.get(f"/en/transparency/almaty/?{FILTER}").content.decode()
        api = client.get(f"/api/statistics/agencies/almaty?{FILTER}").json()
    assert page.count('<svg viewBox="0 0 640 240" role="img"') == 2
    assert "style=" not in page and "<style" not in page
    assert [point["month"] for point in api["trend"]] == [
        f"2025-0{month}-01" for month in range(1, 6)
    ]
    # The table beside the chart carries each month's numbers.
    for point in api["trend"]:
        label = datetime.strptime(point["month"], "%Y-%m-%d").strftime("%b %Y")
        assert re.search(
            rf"<th scope=\"row\">{label}</th><td>{point['received']}</td>"
            rf"<td>{point['answered']}</td>",
            page,
        ), label
    # Each month straight from the rows: registration day, the answer's local date,
    # the local date the answer clock (T3) stopped, on time or not.
    appeals = list(Appeal.objects.filter(agency=history.almaty))
    clocks = list(Clock.objects.filter(agency=history.almaty, kind="t3", state="met"))
    for point in api["trend"]:
        month = date.fromisoformat(point["month"])

        def same(day: date, month: date = month) -> bool:
            return (day.year, day.month) == (month.year, month.month)

        assert point["received"] == sum(same(a.registered_on) for a in appeals)
        assert point["answered"] == sum(
            1 for a in appeals if a.answered_at and same(local_date(a.answered_at))
        )
        met = [c for c in clocks if c.stopped_at and same(local_date(c.stopped_at))]
        assert point["t3_finished"] == len(met)
        assert point["t3_on_time"] == sum(c.stopped_at <= c.due_at for c in met)  # type: ignore[operator]
    assert sum(point["answered"] for point in api["trend"]) > 0


def test_bad_filters_get_a_clear_message_not_an_error(client, world):
    response = client.get("/en/transparency/?period=custom&start=2025-05-01&end=2025-01-01")
    assert response.status_code == 400
    assert "The start date is after the end date." in response.content.decode()
    export = client.get("/open-data/statistics.csv?start=nonsense", HTTP_ACCEPT_LANGUAGE="en")
    assert export.status_code == 400
    assert export.json()["error"]["message"] == "start: Enter a valid date."
    assert client.get("/en/transparency/no-such-agency/").status_code == 404


def test_the_ranking_costs_the_same_queries_for_many_agencies(client, world, published, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AgencyFactory

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/statistics?period=all").status_code == 200
        return len(captured)

    settings.MODERATION_RATE_LIMITS = {"user": [], "ip": []}
    few = count()
    for index in range(30):
        agency = AgencyFactory.create()
        actions.do_submit_appeal(
            citizen=world.alice, kind=Appeal.Kind.QUESTION, subject=f"Q{index}",
            text=f"Question number {index}", is_public=True, agency=agency,
        )  # fmt: skip
    assert count() == few


def test_the_cached_ranking_follows_every_step_of_an_appeal(client, world, published):
    """The ranking is cached for a minute, but an appeal's step shows at once."""

    def totals() -> dict:
        return client.get("/api/statistics?period=all").json()["totals"]

    def send() -> Appeal:
        return actions.do_submit_appeal(
            citizen=world.alice, kind=Appeal.Kind.QUESTION, subject="Cache",
            text=f"Question {Appeal.objects.count()}", is_public=True, agency=world.almaty,
        )  # fmt: skip

    assert totals()["appeals"] == 0
    appeal = send()
    assert totals()["appeals"] == 1
    actions.do_answer(appeal, actor=world.aigerim, text="A", outcome=Appeal.Outcome.RESOLVED)
    assert totals()["answered"] == 1
