"""What the journeys share: the demo accounts, TOTP codes, signing in and out."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

from playwright.sync_api import Locator, Page, expect

# From participation/management/commands/seed_demo.py.
DEMO_PASSWORD = "demo-pass-2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"
ADMIN_EMAIL = "admin@demo.kz"
AGENCY_SLUG = "almaty-akimat"
AGENCY_NAMES = {
    "kk": "Алматы қаласының әкімдігі",
    "ru": "Акимат города Алматы",
    "en": "Akimat of Almaty",
}
OFFICIAL_SLUG = "bakhytzhan-ospanov"
# A top-level agency, listed on the home page in the page's language.
PARLIAMENT_NAMES = {
    "kk": "Қазақстан Республикасының Парламенті",
    "ru": "Парламент Республики Казахстан",
    "en": "Parliament of the Republic of Kazakhstan",
}

TOTP_STEP = 30


def totp(secret: str = DEMO_TOTP_SECRET, at: float | None = None, digits: int = 6) -> str:
    """RFC 6238 TOTP (HMAC-SHA1, 30-second step), as an authenticator app shows it."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // TOTP_STEP)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


# (account, time step) pairs already spent: allauth refuses a code used once.
_spent: set[tuple[str, int]] = set()


def fresh_totp(account: str, secret: str = DEMO_TOTP_SECRET, margin: float = 4) -> str:
    """A code not yet used by ``account`` that stays valid for at least ``margin`` seconds.

    Waits for the next time step when the current one is nearly over or spent.
    """
    while True:
        now = time.time()
        step = int(now // TOTP_STEP)
        left = TOTP_STEP - now % TOTP_STEP
        if left >= margin and (account, step) not in _spent:
            _spent.add((account, step))
            return totp(secret, at=now)
        time.sleep(left + 0.1)


def header_link(page: Page, path_suffix: str) -> Locator:
    """A link in the header's account menu whose address ends with ``path_suffix``."""
    return page.locator(f"header .account-nav a[href$='{path_suffix}']")


def expect_signed_in(page: Page) -> None:
    """The header offers the profile and sign-out links, not sign-in."""
    expect(header_link(page, "/accounts/profile/")).to_be_visible()
    expect(header_link(page, "/accounts/logout/")).to_be_visible()
    expect(header_link(page, "/accounts/login/")).to_have_count(0)


def expect_signed_out(page: Page) -> None:
    expect(header_link(page, "/accounts/login/")).to_be_visible()
    expect(header_link(page, "/accounts/signup/")).to_be_visible()
    expect(header_link(page, "/accounts/logout/")).to_have_count(0)


def submit(page: Page, field: str) -> None:
    """Press the submit button of the form in the page body that has the field ``field``."""
    form = page.locator("main form").filter(has=page.locator(f"[name='{field}']"))
    form.locator("button[type=submit]:not([form])").first.click()


def sign_in(
    page: Page,
    email: str,
    password: str = DEMO_PASSWORD,
    *,
    language: str = "kk",
    totp_secret: str | None = None,
) -> None:
    """Sign in through the sign-in page; with ``totp_secret``, pass the second step too."""
    page.goto(f"/{language}/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    submit(page, "password")
    if totp_secret is not None:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.locator("input[name=code]").fill(fresh_totp(email, totp_secret))
        submit(page, "code")
    expect(page).not_to_have_url(re.compile(r"/accounts/(login|2fa)/"))
    expect_signed_in(page)


def sign_out(page: Page) -> None:
    """Follow the header's sign-out link and confirm."""
    header_link(page, "/accounts/logout/").click()
    expect(page).to_have_url(re.compile(r"/accounts/logout/$"))
    page.locator("main form[action$='/accounts/logout/'] button[type=submit]").click()
    expect_signed_out(page)
