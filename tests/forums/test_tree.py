"""Nested replies: paths, depth, pages that stay bounded whatever the thread's size or depth."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forums import queries
from forums.actions import ForumError, do_change_thread
from forums.models import PATH_STEP, Category, Post, Thread, path_segment, path_successor
from participation.models import User
from tests.base import World
from tests.factories import UserFactory
from tests.forums.conftest import reply, root_of, start


def test_it_builds_each_path_from_the_ancestors_ids_and_its_own(
    world: World, category: Category
) -> None:
    thread = start(category, world.alice)
    root = root_of(thread)
    first = reply(root, world.bob)
    second = reply(first, world.alice)
    assert root.path == path_segment(root.pk)
    assert first.path == root.path + path_segment(first.pk)
    assert second.path == first.path + path_segment(second.pk)
    assert [p.depth for p in (root, first, second)] == [0, 1, 2]
    assert Post.objects.get(pk=root.pk).child_count == 1


def test_segments_sort_as_their_ids_do() -> None:
    ids = [1, 9, 10, 35, 36, 1295, 1296, 10_000_000]
    assert sorted(ids, key=path_segment) == ids
    assert all(len(path_segment(i)) == PATH_STEP for i in ids)
    assert path_successor(path_segment(5) + path_segment(35)) == path_segment(5) + path_segment(36)


def test_the_page_is_the_tree_depth_first_with_siblings_oldest_first(
    world: World, category: Category
) -> None:
    thread = start(category, world.alice)
    root = root_of(thread)
    a = reply(root, world.bob)
    b = reply(root, world.alice)
    a1 = reply(a, world.alice)
    b1 = reply(b, world.bob)
    a2 = reply(a, world.bob)
    page = queries.page_of_posts(thread)
    assert [p.pk for p in page.posts] == [root.pk, a.pk, a1.pk, a2.pk, b.pk, b1.pk]


def _chain(thread: Thread, length: int, people: list[User]) -> list[Post]:
    posts = [root_of(thread)]
    for index in range(length):
        posts.append(reply(posts[-1], people[index % len(people)]))
    return posts


def test_it_shows_six_levels_then_continue_this_thread(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    chain = _chain(thread, 9, [world.bob, world.alice])
    response = Client().get(f"/en/forums/t/{thread.pk}/")
    html = response.content.decode()
    for post in chain[:7]:  # the opening post and six levels of replies
        assert f'id="post-{post.pk}"' in html
    for post in chain[7:]:
        assert f'id="post-{post.pk}"' not in html
    assert "Continue this thread (1 reply)" in html
    branch = Client().get(f"/en/forums/t/{thread.pk}/p/{chain[6].pk}/").content.decode()
    for post in chain[6:]:
        assert f'id="post-{post.pk}"' in branch
    assert f'id="post-{chain[5].pk}"' not in branch


def test_a_deep_posts_address_leads_to_the_branch_that_shows_it(
    world: World, category: Category
) -> None:
    thread = start(category, world.alice)
    chain = _chain(thread, 9, [world.bob, world.alice])
    response = Client().get(f"/en/forums/posts/{chain[9].pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith(f"/en/forums/t/{thread.pk}/p/{chain[6].pk}/?from=")
    followed = Client().get(response["Location"])
    assert f'id="post-{chain[9].pk}"' in followed.content.decode()


def _count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("reader", [None, "alice", "marat", "moira"])
def test_queries_per_page_do_not_grow_with_the_thread_or_its_depth(
    world: World, category: Category, reader: str | None
) -> None:
    """Anonymous, a citizen, an MP, a moderator: at most 8 queries, however big or deep."""
    people = [world.alice, world.bob, world.marat, *UserFactory.create_batch(3)]
    small = start(category, world.alice, title="Small")
    _chain(small, 3, people)
    big = start(category, world.bob, title="Big and deep")
    posts = _chain(big, 40, people)  # 40 levels deep
    for index, parent in enumerate(posts[:30]):  # and wide: siblings all along the chain
        reply(parent, people[index % len(people)])
        reply(parent, people[(index + 1) % len(people)])
    for index in range(60):  # more than a page at the top level
        reply(posts[0], people[index % len(people)])
    client = Client()
    if reader is not None:
        client.force_login(getattr(world, reader))
    client.get(f"/en/forums/t/{small.pk}/")  # session and caches warm, as for a reader
    few = _count_queries(client, f"/en/forums/t/{small.pk}/")
    many = _count_queries(client, f"/en/forums/t/{big.pk}/")
    deeper = _count_queries(client, f"/en/forums/t/{big.pk}/p/{posts[18].pk}/")
    cursor = queries.page_of_posts(big).next_cursor
    assert cursor is not None
    later = _count_queries(client, f"/en/forums/t/{big.pk}/?after={cursor}")
    assert few == many == later
    assert deeper <= few + 1  # the branch's own post
    assert many <= 8


def test_paging_shows_every_post_once_while_posts_are_added(
    world: World, category: Category
) -> None:
    """Posts added behind the cursor were on pages already read; those ahead of it
    appear on the next pages; nothing is shown twice and nothing is skipped."""
    people = [world.alice, world.bob, world.marat]
    thread = start(category, world.alice)
    root = root_of(thread)
    tops = [reply(root, people[i % 3]) for i in range(60)]
    for i, top in enumerate(tops[::3]):
        reply(top, people[(i + 1) % 3])
    existing = set(Post.objects.filter(thread=thread).values_list("pk", flat=True))
    seen: list[int] = []
    ahead: set[int] = set()
    cursors = queries.Cursors()
    while True:
        page = queries.page_of_posts(thread, cursors=cursors)
        seen += [post.pk for post in page.posts]
        if page.next_cursor is None:
            break
        # Between two pages, others reply: behind the cursor, right at it, and far ahead.
        behind = reply(tops[0], world.bob)
        at_cursor = reply(page.posts[-1], world.alice)
        far = reply(tops[-1], world.marat)
        assert behind.path < page.next_cursor < at_cursor.path < far.path
        ahead |= {at_cursor.pk, far.pk}
        cursors = queries.Cursors(after=page.next_cursor)
    assert len(seen) == len(set(seen)), "a post was shown twice"
    assert existing | ahead <= set(seen), "a post was skipped"


def test_a_page_address_we_never_made_gets_a_clear_error(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    response = Client().get(f"/en/forums/t/{thread.pk}/?after=../etc")
    assert response.status_code == 400
    assert "This page address is not valid" in response.content.decode()


def test_a_locked_thread_refuses_replies_with_a_reason(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    do_change_thread(thread, actor=world.moira, change="lock")
    with pytest.raises(ForumError, match="locked"):
        reply(root_of(thread), world.bob)
    client = Client()
    client.force_login(world.bob)
    response = client.post(f"/en/forums/posts/{root_of(thread).pk}/reply/", {"body": "Hello"})
    assert response.status_code == 400
    assert "no longer accepts replies" in response.content.decode()
