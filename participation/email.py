"""Notifications by e-mail: the outbox sender and the officials' daily digest.

The outbox is the ``Notification`` table itself. ``do_notify`` writes a row
that should be e-mailed as ``email_state = pending`` with ``email_next_at =
now``; the sender, run every minute by the worker and kicked on commit after
each notifying transaction, works like this:

1. Select a batch of pending ids whose ``email_next_at`` has come.
2. Claim them: ``UPDATE … SET email_claim = <new token>, email_next_at = now +
   LEASE WHERE id IN (…) AND email_state = 'pending' AND email_next_at <= now``.
   Two senders racing select the same ids, but each row's UPDATE succeeds for
   one of them only (PostgreSQL re-checks the condition after the row lock;
   SQLite runs one writer at a time); each reads back only the rows carrying
   its own token.
3. Send each claimed row, in its recipient's language, and mark it ``sent``
   (conditional on the token). A failure puts it back: ``pending`` with one
   more attempt and a later ``email_next_at`` (backoff), or ``failed`` after
   ``MAX_ATTEMPTS`` or when the server refuses the address for good. Nothing
   here raises: a bad row or a dead server never stops the sweep.
4. A sender that dies mid-batch leaves its rows claimed; the lease runs out and
   the next sweep sends them. A sender never sends on a lease that may have
   run out (it stops and gives the rest back first), so two senders never
   hold the same row. The one window left is a crash between the SMTP server
   accepting a message and the row being marked: that message goes out again
   after the lease (at least once, never lost).
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.text import Truncator
from django.utils.translation import gettext

from participation import notify
from participation.actions import do_notify_many
from participation.models import DailyDigest, Membership, Notification, Role
from participation.workdays import load_calendar, local_date

log = logging.getLogger(__name__)

BATCH = 50
# A claim holds its rows this long; the sender gives back what it has not sent
# SAFETY before then (an SMTP send can take up to EMAIL_TIMEOUT).
LEASE = timedelta(minutes=10)
SAFETY = timedelta(minutes=2)
MAX_ATTEMPTS = 12  # with the backoff below: about a day and a half of retries
MAX_BACKOFF = timedelta(hours=6)
DIGEST_ITEMS = 50

Pending = Notification.EmailState.PENDING


def send_pending(*, batch: int = BATCH, budget: timedelta = timedelta(seconds=50)) -> Counter[str]:
    """Send every pending e-mail that is due, batch after batch, for at most ``budget``.

    Returns counts by outcome: sent, retry, failed, skipped. Safe when several
    run at once (see the module docstring).
    """
    counts: Counter[str] = Counter()
    started = time.monotonic()
    for _round in range(1000):
        if time.monotonic() - started > budget.total_seconds():
            break
        found, claimed = _claim(batch)
        if not found:
            break
        if claimed:
            _deliver(claimed, counts)
    return counts


def _claim(batch: int) -> tuple[bool, list[Notification]]:
    """(whether anything was due, the rows this call claimed)."""
    now = timezone.now()
    due = Notification.objects.filter(email_state=Pending, email_next_at__lte=now)
    ids = list(due.order_by("email_next_at", "pk").values_list("pk", flat=True)[:batch])
    if not ids:
        return False, []
    token = uuid.uuid4()
    taken = due.filter(pk__in=ids).update(email_claim=token, email_next_at=now + LEASE)
    if not taken:
        return True, []  # another sender took them all: look again
    claimed = Notification.objects.filter(email_claim=token, email_state=Pending)
    return True, list(claimed.select_related("user").order_by("pk"))


def _deliver(claimed: list[Notification], counts: Counter[str]) -> None:
    """Send the claimed rows over one connection; record each outcome on its row."""
    deadline = time.monotonic() + (LEASE - SAFETY).total_seconds()
    unverified = _unverified_addresses({n.user_id for n in claimed})
    remaining = list(claimed)
    try:
        connection = mail.get_connection()
        connection.open()
    except Exception as exc:
        log.warning("Cannot reach the mail server: %s", exc)
        for notification in remaining:
            counts[_failed(notification, exc)] += 1
        return
    try:
        while remaining:
            notification = remaining.pop(0)
            if time.monotonic() > deadline:
                _give_back([notification, *remaining])
                return
            user = notification.user
            if not user.is_active or not user.email or (user.pk, user.email.lower()) in unverified:
                _finish(notification, state=Notification.EmailState.SKIPPED)
                counts["skipped"] += 1
                continue
            try:
                message = build_message(notification)
                message.connection = connection
                if not message.send():
                    raise smtplib.SMTPException("the mail backend sent nothing")
            except Exception as exc:
                log.warning("E-mail of notification %s failed: %s", notification.pk, exc)
                counts[_failed(notification, exc)] += 1
                if _connection_lost(exc):
                    # The server went away: the rest would fail the same way, slowly.
                    for rest in remaining:
                        counts[_failed(rest, exc)] += 1
                    return
            else:
                _finish(notification, state=Notification.EmailState.SENT)
                counts["sent"] += 1
    finally:
        try:
            connection.close()
        except Exception:
            log.warning("Closing the mail connection failed", exc_info=True)


def _unverified_addresses(user_ids: set[int]) -> set[tuple[int, str]]:
    """Addresses known to be unconfirmed: never mailed. (Accounts that admins created
    have no allauth address row at all; those are trusted.)"""
    rows = EmailAddress.objects.filter(user_id__in=user_ids, verified=False)
    return {(user_id, email.lower()) for user_id, email in rows.values_list("user_id", "email")}


def _finish(notification: Notification, *, state: Notification.EmailState) -> None:
    """Mark a claimed row done, if the claim is still this sender's."""
    Notification.objects.filter(pk=notification.pk, email_claim=notification.email_claim).update(
        email_state=state,
        emailed_at=timezone.now() if state == Notification.EmailState.SENT else None,
        email_claim=None,
        email_next_at=None,
        email_error="",
    )


def _failed(notification: Notification, exc: BaseException) -> str:
    """Put a claimed row back for a later try, or give up on it. Returns the outcome."""
    attempts = notification.email_attempts + 1
    give_up = attempts >= MAX_ATTEMPTS or _refused_for_good(exc)
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk, email_claim=notification.email_claim).update(
        email_state=Notification.EmailState.FAILED if give_up else Pending,
        email_attempts=attempts,
        email_next_at=None if give_up else now + backoff(attempts),
        email_claim=None,
        email_error=Truncator(f"{type(exc).__name__}: {exc}").chars(300),
    )
    return "failed" if give_up else "retry"


def _give_back(notifications: list[Notification]) -> None:
    """Unsent rows of a lease about to run out: due again at once, no attempt counted."""
    for notification in notifications:
        Notification.objects.filter(
            pk=notification.pk, email_claim=notification.email_claim
        ).update(email_claim=None, email_next_at=timezone.now())


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes after the 1st, 2nd, 3rd … failure, at most MAX_BACKOFF."""
    return min(timedelta(minutes=2 ** (attempts - 1)), MAX_BACKOFF)


# Errors about one message; any other OSError (smtplib's included) means the
# connection is gone.
_MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPNotSupportedError,
)


def _connection_lost(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and not isinstance(exc, _MESSAGE_ERRORS)


def _refused_for_good(exc: BaseException) -> bool:
    """The server refused the address with a permanent (5xx) answer: retrying cannot help."""
    if not isinstance(exc, smtplib.SMTPRecipientsRefused) or not exc.recipients:
        return False
    return all(int(code) >= 500 for code, _message in exc.recipients.values())


# --- Rendering ------------------------------------------------------------------------


def build_message(notification: Notification) -> mail.EmailMultiAlternatives:
    """The e-mail for one notification, entirely in its recipient's preferred language.

    It carries the notification's own text (which by design holds nothing
    private about a third person), an absolute link, and a link to the
    preferences page; it goes to the recipient alone.
    """
    user = notification.user
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        text = notify.render(notification, language)
        lines = [
            (line, absolute_url(url, language))
            for line, url in notify.details(notification, language)
        ]
        total = notification.params.get("count", len(lines))
        preferences = settings.SITE_ROOT + reverse("notification_settings")
        brand = gettext("Open Dialogue")
        context = {
            "brand": brand,
            "language": language,
            "text": text,
            "url": absolute_url(notification.url, language),
            "lines": lines,
            "more": max(0, total - len(lines)) if isinstance(total, int) else 0,
            "preferences_url": preferences,
        }
        subject = f"[{brand}] {_first_line(text)}"
        body = render_to_string("email/notification.txt", context)
        html = render_to_string("email/notification.html", context)
    message = mail.EmailMultiAlternatives(
        subject,
        body,
        to=[user.email],
        headers={
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{preferences}>",
            "Content-Language": language,
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def _first_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return Truncator(first).chars(150)


def absolute_url(url: str, language: str) -> str:
    """A notification's link as an absolute address on this site, in ``language``.

    Links are often stored without a language prefix ("/appeals/A-…/"); the
    site would redirect them by the browser's language, so the e-mail links
    straight to the reader's own. Links to other sites are dropped.
    """
    if not url:
        return ""
    root = settings.SITE_ROOT
    if "://" in url or url.startswith("//"):
        return url if url.startswith(root + "/") else ""
    if not url.startswith("/"):
        url = "/" + url
    path = urlsplit(url).path
    if translation.get_language_from_path(path) is None:
        try:
            resolve(f"/{language}{path}")
        except Resolver404:
            pass
        else:
            url = f"/{language}{url}"
    return root + url


# --- The daily digest -----------------------------------------------------------------


def send_daily_digests(now: datetime | None = None) -> int:
    """Each official and delegate hears, once a day, of their agencies' appeals at risk or
    overdue now; returns how many digests were written.

    1. The clocks that count: running, of an office (not moderation's T1),
       with their warning moment passed. Each appeal is listed once, by its
       clock due first. Only the agencies the person is a member of, not those
       below them: a subordinate's overdue appeal reaches the head as an
       escalation.
    2. Nobody hears on a day off (a weekend or holiday of the Kazakh calendar).
    3. Once a day per person, however many workers run this: a ``DailyDigest``
       row unique on (person, local date) is inserted in the same transaction
       as the notification; a second run's insert fails and it moves on. The
       notification then goes out through the outbox like any other.
    """
    from reception.models import Clock  # reception builds on participation, not the reverse

    now = now or timezone.now()
    today = local_date(now)
    if not load_calendar().is_working_day(today):
        return 0
    rows = (
        Clock.objects.filter(state=Clock.State.RUNNING, warn_at__lte=now)
        .exclude(kind=Clock.Kind.MODERATION)
        .order_by("due_at", "pk")
        .values_list("agency_id", "appeal__tracking_number", "kind", "due_at")
    )
    # agency id → appeal number → (clock kind, due moment) of its clock due first
    by_agency: dict[int, dict[str, tuple[str, datetime]]] = {}
    for agency_id, number, kind, due_at in rows:
        by_agency.setdefault(agency_id, {}).setdefault(number, (kind, due_at))
    if not by_agency:
        return 0
    per_person: dict[int, dict[str, tuple[str, datetime]]] = {}
    members = Membership.objects.filter(
        role__in=[Role.OFFICIAL, Role.DELEGATE], agency_id__in=by_agency, user__is_active=True
    ).values_list("user_id", "agency_id")
    for user_id, agency_id in members:
        appeals = per_person.setdefault(user_id, {})
        for number, clock in by_agency[agency_id].items():
            if number not in appeals or clock[1] < appeals[number][1]:
                appeals[number] = clock
    done = set(
        DailyDigest.objects.filter(date=today, user_id__in=per_person).values_list(
            "user_id", flat=True
        )
    )
    wanted = notify.choices((user_id, "daily_digest") for user_id in per_person)
    labels = _clock_labels(Clock)
    written = 0
    for user_id, appeals in sorted(per_person.items()):
        if user_id in done or not any(wanted[user_id, "daily_digest"]):
            continue
        listed = sorted(appeals.items(), key=lambda item: (item[1][1], item[0]))[:DIGEST_ITEMS]
        params = {
            "count": len(appeals),
            "date": today.isoformat(),
            "appeals": [
                {
                    "number": number,
                    "clock": labels[kind],
                    "due": f"{timezone.localtime(due_at):%d.%m.%Y %H:%M}",
                    "overdue": due_at <= now,
                }
                for number, (kind, due_at) in listed
            ],
        }
        if _write_digest(user_id, today, params):
            written += 1
    return written


@transaction.atomic
def _write_digest(user_id: int, day: date, params: dict[str, Any]) -> bool:
    """The day's row and its notification, together; False if another run wrote it."""
    try:
        with transaction.atomic():
            digest = DailyDigest.objects.create(user_id=user_id, date=day)
    except IntegrityError:
        return False
    (notification_id,) = do_notify_many([(user_id, "daily_digest", params, "")])
    DailyDigest.objects.filter(pk=digest.pk).update(notification_id=notification_id)
    return True


def _clock_labels(clock_model: Any) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for code in ("kk", "ru", "en"):
        with translation.override(code):
            for kind in clock_model.Kind:
                labels.setdefault(kind.value, {})[code] = str(kind.label).lower()
    return labels
