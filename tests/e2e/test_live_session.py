"""A live session in two real browsers: a citizen's question asked, approved by the host,
taken and answered, every step seen on both pages at once, without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import DEMO_TOTP_SECRET, sign_in
from tests.e2e.live import LiveServer, NewPage

pytestmark = pytest.mark.e2e

HOST_EMAIL = "mazhilis.deputy1@demo.kz"  # Aigerim Seitova, host of the demo's upcoming session
CITIZEN_EMAIL = "citizen1@demo.kz"
SESSION_TITLE = "Жастар саясаты: жұмыс, баспана, білім"
QUESTION = "Will the youth employment centre open in Turkistan this year?"
ANSWER = "Yes, in September, with 300 training places."


def test_a_question_asked_approved_and_answered_is_seen_live_by_host_and_citizen(
    new_page: NewPage, server: LiveServer
) -> None:
    host = new_page()
    sign_in(host, HOST_EMAIL, language="en", totp_secret=DEMO_TOTP_SECRET)
    host.goto("/en/live/")
    host.get_by_role("link", name=SESSION_TITLE).click()
    host.get_by_role("button", name="Start the session").click()
    expect(host.locator("[data-live-state-label]")).to_have_text("Live now")
    expect(host.locator("[data-live-room][data-live-connected]")).to_have_count(1)

    citizen = new_page()
    sign_in(citizen, CITIZEN_EMAIL, language="en")
    citizen.goto("/en/live/")
    citizen.locator("#live-now + ul").get_by_role("link", name=SESSION_TITLE).click()
    expect(citizen).to_have_url(re.compile(r"/en/live/\d+/$"))
    expect(citizen.locator("[data-live-room][data-live-connected]")).to_have_count(1)
    citizen.evaluate("window.__e2eNotReloaded = true")
    host.evaluate("window.__e2eNotReloaded = true")

    # The citizen asks; the session is pre-moderated, so it waits for the host.
    citizen.locator("#id_ask_text").fill(QUESTION)
    citizen.get_by_role("button", name="Ask").click()
    waiting = host.locator("[data-live-waiting] li", has_text=QUESTION)
    expect(waiting).to_be_visible()
    citizen_question = citizen.locator("[data-live-questions] [data-question]", has_text=QUESTION)
    expect(citizen_question).to_have_count(0)

    # The host approves: the question enters the queue on both pages.
    waiting.get_by_role("button", name="Approve").click()
    host_question = host.locator("[data-live-questions] [data-question]", has_text=QUESTION)
    expect(host_question).to_be_visible()
    expect(citizen_question).to_be_visible()
    expect(waiting).to_have_count(0)
    expect(citizen_question.get_by_role("button", name="Vote up")).to_have_count(0)  # her own

    # The host takes it now, then answers it.
    host_question.get_by_role("button", name="Answer now").click()
    expect(citizen_question.locator("[data-status]")).to_have_text("Being answered now")
    expect(citizen_question).to_have_class(re.compile(r"\banswering\b"))
    host_question.locator("input[name=text]").fill(ANSWER)
    host_question.get_by_role("button", name="Mark answered").click()
    for page in (citizen, host):
        question = page.locator("[data-live-questions] [data-question]", has_text=QUESTION)
        expect(question.locator("[data-answer]")).to_have_text(ANSWER)
        expect(question.locator("[data-status]")).to_have_text("Answered")
        assert page.evaluate("window.__e2eNotReloaded") is True

    # And it is stored: a fresh load of the page shows the answer without any script.
    citizen.reload()
    expect(
        citizen.locator("[data-live-questions] [data-question]", has_text=QUESTION)
    ).to_contain_text(ANSWER)
