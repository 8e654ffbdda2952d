"""Shared by the live-session tests: a session, a signed-in socket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from participation.asgi import application
from reception.models import LiveSession
from tests.base import World

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def make_session(world: World, **fields: Any) -> LiveSession:
    """Marat's live hour, live now, post-moderated, without slow mode unless told."""
    values: dict[str, Any] = {
        "official": world.marat_official,
        "agency": world.mazhilis,
        "title": "Жастар саясаты туралы",
        "language": "kk",
        "starts_at": timezone.now() - timedelta(minutes=5),
        "mode": LiveSession.Mode.POSTMODERATED,
        "state": LiveSession.State.LIVE,
        "slow_mode_seconds": 0,
        "created_by": world.marat,
    }
    values.update(fields)
    return LiveSession.objects.create(**values)


@database_sync_to_async
def cookie(user: Any) -> tuple[bytes, bytes]:
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def open_socket(
    session: LiveSession, user: Any = None, *, after: int | None = None, origin: bytes = ORIGIN[1]
) -> tuple[WebsocketCommunicator, bool, Any]:
    headers = [(b"origin", origin)]
    if user is not None:
        headers.append(await cookie(user))
    path = f"/ws/live/{session.pk}/?lang=en"
    if after is not None:
        path += f"&after={after}"
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def until(communicator: WebsocketCommunicator, kind: str, timeout: float = 3) -> Any:
    """The next frame of this type (skipping viewer counts and others)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame
