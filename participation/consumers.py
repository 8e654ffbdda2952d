"""The notifications socket: a signed-in person's new notifications, live."""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from participation.realtime import user_group


class NotificationsConsumer(AsyncJsonWebsocketConsumer):
    """Joins the person's own group; anonymous visitors are refused (close 4401)."""

    group: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        # The socket is push-only; reads and marks go through the HTTP pages.
        await self.send_json({"error": "read-only"})

    async def realtime_event(self, message: dict[str, Any]) -> None:
        await self.send_json({"event": message["event"], "payload": message["payload"]})
