"""The notifications socket: live, after commit, only to the person, only from this site."""

import pytest
from channels.db import database_sync_to_async as sync_to_async  # closes its connections
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from participation.actions import do_grant_role, do_mark_notifications_read, do_notify
from participation.asgi import application
from participation.models import Notification, Role

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@sync_to_async
def session_cookie(user) -> tuple[bytes, bytes]:
    """The cookie header of a signed-in browser session for ``user``."""
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def connect(headers):
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_a_new_notification_arrives_live_in_the_readers_language(world):
    communicator, connected, _ = await connect([ORIGIN, await session_cookie(world.bob)])
    assert connected
    await sync_to_async(do_notify)(world.bob, kind="welcome")
    message = await communicator.receive_json_from(timeout=2)
    assert message["event"] == "notification"
    assert message["payload"]["kind"] == "welcome"
    assert message["payload"]["text"].startswith("Добро пожаловать")  # Bob reads Russian
    await communicator.disconnect()


async def test_nothing_is_sent_before_the_transaction_commits(world):
    communicator, connected, _ = await connect([ORIGIN, await session_cookie(world.alice)])
    assert connected

    def notify_then_fail() -> None:
        with transaction.atomic():
            do_notify(world.alice, kind="welcome")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await sync_to_async(notify_then_fail)()
    assert await communicator.receive_nothing(timeout=0.3)
    assert not await sync_to_async(Notification.objects.filter(user=world.alice).exists)()

    def notify_and_look() -> bool:
        with transaction.atomic():
            do_notify(world.alice, kind="welcome")
            return True

    await sync_to_async(notify_and_look)()
    assert (await communicator.receive_json_from(timeout=2))["payload"]["kind"] == "welcome"
    await communicator.disconnect()


async def test_a_person_receives_only_their_own_notifications(world):
    alice, _, _ = await connect([ORIGIN, await session_cookie(world.alice)])
    bob, _, _ = await connect([ORIGIN, await session_cookie(world.bob)])
    await sync_to_async(do_grant_role)(world.bob, role=Role.DELEGATE, agency=world.almaty)
    assert (await bob.receive_json_from(timeout=2))["payload"]["kind"] == "role_granted"
    assert await alice.receive_nothing(timeout=0.3)
    await alice.disconnect()
    await bob.disconnect()


async def test_anonymous_visitors_are_refused(world):
    _, connected, code = await connect([ORIGIN])
    assert not connected
    assert code == 4401


async def test_a_foreign_origin_is_refused(world):
    _, connected, _ = await connect(
        [(b"origin", b"https://evil.example"), await session_cookie(world.alice)]
    )
    assert not connected


def test_the_notifications_page_lists_and_marks_read(client, world):
    do_notify(world.alice, kind="welcome")
    do_grant_role(world.alice, role=Role.DELEGATE, agency=world.almaty)
    client.force_login(world.alice)
    page = client.get("/en/notifications/").content.decode()
    assert "You are now delegate of Akimat of Almaty" in page
    assert 'class="badge" data-unread-count>2<' in client.get("/en/").content.decode()
    client.post("/en/notifications/")
    assert not Notification.objects.filter(user=world.alice, read_at__isnull=True).exists()
    assert do_mark_notifications_read(world.alice) == 0
