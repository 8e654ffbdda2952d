"""With Redis, a message posted on one server process reaches viewers on another."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async
from django.db import connection
from django.test import Client
from websockets.asyncio.client import connect

from tests.base import World
from tests.reception.live_helpers import make_session

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on {port} exited with {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


@pytest.fixture
def two_servers(world: World, tmp_path: Path) -> Iterator[list[int]]:
    """Two daphne processes on the test database and the same Redis."""
    settings = connection.settings_dict
    database_url = (
        f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@{settings['HOST']}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "participation.settings",
        "ALLOWED_HOSTS": "127.0.0.1",
        "TESTING": "1",
    }
    ports = [free_port(), free_port()]
    processes = []
    for port in ports:
        log = open(tmp_path / f"daphne-{port}.log", "wb")  # noqa: SIM115  (closed with the process)
        processes.append(
            subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    "-m",
                    "daphne",
                    "-b",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "participation.asgi:application",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    try:
        for port, process in zip(ports, processes, strict=True):
            wait_for_port(port, process)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


async def next_frame(ws: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
        if frame["type"] == kind:
            return frame


async def test_a_message_posted_on_one_process_reaches_viewers_of_the_other(
    world: World, two_servers: list[int], settings: Any
) -> None:
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    session = await sync_to_async(make_session)(world)

    def login() -> str:
        client = Client()
        client.force_login(world.marat)  # a host: trusted, not held
        return str(client.cookies["sessionid"].value)

    cookie = await sync_to_async(login)()
    first, second = two_servers
    origin = "http://127.0.0.1"
    url = "ws://127.0.0.1:{port}/ws/live/" + str(session.pk) + "/"
    async with (
        connect(url.format(port=second), origin=origin) as viewer,  # type: ignore[arg-type]
        connect(
            url.format(port=first),
            origin=origin,  # type: ignore[arg-type]
            additional_headers={"Cookie": f"sessionid={cookie}"},
        ) as host,
    ):
        await next_frame(viewer, "snapshot")
        await next_frame(host, "snapshot")
        await host.send(json.dumps({"type": "chat", "text": "Сәлем, Алматы!"}))
        event = await next_frame(viewer, "event")
        assert event["event"] == "message"
        assert "Сәлем, Алматы!" in event["data"]["html"]
        assert (await next_frame(host, "event"))["seq"] == event["seq"]
