"""The reception journey of issue 4, in Chromium: submit, publish, accept, answer, rate, breach."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import REPO_ROOT
from tests.e2e.helpers import DEMO_TOTP_SECRET, sign_in
from tests.e2e.live import LiveServer, NewPage
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e

MODERATOR = "moderator@demo.kz"
DELEGATE = "delegate.almaty@demo.kz"
HEAD = "akim.almaty@demo.kz"


def staff(new_page: NewPage, email: str) -> Page:
    page = new_page()
    sign_in(page, email, language="en", totp_secret=DEMO_TOTP_SECRET)
    return page


def test_an_appeal_from_submission_to_a_breach(new_page: NewPage, server: LiveServer) -> None:
    citizen = new_page()
    sign_in(citizen, server.new_citizen("newcomer.appeal@example.kz", "Yerlan"), language="en")
    citizen.goto("/en/agencies/almaty-akimat/write/")
    assert_accessible(citizen)
    citizen.get_by_label("Question").check()
    citizen.get_by_label("Subject").fill("No lights in our courtyard")
    citizen.get_by_label("Your appeal").fill("The courtyard of Abai 150 has been dark for weeks.")
    citizen.get_by_label("Everyone: the appeal and its answer appear in the reception room").check()
    citizen.locator("main form button[type=submit]").click()
    expect(citizen).to_have_url(re.compile(r"/en/appeals/A-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}/$"))
    appeal_path = citizen.url.removeprefix(server.url)
    number = appeal_path.rstrip("/").rsplit("/", 1)[1]
    expect(citizen.locator(".messages")).to_contain_text(number)
    assert_accessible(citizen)

    moderator = staff(new_page, MODERATOR)
    moderator.goto("/en/moderation/")
    moderator.locator("table.queue tbody tr").filter(has_text="No lights in our courtyard").locator(
        "a"
    ).first.click()
    decide = moderator.locator("main form").filter(
        has=moderator.locator("[name=action][value=decide]")
    )
    decide.locator("select[name=state]").select_option("published")
    decide.locator("select[name=reason]").select_option("meets_rules")
    decide.locator("button[type=submit]").click()
    expect(moderator.locator(".messages")).to_contain_text("Done")

    delegate = staff(new_page, DELEGATE)
    delegate.goto("/en/office/")
    expect(delegate.locator("table.queue")).to_contain_text(number)
    assert_accessible(delegate)
    delegate.get_by_role("link", name=number).click()
    delegate.get_by_role("button", name="Accept and take it").click()
    expect(delegate.locator(".facts")).to_contain_text("Accepted")

    head = staff(new_page, HEAD)
    head.goto(appeal_path)
    head.locator("summary", has_text="Answer").click()
    head.get_by_label("Outcome").select_option("explained")
    head.locator("details textarea[name=text]").fill(
        "The lamps are ordered; they will be installed next week."
    )
    head.get_by_role("button", name="Publish the answer").click()
    expect(head.locator(".facts")).to_contain_text("Answered")

    citizen.goto(appeal_path)
    expect(citizen.locator("main")).to_contain_text("The lamps are ordered")
    citizen.get_by_label("Not satisfied").check()
    citizen.locator("form").filter(has=citizen.locator("[name=step][value=rate]")).locator(
        "button"
    ).click()
    expect(citizen.locator(".facts")).to_contain_text("Accepted")  # reopened in the same office

    # Move the clock past the reopened answer deadline: the head of the office hears of it.
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).isoformat()
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "sla_sweep", "--at", later],
        cwd=REPO_ROOT,
        env=server.env,
        check=True,
        capture_output=True,
    )
    head.goto("/en/notifications/")
    expect(head.locator("main")).to_contain_text(f"Appeal {number}: the answer deadline has passed")
