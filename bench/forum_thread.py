"""Benchmark: rendering pages of one forum thread of 10,000 posts.

    python bench/forum_thread.py [--posts 10000] [--requests 300]

Runs on a fresh SQLite file in a temporary directory, or on DATABASE_URL if
set (use an empty, disposable database). The thread is written with
``bulk_create`` (no actions, no moderation) as a realistic tree: each new post
answers the opening post (20 %), one of the last 50 posts (55 %: a
conversation going on) or any earlier post (25 %), which gives a few hundred
top-level replies, long chains and a tail of deep branches. Paths, depths,
reply counts and reaction counts are set as the actions would set them; one
post in fifty is an official's, with the badge, and one is pinned as the
official response. Bodies are rendered by the platform's Markdown renderer.

Then pages are requested through Django's test client, as a browser would,
in production mode (DEBUG off), a third anonymous and two thirds signed in
as a citizen who has reacted to some posts and watches the thread:

* the first page of the thread,
* following pages, walking the ``after`` cursor as a reader clicking "More",
* a post's permanent address (``?from=<path>``), for random posts,
* "continue this thread" branches under random deep posts.

Figures: ``p50_ms`` and ``p95_ms`` of the whole request (URL routing,
middleware, session, queries, template), and ``queries_per_page``, the largest
number of SQL queries any page needed (counted with an execute wrapper). The
last line printed is one JSON object. PostgreSQL is vacuumed and analysed
after the fill, as autovacuum would soon do.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BATCH = 2000
PEOPLE = 400
SENTENCES = [
    "Абай даңғылындағы велосипед жолы үзіліп қалады, оны жалғастыру керек.",
    "Қоғамдық көлік кешкі уақытта сирек жүреді.",
    "Считаю, что скорость самокатов на тротуарах нужно ограничить.",
    "В нашем районе нет ни одной выделенной полосы для автобусов.",
    "The committee should publish the traffic study before the vote.",
    "**Important:** the new routes start in March, according to the akimat.",
    "> Жаяу жүргіншілерге қауіпсіздік бірінші орында болуы керек.\n\nКеліспеймін, бәрі маңызды.",
    "Предлагаю:\n\n1. больше освещения;\n2. камеры на перекрёстках;\n3. отдельные дорожки.",
    "See the report at https://example.kz/transport-report for the figures.",
]


def configure(workdir: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    os.environ["DEBUG"] = "0"  # production mode: Django does not record queries
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("SQLITE_PATH", str(Path(workdir) / "bench.sqlite3"))
    os.environ["ALLOWED_HOSTS"] = "testserver"


def log(message: str) -> None:
    print(message, flush=True)


def fill(posts: int, rng: random.Random) -> dict[str, Any]:
    """The category, people, officials and one thread of ``posts`` posts; facts about it."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from forums.models import Category, Post, Reaction, Thread, Watch, path_segment
    from moderation.sanitize import render_markdown
    from participation.models import Agency, Official, User

    rendered = [(text, render_markdown(text)) for text in SENTENCES]
    with transaction.atomic():
        agency = Agency.objects.create(
            kind=Agency.Kind.CHAMBER, slug="mazhilis", name_kk="Мәжіліс", name_ru="Мажилис",
            name_en="Mazhilis",
        )  # fmt: skip
        category = Category.objects.create(
            slug="transport", name_kk="Көлік", name_ru="Транспорт", name_en="Transport",
            agency=agency,
        )  # fmt: skip
        people = User.objects.bulk_create(
            User(email=f"person{n}@example.kz", display_name=f"Азамат {n}") for n in range(PEOPLE)
        )
        officials = Official.objects.bulk_create(
            Official(
                user=person, agency=agency, slug=f"mp-{n}", name_kk=f"Депутат {n}",
                name_ru=f"Депутат {n}", name_en=f"Deputy {n}", position_kk="Мәжіліс депутаты",
                position_ru="Депутат Мажилиса", position_en="Deputy of the Mazhilis",
            )
            for n, person in enumerate(people[:10])
        )  # fmt: skip
        now = timezone.now()
        thread = Thread.objects.create(
            category=category, title="Алматыдағы қоғамдық көлік", author=people[20],
            language="kk", is_visible=True, reply_count=posts - 1, created_at=now,
            last_post_at=now,
        )  # fmt: skip
        first_id = (Post.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        paths: list[str] = []
        depths: list[int] = []
        parents: list[int | None] = []
        children = [0] * posts
        for index in range(posts):
            if index == 0:
                parent = None
            else:
                roll = rng.random()
                if roll < 0.20:
                    parent = 0
                elif roll < 0.75:
                    parent = rng.randrange(max(0, index - 50), index)
                else:
                    parent = rng.randrange(0, index)
                children[parent] += 1
            parents.append(parent)
            segment = path_segment(first_id + index)
            paths.append(segment if parent is None else paths[parent] + segment)
            depths.append(0 if parent is None else depths[parent] + 1)
        rows = []
        for index in range(posts):
            author = rng.randrange(PEOPLE)
            text, html = rendered[rng.randrange(len(rendered))]
            official = officials[author] if author < 10 and rng.random() < 0.5 else None
            parent = parents[index]
            rows.append(
                Post(
                    id=first_id + index,
                    thread=thread,
                    author=people[author],
                    parent_id=None if parent is None else first_id + parent,
                    path=paths[index],
                    depth=depths[index],
                    official=official,
                    body=text,
                    body_html=html,
                    language="kk",
                    is_visible=rng.random() > 0.01,
                    child_count=children[index],
                    agree_count=rng.randrange(30),
                    disagree_count=rng.randrange(10),
                    created_at=now,
                    published_at=now,
                )
            )
        for start in range(0, posts, BATCH):
            Post.objects.bulk_create(rows[start : start + BATCH])
        pinned = next(row for row in rows if row.official is not None and row.is_visible)
        Thread.objects.filter(pk=thread.pk).update(pinned_post=pinned)
        reader = people[PEOPLE - 1]
        Reaction.objects.bulk_create(
            Reaction(post=row, user=reader, kind="agree")
            for row in rng.sample(rows, min(500, posts))
            if row.author_id != reader.pk
        )
        Watch.objects.create(user=reader, thread=thread)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Post]):
                    cursor.execute(sql)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    deep = [first_id + i for i in range(posts) if depths[i] == 6 and children[i] > 0]
    return {
        "thread": thread.pk,
        "reader": reader,
        "paths": paths,
        "ids": [first_id + i for i in range(posts)],
        "depths": depths,
        "deep": deep,
        "max_depth": max(depths),
        "top_level": children[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="bench-forum-")
    configure(workdir)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    # Pages link their stylesheet by its plain name: no collectstatic manifest needed here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    log(f"{connection.vendor}: migrated in {time.perf_counter() - started:.1f} s")
    rng = random.Random(2026)
    started = time.perf_counter()
    facts = fill(args.posts, rng)
    log(
        f"thread of {args.posts} posts written in {time.perf_counter() - started:.1f} s: "
        f"{facts['top_level']} top-level replies, deepest branch {facts['max_depth']} levels, "
        f"{len(facts['deep'])} posts at level 6 with replies below"
    )

    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(facts["reader"])
    thread_url = f"/en/forums/t/{facts['thread']}/"
    urls: list[str] = []
    cursor_walk: list[str] = []

    def walk_urls(count: int) -> list[str]:
        """The first page, then "More" pages by their cursors, as a reader walks them."""
        from forums import queries
        from forums.models import Thread

        thread = Thread.objects.get(pk=facts["thread"])
        page = queries.page_of_posts(thread)
        found = [thread_url]
        while page.next_cursor and len(found) < count:
            found.append(f"{thread_url}?after={page.next_cursor}")
            page = queries.page_of_posts(thread, cursors=queries.Cursors(after=page.next_cursor))
        return found

    cursor_walk = walk_urls(args.requests // 3)
    for index in range(args.requests):
        kind = index % 3
        if kind == 0:
            urls.append(cursor_walk[(index // 3) % len(cursor_walk)])
        elif kind == 1:
            choice = rng.randrange(len(facts["paths"]))
            while facts["depths"][choice] > 6:
                choice = rng.randrange(len(facts["paths"]))
            urls.append(f"{thread_url}?from={facts['paths'][choice]}")
        else:
            post_id = rng.choice(facts["deep"]) if facts["deep"] else facts["ids"][0]
            urls.append(f"{thread_url}p/{post_id}/")

    queries_seen: list[int] = []

    def counting(
        execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        queries_seen[-1] += 1
        return execute(sql, params, many, context)

    for url in urls[:20]:  # warm up: templates compiled, caches filled
        anonymous.get(url, secure=True)
        signed_in.get(url, secure=True)
    timings: dict[str, list[float]] = {"anonymous": [], "signed_in": []}
    with connection.execute_wrapper(counting):
        for index, url in enumerate(urls):
            # A third anonymous, whatever the kind of page (kinds rotate by index).
            anon = (index // 3) % 3 == 2
            who, client = ("anonymous", anonymous) if anon else ("signed_in", signed_in)
            queries_seen.append(0)
            started = time.perf_counter()
            response = client.get(url, secure=True)
            timings[who].append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
    every = sorted(timings["anonymous"] + timings["signed_in"])

    def pct(values: list[float], share: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    result = {
        "database": connection.vendor,
        "posts": args.posts,
        "requests": len(urls),
        "max_depth": facts["max_depth"],
        "p50_ms": round(statistics.median(every), 1),
        "p95_ms": round(pct(every, 0.95), 1),
        "p50_ms_anonymous": round(statistics.median(timings["anonymous"]), 1),
        "p95_ms_anonymous": round(pct(timings["anonymous"], 0.95), 1),
        "p50_ms_signed_in": round(statistics.median(timings["signed_in"]), 1),
        "p95_ms_signed_in": round(pct(timings["signed_in"], 0.95), 1),
        "queries_per_page": max(queries_seen),
        "queries_per_page_min": min(queries_seen),
    }
    log(
        f"{len(urls)} pages: p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms "
        f"(anonymous p95 {result['p95_ms_anonymous']} ms, signed in p95 "
        f"{result['p95_ms_signed_in']} ms), {result['queries_per_page']} queries per page at most"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
