"""A citizen's first public text waits for a moderator, who publishes it; pages stay accessible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import DEMO_TOTP_SECRET, sign_in, submit
from tests.e2e.live import LiveServer, NewPage
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e

MODERATOR = "moderator@demo.kz"


def test_a_held_text_is_published_by_a_moderator(new_page: NewPage, server: LiveServer) -> None:
    citizen: Page = new_page()
    sign_in(citizen, server.new_citizen("newcomer.profile@example.kz", "Saule"), language="en")
    citizen.goto("/en/accounts/profile/")
    citizen.locator("#id_bio").fill("Our street has no lights. Call me on +7 701 234 56 78.")
    submit(citizen, "bio")
    expect(citizen.locator(".messages")).to_contain_text("wait for a moderator")

    moderator = new_page()
    sign_in(moderator, MODERATOR, language="en", totp_secret=DEMO_TOTP_SECRET)
    moderator.goto("/en/moderation/")
    row = moderator.locator("table.queue tbody tr").filter(has_text="Our street has no lights")
    expect(row).to_contain_text("[•••]")  # the phone number was redacted at once
    assert_accessible(moderator)
    row.locator("a").first.click()
    expect(moderator.locator("h1")).to_contain_text("Moderation item")
    assert_accessible(moderator)
    decide = moderator.locator("main form").filter(
        has=moderator.locator("[name=action][value=decide]")
    )
    decide.locator("select[name=state]").select_option("published")
    decide.locator("select[name=reason]").select_option("meets_rules")
    decide.locator("button[type=submit]").click()
    expect(moderator.locator(".messages")).to_contain_text("Done")

    moderator.get_by_role("link", name="Where it is shown").click()
    expect(moderator).to_have_url(re.compile(r"/en/people/\d+/$"))
    public = moderator.url
    anonymous = new_page()
    anonymous.goto(public)
    expect(anonymous.locator(".user-content")).to_contain_text("Our street has no lights")
    expect(anonymous.locator("main")).not_to_contain_text("234 56 78")
    assert_accessible(anonymous)

    citizen.goto("/en/notifications/")
    expect(citizen.locator("main")).to_contain_text("A moderator published what you wrote")


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_public_register_is_accessible(page: Page, language: str) -> None:
    page.goto(f"/{language}/moderation/register/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
