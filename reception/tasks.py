"""The SLA sweep on the task queue, every minute. Safe when two workers run it at once."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from reception.sweep import sweep

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
def sla_sweep() -> None:
    counts = sweep()
    if any(counts.values()):
        log.info("SLA sweep: %s", counts)


@db_periodic_task(crontab(minute="*"))
def live_sessions_sweep() -> None:
    """Remind followers before a start; end (and convert) sessions long past their end."""
    from reception.live_actions import end_overdue_sessions, remind_followers

    reminded = remind_followers()
    ended = end_overdue_sessions()
    if reminded or ended:
        log.info("Live sessions: %s reminders, %s ended", reminded, ended)
