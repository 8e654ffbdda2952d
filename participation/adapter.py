"""Policies of the platform that django-allauth asks about."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import gettext

from participation.actions import do_notify


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """A new account starts in the language the person signed up in."""
        language = (translation.get_language() or "kk")[:2]
        if language in ("kk", "ru", "en"):
            user.preferred_language = language
        return super().save_user(request, user, form, commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Mails name the platform by its brand in the reader's language, not the host."""
        context = {"current_site": _brand(), **context}
        super().send_mail(template_prefix, email, context)

    def format_email_subject(self, subject: str) -> str:
        return f"[{_brand().name}] {subject}"

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """After login, continue in the person's preferred language."""
        url: str = super().get_login_redirect_url(request)
        user = request.user
        if user.is_authenticated and user.preferred_language:
            return translate_url(url, user.preferred_language)
        return url

    def confirm_email(self, request: HttpRequest, email_address: EmailAddress) -> bool:
        first = not EmailAddress.objects.filter(user=email_address.user, verified=True).exists()
        confirmed: bool = super().confirm_email(request, email_address)
        if confirmed and first:
            do_notify(email_address.user, kind="welcome")
        return confirmed


def _brand() -> SimpleNamespace:
    """What allauth's mail templates call ``current_site``."""
    return SimpleNamespace(name=gettext("Open Dialogue"), domain=settings.SITE_ROOT)
