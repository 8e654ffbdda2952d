"""Petitions on the transparency pages: reached, responded, on time, overdue now."""

from __future__ import annotations

import datetime as dt

import time_machine

from participation.petition_actions import do_respond, do_sign, tally
from tests.base import World
from tests.factories import UserFactory
from tests.petitions.helpers import open_petition

MONDAY = dt.datetime(2025, 6, 2, 7, 0, tzinfo=dt.UTC)


def test_the_figures_follow_the_responses(client, world: World) -> None:
    with time_machine.travel(MONDAY, tick=False):
        answered = open_petition(world, threshold=1, agency=world.almaty)
        late = open_petition(world, threshold=1, agency=world.almaty, text="Саябақ керек.")
        for petition in (answered, late):
            do_sign(petition, user=UserFactory.create())
        tally()
        do_respond(answered, actor=world.aigerim, text="Орнатылады.")
    # Six weeks on: the other one is past its 20 working days, unanswered.
    with time_machine.travel(MONDAY + dt.timedelta(weeks=6), tick=False):
        figures = client.get("/api/statistics/agencies/almaty?period=all").json()["sections"]
        page = client.get("/en/transparency/almaty/?period=all").content.decode()
    assert figures["petitions"] == {
        "threshold_reached": 2,
        "responded": 1,
        "responded_on_time": 1,
        "on_time_percent": 50,
        "overdue_now": 1,
    }
    assert "Responded on time" in page


def test_a_period_from_year_one_is_answered(client, world: World) -> None:
    """Found by schemathesis: the sections turned year 1 into a moment before UTC's range."""
    response = client.get("/api/statistics?start=0001-01-01&end=9999-12-31")
    assert response.status_code == 200
    assert {"petitions", "live_sessions"} <= response.json()["sections"].keys()
