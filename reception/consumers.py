"""The live room's socket: ``/ws/live/<id>/`` (protocol in docs/live.md).

A thin caller of ``reception.live_actions``: it parses a frame, checks its
size and shape, calls the action in a worker thread and answers with an
``ack`` or an ``error``. Everything the room sees comes back through the
process's hub (``reception.live_hub``) as stored, numbered events.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
from typing import Any
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.utils import translation
from django.utils.translation import gettext as _

from moderation.pipeline import ContentRefused
from participation.access import AccessDenied, MFARequired
from reception import live_actions, live_hub
from reception.live_actions import LiveRefused
from reception.models import LiveEvent, LiveMessage, LiveQuestion, LiveSession

MAX_FRAME_CHARS = 8192  # a chat message is at most 1,000 characters; the rest is JSON
QUEUE_LIMIT = 1000  # frames waiting for one socket before it counts as too slow
BACKLOG_LIMIT = 5000  # older than this, a reconnecting client gets a fresh snapshot
CLOSE_TOO_SLOW = 4008
CLOSE_NOT_FOUND = 4404


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class LiveRoomConsumer(AsyncWebsocketConsumer):
    """One viewer's socket. It has no channel-layer channel of its own: the hub feeds it."""

    # No per-socket channel: an alias that names no layer makes Channels skip new_channel().
    channel_layer_alias = "live-room-sockets-use-the-hub"

    session_id: int = 0
    is_staff = False
    joined = False

    async def connect(self) -> None:
        self.queue: collections.deque[tuple[int | None, dict[str, Any]]] = collections.deque()
        self.wakeup = asyncio.Event()
        self.last_sent = 0
        self.overflowed = False
        self.writer: asyncio.Task[None] | None = None
        self.closing: asyncio.Future[None] | None = None
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.user = self.scope.get("user")
        self.language = self._language()
        # Accept before any database work: under a connection storm the servers'
        # handshake timeouts (daphne: 5 s) must not depend on the database queue.
        await self.accept()
        found = await self._load()
        if not found:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await live_hub.join(self.session_id, self)
        self.joined = True
        after = self._after()
        if after is None:
            snapshot = await self._snapshot()
            self.last_sent = snapshot["seq"]
            await self.send(text_data=_dumps(snapshot))
        else:
            backlog = await self._backlog(after)
            if backlog is None:
                snapshot = await self._snapshot()
                self.last_sent = snapshot["seq"]
                await self.send(text_data=_dumps({**snapshot, "reset": True}))
            else:
                self.last_sent = after
                for seq, text in backlog:
                    if seq > self.last_sent:
                        await self.send(text_data=text)
                        self.last_sent = seq
        if self.is_staff:
            await self.send(text_data=_dumps(await self._waiting()))
        await database_sync_to_async(live_hub.count_viewer)(self.session_id, 1)
        self.writer = asyncio.ensure_future(self._write())

    async def disconnect(self, code: int) -> None:
        if self.writer is not None:
            self.writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.writer
            self.writer = None
            await database_sync_to_async(live_hub.count_viewer)(self.session_id, -1)
        if self.joined:
            self.joined = False
            await live_hub.leave(self.session_id, self)

    # ------------------------------------------------------------------ outgoing

    def push(self, seq: int | None, frame: dict[str, Any]) -> None:
        """Called by the hub for each frame (one ASGI message shared by every socket):
        queue it, or give up on a client that is too slow."""
        if self.overflowed:
            return
        if len(self.queue) >= QUEUE_LIMIT:
            self.overflowed = True
            self.queue.clear()
            self.closing = asyncio.ensure_future(self.close(code=CLOSE_TOO_SLOW))
            return
        self.queue.append((seq, frame))
        self.wakeup.set()

    async def _write(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.queue:
                seq, frame = self.queue.popleft()
                if seq is not None:
                    if seq <= self.last_sent:
                        continue
                    self.last_sent = seq
                await self.base_send(frame)  # as is: no copy, no re-encoding

    # ------------------------------------------------------------------ incoming

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self._error(None, "too_large", _("The message is too large."))
            return
        try:
            frame = json.loads(text_data)
        except ValueError:
            frame = None
        if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
            await self._error(None, "bad_frame", _("The message is not understood."))
            return
        ref = frame.get("ref")
        ref = ref if isinstance(ref, str | int) and len(str(ref)) <= 40 else None
        if not (self.user and self.user.is_authenticated):
            await self._error(ref, "sign_in", _("Sign in to take part; anyone may watch."))
            return
        try:
            created = await self._act(frame)
        except (LiveRefused, ContentRefused) as refused:
            code = getattr(refused, "code", "refused")
            await self._error(ref, code, refused.message, getattr(refused, "retry_after", 0))
            return
        except MFARequired:
            await self._error(ref, "mfa", _("Set up two-factor authentication first."))
            return
        except (AccessDenied, LiveMessage.DoesNotExist, LiveQuestion.DoesNotExist):
            await self._error(ref, "not_found", _("Not found, or not yours to change."))
            return
        except (KeyError, TypeError, ValueError):
            await self._error(ref, "bad_frame", _("The message is not understood."))
            return
        ack: dict[str, Any] = {"type": "ack", "ref": ref}
        if created is not None:
            ack["id"] = created  # the new question's or message's id, for its author's page
        await self.send(text_data=_dumps(ack))

    async def _error(self, ref: Any, code: str, message: str, retry_after: int = 0) -> None:
        frame: dict[str, Any] = {"type": "error", "ref": ref, "code": code, "message": message}
        if retry_after:
            frame["retry_after"] = retry_after
        await self.send(text_data=_dumps(frame))

    async def _act(self, frame: dict[str, Any]) -> int | None:
        result: int | None = await database_sync_to_async(self._act_sync)(frame)
        return result

    def _act_sync(self, frame: dict[str, Any]) -> int | None:
        with translation.override(self.language):
            session = LiveSession.objects.select_related("official", "agency").get(
                pk=self.session_id
            )
            user = self.user
            ip = (self.scope.get("client") or [None])[0]
            kind = frame["type"]
            if kind == "chat":
                text = str(frame["text"])
                return live_actions.do_post_message(session, author=user, text=text, ip=ip).pk
            if kind == "ask":
                text = str(frame["text"])
                return live_actions.do_ask_question(session, author=user, text=text, ip=ip).pk
            if kind == "vote":
                live_actions.do_vote(self._question(session, frame["question"]), voter=user)
            elif kind in ("approve", "hide"):
                item = (
                    self._question(session, frame["id"])
                    if frame.get("kind") == "question"
                    else self._message(session, frame["id"])
                )
                action = live_actions.do_approve if kind == "approve" else live_actions.do_hide
                action(item, actor=user)
            elif kind == "pin":
                message = self._message(session, frame["id"])
                live_actions.do_pin(message, actor=user, pinned=bool(frame.get("pinned", True)))
            elif kind == "answering":
                live_actions.do_answer_now(self._question(session, frame["question"]), actor=user)
            elif kind == "answered":
                live_actions.do_answer_question(
                    self._question(session, frame["question"]),
                    actor=user,
                    text=str(frame.get("text", "")),
                )
            elif kind == "start":
                live_actions.do_start_session(session, actor=user)
            elif kind == "end":
                live_actions.do_end_session(session, actor=user)
            else:
                raise ValueError(kind)
            return None

    @staticmethod
    def _question(session: LiveSession, pk: Any) -> LiveQuestion:
        return LiveQuestion.objects.select_related("session__official", "session__agency").get(
            session=session, pk=int(pk)
        )

    @staticmethod
    def _message(session: LiveSession, pk: Any) -> LiveMessage:
        return LiveMessage.objects.select_related("session__official", "session__agency").get(
            session=session, pk=int(pk)
        )

    # ------------------------------------------------------------------ reads

    def _query(self, name: str) -> list[str]:
        return parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get(name, [])

    def _language(self) -> str:
        """Error texts in the page's language (``?lang=``), else the person's own."""
        wanted = (self._query("lang") or [""])[0]
        if wanted in ("kk", "ru", "en"):
            return wanted
        return str(getattr(self.user, "preferred_language", "") or "kk")

    def _after(self) -> int | None:
        values = self._query("after")
        if not values:
            return None
        try:
            after = int(values[0])
        except ValueError:
            return None
        return after if after >= 0 else None

    @database_sync_to_async
    def _load(self) -> bool:
        session = (
            LiveSession.objects.select_related("official", "agency")
            .filter(pk=self.session_id)
            .first()
        )
        if session is None:
            return False
        self.is_staff = live_actions.is_staff_of(self.user, session) if self.user else False
        return True

    @database_sync_to_async
    def _backlog(self, after: int) -> list[tuple[int, str]] | None:
        events = list(
            LiveEvent.objects.filter(session_id=self.session_id, seq__gt=after).order_by("seq")[
                : BACKLOG_LIMIT + 1
            ]
        )
        if len(events) > BACKLOG_LIMIT:
            return None
        return [(event.seq, live_actions.event_text(event)) for event in events]

    @database_sync_to_async
    def _snapshot(self) -> dict[str, Any]:
        from reception.live_queries import snapshot

        return snapshot(self.session_id)

    @database_sync_to_async
    def _waiting(self) -> dict[str, Any]:
        from reception.live_queries import waiting

        return waiting(self.session_id)
