"""The huey worker runs, and its periodic heartbeat proves it."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY

from participation.models import Heartbeat
from participation.tasks import heartbeat

ROOT = Path(__file__).resolve().parents[2]


def test_the_heartbeat_is_scheduled_every_minute():
    for minute in (0, 17, 59):
        due = HUEY.read_periodic(dt.datetime(2026, 3, 2, 9, minute))
        assert heartbeat.task_class in {type(task) for task in due}


@pytest.mark.django_db
def test_a_beat_is_recorded_and_counted(client):
    heartbeat.call_local()
    heartbeat.call_local()
    beat = Heartbeat.objects.get(name="worker")
    assert beat.count == 2
    assert client.get("/health/").json()["worker_ok"] is True


def _worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "participation.settings",
            "VAR_DIR": str(tmp_path),
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
            "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
            **extra,
        }
    )
    return env


def _run(env: dict[str, str], *argv: str) -> None:
    subprocess.run(  # noqa: S603
        [sys.executable, *argv], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120
    )


def _beats(db_path: Path) -> int:
    with sqlite3.connect(db_path) as connection:
        row = connection.execute(
            "SELECT count FROM participation_heartbeat WHERE name = 'worker'"
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.parametrize(
    "queue",
    ["sqlite", pytest.param("redis", marks=pytest.mark.redis)],
)
def test_a_real_worker_process_runs_queued_tasks(tmp_path, queue):
    extra = (
        {"REDIS_URL": os.environ["REDIS_URL"], "REDIS_PREFIX": f"t{os.getpid()}"}
        if queue == "redis"
        else {}
    )
    env = _worker_env(tmp_path, **extra)
    _run(env, "manage.py", "migrate", "--noinput")
    enqueue = (
        "import django; django.setup(); from participation.tasks import heartbeat; heartbeat()"
    )
    _run(env, "-c", enqueue)
    assert _beats(tmp_path / "db.sqlite3") == 0  # queued, not run

    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _beats(tmp_path / "db.sqlite3") == 0:
            time.sleep(0.2)
        assert _beats(tmp_path / "db.sqlite3") >= 1  # the scheduler may have beaten too
    finally:
        worker.terminate()
        worker.wait(timeout=10)
