"""The draft-law journey of issue 6, in Chromium: a citizen comments on a paragraph,
a committee MP answers in place, the citizen is notified (page and e-mail)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DEMO_TOTP_SECRET, sign_in
from tests.e2e.live import LiveServer, NewPage
from tests.e2e.mail import MailSink
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e

CITIZEN = "forum.arman@demo.kz"  # a forum regular of the demo: trusted, published at once
MP = "mazhilis.deputy1@demo.kz"
DRAFT = "/en/forums/drafts/personal-mobility/"
PARAGRAPH = "Операторы проката"  # Article 3, paragraph 1 of the demo bill (in Russian)


def test_a_paragraph_comment_answered_by_the_committee(
    new_page: NewPage, server: LiveServer, mailbox: MailSink
) -> None:
    citizen = new_page()
    sign_in(citizen, CITIZEN, language="en")
    citizen.goto(DRAFT)
    assert_accessible(citizen)
    paragraph = citizen.locator(".bill-paragraph").filter(has_text=PARAGRAPH)
    before = paragraph.locator(".comment-count").inner_text()
    paragraph.locator(".comment-count").click()
    expect(citizen).to_have_url(re.compile(r"/en/forums/drafts/personal-mobility/paragraphs/\d+/"))
    citizen.get_by_label("Your comment on this paragraph").fill(
        "Insurance should also cover pedestrians hit by a rental scooter."
    )
    citizen.get_by_role("button", name="Publish the comment").click()
    comment = citizen.locator("article.post").filter(has_text="cover pedestrians hit")
    expect(comment).to_be_visible()
    assert_accessible(citizen)
    citizen.goto(DRAFT)
    after = paragraph.locator(".comment-count").inner_text()
    assert int(after.split()[0]) == int(before.split()[0]) + 1

    mp = new_page()
    sign_in(mp, MP, language="en", totp_secret=DEMO_TOTP_SECRET)
    mp.goto(DRAFT)
    expect(mp.locator("main")).to_contain_text("your replies to comments are marked")
    mp.locator(".bill-paragraph").filter(has_text=PARAGRAPH).locator(".comment-count").click()
    mp.locator("article.post").filter(has_text="cover pedestrians hit").get_by_role(
        "link", name="Reply", exact=True
    ).click()
    mp.get_by_label("Your reply").fill(
        "The committee agrees: third-party cover for pedestrians goes into Article 3."
    )
    mp.get_by_role("button", name="Publish the reply").click()
    answer = mp.locator("article.post").filter(has_text="third-party cover")
    expect(answer).to_contain_text("Committee answer")
    expect(answer).to_contain_text("Official")

    citizen.goto("/en/notifications/")
    expect(citizen.locator("main")).to_contain_text(
        "The committee answered your comment on the draft law"
    )
    citizen.locator("main a").filter(has_text="The committee answered").first.click()
    expect(citizen.locator("article.post").filter(has_text="third-party cover")).to_be_visible()
    bodies = [mailbox.wait_for_mail(CITIZEN).body]  # earlier journeys may have mailed her too
    while "The committee answered your comment" not in bodies[-1] and len(bodies) < 10:
        bodies.append(mailbox.wait_for_mail(CITIZEN).body)
    assert "The committee answered your comment" in bodies[-1]


def test_the_forum_pages_are_accessible(new_page: NewPage, server: LiveServer) -> None:
    page = new_page()
    sign_in(page, "forum.aliya@demo.kz", language="kk")
    page.goto("/kk/forums/")
    assert_accessible(page)
    page.goto("/kk/forums/c/transport/")
    assert_accessible(page)
    page.locator(".thread-list a").first.click()
    expect(page.locator("article.post").first).to_be_visible()
    assert_accessible(page)
    # Someone replies meanwhile: the open page says so, live, and links to it.
    other = new_page()
    sign_in(other, "forum.gulmira@demo.kz", language="en")
    other.goto(page.url.replace("/kk/", "/en/"))
    other.locator("article.post").first.get_by_role("link", name="Reply", exact=True).click()
    other.get_by_label("Your reply").fill("A reply written while another reader has the page open.")
    other.get_by_role("button", name="Publish the reply").click()
    live = page.locator("[data-thread-socket]")
    expect(live).to_be_visible()
    expect(live).to_contain_text("1")
    live.locator("a").click()
    expect(page.locator("main")).to_contain_text("while another reader has the page open")
    page.goto("/ru/forums/search/?q=самокат")
    assert_accessible(page)
