"""Full-text search over thread titles and posts, on PostgreSQL or SQLite.

PostgreSQL: ``forums_thread.search_vector`` and ``forums_post.search_vector``
are stored generated ``tsvector`` columns, each built with the configuration of
the row's language (``russian``, ``english``, and ``simple`` for Kazakh, which
PostgreSQL has no stemmer for), with GIN indexes (migration 0002). The
database keeps them current; a query is tried in all three configurations at
once, with prefix matching in ``simple`` so Kazakh endings still match.

SQLite: two FTS5 tables (``forums_post_fts``, ``forums_thread_fts``, rowid =
the post's or thread's id, ``unicode61`` tokenizer: Cyrillic and Latin case
folded), kept in step by the forum actions through ``sync_post`` and
``sync_thread``. Each query word matches as a prefix.

Either way the ids found are read back through the ORM with the visibility
filters, so a held or hidden text never shows up, even while its index row
lingers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from django.db import connection
from django.db.models import QuerySet

from forums.models import Post, Thread

LIMIT = 30
_Row = TypeVar("_Row", Thread, Post)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Results:
    threads: list[Thread]
    posts: list[Post]


def words(query: str) -> list[str]:
    """The query's words, lower-cased, at most ten: what both engines search for."""
    return [word.lower() for word in _WORD.findall(query)][:10]


def search(query: str) -> Results:
    """Visible threads whose title matches and visible posts whose text matches, best first."""
    found = words(query)
    if not found:
        return Results(threads=[], posts=[])
    if connection.vendor == "postgresql":
        thread_ids = _postgres_ids("forums_thread", query, found)
        post_ids = _postgres_ids("forums_post", query, found)
    else:
        thread_ids = _sqlite_ids("forums_thread_fts", found)
        post_ids = _sqlite_ids("forums_post_fts", found)
    threads = _in_order(
        Thread.objects.filter(pk__in=thread_ids, is_visible=True).select_related("category"),
        thread_ids,
    )
    posts = _in_order(
        Post.objects.filter(
            pk__in=post_ids, is_visible=True, thread__is_visible=True
        ).select_related("thread", "author", "official"),
        post_ids,
    )
    return Results(threads=threads, posts=posts)


def _in_order(rows: QuerySet[_Row], ids: list[int]) -> list[_Row]:
    by_id = {row.pk: row for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _postgres_ids(table: str, query: str, found: list[str]) -> list[int]:
    prefix = " & ".join(f"{word}:*" for word in found)
    sql = (
        f"SELECT id FROM {table}, "  # noqa: S608  (table names are ours)
        "(SELECT websearch_to_tsquery('russian', %s) || websearch_to_tsquery('english', %s)"
        " || to_tsquery('simple', %s) AS q) AS query "
        "WHERE search_vector @@ query.q AND is_visible "
        "ORDER BY ts_rank(search_vector, query.q) DESC, id DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [query, query, prefix, LIMIT])
        return [row[0] for row in cursor.fetchall()]


def _sqlite_ids(table: str, found: list[str]) -> list[int]:
    match = " ".join(f'"{word}"*' for word in found)
    sql = f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, LIMIT])
        return [row[0] for row in cursor.fetchall()]


def sync_post(post: Post) -> None:
    """Put a post's current text in the SQLite index, or take it out when not visible.

    PostgreSQL's generated column needs nothing. Called by the actions that
    create, edit and publish posts (never from signals).
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM forums_post_fts WHERE rowid = %s", [post.pk])
        if post.is_visible:
            cursor.execute(
                "INSERT INTO forums_post_fts (rowid, body) VALUES (%s, %s)", [post.pk, post.body]
            )


def sync_thread(thread: Thread) -> None:
    """``sync_post`` for a thread's title."""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM forums_thread_fts WHERE rowid = %s", [thread.pk])
        if thread.is_visible:
            cursor.execute(
                "INSERT INTO forums_thread_fts (rowid, title) VALUES (%s, %s)",
                [thread.pk, thread.title],
            )
