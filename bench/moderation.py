"""Benchmark: the whole moderation pipeline on generated 2 KB and 50 KB posts.

    python bench/moderation.py [--posts 3000] [--large-posts 200]

Runs on a fresh SQLite file in a temporary directory (or on DATABASE_URL if
set: use an empty, disposable database), with 150 watched words, trusted
authors (so that every rule runs but nothing waits for a moderator) and rate
limits lifted. Each post is a new text, so a new moderation item, as a new
forum post or appeal will be, by one of 200 recurring authors. Each post goes
through ``moderation.pipeline.moderate``: the sanction check, rate limits,
watched words, personal data, links, duplicates, Markdown rendering and
sanitising, the verdict, the content save, the item row and the audit row,
each post in its own transaction, on one core.

The last line printed is one JSON object with ``posts_per_s_2kb`` and
``posts_per_s_50kb``.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = [
    "әкімдік",
    "жол",
    "жөндеу",
    "ауласы",
    "жарық",
    "су",
    "құбыры",
    "мектеп",
    "аурухана",
    "тұрғындар",
    "өтініш",
    "жауап",
    "акимат",
    "дорога",
    "ремонт",
    "двор",
    "освещение",
    "водопровод",
    "школа",
    "больница",
    "жители",
    "обращение",
    "ответ",
    "akimat",
    "road",
    "repair",
    "yard",
    "lighting",
    "water",
    "school",
    "hospital",
    "residents",
    "appeal",
    "answer",
]


def make_post(size: int, rng: random.Random, serial: int) -> str:
    """A post of ``size`` bytes of UTF-8 (Kazakh and Russian letters take two)."""
    parts = [f"## Өтініш {serial}\n\n"]
    length = len(parts[0].encode())
    while length < size:
        kind = rng.random()
        if kind < 0.05:
            piece = f"See https://example.kz/page/{rng.randrange(10**6)} for details. "
        elif kind < 0.08:
            piece = f"Call +7 701 {rng.randrange(100, 999)} {rng.randrange(10, 99)} 45. "
        elif kind < 0.12:
            piece = f"**{rng.choice(WORDS)}** _{rng.choice(WORDS)}_ `code` "
        elif kind < 0.15:
            piece = f"\n\n- {rng.choice(WORDS)}\n- {rng.choice(WORDS)}\n\n"
        else:
            piece = " ".join(rng.choice(WORDS) for _ in range(8)) + ". "
        parts.append(piece)
        length += len(piece.encode())
    return "".join(parts).encode()[:size].decode(errors="ignore")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=3000, help="2 KB posts")
    parser.add_argument("--large-posts", type=int, default=200, help="50 KB posts")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="bench-moderation-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.settings")
    # Production mode: DEBUG off (with DEBUG on, Django also records every query).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["VAR_DIR"] = workdir
    os.environ.setdefault("SQLITE_PATH", str(Path(workdir) / "bench.sqlite3"))
    os.environ["MODERATION_TRUSTED_AFTER_POSTS"] = "0"
    os.environ["MODERATION_YOUNG_ACCOUNT_DAYS"] = "0"
    os.environ["MODERATION_POSTS_PER_MINUTE"] = "1000000000"
    os.environ["MODERATION_POSTS_PER_MINUTE_PER_IP"] = "1000000000"

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.MODERATION_RATE_LIMITS = {"user": [(10**9, 60)], "ip": [(10**9, 60)]}
    call_command("migrate", verbosity=0)

    from moderation.models import ModerationItem, State, WatchedWord
    from moderation.pipeline import moderate
    from moderation.rules import bump_watched_words_version
    from participation.models import User

    rng = random.Random(2026)
    actions = ["block", "hold", "censor", "flag"]
    for language in ("kk", "ru", "en"):
        for number in range(50):
            WatchedWord.objects.get_or_create(
                language=language,
                phrase=f"{language}bad{number}",
                defaults={"action": actions[number % 4]},
            )
    bump_watched_words_version()
    # Forum posts and appeals do not exist yet (issues 4 and 6), so a post here is
    # a profile text standing in for one: a new row of user text, a new moderation
    # item, written by one of 200 recurring authors, as in a real forum.
    from moderation.registry import ModeratedType, for_kind, register

    profile = for_kind("profile")
    authors = [
        User.objects.create_user(f"author{n}@example.kz", None, display_name=f"Author {n}")
        for n in range(200)
    ]
    author_of: dict[int, User] = {}
    register(
        ModeratedType(
            kind="bench_post",
            model=User,
            text_fields=("bio",),
            author=lambda post: author_of[post.pk],
            is_public=lambda post: True,
            url=profile.url,
            apply=profile.apply,
            visibility_fields=profile.visibility_fields,
        )
    )

    def run(count: int, size: int) -> tuple[float, list[float]]:
        """Each post is new: a new item, as a new forum post would be."""
        offset = User.objects.count()
        User.objects.bulk_create(
            User(email=f"bench{offset + n}@example.kz", display_name=f"Bench {offset + n}")
            for n in range(count)
        )
        posts = list(User.objects.order_by("pk")[offset:])
        for number, post in enumerate(posts):
            post.bio = make_post(size, rng, post.pk)
            author_of[post.pk] = authors[number % len(authors)]
        timings = []
        started = time.perf_counter()
        for post in posts:
            t0 = time.perf_counter()
            moderate(post, ip="127.0.0.1")
            timings.append(time.perf_counter() - t0)
        return time.perf_counter() - started, timings

    run(50, 2048)  # warm up: compile patterns, fill caches
    small_total, small = run(args.posts, 2048)
    large_total, large = run(args.large_posts, 50 * 1024)
    published = ModerationItem.objects.filter(state=State.PUBLISHED).count()
    result = {
        "database": connection.vendor,
        "posts_2kb": args.posts,
        "posts_50kb": args.large_posts,
        "posts_per_s_2kb": round(args.posts / small_total, 1),
        "posts_per_s_50kb": round(args.large_posts / large_total, 1),
        "p50_ms_2kb": round(statistics.median(small) * 1000, 2),
        "p95_ms_2kb": round(statistics.quantiles(small, n=20)[18] * 1000, 2),
        "p50_ms_50kb": round(statistics.median(large) * 1000, 2),
        "items_published": published,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
