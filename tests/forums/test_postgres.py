"""Concurrent replies on PostgreSQL: real connections, real row locks."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from forums import actions, queries, search
from forums.models import Category, Post
from participation.models import Notification, User
from tests.base import World
from tests.factories import UserFactory
from tests.forums.conftest import root_of, start

REPLIES = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_replies_to_one_parent(world: World, category: Category) -> None:
    """No error, twenty unique paths, and path order is the order they were written in."""
    thread = start(category, world.alice)
    parent = Post.objects.get(pk=root_of(thread).pk)
    people: list[User] = UserFactory.create_batch(REPLIES)
    barrier = threading.Barrier(REPLIES)
    errors: list[BaseException] = []

    def write(person: User, number: int) -> None:
        try:
            barrier.wait()
            actions.do_reply(parent=parent, author=person, body=f"Reply {number} from a citizen.")
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    workers = [
        threading.Thread(target=write, args=(person, number))
        for number, person in enumerate(people)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    replies = list(Post.objects.filter(parent=parent).order_by("path"))
    assert len(replies) == REPLIES
    assert len({reply.path for reply in replies}) == REPLIES
    assert all(reply.path.startswith(parent.path) and reply.depth == 1 for reply in replies)
    assert [r.pk for r in replies] == [r.pk for r in sorted(replies, key=lambda r: r.created_at)]
    parent.refresh_from_db()
    assert parent.child_count == REPLIES
    thread.refresh_from_db()
    assert thread.reply_count == REPLIES
    # The thread's author hears of each reply once.
    assert Notification.objects.filter(user=world.alice, kind="forum_reply_to_you").count() == 20


@pytest.mark.postgres
def test_postgres_search_uses_each_languages_configuration(
    world: World, category: Category
) -> None:
    thread = actions.do_start_thread(
        category=category, author=world.alice, title="Налоги", body="Налоговые льготы для фермеров."
    )
    root = root_of(thread)
    russian = actions.do_reply(parent=root, author=world.bob, body="Фермеры платят налоги.")
    english = actions.do_reply(parent=root, author=world.alice, body="Farmers are paying taxes.")
    assert connection.vendor == "postgresql"
    assert russian in search.search("фермер").posts  # Russian stemming: фермеры → фермер
    assert english in search.search("pay").posts  # English stemming: paying → pay
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM forums_post WHERE id = %s", [russian.pk])
        assert "'фермер'" in cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_paging_while_another_connection_keeps_replying(world: World, category: Category) -> None:
    """A reader walks the pages while a writer adds replies all over the tree: no post is
    shown twice, every post that existed is shown, and so is every post the writer had
    committed ahead of the reader's cursor before the reader read past that point."""
    thread = start(category, world.alice)
    root = root_of(thread)
    people = UserFactory.create_batch(4)
    tops = [
        actions.do_reply(parent=root, author=people[i % 4], body=f"Top {i}.") for i in range(120)
    ]
    existing = set(Post.objects.filter(thread=thread).values_list("pk", flat=True))
    stop = threading.Event()
    written: list[tuple[int, str]] = []

    def writer() -> None:
        try:
            number = 0
            while not stop.is_set():
                parent = tops[(number * 37) % len(tops)]
                post = actions.do_reply(
                    parent=parent, author=people[number % 4], body=f"Later reply {number}."
                )
                written.append((post.pk, post.path))
                number += 1
        finally:
            connection.close()

    thread_writer = threading.Thread(target=writer)
    thread_writer.start()
    seen: list[int] = []
    cursor: str | None = None
    try:
        while True:
            page = queries.page_of_posts(thread, cursors=queries.Cursors(after=cursor))
            seen += [post.pk for post in page.posts]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
            # Between two pages, the writer commits a few more replies (up to 10 s).
            target, deadline = len(written) + 3, time.monotonic() + 10
            while len(written) < target and time.monotonic() < deadline:
                time.sleep(0.01)
    finally:
        stop.set()
        thread_writer.join()
    assert len(written) >= 3, "the writer should have written between the pages"
    assert len(seen) == len(set(seen)), "a post was shown twice"
    assert existing <= set(seen), "a post that existed was skipped"
