"""Draft laws read paragraph by paragraph: comments anchored, counted, answered in place."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forums import actions
from forums.models import BillParagraph, Category, DraftLaw, Post
from participation.models import Notification
from tests.base import World
from tests.factories import CategoryFactory

BILL = """Статья 1. Основные понятия
1. Велосипедная дорожка – часть дороги для движения велосипедов.
2. Самокат – средство индивидуальной мобильности
с электродвигателем мощностью до 250 Вт.

Статья 2. Скорость
1. Скорость самокатов на тротуарах не превышает 15 км/ч.
"""


@pytest.fixture
def draft(world: World) -> DraftLaw:
    laws = CategoryFactory.create(kind=Category.Kind.DRAFT_LAW, slug="laws", agency=world.mazhilis)
    return actions.do_publish_draft_law(
        slug="mobility",
        names={"kk": "Жеке ұтқырлық құралдары туралы", "ru": "О средствах мобильности", "en": ""},
        summaries={"ru": "Правила для самокатов и велосипедов."},
        text=BILL,
        committee=world.mazhilis,
        category=laws,
    )


def test_the_text_is_split_into_articles_and_paragraphs() -> None:
    articles = actions.split_bill(BILL)
    assert [(number, heading) for number, heading, _ in articles] == [
        ("1", "Основные понятия"),
        ("2", "Скорость"),
    ]
    assert articles[0][2][1] == (
        "2",
        "Самокат – средство индивидуальной мобильности с электродвигателем мощностью до 250 Вт.",
    )
    kazakh = actions.split_bill("1-бап. Негізгі ұғымдар\nБірінші абзац.\n\nЕкінші абзац.")
    assert [text for _n, text in kazakh[0][2]] == ["Бірінші абзац.", "Екінші абзац."]


@pytest.mark.parametrize(
    ("text", "message"),
    [("Just words.", "must begin with an article"), ("Article 1. Empty", "has no paragraphs")],
)
def test_a_text_without_structure_is_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(actions.ForumError, match=message):
        actions.split_bill(text)


def test_comments_are_counted_beside_their_paragraph(world: World, draft: DraftLaw) -> None:
    first, _second, speed = BillParagraph.objects.filter(article__draft=draft).order_by(
        "article__position", "position"
    )
    actions.do_comment_paragraph(speed, author=world.alice, body="15 km/h is too fast.")
    comment = actions.do_comment_paragraph(speed, author=world.bob, body="Нужно 10 км/ч.")
    actions.do_reply(parent=comment, author=world.alice, body="Agreed, 10 is safer.")
    speed.refresh_from_db()
    assert speed.comment_count == 3  # two comments and a reply anchored through its parent
    html = Client().get("/en/forums/drafts/mobility/").content.decode()
    assert "3 comments" in html
    assert html.count("0 comments") == 2
    page = Client().get(f"/en/forums/drafts/mobility/paragraphs/{speed.pk}/").content.decode()
    assert "15 km/h is too fast." in page and "Agreed, 10 is safer." in page
    other = Client().get(f"/en/forums/drafts/mobility/paragraphs/{first.pk}/").content.decode()
    assert "15 km/h is too fast." not in other


def test_a_committee_mp_answers_in_place_and_the_citizen_is_told(
    world: World, draft: DraftLaw
) -> None:
    speed = BillParagraph.objects.get(article__draft=draft, article__number="2")
    comment = actions.do_comment_paragraph(speed, author=world.alice, body="Make it 10 km/h.")
    client = Client()
    client.force_login(world.marat)
    response = client.post(
        f"/en/forums/posts/{comment.pk}/reply/", {"body": "The committee will propose 12 km/h."}
    )
    assert response.status_code == 302
    answer = Post.objects.get(parent=comment)
    assert answer.is_committee_answer and answer.paragraph_id == speed.pk
    note = Notification.objects.get(user=world.alice, kind="forum_committee_answer")
    assert note.url == f"/forums/posts/{answer.pk}/"
    page = Client().get(response["Location"], follow=True).content.decode()
    assert "Committee answer" in page and "The committee will propose 12 km/h." in page


def test_a_citizen_reply_is_not_a_committee_answer(world: World, draft: DraftLaw) -> None:
    speed = BillParagraph.objects.get(article__draft=draft, article__number="2")
    comment = actions.do_comment_paragraph(speed, author=world.alice, body="Make it 10 km/h.")
    citizen = actions.do_reply(parent=comment, author=world.bob, body="Or 5.")
    aigerim = actions.do_reply(parent=comment, author=world.aigerim, body="Almaty agrees.")
    assert not citizen.is_committee_answer
    assert not aigerim.is_committee_answer  # an akim, not an MP of this committee
    assert Notification.objects.filter(user=world.alice, kind="forum_reply_to_you").count() == 2


def test_commenting_through_the_page(world: World, draft: DraftLaw) -> None:
    speed = BillParagraph.objects.get(article__draft=draft, article__number="2")
    client = Client()
    client.force_login(world.bob)
    url = f"/en/forums/drafts/mobility/paragraphs/{speed.pk}/"
    response = client.post(url, {"body": "Нужны знаки на тротуарах."}, follow=True)
    assert "Нужны знаки на тротуарах." in response.content.decode()
    assert client.post(url, {"body": " "}).status_code == 400


def test_comments_close_after_their_date(world: World, draft: DraftLaw) -> None:
    DraftLaw.objects.filter(pk=draft.pk).update(comments_until="2020-01-01")
    draft.refresh_from_db()
    speed = BillParagraph.objects.get(article__draft=draft, article__number="2")
    with pytest.raises(actions.ForumError, match="closed"):
        actions.do_comment_paragraph(speed, author=world.alice, body="Too late?")


def test_the_paragraph_page_costs_the_same_whatever_the_discussion(
    world: World, draft: DraftLaw
) -> None:
    speed = BillParagraph.objects.get(article__draft=draft, article__number="2")
    url = f"/en/forums/drafts/mobility/paragraphs/{speed.pk}/"
    client = Client()
    client.force_login(world.bob)
    client.get(url)
    with CaptureQueriesContext(connection) as quiet:
        client.get(url)
    for number in range(30):
        comment = actions.do_comment_paragraph(speed, author=world.alice, body=f"Idea {number}.")
        actions.do_reply(parent=comment, author=world.marat, body=f"Answer {number}.")
    with CaptureQueriesContext(connection) as busy:
        html = client.get(url).content.decode()
    assert "Answer 0." in html and 'rel="next"' in html  # 60 posts: a second page
    assert len(busy.captured_queries) == len(quiet.captured_queries) <= 8
    with CaptureQueriesContext(connection) as text:
        client.get("/en/forums/drafts/mobility/")
    assert len(text.captured_queries) <= 8


def test_the_whole_discussion_names_each_comments_paragraph(world: World, draft: DraftLaw) -> None:
    speed = BillParagraph.objects.get(article__draft=draft, article__number="2")
    actions.do_comment_paragraph(speed, author=world.alice, body="Make it 10 km/h.")
    html = Client().get(f"/en/forums/t/{draft.thread_id}/").content.decode()
    assert "Article 2, paragraph 1" in html
    assert 'href="/en/forums/drafts/mobility/"' in html


def test_a_closed_draft_says_so_instead_of_the_form(world: World, draft: DraftLaw) -> None:
    DraftLaw.objects.filter(pk=draft.pk).update(comments_until="2020-01-01")
    speed = BillParagraph.objects.get(article__draft=draft, article__number="2")
    client = Client()
    client.force_login(world.alice)
    html = client.get(f"/en/forums/drafts/mobility/paragraphs/{speed.pk}/").content.decode()
    assert "Comments on this draft law are closed." in html
    assert "Publish the comment" not in html
