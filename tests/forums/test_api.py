"""Forums through the API: published threads and posts in tree order; replying."""

from __future__ import annotations

import pytest

from forums.models import Post
from tests.api.conftest import token_for
from tests.base import World
from tests.forums.conftest import reply, root_of, start

pytestmark = pytest.mark.django_db


def test_posts_come_in_tree_order_with_the_officials_badge(client, world: World, category):
    thread = start(category, world.alice)
    first = reply(root_of(thread), world.bob)
    second = reply(root_of(thread), world.marat)
    nested = reply(first, world.alice)
    response = client.get(f"/api/forum/threads/{thread.pk}/posts")
    posts = response.json()["items"]
    assert [p["id"] for p in posts] == [root_of(thread).pk, first.pk, nested.pk, second.pk]
    assert [p["depth"] for p in posts] == [0, 1, 2, 1]
    assert posts[2]["parent"] == first.pk
    assert posts[3]["official"] == world.marat_official.slug
    assert posts[1]["official"] is None


def test_held_posts_and_threads_stay_out(client, world: World, category, settings):
    thread = start(category, world.alice)
    settings.MODERATION_TRUSTED_AFTER_POSTS = 100  # Bob's reply now waits for a moderator
    held = reply(root_of(thread), world.bob, body="held-reply-secret")
    assert not held.is_visible
    held_thread = start(category, world.bob, title="held-thread-secret")
    text = client.get(f"/api/forum/threads/{thread.pk}/posts").content.decode()
    assert "held-reply-secret" not in text
    listing = client.get("/api/forum/threads").content.decode()
    assert "held-thread-secret" not in listing
    assert client.get(f"/api/forum/threads/{held_thread.pk}").status_code == 404


def test_a_citizen_replies_to_a_post_with_a_token(client, world: World, category):
    thread = start(category, world.alice)
    parent = reply(root_of(thread), world.marat)
    response = client.post(
        f"/api/forum/threads/{thread.pk}/posts",
        data={"body": "Спасибо за ответ!", "parent": parent.pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.bob)}",
    )
    assert response.status_code == 201, response.content
    post = Post.objects.get(pk=response.json()["id"])
    assert (post.parent_id, post.author) == (parent.pk, world.bob)


def test_a_reply_to_a_post_of_another_thread_is_refused(client, world: World, category):
    thread = start(category, world.alice)
    other = start(category, world.alice, title="Another thread")
    response = client.post(
        f"/api/forum/threads/{thread.pk}/posts",
        data={"body": "Hello", "parent": root_of(other).pk},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.bob)}",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (422, "unknown_parent")


def test_a_locked_thread_refuses_replies(client, world: World, category):
    from forums.actions import do_change_thread

    thread = start(category, world.alice)
    do_change_thread(thread, actor=world.moira, change="lock")
    response = client.post(
        f"/api/forum/threads/{thread.pk}/posts",
        data={"body": "Too late"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.bob)}",
    )
    assert (response.status_code, response.json()["error"]["code"]) == (409, "refused")
