"""A citizen's open page learns of a new notification without being reloaded."""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.helpers import (
    ADMIN_EMAIL,
    AGENCY_NAMES,
    AGENCY_SLUG,
    DEMO_TOTP_SECRET,
    sign_in,
)
from tests.e2e.live import LiveServer, NewPage

pytestmark = pytest.mark.e2e

# A demo citizen who reads the site in English and holds no role yet.
CITIZEN_EMAIL = "citizen3@demo.kz"


class SocketWatch:
    """Watches, through the DevTools protocol, the page's WebSocket handshakes.

    Observation only: the page's own script opens the socket.
    """

    def __init__(self, page: Page) -> None:
        self._lock = threading.Lock()
        self._requests: dict[str, str] = {}
        self._opened: list[str] = []
        session = page.context.new_cdp_session(page)
        session.on("Network.webSocketCreated", self._created)
        session.on("Network.webSocketHandshakeResponseReceived", self._handshake)
        session.send("Network.enable")
        self._session = session

    def _created(self, event: dict[str, Any]) -> None:
        with self._lock:
            self._requests[event["requestId"]] = event["url"]

    def _handshake(self, event: dict[str, Any]) -> None:
        if event["response"]["status"] == 101:
            with self._lock:
                self._opened.append(self._requests.get(event["requestId"], ""))

    def wait_until_open(self, page: Page, path: str, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if any(url.endswith(path) for url in self._opened):
                    return
            page.wait_for_timeout(100)  # lets Playwright dispatch the events
        raise AssertionError(f"no WebSocket to {path} opened within {timeout} s")


def select2_choose(page: Page, field: str, search: str, option: str) -> None:
    """Pick ``option`` in the admin's autocomplete widget for ``field``, by typing ``search``."""
    page.locator(f"#id_{field} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).click()
    expect(page.locator(f"#select2-id_{field}-container")).to_contain_text(option)


def test_live_notification(new_page: NewPage, server: LiveServer) -> None:
    # The citizen signs in and keeps the home page open.
    citizen = new_page()
    sign_in(citizen, CITIZEN_EMAIL, language="en")
    # The demo gives the citizen some notifications already: read them first.
    citizen.goto("/en/notifications/")
    citizen.get_by_role("button", name="Mark all as read").click()
    watch = SocketWatch(citizen)
    citizen.goto("/en/")
    watch.wait_until_open(citizen, "/ws/notifications/")
    citizen.evaluate("window.__e2eNotReloaded = true")
    badge: Locator = citizen.locator("header [data-unread-count]")
    expect(badge).to_be_hidden()
    live_region = citizen.locator("[data-live-notifications]")
    expect(live_region).to_have_attribute("aria-live", "polite")
    expect(live_region).to_be_empty()

    # Meanwhile the admin, with both factors, makes the citizen a delegate in the admin.
    admin = new_page()
    sign_in(admin, ADMIN_EMAIL, language="en", totp_secret=DEMO_TOTP_SECRET)
    admin.goto("/admin/participation/membership/add/")
    expect(admin.locator("#membership_form")).to_be_visible()
    select2_choose(admin, "user", "citizen3", CITIZEN_EMAIL)
    admin.locator("#id_role").select_option("delegate")
    select2_choose(admin, "agency", AGENCY_SLUG, AGENCY_NAMES["en"])
    admin.locator("#membership_form input[name=_save]").click()
    expect(admin).to_have_url(re.compile(r"/admin/participation/membership/$"))
    expect(admin.locator(".messagelist .success")).to_be_visible()

    # The citizen's page shows it at once, in the citizen's language, without a reload.
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")
    notice = live_region.locator("[data-notification-id]")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("delegate")
    expect(notice).to_contain_text(AGENCY_NAMES["en"])
    expect(notice.locator("a")).to_have_attribute("href", "/en/accounts/2fa/")
    assert citizen.evaluate("window.__e2eNotReloaded") is True

    # And it is there for good: the notifications page lists it, unread.
    citizen.locator("header a[href$='/notifications/']").click()
    entry = citizen.locator("[data-notification-list] li.unread")
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text(AGENCY_NAMES["en"])
