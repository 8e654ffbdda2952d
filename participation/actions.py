"""Every write to the shared core goes through an action here.

Actions are atomic, take keyword-only arguments, and send their real-time
events on commit. Views, the admin, consumers and tasks all call them.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from participation import notify, realtime
from participation.access import AccessDenied
from participation.models import (
    Agency,
    ApiToken,
    Heartbeat,
    Membership,
    Notification,
    NotificationPreference,
    Role,
    User,
)
from participation.rows import insert_many


@transaction.atomic
def do_notify(
    user: User, *, kind: str, params: dict[str, Any] | None = None, url: str = ""
) -> Notification:
    """Store a notification; push it to the person's open pages and queue its e-mail,
    after commit, each only if the person wants it there (``notify.choices``)."""
    if kind not in notify.KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    email, in_page = notify.choices([(user.pk, kind)])[user.pk, kind]
    notification = Notification.objects.create(
        user=user,
        kind=kind,
        params=params or {},
        url=url,
        **_delivery_fields(email=email, in_page=in_page, now=timezone.now()),
    )
    if in_page:
        realtime.send_on_commit(
            realtime.user_group(user.pk),
            "notification",
            notify.as_payload(notification, user.preferred_language),
        )
    if email:
        _email_soon()
    return notification


@transaction.atomic
def do_notify_many(notes: list[tuple[int, str, dict[str, Any], str]]) -> list[int]:
    """Many notifications at once: (user id, kind, params, url) each; their ids, in order.

    Written with a few multi-row INSERTs (``participation.rows``: a sweep writes
    thousands a second), the real-time pushes sent together after commit.
    """
    unknown = {kind for _user, kind, _params, _url in notes} - set(notify.KINDS)
    if unknown:
        raise ValueError(f"unknown notification kinds {sorted(unknown)}")
    if not notes:
        return []
    wanted = notify.choices((user_id, kind) for user_id, kind, _params, _url in notes)
    now = timezone.now()
    names = ("user_id", "kind", "params", "url", "in_page", "read_at", "email_state",
             "email_next_at", "created_at")  # fmt: skip
    rows = []
    for user_id, kind, params, url in notes:
        email, in_page = wanted[user_id, kind]
        fields = _delivery_fields(email=email, in_page=in_page, now=now)
        rows.append((user_id, kind, params, url, *(fields[name] for name in names[4:])))
    ids = insert_many(Notification, names, rows)

    # The live pushes, rendered in each reader's language, one language at a time.
    shown = [(pk, note) for pk, note, row in zip(ids, notes, rows, strict=True) if row[4]]
    languages = dict(
        User.objects.filter(pk__in={note[0] for _pk, note in shown}).values_list(
            "pk", "preferred_language"
        )
    )
    by_language: dict[str, list[tuple[int, tuple[int, str, dict[str, Any], str]]]] = {}
    for pk, note in shown:
        by_language.setdefault(languages.get(note[0]) or "kk", []).append((pk, note))
    messages = []
    for language, items in by_language.items():
        with translation.override(language):
            messages += [
                (
                    realtime.user_group(user_id),
                    "notification",
                    notify.payload(pk=pk, kind=kind, params=params, url=url, created_at=now),
                )
                for pk, (user_id, kind, params, url) in items
            ]
    realtime.send_many_on_commit(messages)
    if any(email for email, _in_page in wanted.values()):
        _email_soon()
    return ids


def _delivery_fields(*, email: bool, in_page: bool, now: datetime) -> dict[str, Any]:
    """A new notification's outbox and page columns.

    Off the page, it is born read: the unread badge counts only what the page
    shows. To be e-mailed, it is due at once (``participation.email``).
    """
    return {
        "created_at": now,
        "in_page": in_page,
        "read_at": None if in_page else now,
        "email_state": Notification.EmailState.PENDING if email else Notification.EmailState.NONE,
        "email_next_at": now if email else None,
    }


def _email_soon() -> None:
    """Have the worker send pending e-mail as soon as this transaction commits.

    Once per transaction however many notifications it writes. A kick that is
    lost (the queue is down, the process dies) only delays the mail: the
    every-minute task sends whatever is pending.
    """
    connection = transaction.get_connection()
    # Entries are (savepoint ids, callback, robust); a rolled-back savepoint drops its own.
    if connection.in_atomic_block and any(
        entry[1] is _enqueue_email for entry in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_email, robust=True)


def _enqueue_email() -> None:
    # Imported here: the tasks module imports this one.
    from participation.tasks import send_notification_emails

    send_notification_emails()


@transaction.atomic
def do_set_notification_preferences(user: User, *, chosen: dict[str, tuple[bool, bool]]) -> None:
    """Save where each kind reaches the person: {kind: (e-mail, in page)}.

    Only choices that differ from the kind's default are kept, so an improved
    default later reaches everyone who left it alone.
    """
    unknown = set(chosen) - set(notify.KINDS)
    if unknown:
        raise ValueError(f"unknown notification kinds {sorted(unknown)}")
    same = [
        kind
        for kind, (email, in_page) in chosen.items()
        if (email, in_page) == (notify.delivery(kind).email, notify.delivery(kind).in_page)
    ]
    NotificationPreference.objects.filter(user=user, kind__in=same).delete()
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=user, kind=kind, email=email, in_page=in_page)
            for kind, (email, in_page) in chosen.items()
            if kind not in same
        ],
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["email", "in_page"],
    )


def do_mark_notifications_read(user: User, *, ids: list[int] | None = None) -> int:
    """Mark some (or all) of the person's unread notifications read; returns how many."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


PUBLIC_PROFILE_FIELDS = ("display_name", "bio")


@transaction.atomic
def do_update_profile(user: User, *, changes: dict[str, Any], ip: str | None = None) -> User:
    """Save profile fields that the profile form has already validated.

    The public texts (display name, "about you") pass the moderation
    pipeline, which may refuse them (``ContentRefused``: nothing is saved).
    """
    from moderation.pipeline import moderate

    allowed = {"display_name", "real_name", "region", "preferred_language", "iin", "bio"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(user, field, value)
    user.full_clean(exclude=["password"])
    if any(field in changes for field in PUBLIC_PROFILE_FIELDS):
        moderate(user, ip=ip, is_edit=True)
    private = [field for field in changes if field not in PUBLIC_PROFILE_FIELDS]
    if private:
        user.save(update_fields=private)
    return user


def do_set_preferred_language(user: User, *, language: str) -> None:
    if language not in {"kk", "ru", "en"}:
        raise ValueError(f"unsupported language {language!r}")
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language


@transaction.atomic
def do_grant_role(user: User, *, role: Role, agency: Agency | None) -> Membership:
    """Give a person a role in an agency (idempotent) and tell them."""
    membership, created = Membership.objects.get_or_create(user=user, role=role, agency=agency)
    if created:
        do_notify(
            user,
            kind="role_granted",
            params={"role": _role_names(role), "agency": _agency_names(agency)},
            url=_url_for(user, "mfa_index"),
        )
    return membership


@transaction.atomic
def do_revoke_role(membership: Membership) -> None:
    user, role, agency = membership.user, Role(membership.role), membership.agency
    membership.delete()
    do_notify(
        user,
        kind="role_revoked",
        params={"role": _role_names(role), "agency": _agency_names(agency)},
    )


def do_beat(name: str) -> Heartbeat:
    """Record that a periodic task ran. Safe when two workers beat at once."""
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(beat_at=now, count=F("count") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"beat_at": now, "count": 1})
    return Heartbeat.objects.get(name=name)


def _url_for(user: User, name: str) -> str:
    """A site path in the person's preferred language."""
    with translation.override(user.preferred_language):
        return reverse(name)


def _in_each_language(text: Callable[[], str]) -> dict[str, str]:
    """``text()`` evaluated under kk, ru and en, for notification parameters."""
    names = {}
    for code in ("kk", "ru", "en"):
        with translation.override(code):
            names[code] = text()
    return names


def _role_names(role: Role) -> dict[str, str]:
    return _in_each_language(lambda: str(role.label).lower())


def _agency_names(agency: Agency | None) -> dict[str, str]:
    if agency is None:
        return _in_each_language(lambda: gettext("the whole platform"))
    return {"kk": agency.name_kk, "ru": agency.name_ru, "en": agency.name_en}


API_TOKEN_PREFIX = "odk_"  # noqa: S105  (a marker, not a secret)
MAX_API_TOKENS = 20


def api_token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def do_create_api_token(user: User, *, name: str) -> tuple[ApiToken, str]:
    """Make a personal API token; return it with the raw token, which is shown once.

    The row stays after revocation, as the record of the token's life.
    """
    name = name.strip()[:80]
    if not name:
        raise ValueError("a token needs a name")
    # The person's row is locked so two requests at once cannot pass the limit together.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_API_TOKENS:
        raise ValueError("too many active tokens")
    raw = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[: len(API_TOKEN_PREFIX) + 4], digest=api_token_digest(raw)
    )
    return token, raw


def do_revoke_api_token(user: User, *, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens (idempotent); another's is AccessDenied."""
    token = ApiToken.objects.filter(pk=token_id, user=user).first()
    if token is None:
        raise AccessDenied
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    return token


def do_touch_api_token(token: ApiToken, *, now: datetime | None = None) -> None:
    """Note when a token was last used, at most once a minute per token."""
    now = now or timezone.now()
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(minutes=1))
    ).update(last_used_at=now)
