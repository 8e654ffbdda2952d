"""axe-core finds nothing serious or critical on the public pages and the profile."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.helpers import AGENCY_SLUG, OFFICIAL_SLUG, sign_in

pytestmark = pytest.mark.e2e

BLOCKING_IMPACTS = {"serious", "critical"}
# A demo citizen who reads the site in Kazakh.
CITIZEN_EMAIL = "citizen1@demo.kz"

_axe = Axe()


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}\n"
            f"  {violation.get('helpUrl', '')}"
        )
        for node in violation["nodes"][:5]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}")
            summary = node.get("failureSummary", "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    # Wait for deferred scripts and fonts so that axe sees the page as a person does.
    page.wait_for_load_state("load")
    violations = _axe.run(page).response["violations"]
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    if violations:
        print(f"axe on {page.url}:\n{describe(violations)}")
    assert not blocking, f"axe on {page.url}:\n{describe(blocking)}"


@pytest.mark.parametrize(
    "path",
    [
        "/kk/",
        "/kk/agencies/",
        f"/kk/agencies/{AGENCY_SLUG}/",
        f"/kk/officials/{OFFICIAL_SLUG}/",
        "/kk/accounts/login/",
        "/kk/accounts/signup/",
        "/ru/",
        "/en/",
        "/ru/agencies/",
        "/en/accounts/signup/",
    ],
)
def test_accessibility(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, path
    assert_accessible(page)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_accessibility_signed_in_profile(page: Page, language: str) -> None:
    sign_in(page, CITIZEN_EMAIL, language=language)
    page.goto(f"/{language}/accounts/profile/")
    expect(page.locator("main form").first).to_be_visible()
    assert_accessible(page)


def test_accessibility_of_form_errors(page: Page) -> None:
    """A sign-up with mismatched passwords shows its errors accessibly too."""
    page.goto("/kk/accounts/signup/")
    page.locator("#id_email").fill("someone@example.kz")
    page.locator("#id_password1").fill("Steppe-wind-2026")
    page.locator("#id_password2").fill("Steppe-wind-2027")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main [role=alert]").first).to_be_visible()
    assert_accessible(page)


def test_password_rules_describe_the_password_field(page: Page) -> None:
    """A screen reader announces the password rules with the new-password field."""
    page.goto("/kk/accounts/signup/")
    # MinimumLengthValidator's rule names the minimum, 8 characters, in every language.
    expect(page.locator("#id_password1")).to_have_accessible_description(
        re.compile("8"), timeout=1000
    )


def test_the_live_session_pages_are_accessible(page: Page) -> None:
    """The list, an upcoming room (signed in, with its forms) and a past transcript."""
    sign_in(page, CITIZEN_EMAIL, language="kk")
    page.goto("/kk/live/")
    assert_accessible(page)
    page.locator("#upcoming + ul a").first.click()
    expect(page).to_have_url(re.compile(r"/kk/live/\d+/$"))
    assert_accessible(page)
    page.goto("/kk/live/")
    page.locator("#past + ul a").first.click()
    expect(page).to_have_url(re.compile(r"/kk/live/\d+/transcript/$"))
    assert_accessible(page)
