"""Search over titles and posts: FTS5 on SQLite, tsvector on PostgreSQL (with DATABASE_URL)."""

from __future__ import annotations

from django.test import Client

from forums import actions, search
from forums.models import Category
from tests.base import World
from tests.forums.conftest import reply, root_of


def test_it_finds_posts_in_kazakh_russian_and_english(world: World, category: Category) -> None:
    thread = actions.do_start_thread(
        category=category, author=world.alice, title="Трамвай в Алматы", body="Нужен ли трамвай?"
    )
    root = root_of(thread)
    kazakh = reply(root, world.bob, "Трамвай жолдары қаланың орталығында керек.")
    russian = reply(root, world.marat, "Министерство рассматривает новые трамвайные линии.")
    english = reply(root, world.alice, "Buses were cheaper than trams in every study.")
    assert [p.language for p in (kazakh, russian, english)] == ["kk", "ru", "en"]
    assert [t.pk for t in search.search("трамвай").threads] == [thread.pk]
    assert kazakh in search.search("жолдары").posts
    assert kazakh in search.search("жол").posts  # Kazakh endings: the word as a prefix
    assert russian in search.search("линии").posts
    assert english in search.search("bus").posts


def test_held_posts_are_not_found(world: World, category: Category, settings) -> None:
    thread = actions.do_start_thread(
        category=category, author=world.alice, title="Parks", body="Where are the parks?"
    )
    settings.MODERATION_TRUSTED_AFTER_POSTS = 5
    held = reply(root_of(thread), world.bob, "Gorky park needs benches.")
    assert not held.is_visible
    assert search.search("benches").posts == []


def test_an_edit_is_found_by_its_new_words(world: World, category: Category) -> None:
    thread = actions.do_start_thread(
        category=category, author=world.alice, title="Parks", body="Where are the parks?"
    )
    post = reply(root_of(thread), world.bob, "Gorky park needs benches.")
    actions.do_edit_post(post, editor=world.bob, body="Gorky park needs fountains.")
    assert search.search("fountains").posts == [post]
    assert search.search("benches").posts == []


def test_the_search_page(world: World, category: Category) -> None:
    actions.do_start_thread(
        category=category, author=world.alice, title="Snow removal", body="Streets are icy."
    )
    html = Client().get("/en/forums/search/", {"q": "snow"}).content.decode()
    assert "Snow removal" in html
    response = Client().get("/en/forums/search/", {"q": "!!!"})
    assert response.status_code == 400
    assert "Type at least one word" in response.content.decode()
