"""Two workers sweeping at once fire each event once (PostgreSQL: real row locks)."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from participation.models import Notification
from reception import actions
from reception.models import Appeal, AppealEvent, Clock
from reception.sweep import sweep

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_event_once(world, settings):
    settings.MODERATION_RATE_LIMITS = {"user": [(1000, 60)], "ip": [(1000, 60)]}
    submitted = dt.datetime(2025, 3, 7, 17, 0, tzinfo=ALMATY)
    with time_machine.travel(submitted, tick=False):
        for number in range(30):
            actions.do_submit_appeal(
                citizen=world.alice, kind=Appeal.Kind.QUESTION, subject=f"S{number}",
                text=f"T{number}", is_public=True, official=world.aigerim_official,
            )  # fmt: skip
    later = dt.datetime(2025, 5, 1, 9, 0, tzinfo=ALMATY)  # every deadline long past
    live = Clock.objects.filter(state=Clock.State.RUNNING).count()
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sweep(later))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(result["breach"] for result in results) == live
    assert AppealEvent.objects.filter(action="clock_breach").count() == live
    breaches = list(
        Notification.objects.filter(kind="clock_breach").values_list(
            "params__number", "params__clock__en", "user"
        )
    )
    assert breaches
    assert len(breaches) == len(set(breaches))  # nobody told twice of the same breach
