"""The XSS corpus posted into a thread (titles, posts, quotes, edits) never reaches a page live."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from forums import actions
from forums.models import Category, Post
from tests.base import World
from tests.factories import UserFactory
from tests.forums.conftest import root_of
from tests.moderation.test_sanitize import problems_in
from tests.moderation.xss_corpus import PAYLOADS

_HANDLER = re.compile(r"<[^>]*\son\w+\s*=", re.IGNORECASE)


def _live_markup(html: str) -> list[str]:
    """What a browser would run: script tags other than the site's own files, on*= handlers."""
    found = []
    ours = re.sub(r'<script src="/static/js/[a-z]+\.js" defer></script>', "", html)
    if re.search(r"<\s*script", ours, re.IGNORECASE):
        found.append("<script")
    found += _HANDLER.findall(html)
    return found


def test_the_corpus_is_inert_on_every_forum_page(world: World, category: Category) -> None:
    thread = actions.do_start_thread(
        category=category, author=world.alice, title=PAYLOADS[0], body="Opening post."
    )
    root = root_of(thread)
    # One author each: the pipeline refuses one person's same text (ignoring case) twice.
    for payload, author in zip(PAYLOADS[1:], UserFactory.create_batch(len(PAYLOADS)), strict=False):
        if "\x00" in payload:  # refused with a message (PostgreSQL cannot store it)
            with pytest.raises(actions.ForumError, match="null character"):
                actions.do_reply(parent=root, author=author, body=payload)
            continue
        actions.do_reply(parent=root, author=author, body=payload)
    for post in Post.objects.filter(thread=thread):
        assert problems_in(post.body_html) == [], post.body
    client = Client()
    client.force_login(world.alice)
    url = f"/en/forums/t/{thread.pk}/"
    pages = 0
    while url:
        html = client.get(url).content.decode()
        assert _live_markup(html) == [], url
        pages += 1
        found = re.search(r'href="(\?after=[0-9a-z]+)" rel="next"', html)
        url = f"/en/forums/t/{thread.pk}/{found.group(1)}" if found else ""
    assert pages >= 2
    quoted = client.get(f"/en/forums/posts/{root.pk}/reply/?quote=1").content.decode()
    assert _live_markup(quoted) == []
    search = client.get("/en/forums/search/", {"q": "alert"}).content.decode()
    assert _live_markup(search) == []
