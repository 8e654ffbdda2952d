"""A newcomer signs up, confirms the e-mail by code, signs in and reads in three languages."""

from __future__ import annotations

import re
import secrets

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    PARLIAMENT_NAMES,
    expect_signed_in,
    expect_signed_out,
    header_link,
    sign_in,
    sign_out,
    submit,
)
from tests.e2e.live import LiveServer

pytestmark = pytest.mark.e2e


def expect_language(page: Page, language: str) -> None:
    """The whole page is in ``language``: markup, address, interface and content."""
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page).to_have_url(re.compile(rf"^[^?#]*://[^/]+/{language}/"))
    with translation.override(language):
        agencies = gettext("Agencies")
    expect(page.locator("header .main-nav a[href$='/agencies/']")).to_have_text(agencies)
    # The demo agencies are named in each language; the home page lists the top ones.
    expect(page.get_by_role("link", name=PARLIAMENT_NAMES[language], exact=True)).to_be_visible()
    for other, name in PARLIAMENT_NAMES.items():
        if other != language:
            expect(page.get_by_text(name, exact=True)).to_have_count(0)
    expect(page.locator(f"button[name=language][value={language}]")).to_have_attribute(
        "aria-current", "true"
    )


def test_signup_verify_login_switch_language(page: Page, server: LiveServer) -> None:
    email = f"newcomer-{secrets.token_hex(4)}@example.kz"
    password = f"Steppe-{secrets.token_urlsafe(12)}"

    # Sign up from the home page.
    page.goto("/kk/")
    expect_signed_out(page)
    header_link(page, "/accounts/signup/").click()
    expect(page).to_have_url(re.compile(r"/kk/accounts/signup/$"))
    page.locator("#id_email").fill(email)
    page.locator("#id_password1").fill(password)
    page.locator("#id_password2").fill(password)
    submit(page, "password1")

    # The e-mail carries a code; the next page asks for it.
    code_field = page.locator("input[name=code]")
    expect(code_field).to_be_visible()
    expect(page.locator("main")).to_contain_text(email)
    mail = server.wait_for_mail(email)
    code_field.fill(mail.code())
    submit(page, "code")

    # Confirmed and signed in, with a welcome notification waiting.
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    expect_signed_in(page)
    badge = page.locator("header [data-unread-count]")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("1")

    sign_out(page)

    sign_in(page, email, password)
    expect(page.locator("html")).to_have_attribute("lang", "kk")

    # The header's language switcher.
    page.locator("header button[name=language][value=ru]").click()
    expect_language(page, "ru")
    expect_signed_in(page)
    page.locator("header button[name=language][value=en]").click()
    expect_language(page, "en")
    expect_signed_in(page)

    # Sign in again, this time with a code sent by e-mail instead of the password.
    sign_out(page)
    header_link(page, "/accounts/login/").click()
    page.locator("main a[href$='/accounts/login/code/']").click()
    page.locator("main input[name=email]").fill(email)
    submit(page, "email")
    code_field = page.locator("input[name=code]")
    expect(code_field).to_be_visible()
    code_field.fill(server.wait_for_mail(email).code())
    submit(page, "code")
    expect(page).not_to_have_url(re.compile(r"/accounts/"))
    expect_signed_in(page)
    # The account remembers English, chosen with the switcher above.
    expect(page.locator("html")).to_have_attribute("lang", "en")
