"""The petition journey of issue 7, in Chromium: start, gather supporters, publish,
sign to a (small, configured) threshold, respond, and the response shown to all.

The e2e server runs with PETITION_SUPPORTERS=2 and PETITION_THRESHOLD_CITY=2
(tests/e2e/conftest.py); the count comes from the real huey worker's tally.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import DEMO_TOTP_SECRET, sign_in
from tests.e2e.live import LiveServer, NewPage
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e

# A demo account the demo never uses: an author whose petition is published becomes a
# trusted writer, and the other journeys expect citizen1–5's first texts to be held.
AUTHOR = "signer1400@demo.kz"
SUPPORTERS = ("citizen1@demo.kz", "citizen2@demo.kz")
SIGNERS = ("citizen3@demo.kz", "citizen4@demo.kz")
MODERATOR = "moderator@demo.kz"
AKIM = "akim.bostandyk@demo.kz"
TITLE = "Timiryazev street needs a pedestrian crossing"


def citizen(new_page: NewPage, email: str) -> Page:
    page = new_page()
    sign_in(page, email, language="en")
    return page


def staff(new_page: NewPage, email: str) -> Page:
    page = new_page()
    sign_in(page, email, language="en", totp_secret=DEMO_TOTP_SECRET)
    return page


def test_a_petition_from_draft_to_the_governments_response(
    new_page: NewPage, server: LiveServer
) -> None:
    author = citizen(new_page, AUTHOR)
    author.goto("/en/petitions/")
    author.get_by_role("link", name="Start a petition").click()
    author.get_by_label("Addressed to").select_option(label="Akimat of Bostandyk District, Almaty")
    author.get_by_label("Title").fill(TITLE)
    author.get_by_label("What you ask for, and why").fill(
        "Children cross Timiryazev street to school **without a crossing**. Please build one."
    )
    author.get_by_role("button", name="Save the draft").click()
    expect(author).to_have_url(re.compile(r"/en/petitions/\d+/$"))
    path = author.url.removeprefix(server.url)
    expect(author.locator(".petition-state")).to_have_text("Draft")
    author.get_by_role("button", name="Invite supporters").click()
    expect(author.locator(".petition-state")).to_have_text("Gathering supporters")

    for email in SUPPORTERS:
        supporter = citizen(new_page, email)
        supporter.goto(path)
        supporter.get_by_role("button", name="Support this petition").click()
        expect(supporter.locator(".messages")).to_contain_text("You support this petition.")
    author.reload()
    expect(author.locator(".petition-state")).to_have_text("In moderation")

    moderator = staff(new_page, MODERATOR)
    moderator.goto("/en/petitions/moderation/")
    moderator.get_by_role("link", name=TITLE).click()
    moderator.locator("select[name=decision]").select_option("meets_rules")
    moderator.get_by_role("button", name="Decide").click()
    expect(moderator.locator(".petition-state")).to_have_text("Open for signatures")

    # A visitor keeps the page open: the count refreshes itself (petitions.js).
    visitor = new_page()
    visitor.goto(path)
    count = visitor.locator("[data-count='signatures']")
    expect(count).to_have_text("0")

    for email in SIGNERS:
        signer = citizen(new_page, email)
        signer.goto(path)
        assert_accessible(signer)
        signer.get_by_label("Your region (optional)").select_option(label="Almaty")
        signer.get_by_label("Show my public name under the petition").check()
        signer.get_by_role("button", name="Sign", exact=True).click()
        expect(signer.locator(".messages")).to_contain_text("your signature is recorded")
        expect(signer.locator("main")).to_contain_text("You have signed this petition.")

    # The worker's tally counts the two signatures about a second later, and the
    # open page shows them without being reloaded.
    expect(count).to_have_text("2", timeout=30_000)
    expect(visitor.locator("progress[data-progress='signatures']")).to_have_attribute("value", "2")
    expect(visitor.locator("#counted-at")).to_contain_text("Counted at")
    for _attempt in range(30):
        if "Under consideration" in (visitor.locator(".petition-state").text_content() or ""):
            break
        visitor.wait_for_timeout(1000)
        visitor.reload()
    expect(visitor.locator(".petition-state")).to_have_text("Under consideration")
    expect(visitor.locator("#counted-at")).to_contain_text("Counted at")
    expect(visitor.locator("table.data-table")).to_contain_text("Almaty")
    expect(visitor.locator("main")).to_contain_text("The response is due by")

    akim = staff(new_page, AKIM)
    akim.goto(path)
    akim.get_by_label("The response").fill(
        "A signal-controlled crossing will be built by **1 September**."
    )
    akim.get_by_role("button", name="Publish the response").click()
    expect(akim.locator(".petition-state")).to_have_text("Responded")

    visitor.reload()
    response = visitor.locator("section.response")
    expect(response).to_contain_text("The government's response")
    expect(response.locator("strong")).to_have_text("1 September")
    expect(visitor.locator("ol.timeline")).to_contain_text("The government responded")
    assert_accessible(visitor)
    for email in (*SUPPORTERS, *SIGNERS):
        expect(visitor.locator("main")).not_to_contain_text(email)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_petition_pages_are_accessible(page: Page, language: str) -> None:
    """The list, a demo petition with its chart and table, and the form to start one."""
    page.goto(f"/{language}/petitions/")
    assert_accessible(page)
    page.locator("ul.cards a").first.click()
    expect(page.locator("svg.region-chart")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/{language}/petitions/new/")  # sends the visitor to sign in
    assert_accessible(page)
