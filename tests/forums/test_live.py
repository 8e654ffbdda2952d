"""An open thread page hears, after commit, that a reply was published; nothing more."""

from __future__ import annotations

from typing import Any

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections, transaction
from django.test import Client

from forums import actions
from forums.models import Category, Post, Thread
from participation.asgi import application
from tests.base import World
from tests.factories import CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@sync_to_async
def _thread(world: World, title: str) -> tuple[Thread, Post]:
    category: Category = CategoryFactory.create()
    thread = actions.do_start_thread(
        category=category, author=world.alice, title=title, body=f"{title}: the opening post."
    )
    return thread, Post.objects.get(thread=thread, parent__isnull=True)


async def _open(thread: Thread) -> tuple[WebsocketCommunicator, bool, int | None]:
    communicator = WebsocketCommunicator(
        application, f"/ws/forums/threads/{thread.pk}/", headers=[ORIGIN]
    )
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_a_published_reply_reaches_the_open_page_after_commit(world: World) -> None:
    thread, root = await _thread(world, "Live thread")
    page, connected, _code = await _open(thread)
    assert connected  # anonymous readers too: the thread is public

    def reply_then_fail() -> None:
        with transaction.atomic():
            actions.do_reply(parent=root, author=world.bob, body="This one is rolled back.")
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await sync_to_async(reply_then_fail)()
    assert await page.receive_nothing(timeout=0.3)
    post = await sync_to_async(actions.do_reply)(
        parent=root, author=world.bob, body="A reply everyone may see."
    )
    message = await page.receive_json_from(timeout=2)
    assert message == {
        "event": "forum.post",
        "payload": {"id": post.pk, "url": f"/forums/posts/{post.pk}/"},
    }
    await page.disconnect()


async def test_a_held_reply_is_not_announced(world: World, settings: Any) -> None:
    thread, root = await _thread(world, "Public thread")
    page, _connected, _code = await _open(thread)
    settings.MODERATION_TRUSTED_AFTER_POSTS = 5
    newcomer = await sync_to_async(UserFactory.create)()
    await sync_to_async(actions.do_reply)(parent=root, author=newcomer, body="Held for now.")
    assert await page.receive_nothing(timeout=0.3)
    await page.disconnect()


async def test_a_held_thread_has_no_socket(world: World, settings: Any) -> None:
    settings.MODERATION_TRUSTED_AFTER_POSTS = 5
    held, _root = await _thread(await sync_to_async(_fresh_author)(world), "Held thread")
    _page, connected, code = await _open(held)
    assert not connected and code == 4404
    # The refused consumer's database thread keeps its connection; close it, as a
    # server's request cycle would, so the test database can be dropped.
    await sync_to_async(connections.close_all)()


def _fresh_author(world: World) -> World:
    world.alice = UserFactory.create()  # a new account: her thread is held
    return world


def test_the_thread_page_carries_its_socket_and_script(world: World) -> None:
    category = CategoryFactory.create()
    thread = actions.do_start_thread(
        category=category, author=world.alice, title="Socket", body="Where is the socket?"
    )
    html = Client().get(f"/en/forums/t/{thread.pk}/").content.decode()
    assert f'data-thread-socket="/ws/forums/threads/{thread.pk}/"' in html
    assert 'src="/static/js/forums.js"' in html
