from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from django.utils import translation

from forums import actions
from forums.models import Category, Post, Thread
from participation.models import User
from tests.base import World
from tests.factories import CategoryFactory

_texts = itertools.count()


@pytest.fixture(autouse=True)
def _open_posting(settings) -> None:
    """No new-account hold, no link limit, no rate limit: each test sees the forum itself.
    Tests about moderation turn the hold back on."""
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    settings.MODERATION_YOUNG_ACCOUNT_DAYS = 0
    settings.MODERATION_RATE_LIMITS = {"user": [(100_000, 60)], "ip": [(100_000, 60)]}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def text(prefix: str = "A point") -> str:
    """A fresh text each time: the pipeline refuses the same text twice in ten minutes."""
    return f"{prefix} number {next(_texts)}."


def start(category: Category, author: User, title: str = "Public transport in Almaty") -> Thread:
    return actions.do_start_thread(category=category, author=author, title=title, body=text())


def root_of(thread: Thread) -> Post:
    return Post.objects.get(thread=thread, parent__isnull=True)


def reply(parent: Post, author: User, body: str | None = None) -> Post:
    return actions.do_reply(parent=parent, author=author, body=body or text())


@pytest.fixture
def category(world: World) -> Category:
    return CategoryFactory.create(agency=world.mazhilis, slug="transport")
