"""The Content Security Policy holds in a real browser; the admin needs both factors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import ConsoleMessage, Error, Page, expect

from tests.e2e.helpers import ADMIN_EMAIL, DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.e2e

# Registered before any script of the page runs (Playwright injects it, past the CSP).
_LISTEN_FOR_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} ` +
    `at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
_CSP_WORDS = re.compile(r"Content[ -]Security[ -]Policy|CSP", re.IGNORECASE)


@dataclass
class BrowserComplaints:
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        self.console.append(f"{message.type}: {message.text}")

    def on_page_error(self, error: Error) -> None:
        self.page_errors.append(str(error))

    @property
    def about_csp(self) -> list[str]:
        return [line for line in self.console if _CSP_WORDS.search(line)]


def watch(page: Page) -> BrowserComplaints:
    complaints = BrowserComplaints()
    page.on("console", complaints.on_console)
    page.on("pageerror", complaints.on_page_error)
    page.add_init_script(_LISTEN_FOR_VIOLATIONS)
    return complaints


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def assert_clean(page: Page, complaints: BrowserComplaints) -> None:
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)  # deferred scripts, the notifications socket
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"CSP violations on {page.url}: {violations}"
    assert complaints.about_csp == [], f"CSP complaints on {page.url}: {complaints.about_csp}"
    assert complaints.page_errors == [], f"script errors on {page.url}: {complaints.page_errors}"
    errors = [line for line in complaints.console if line.startswith("error:")]
    assert errors == [], f"console errors on {page.url}: {errors}"


@pytest.mark.parametrize("path", ["/kk/", "/kk/accounts/signup/", "/kk/accounts/login/"])
def test_content_security_policy(page: Page, path: str) -> None:
    complaints = watch(page)
    response = page.goto(path)
    assert response is not None and response.status == 200

    policy = response.headers.get("content-security-policy", "")
    assert policy, f"no Content-Security-Policy header on {path}"
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy
    parsed = directives(policy)
    script_sources = parsed.get("script-src", parsed.get("default-src"))
    assert script_sources is not None, policy
    assert not {"*", "data:", "http:", "https:"} & set(script_sources), policy
    assert parsed.get("object-src") == ["'none'"], policy
    assert "frame-ancestors" in parsed, policy

    # The page's own scripts ran: the deferred site script and nothing blocked.
    expect(page.locator("script[src$='/js/site.js']")).to_have_count(1)
    assert_clean(page, complaints)


def test_content_security_policy_signed_in(page: Page) -> None:
    """Signed in, the page also opens the notifications socket: connect-src must allow it."""
    complaints = watch(page)
    sign_in(page, "citizen2@demo.kz", language="ru")
    with page.expect_websocket(lambda ws: ws.url.endswith("/ws/notifications/")) as socket:
        page.goto("/ru/")
    assert not socket.value.is_closed()
    assert_clean(page, complaints)


def test_admin_sign_in_asks_for_the_second_factor(page: Page) -> None:
    """The admin's own login form is gone: staff sign in through allauth, with both factors."""
    page.goto("/admin/login/?next=/admin/participation/membership/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("input[name=login]").fill(ADMIN_EMAIL)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
    # Without the authenticator code, the admin's lists stay out of reach.
    page.goto("/admin/participation/membership/")
    assert page.locator("#changelist").count() == 0, f"the admin list opened at {page.url}"
