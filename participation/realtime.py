"""Real-time events, sent only after the database transaction commits.

A WebSocket client must never see an event for a row that a rollback then
removes, nor see it before the row can be read. Every real-time send in the
platform goes through ``send_on_commit``.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    """The channel-layer group that reaches every open socket of one person."""
    return f"user.{user_id}"


def send_on_commit(
    group: str, event: str, payload: dict[str, Any], *, using: str = "default"
) -> None:
    """Send ``event`` with ``payload`` to ``group`` once the current transaction commits.

    Outside a transaction it sends at once. The message reaches consumers as a
    ``realtime.event`` handler call carrying ``{"event": ..., "payload": ...}``.
    """

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(layer.group_send)(
            group, {"type": "realtime.event", "event": event, "payload": payload}
        )

    transaction.on_commit(send, using=using)


def send_many_on_commit(
    messages: list[tuple[str, str, dict[str, Any]]], *, using: str = "default"
) -> None:
    """``send_on_commit`` for many (group, event, payload) at once: one hook, one event loop."""
    if not messages:
        return

    async def send_all(layer: Any) -> None:
        for group, event, payload in messages:
            await layer.group_send(
                group, {"type": "realtime.event", "event": event, "payload": payload}
            )

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        async_to_sync(send_all)(layer)

    transaction.on_commit(send, using=using)
