"""Background tasks on the huey queue (SQLite-backed by default, Redis with REDIS_URL)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from participation import email, petition_actions
from participation.actions import do_beat

log = logging.getLogger(__name__)


def local_crontab(**fields: str) -> Callable[[dt.datetime], bool]:
    """A crontab read in the project's time zone (Asia/Almaty), whatever the worker's clock.

    huey checks periodic tasks against a naive timestamp: UTC when the Huey
    instance has ``utc=True`` (its default, and ours), else the worker
    process's local time. ``crontab(hour="8")`` alone would thus fire at 08:00
    UTC, 13:00 in Almaty. This converts the timestamp to the current time zone
    (``TIME_ZONE``) first, so the Almaty offset (UTC+6 before 1 March 2024,
    UTC+5 since) is the tz database's business, not ours.
    """
    matches = crontab(**fields)

    def validate(timestamp: dt.datetime) -> bool:
        # Naive either way: UTC, or the process's local time (astimezone reads it so).
        moment = timestamp.replace(tzinfo=dt.UTC) if HUEY.utc else timestamp.astimezone()
        return bool(matches(timezone.localtime(moment).replace(tzinfo=None)))

    return validate


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Every minute: proves the worker and its scheduler run (shown on /health/)."""
    do_beat("worker")


@db_periodic_task(crontab(minute="*"))
def send_notification_emails() -> None:
    """Every minute, and queued after each notifying commit: the e-mail outbox.

    Safe when two workers run it at once (``participation.email``).
    """
    counts = email.send_pending()
    if counts:
        log.info("Notification e-mail: %s", dict(counts))


@db_periodic_task(local_crontab(minute="0", hour="8"))
def daily_digest() -> None:
    """08:00 Almaty time: officials and delegates hear of appeals at risk or overdue."""
    written = email.send_daily_digests()
    if written:
        log.info("Daily digests: %s", written)


@db_task()
def tally_signatures() -> None:
    """Queued (at most once a second) after signatures commit: count them."""
    petition_actions.tally()


@db_periodic_task(crontab(minute="*"))
def petition_sweep() -> None:
    """Every minute: the tally as a backstop, the petition clocks and windows, and
    the removal of personal data from long-ended petitions. Safe when two workers run it."""
    counted = petition_actions.tally()
    counts = petition_actions.sweep()
    counts["anonymised"] = petition_actions.anonymise()
    if counted or any(counts.values()):
        log.info("Petition sweep: counted %s, %s", counted, counts)
