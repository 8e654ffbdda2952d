"""The live room's socket: persist, then broadcast; numbered events; resume without loss."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async as sync_to_async

from reception import live_actions
from reception.models import LiveEvent, LiveMessage, LiveSession
from tests.base import World
from tests.reception.live_helpers import make_session, open_socket, until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _trusted(settings):
    # A citizen's first texts wait for a moderator; these tests are about the room.
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    settings.MODERATION_RATE_LIMITS = {"user": [(1000, 60)], "ip": [(1000, 60)]}


async def test_a_viewer_sees_a_message_posted_by_another(world: World) -> None:
    session = await sync_to_async(make_session)(world)
    bob, connected, _ = await open_socket(session, world.bob)
    assert connected
    snapshot = await until(bob, "snapshot")
    assert snapshot["seq"] == 0 and snapshot["messages"] == []
    alice, _, _ = await open_socket(session, world.alice)
    await until(alice, "snapshot")
    await alice.send_json_to({"type": "chat", "text": "Сәлеметсіз бе!", "ref": 1})
    assert (await until(alice, "ack"))["ref"] == 1
    event = await until(bob, "event")
    assert event["seq"] == 1
    assert event["event"] == "message"
    assert "Сәлеметсіз бе!" in event["data"]["html"]
    assert event["data"]["author"] == "Alice"
    # Stored before it was sent.
    stored = await sync_to_async(LiveEvent.objects.get)(session=session, seq=1)
    assert stored.kind == "message"
    await alice.disconnect()
    await bob.disconnect()


async def test_a_reconnecting_viewer_gets_exactly_the_50_events_missed_in_order(
    world: World,
) -> None:
    session = await sync_to_async(make_session)(world)
    await sync_to_async(live_actions.do_post_message)(session, author=world.alice, text="first")
    bob, _, _ = await open_socket(session, world.bob)
    last_seen = (await until(bob, "snapshot"))["seq"]
    assert last_seen == 1
    await bob.disconnect()

    for n in range(50):
        await sync_to_async(live_actions.do_post_message)(
            session, author=world.alice, text=f"message {n}"
        )

    bob, _, _ = await open_socket(session, world.bob, after=last_seen)
    received = [await until(bob, "event") for _ in range(50)]
    assert [frame["seq"] for frame in received] == list(range(2, 52))
    assert [frame["data"]["html"] for frame in received] == [
        f"<p>message {n}</p>\n" for n in range(50)
    ]
    # Nothing more: no duplicate, no snapshot.
    while not await bob.receive_nothing(timeout=0.3):
        extra = await bob.receive_json_from()
        assert extra["type"] not in ("event", "snapshot"), extra
    await bob.disconnect()


async def test_live_events_after_a_resume_follow_the_backlog_without_duplicates(
    world: World,
) -> None:
    session = await sync_to_async(make_session)(world)
    for n in range(3):
        await sync_to_async(live_actions.do_post_message)(session, author=world.alice, text=f"{n}")
    bob, _, _ = await open_socket(session, world.bob, after=1)
    await sync_to_async(live_actions.do_post_message)(session, author=world.alice, text="live")
    seqs = [(await until(bob, "event"))["seq"] for _ in range(3)]
    assert seqs == [2, 3, 4]
    assert (
        await bob.receive_nothing(timeout=0.3) or (await bob.receive_json_from())["type"] != "event"
    )
    await bob.disconnect()


async def test_a_hidden_message_disappears_from_every_client_and_from_later_resumes(
    world: World,
) -> None:
    session = await sync_to_async(make_session)(world)
    viewers = []
    for user in (world.alice, world.bob, None):
        socket, _, _ = await open_socket(session, user)
        await until(socket, "snapshot")
        viewers.append(socket)
    message = await sync_to_async(live_actions.do_post_message)(
        session, author=world.bob, text="Something rude"
    )
    for socket in viewers:
        assert (await until(socket, "event"))["event"] == "message"

    moderator, _, _ = await open_socket(session, world.moira)
    await until(moderator, "snapshot")
    await moderator.send_json_to({"type": "hide", "kind": "message", "id": message.pk})
    for socket in [*viewers, moderator]:
        frame = await until(socket, "event")
        assert frame["event"] == "message.hidden"
        assert frame["data"] == {"id": message.pk}

    # A viewer who missed both events does not receive the hidden text.
    late, _, _ = await open_socket(session, world.alice, after=0)
    first = await until(late, "event")
    assert first["seq"] == 1 and "rude" not in str(first)
    assert (await until(late, "event"))["event"] == "message.hidden"
    fresh, _, _ = await open_socket(session, None)
    assert (await until(fresh, "snapshot"))["messages"] == []
    for socket in [*viewers, moderator, late, fresh]:
        await socket.disconnect()


async def test_anonymous_visitors_may_watch_but_not_post(world: World) -> None:
    session = await sync_to_async(make_session)(world)
    guest, connected, _ = await open_socket(session, None)
    assert connected
    await until(guest, "snapshot")
    await guest.send_json_to({"type": "chat", "text": "hello", "ref": "a"})
    error = await until(guest, "error")
    assert error["code"] == "sign_in"
    assert not await sync_to_async(LiveMessage.objects.exists)()
    await guest.disconnect()


async def test_a_socket_from_another_site_is_refused(world: World) -> None:
    session = await sync_to_async(make_session)(world)
    _, connected, _ = await open_socket(session, world.alice, origin=b"https://evil.example")
    assert not connected


async def test_oversized_and_malformed_frames_get_a_clear_error(world: World) -> None:
    session = await sync_to_async(make_session)(world)
    alice, _, _ = await open_socket(session, world.alice)
    await until(alice, "snapshot")
    await alice.send_to(text_data="x" * 9000)
    assert (await until(alice, "error"))["code"] == "too_large"
    await alice.send_to(text_data="{not json")
    assert (await until(alice, "error"))["code"] == "bad_frame"
    await alice.send_json_to({"type": "chat", "text": "y" * 1001})
    error = await until(alice, "error")
    assert error["code"] == "too_long"
    assert "1001" in error["message"]
    await alice.disconnect()


async def test_slow_mode_limits_how_often_one_person_posts(world: World) -> None:
    session = await sync_to_async(make_session)(world, slow_mode_seconds=30)
    alice, _, _ = await open_socket(session, world.alice)
    await until(alice, "snapshot")
    await alice.send_json_to({"type": "chat", "text": "one"})
    await until(alice, "ack")
    await alice.send_json_to({"type": "chat", "text": "two"})
    error = await until(alice, "error")
    assert error["code"] == "slow_mode"
    assert error["retry_after"] == 30
    assert await sync_to_async(LiveMessage.objects.count)() == 1
    await alice.disconnect()


async def test_a_muted_person_cannot_post(world: World) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from moderation.actions import do_sanction
    from moderation.models import Reason, Sanction

    session = await sync_to_async(make_session)(world)
    await sync_to_async(do_sanction)(
        world.alice,
        moderator=world.moira,
        kind=Sanction.Kind.MUTE,
        reason=Reason.SPAM,
        ends_at=timezone.now() + timedelta(hours=1),
    )
    alice, _, _ = await open_socket(session, world.alice)
    await until(alice, "snapshot")
    await alice.send_json_to({"type": "chat", "text": "let me speak"})
    error = await until(alice, "error")
    assert "muted" in error["message"]
    await alice.disconnect()


async def test_in_a_premoderated_room_a_message_shows_only_once_approved(world: World) -> None:
    session = await sync_to_async(make_session)(world, mode=LiveSession.Mode.PREMODERATED)
    bob, _, _ = await open_socket(session, world.bob)
    await until(bob, "snapshot")
    host, _, _ = await open_socket(session, world.marat)
    await until(host, "snapshot")
    assert (await until(host, "waiting"))["messages"] == []
    alice, _, _ = await open_socket(session, world.alice)
    await alice.send_json_to({"type": "chat", "text": "May I ask?"})
    await until(alice, "ack")
    pending = await until(host, "staff")
    assert pending["event"] == "pending" and pending["data"]["kind"] == "message"
    assert (
        await bob.receive_nothing(timeout=0.3) or (await bob.receive_json_from())["type"] != "event"
    )
    await host.send_json_to({"type": "approve", "kind": "message", "id": pending["data"]["id"]})
    shown = await until(bob, "event")
    assert shown["event"] == "message" and "May I ask?" in shown["data"]["html"]
    for socket in (alice, bob, host):
        await socket.disconnect()


async def test_a_question_asked_approved_and_answered_is_seen_by_everyone(world: World) -> None:
    session = await sync_to_async(make_session)(world, mode=LiveSession.Mode.PREMODERATED)
    host, _, _ = await open_socket(session, world.marat)
    alice, _, _ = await open_socket(session, world.alice)
    bob, _, _ = await open_socket(session, world.bob)
    for socket in (host, alice, bob):
        await until(socket, "snapshot")
    await alice.send_json_to({"type": "ask", "text": "Когда откроют новую школу?"})
    pending = await until(host, "staff")
    question_id = pending["data"]["id"]
    assert (await until(alice, "ack"))["id"] == question_id  # so her page offers no vote
    await host.send_json_to({"type": "approve", "kind": "question", "id": question_id})
    for socket in (alice, bob):
        assert (await until(socket, "event"))["event"] == "question"
    await bob.send_json_to({"type": "vote", "question": question_id})
    for socket in (alice, bob):
        frame = await until(socket, "event")
        assert frame["event"] == "question.votes" and frame["data"]["votes"] == 1
    await bob.send_json_to({"type": "vote", "question": question_id, "ref": "again"})
    assert (await until(bob, "error"))["code"] == "voted"
    await alice.send_json_to({"type": "vote", "question": question_id})
    assert (await until(alice, "error"))["code"] == "own_question"
    await host.send_json_to({"type": "answering", "question": question_id})
    assert (await until(bob, "event"))["event"] == "question.answering"
    await host.send_json_to({"type": "answered", "question": question_id, "text": "В сентябре."})
    assert (await until(alice, "event"))["event"] == "question.answering"
    answered = await until(alice, "event")
    assert answered["event"] == "question.answered"
    assert answered["data"]["answer"] == "<p>В сентябре.</p>\n"
    for socket in (host, alice, bob):
        await socket.disconnect()


async def test_a_citizen_cannot_hide_or_approve(world: World) -> None:
    session = await sync_to_async(make_session)(world)
    message = await sync_to_async(live_actions.do_post_message)(
        session, author=world.alice, text="mine"
    )
    bob, _, _ = await open_socket(session, world.bob)
    await until(bob, "snapshot")
    await bob.send_json_to({"type": "hide", "kind": "message", "id": message.pk})
    assert (await until(bob, "error"))["code"] == "not_found"
    await bob.disconnect()


async def test_a_slow_client_is_closed_rather_than_buffered_without_bound(world: World) -> None:
    from reception import consumers

    session = await sync_to_async(make_session)(world)
    bob, _, _ = await open_socket(session, world.bob)
    await until(bob, "snapshot")
    consumer_cls = consumers.LiveRoomConsumer
    # Reach the consumer through the hub: fill its queue as a stalled network would.
    from reception import live_hub

    hub = live_hub._hubs[(id(asyncio.get_running_loop()), session.pk)]
    (member,) = [m for m in hub.members if isinstance(m, consumer_cls)]
    while member.writer is None:  # connect() finishes after the snapshot is sent
        await asyncio.sleep(0.01)
    member.writer.cancel()  # the socket stops draining
    for n in range(consumers.QUEUE_LIMIT + 1):
        member.push(10_000 + n, {"type": "websocket.send", "text": "{}"})
    output = await bob.receive_output(timeout=1)
    while output["type"] != "websocket.close":
        output = await bob.receive_output(timeout=1)
    assert output["code"] == consumers.CLOSE_TOO_SLOW
    assert len(member.queue) == 0


async def test_the_hub_delivers_in_order_when_broadcasts_cross_between_processes(
    world: World,
) -> None:
    """Two writers in two processes: broadcast 3 may reach a hub before broadcast 2.
    The hub reads 2 from the database, delivers 2 then 3, and drops the late 2."""
    from reception import live_hub

    session = await sync_to_async(make_session)(world)

    class Viewer:
        is_staff = False

        def __init__(self) -> None:
            self.seqs: list[int | None] = []

        def push(self, seq: int | None, frame: dict[str, object]) -> None:
            self.seqs.append(seq)

    viewer = Viewer()
    hub = await live_hub.join(session.pk, viewer)
    try:
        events = []
        for n in range(3):
            message = await sync_to_async(live_actions.do_post_message)(
                session, author=world.alice, text=f"crossing {n}"
            )
            events.append(message)
        # The real broadcasts of 1-3 arrive too; wait for them, then replay out of order.
        for _ in range(50):
            if viewer.seqs[-1:] == [3]:
                break
            await asyncio.sleep(0.02)
        assert [seq for seq in viewer.seqs if seq is not None] == [1, 2, 3]
        viewer.seqs.clear()
        stored = await sync_to_async(
            lambda: [
                (event.seq, live_actions.event_text(event))
                for event in LiveEvent.objects.filter(session=session).order_by("seq")
            ]
        )()
        hub.next_seq = 2  # as if this hub had only seen event 1
        await hub.handle({"type": "live.event", "seq": 3, "text": stored[2][1]})
        await hub.handle({"type": "live.event", "seq": 2, "text": stored[1][1]})
        assert viewer.seqs == [2, 3]
    finally:
        await live_hub.leave(session.pk, viewer)
