"""Draft laws are put up for comment through the admin, which splits the text."""

from __future__ import annotations

from django.test import Client

from forums.models import BillParagraph, Category, DraftLaw
from tests.base import World
from tests.factories import CategoryFactory


def test_adding_a_draft_law_in_the_admin_splits_its_text(world: World) -> None:
    laws = CategoryFactory.create(kind=Category.Kind.DRAFT_LAW, slug="laws")
    client = Client()
    client.force_login(world.root)
    assert client.get("/admin/forums/draftlaw/add/").status_code == 200
    data = {
        "slug": "water",
        "name_kk": "Су туралы",
        "name_ru": "О воде",
        "name_en": "On water",
        "summary_kk": "",
        "summary_ru": "Водный кодекс.",
        "summary_en": "",
        "committee": world.mazhilis.pk,
        "comments_until": "",
        "category": laws.pk,
        "text": "Статья 1. Цели\n1. Беречь воду.\n2. Считать воду.\n\nСтатья 2. Тарифы\nТарифы.",
    }
    response = client.post("/admin/forums/draftlaw/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    draft = DraftLaw.objects.get(slug="water")
    assert draft.thread.category == laws
    assert BillParagraph.objects.filter(article__draft=draft).count() == 3
    for page in (
        f"/admin/forums/draftlaw/{draft.pk}/change/",
        "/admin/forums/thread/",
        f"/admin/forums/thread/{draft.thread_id}/change/",
        "/admin/forums/post/",
        "/admin/forums/category/",
    ):
        assert client.get(page).status_code == 200, page


def test_a_bill_without_articles_is_refused_in_the_admin(world: World) -> None:
    laws = CategoryFactory.create(kind=Category.Kind.DRAFT_LAW, slug="laws")
    client = Client()
    client.force_login(world.root)
    response = client.post(
        "/admin/forums/draftlaw/add/",
        {
            "slug": "empty", "name_kk": "Бос", "name_ru": "", "name_en": "",
            "committee": world.mazhilis.pk, "category": laws.pk, "text": "Just some words.",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Мәтін бап тақырыбынан басталуы керек" in response.content.decode()  # root reads kk
    assert not DraftLaw.objects.exists()
