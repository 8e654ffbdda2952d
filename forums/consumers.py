"""The thread socket: readers of a public thread hear that new replies were published."""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from forums.models import Thread


def thread_group(thread_id: int) -> str:
    """The channel-layer group of one thread's open pages."""
    return f"forum.thread.{thread_id}"


@database_sync_to_async
def _is_public(thread_id: int) -> bool:
    return Thread.objects.filter(pk=thread_id, is_visible=True).exists()


class ThreadConsumer(AsyncJsonWebsocketConsumer):
    """Joins a visible thread's group, for anyone who may read it (close 4404 otherwise).

    Push-only, and the events carry no text: only that a post was published
    and where it is, so the page can offer to show it.
    """

    group: str | None = None

    async def connect(self) -> None:
        thread_id = int(self.scope["url_route"]["kwargs"]["pk"])
        if not await _is_public(thread_id):
            await self.close(code=4404)
            return
        self.group = thread_group(thread_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        await self.send_json({"error": "read-only"})

    async def realtime_event(self, message: dict[str, Any]) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
