"""One fan-out hub per room per server process.

Plain Channels gives every socket its own channel-layer channel: with Redis
that is one subscription per socket, and every broadcast is decoded and
dispatched once per socket. Here a process subscribes once per room (the hub),
decodes each broadcast once, and hands the same pre-serialised JSON text to
each of its sockets' bounded queues. Only the final write is per socket.

Order and completeness (docs/live.md):

1. Numbers are gapless and commit in order (``live_actions.record``).
2. The hub delivers strictly in order: an event older than the last delivered
   is a duplicate and dropped; an event that skips numbers makes the hub read
   the missing ones from the database (they are committed: a later number
   cannot exist before them) and deliver those first.
3. A socket registers with the hub *before* reading its backlog from the
   database, and drops anything at or below the last number it has sent, so
   nothing falls between the backlog and the live stream.
4. A socket whose queue fills (a slow client) is closed with code 4008; its
   client reconnects with the last number it saw and reads the rest from the
   database. A slow client costs at most ``QUEUE_LIMIT`` queued references.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.core.cache import cache

log = logging.getLogger(__name__)

VIEWERS_EVERY_SECONDS = 2.0


class Member(Protocol):
    is_staff: bool

    def push(self, seq: int | None, frame: dict[str, Any]) -> None: ...


def websocket_frame(text: str) -> dict[str, Any]:
    """The ASGI message that sends ``text``: built once per broadcast, shared by every socket."""
    return {"type": "websocket.send", "text": text}


def viewers_key(session_id: int) -> str:
    return f"live:viewers:{session_id}"


def count_viewer(session_id: int, delta: int) -> None:
    """The live viewer count, shared by every process through the cache."""
    key = viewers_key(session_id)
    if delta > 0 and cache.add(key, delta, timeout=None):
        return
    try:
        cache.incr(key, delta)
    except ValueError:
        cache.add(key, max(delta, 0), timeout=None)


def viewers(session_id: int) -> int:
    return max(int(cache.get(viewers_key(session_id)) or 0), 0)


@database_sync_to_async
def _last_seq(session_id: int) -> int:
    from reception.models import LiveSession

    return int(LiveSession.objects.filter(pk=session_id).values_list("last_seq", flat=True).get())


@database_sync_to_async
def _events_between(session_id: int, after: int, before: int) -> list[tuple[int, str]]:
    from reception.live_actions import event_text
    from reception.models import LiveEvent

    events = LiveEvent.objects.filter(session_id=session_id, seq__gt=after, seq__lt=before)
    return [(event.seq, event_text(event)) for event in events.order_by("seq")]


class Hub:
    """The room's subscription in this process, and the sockets it feeds."""

    def __init__(self, session_id: int) -> None:
        self.session_id = session_id
        self.members: set[Member] = set()
        self.next_seq = 0
        self.ready = asyncio.Event()
        self.channel = ""
        self.tasks: list[asyncio.Task[None]] = []
        self.shown_viewers = -1

    async def start(self) -> None:
        layer = get_channel_layer()
        assert layer is not None, "live sessions need a channel layer"
        self.channel = await layer.new_channel("live-hub.")
        # Subscribe first, then read where the log stands: nothing falls in between.
        await layer.group_add(f"live.{self.session_id}", self.channel)
        await layer.group_add(f"live.{self.session_id}.staff", self.channel)
        self.next_seq = await _last_seq(self.session_id) + 1
        self.tasks = [
            asyncio.ensure_future(self._receive(layer)),
            asyncio.ensure_future(self._viewers()),
        ]
        self.ready.set()

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        layer = get_channel_layer()
        if layer is not None and self.channel:
            with contextlib.suppress(Exception):
                await layer.group_discard(f"live.{self.session_id}", self.channel)
                await layer.group_discard(f"live.{self.session_id}.staff", self.channel)

    async def _receive(self, layer: Any) -> None:
        while True:
            message = await layer.receive(self.channel)
            try:
                await self.handle(message)
            except Exception:  # one bad message must not stop the room
                log.exception("live hub %s: message dropped", self.session_id)

    async def handle(self, message: dict[str, Any]) -> None:
        if message.get("type") == "live.staff":
            frame = websocket_frame(message["text"])
            for member in list(self.members):
                if member.is_staff:
                    member.push(None, frame)
            return
        seq = int(message["seq"])
        if seq < self.next_seq:
            return  # already delivered (read from the database after a gap)
        if seq > self.next_seq:
            for missing_seq, text in await _events_between(self.session_id, self.next_seq - 1, seq):
                self._deliver(missing_seq, text)
        self._deliver(seq, message["text"])

    def _deliver(self, seq: int, text: str) -> None:
        if seq < self.next_seq:
            return
        self.next_seq = seq + 1
        frame = websocket_frame(text)
        for member in list(self.members):
            member.push(seq, frame)

    async def _viewers(self) -> None:
        """Debounced viewer counts: read the shared count every two seconds, send on change."""
        while True:
            await asyncio.sleep(VIEWERS_EVERY_SECONDS)
            count = await asyncio.to_thread(viewers, self.session_id)
            if count != self.shown_viewers:
                self.shown_viewers = count
                frame = websocket_frame(f'{{"type":"viewers","count":{count}}}')
                for member in list(self.members):
                    member.push(None, frame)


# One registry per event loop: tests run each in a loop of its own.
_hubs: dict[tuple[int, int], Hub] = {}


async def join(session_id: int, member: Member) -> Hub:
    key = (id(asyncio.get_running_loop()), session_id)
    hub = _hubs.get(key)
    if hub is None:
        hub = _hubs[key] = Hub(session_id)
        try:
            await hub.start()
        except BaseException:
            _hubs.pop(key, None)
            hub.ready.set()
            raise
    await hub.ready.wait()
    hub.members.add(member)
    return hub


async def leave(session_id: int, member: Member) -> None:
    key = (id(asyncio.get_running_loop()), session_id)
    hub = _hubs.get(key)
    if hub is None:
        return
    hub.members.discard(member)
    if not hub.members:
        _hubs.pop(key, None)
        await hub.stop()
