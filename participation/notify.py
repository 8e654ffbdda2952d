"""Notification kinds and how each reads, in the reader's own language.

A notification stores its kind and parameters, not its text, so that it reads
in whichever language the person uses when they open it. Later issues add
kinds here (appeal steps, clock warnings, replies, petition states).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from participation.models import Notification

KINDS: dict[str, Any] = {
    "welcome": _("Welcome! Your e-mail address is confirmed: you can now write to officials."),
    "role_granted": _(
        "You are now %(role)s of %(agency)s. Enrol in two-factor authentication to act."
    ),
    "role_revoked": _("You are no longer %(role)s of %(agency)s."),
    "worker_ok": pgettext_lazy("notification", "The background worker is running."),
    "moderation_held": _("What you wrote waits for a moderator: %(reason)s."),
    "moderation_published": _("A moderator published what you wrote."),
    "moderation_held_by_moderator": _("A moderator is holding what you wrote: %(reason)s."),
    "moderation_rejected": _(
        "A moderator rejected what you wrote: %(reason)s. You may appeal once."
    ),
    "moderation_redacted": _("A moderator edited what you wrote: %(reason)s. You may appeal once."),
    "moderation_hidden": _("What you wrote is hidden until a moderator checks it: %(reason)s."),
    "sanction_warn": _("A moderator warned you: %(reason)s."),
    "sanction_mute": _("You cannot post until %(until)s: %(reason)s."),
    "sanction_ban": _("Your account may no longer post: %(reason)s."),
    "appeal_upheld": _("Your appeal was examined by another moderator: the decision stands."),
    "appeal_overturned": _("Your appeal was accepted: what you wrote is published."),
    "appeal_registered": _("Your appeal %(number)s is registered. Keep the number to follow it."),
    "appeal_new": _("A new appeal %(number)s has arrived in your reception room."),
    "appeal_accepted": _("Your appeal %(number)s was accepted and assigned."),
    "appeal_forwarded": _(
        "Your appeal %(number)s was forwarded to the competent body: %(agency)s."
    ),
    "appeal_clarification_asked": _("The office asks you to clarify your appeal %(number)s."),
    "appeal_extended": _(
        "The deadline of your appeal %(number)s was extended by %(days)s working days."
    ),
    "appeal_answered": _("Your appeal %(number)s has an answer. Please rate it."),
    "appeal_reopened": _("The citizen was not satisfied: appeal %(number)s is reopened."),
    "appeal_not_considered": _("Your appeal %(number)s was not considered; the notice says why."),
    "clock_warning": _("Appeal %(number)s: the %(clock)s deadline is near (%(due)s)."),
    "clock_breach": _("Appeal %(number)s: the %(clock)s deadline has passed (%(due)s)."),
    "clock_escalated": _(
        "Appeal %(number)s in a subordinate body is overdue: %(clock)s was due %(due)s."
    ),
}


def render(notification: Notification, language: str | None = None) -> str:
    """The notification's text in ``language`` (default: the active language)."""
    template = KINDS.get(notification.kind)
    if template is None:
        return notification.kind
    with translation.override(language or translation.get_language()):
        params = {key: _translated_param(value) for key, value in notification.params.items()}
        try:
            return str(template) % params
        except (KeyError, TypeError, ValueError):
            return str(template)


def _translated_param(value: Any) -> Any:
    """Parameters may carry {"kk": ..., "ru": ..., "en": ...}; pick the active one."""
    if isinstance(value, dict) and {"kk", "ru", "en"} <= value.keys():
        language = (translation.get_language() or "kk")[:2]
        return value.get(language) or value["kk"]
    return value


def as_payload(notification: Notification, language: str) -> dict[str, Any]:
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "text": render(notification, language),
        "url": notification.url,
        "created_at": notification.created_at.isoformat(),
    }
