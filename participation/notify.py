"""Notification kinds, how each reads in the reader's own language, and where it goes.

A notification stores its kind and parameters, not its text, so that it reads
in whichever language the person uses when they open it (the page, the live
socket, the e-mail). Later issues add kinds here (appeal steps, clock
warnings, replies, petition states); every kind also needs its ``DELIVERY``
entry: who can receive it, and whether it goes by e-mail and to the page by
default. A person's own choices (``NotificationPreference``) win over those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy, pgettext_lazy

from participation.models import Notification, NotificationPreference, Role, User

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
    "live_reminder": _("The live session «%(title)s» starts soon."),
    "daily_digest": ngettext_lazy(
        "%(count)s appeal of your office is at risk or overdue.",
        "%(count)s appeals of your office are at risk or overdue.",
        "count",
    ),
    "petition_moderation": _("Petition “%(title)s” has its supporters and waits for moderation."),
    "petition_open": _("Your petition “%(title)s” is open for signatures."),
    "petition_rejected": _("Your petition “%(title)s” was not published: %(reason)s."),
    "petition_threshold": _(
        "Petition “%(title)s” reached its threshold: a response is due by %(due)s."
    ),
    "petition_response_warning": _("The response to petition “%(title)s” is due by %(due)s."),
    "petition_response_breach": _(
        "The response to petition “%(title)s” is overdue: it was due by %(due)s."
    ),
    "petition_responded": _("Petition “%(title)s” has the government's response."),
    "petition_expired": _("Petition “%(title)s” ended without reaching its goal in time."),
    "forum_reply": _("%(author)s replied in “%(thread)s”."),
    "forum_reply_to_you": _("%(author)s replied to your post in “%(thread)s”."),
    "forum_committee_answer": _(
        "The committee answered your comment on the draft law “%(thread)s” (%(author)s)."
    ),
    "forum_thread_new": _("New thread in a category you watch: “%(thread)s” by %(author)s."),
}

# Who may receive a kind, for the preferences page: everyone; "office" (officials
# and delegates); "moderator"; "staff" (admins).
EVERYONE, OFFICE, MODERATOR, STAFF = "everyone", "office", "moderator", "staff"

GROUPS: dict[str, Promise] = {
    "appeals": _("Your appeals"),
    "office": _("Your office: appeals and deadlines"),
    "moderation": _("What you write, and moderation"),
    "account": _("Your account"),
    "platform": _("The platform"),
    "petitions": _("Petitions"),
    "forums": _("Forums and draft laws"),
}


@dataclass(frozen=True)
class Delivery:
    """Where a kind goes unless the person chose otherwise, and who can choose.

    ``audience`` empty: nobody chooses (the welcome comes once, at sign-up).
    """

    label: Promise
    group: str
    audience: tuple[str, ...]
    email: bool
    in_page: bool = True


DELIVERY: dict[str, Delivery] = {
    "welcome": Delivery(_("Welcome"), "account", (), email=False),
    "role_granted": Delivery(_("A role given to you"), "account", (EVERYONE,), email=True),
    "role_revoked": Delivery(_("A role taken from you"), "account", (EVERYONE,), email=True),
    "worker_ok": Delivery(_("The background worker runs"), "platform", (STAFF,), email=False),
    # Shown on the page the moment the person posts: an e-mail would only repeat it.
    "moderation_held": Delivery(
        _("What you wrote waits for a moderator"), "moderation", (EVERYONE,), email=False
    ),
    "moderation_published": Delivery(
        _("A moderator published what you wrote"), "moderation", (EVERYONE,), email=True
    ),
    "moderation_held_by_moderator": Delivery(
        _("A moderator holds what you wrote"), "moderation", (EVERYONE,), email=True
    ),
    "moderation_rejected": Delivery(
        _("A moderator rejected what you wrote"), "moderation", (EVERYONE,), email=True
    ),
    "moderation_redacted": Delivery(
        _("A moderator edited what you wrote"), "moderation", (EVERYONE,), email=True
    ),
    "moderation_hidden": Delivery(
        _("What you wrote is hidden after reports"), "moderation", (EVERYONE,), email=True
    ),
    "sanction_warn": Delivery(
        _("A warning from a moderator"), "moderation", (EVERYONE,), email=True
    ),
    "sanction_mute": Delivery(_("A pause on posting"), "moderation", (EVERYONE,), email=True),
    "sanction_ban": Delivery(_("A ban on posting"), "moderation", (EVERYONE,), email=True),
    "appeal_upheld": Delivery(
        _("Review of a moderation decision: it stands"), "moderation", (EVERYONE,), email=True
    ),
    "appeal_overturned": Delivery(
        _("Review of a moderation decision: it is overturned"),
        "moderation",
        (EVERYONE,),
        email=True,
    ),
    "appeal_registered": Delivery(
        _("Your appeal is registered"), "appeals", (EVERYONE,), email=True
    ),
    "appeal_accepted": Delivery(_("Your appeal is accepted"), "appeals", (EVERYONE,), email=True),
    "appeal_forwarded": Delivery(
        _("Your appeal is forwarded to another body"), "appeals", (EVERYONE,), email=True
    ),
    "appeal_clarification_asked": Delivery(
        _("The office asks you to clarify your appeal"), "appeals", (EVERYONE,), email=True
    ),
    "appeal_extended": Delivery(
        _("The deadline of your appeal is extended"), "appeals", (EVERYONE,), email=True
    ),
    "appeal_answered": Delivery(_("Your appeal is answered"), "appeals", (EVERYONE,), email=True),
    "appeal_not_considered": Delivery(
        _("Your appeal is not considered"), "appeals", (EVERYONE,), email=True
    ),
    "appeal_new": Delivery(
        _("A new appeal in your reception room"), "office", (OFFICE,), email=True
    ),
    "appeal_reopened": Delivery(
        _("An appeal reopened by an unsatisfied citizen"), "office", (OFFICE,), email=True
    ),
    # Moderators hear of the moderation clock (T1); offices of the others.
    "clock_warning": Delivery(_("A deadline is near"), "office", (OFFICE, MODERATOR), email=True),
    "clock_breach": Delivery(_("A deadline has passed"), "office", (OFFICE, MODERATOR), email=True),
    "clock_escalated": Delivery(
        _("An overdue appeal in a subordinate body"), "office", (OFFICE,), email=True
    ),
    "live_reminder": Delivery(
        _("A live session you follow starts soon"), "platform", (EVERYONE,), email=True
    ),
    "daily_digest": Delivery(
        _("Every morning: the appeals at risk or overdue"),
        "office",
        (OFFICE,),
        email=True,
        in_page=False,
    ),
    "petition_moderation": Delivery(
        _("A petition waits for moderation"), "petitions", (MODERATOR,), email=True
    ),
    "petition_open": Delivery(
        _("Your petition is open for signatures"), "petitions", (EVERYONE,), email=True
    ),
    "petition_rejected": Delivery(
        _("Your petition was not published"), "petitions", (EVERYONE,), email=True
    ),
    "petition_threshold": Delivery(
        _("A petition reached its threshold"), "petitions", (EVERYONE,), email=True
    ),
    "petition_response_warning": Delivery(
        _("A petition response is due soon"), "petitions", (OFFICE,), email=True
    ),
    "petition_response_breach": Delivery(
        _("A petition response is overdue"), "petitions", (OFFICE,), email=True
    ),
    "petition_responded": Delivery(
        _("Your petition has a response"), "petitions", (EVERYONE,), email=True
    ),
    "petition_expired": Delivery(_("Your petition ended"), "petitions", (EVERYONE,), email=True),
    "forum_reply": Delivery(
        _("A new reply in a thread or category you watch"), "forums", (EVERYONE,), email=False
    ),
    "forum_reply_to_you": Delivery(_("A reply to your post"), "forums", (EVERYONE,), email=True),
    "forum_committee_answer": Delivery(
        _("The committee answers your comment on a draft law"), "forums", (EVERYONE,), email=True
    ),
    "forum_thread_new": Delivery(
        _("A new thread in a category you watch"), "forums", (EVERYONE,), email=False
    ),
}

# Kinds added to KINDS without a DELIVERY entry still reach the page, never the mailbox.
_FALLBACK = Delivery(_("Other notifications"), "platform", (EVERYONE,), email=False)


def delivery(kind: str) -> Delivery:
    return DELIVERY.get(kind, _FALLBACK)


def choices(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], tuple[bool, bool]]:
    """(e-mail, in page) for each (person id, kind): the person's choice, else the default.

    One query, whatever the number of pairs.
    """
    wanted = set(pairs)
    found = {
        (user_id, kind): (email, in_page)
        for user_id, kind, email, in_page in NotificationPreference.objects.filter(
            user_id__in={user_id for user_id, _kind in wanted},
            kind__in={kind for _user_id, kind in wanted},
        ).values_list("user_id", "kind", "email", "in_page")
    }
    result = {}
    for user_id, kind in wanted:
        default = delivery(kind)
        result[user_id, kind] = found.get((user_id, kind), (default.email, default.in_page))
    return result


def audiences(user: User) -> set[str]:
    """Which audiences the person belongs to, from their memberships."""
    from participation.access import memberships

    found = {EVERYONE}
    roles = {membership.role for membership in memberships(user)}
    if roles & {Role.OFFICIAL, Role.DELEGATE}:
        found.add(OFFICE)
    if Role.MODERATOR in roles:
        found.add(MODERATOR)
    if user.is_staff:
        found.add(STAFF)
    return found


def kinds_for(user: User) -> list[str]:
    """The kinds the person can receive and choose for, grouped as on the preferences page."""
    mine = audiences(user)
    order = list(GROUPS)
    kinds = [kind for kind in KINDS if set(delivery(kind).audience) & mine]
    return sorted(kinds, key=lambda kind: order.index(delivery(kind).group))


def render(notification: Notification, language: str | None = None) -> str:
    """The notification's text in ``language`` (default: the active language)."""
    with translation.override(language or translation.get_language()):
        return _text(notification.kind, notification.params)


def _text(kind: str, params: dict[str, Any]) -> str:
    """A kind's text with its parameters, in the active language."""
    template = KINDS.get(kind)
    if template is None:
        return kind
    language = (translation.get_language() or "kk")[:2]
    values = {key: _translated_param(value, language) for key, value in params.items()}
    try:
        # ``template % values`` rather than ``str(template) % values``: a plural
        # (ngettext_lazy) picks its form from the values.
        return str(template % values)
    except (KeyError, TypeError, ValueError):
        return str(template)


def details(notification: Notification, language: str | None = None) -> list[tuple[str, str]]:
    """The lines under a notification's text, each (text, link): a digest's appeals."""
    if notification.kind != "daily_digest":
        return []
    lines = []
    for item in notification.params.get("appeals", []):
        kind = "clock_breach" if item.get("overdue") else "clock_warning"
        line = Notification(kind=kind, params=item)
        lines.append((render(line, language), f"/appeals/{item.get('number', '')}/"))
    return lines


def _translated_param(value: Any, language: str) -> Any:
    """Parameters may carry {"kk": ..., "ru": ..., "en": ...}; pick the language's."""
    if isinstance(value, dict) and {"kk", "ru", "en"} <= value.keys():
        return value.get(language) or value["kk"]
    return value


def as_payload(notification: Notification, language: str) -> dict[str, Any]:
    """What the notifications socket sends for one notification, in ``language``."""
    with translation.override(language):
        return payload(
            pk=notification.pk,
            kind=notification.kind,
            params=notification.params,
            url=notification.url,
            created_at=notification.created_at,
        )


def payload(
    *, pk: int, kind: str, params: dict[str, Any], url: str, created_at: datetime
) -> dict[str, Any]:
    """``as_payload`` from a row's values, in the active language (for bulk sends)."""
    return {
        "id": pk,
        "kind": kind,
        "text": _text(kind, params),
        "url": url,
        "created_at": created_at.isoformat(),
    }
