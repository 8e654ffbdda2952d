"""Transparency and the API in Chromium: accessible pages with their charts, and a
citizen who makes a token on the profile page and submits an appeal through the API."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect

from tests.e2e.helpers import AGENCY_SLUG, sign_in
from tests.e2e.live import LiveServer, NewPage
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "path",
    [
        "/kk/transparency/",
        "/ru/transparency/?period=all&sort=overdue",
        f"/en/transparency/{AGENCY_SLUG}/?period=all",
    ],
)
def test_the_transparency_pages_are_accessible(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page.locator("svg[role=img]").first).to_be_visible()
    expect(page.locator("table.data-table").first).to_be_visible()
    assert_accessible(page)


def test_the_filters_work_without_javascript(browser: Browser, server: LiveServer) -> None:
    context = browser.new_context(base_url=server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/en/transparency/")
    page.locator("select[name=period]").select_option("all")
    page.locator("select[name=region]").select_option("almaty")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"period=all.*region=almaty"))
    expect(page.locator("tr[data-agency=almaty-akimat]")).to_be_visible()
    expect(page.locator("tr[data-agency]").filter(has_text="Karaganda")).to_have_count(0)
    context.close()


def test_a_citizen_makes_a_token_and_writes_through_the_api(
    new_page: NewPage, server: LiveServer, playwright: Playwright
) -> None:
    playwright_request = playwright.request
    page = new_page()
    sign_in(page, "citizen3@demo.kz", language="en")
    page.goto("/en/accounts/profile/#api-tokens")
    page.get_by_label("Token name").fill("Civic app")
    page.get_by_role("button", name="Make a token").click()
    token = page.locator("[data-new-token]").inner_text().strip()
    assert token.startswith("odk_")
    assert_accessible(page)

    api = page.context.request
    created = api.post(
        f"{server.url}/api/appeals",
        headers={"Authorization": f"Bearer {token}"},
        data={
            "kind": "question",
            "subject": "Су құбыры",
            "text": "Су қашан беріледі?",
            "agency": AGENCY_SLUG,
        },
    )
    assert created.status == 201, created.text()
    number = created.json()["tracking_number"]
    page.goto(f"/en/appeals/{number}/")
    expect(page.locator("main")).to_contain_text("Су құбыры")

    page.goto("/en/accounts/profile/")
    page.get_by_role("button", name="Revoke Civic app").click()
    expect(page.locator(".messages")).to_contain_text("revoked")
    # A client with the revoked token alone (no session cookie) is refused.
    bare = playwright_request.new_context()
    me = bare.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status == 401
    bare.dispose()


def test_the_api_docs_load_under_the_sites_csp(page: Page) -> None:
    """Swagger UI comes from our own static files: the CSP lets it run."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security" in message.text else None
        ),
    )
    page.goto("/api/docs")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/statistics")
    assert not blocked, blocked
