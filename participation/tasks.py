"""Background tasks on the huey queue (SQLite-backed by default, Redis with REDIS_URL)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from participation.actions import do_beat


@db_periodic_task(crontab(minute="*"))
def heartbeat() -> None:
    """Every minute: proves the worker and its scheduler run (shown on /health/)."""
    do_beat("worker")
