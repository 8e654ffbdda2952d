"""The SLA sweep: fires each clock's warning, breach and escalation exactly once.

1. Select a batch of clock ids whose moment has come and whose event column
   is still empty (a partial index makes this cheap when nothing is due).
2. In one transaction: ``UPDATE … SET warned_at = now WHERE id IN (…) AND
   warned_at IS NULL RETURNING id`` claims the events, and the notifications
   for exactly the returned ids are written.
3. Two sweeps racing select the same ids, but each row's UPDATE succeeds for
   one of them only (PostgreSQL re-checks the condition after the row lock;
   SQLite runs one writer at a time), so each event is notified once. A worker
   that dies mid-batch rolls its transaction back: nothing was claimed, and the
   next sweep does it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation

from participation.actions import do_notify_many
from participation.models import Membership, Official, Role
from participation.rows import ids_in, insert_many
from participation.workdays import ALMATY, load_calendar, local_date
from reception.models import Appeal, AppealEvent, Clock

BATCH = 2000

# event name → (column set once, moment column, extra condition, notification kind)
EVENTS: dict[str, tuple[str, str, str, str]] = {
    "warning": ("warned_at", "warn_at", "", "clock_warning"),
    "breach": ("breached_at", "due_at", "", "clock_breach"),
    "escalation": (
        "escalated_at",
        "escalate_at",
        "AND breached_at IS NOT NULL AND kind <> 't1'",
        "clock_escalated",
    ),
}


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass: every event that is due, then the auto-closing of unrated answers."""
    now = now or timezone.now()
    counts = {name: _fire(name, now) for name in EVENTS}
    counts["closed"] = auto_close(now)
    return counts


def _fire(name: str, now: datetime) -> int:
    column, moment, condition, _kind = EVENTS[name]
    fired = 0
    while True:
        due = Clock.objects.filter(
            state=Clock.State.RUNNING, **{f"{column}__isnull": True, f"{moment}__lte": now}
        )
        if name == "escalation":  # the same condition as the claim's
            due = due.filter(breached_at__isnull=False).exclude(kind=Clock.Kind.MODERATION)
        candidates = list(due.order_by(moment).values_list("pk", flat=True)[:BATCH])
        if not candidates:
            return fired
        with transaction.atomic():
            claimed = _claim(candidates, column, now, condition)
            if claimed:
                _notify(name, claimed)
        fired += len(claimed)
        if len(candidates) < BATCH:
            return fired


def _claim(ids: list[int], column: str, now: datetime, condition: str) -> list[int]:
    """Set ``column`` on the rows where it is still empty; the ids this call set."""
    params: list[Any]
    if connection.vendor == "postgresql":  # one array parameter, not thousands
        among, params = "id = ANY(%s::bigint[])", [ids]
    else:
        among, params = f"id IN ({', '.join(['%s'] * len(ids))})", ids
    sql = (
        f"UPDATE reception_clock SET {column} = %s "  # noqa: S608  (column names are ours)
        f"WHERE {among} AND {column} IS NULL AND state = 'running' {condition} "
        "RETURNING id"
    )
    value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, [value, *params])
        return [row[0] for row in cursor.fetchall()]


def _notify(name: str, clock_ids: list[int]) -> None:
    """Tell the right people about each claimed event, in bulk."""
    _column, _moment, _condition, kind = EVENTS[name]
    rows = list(
        Clock.objects.filter(pk__in=ids_in(clock_ids)).values(
            "pk", "kind", "due_at", "agency_id", "agency__parent_id",
            "appeal_id", "appeal__tracking_number", "appeal__assignee_id",
        )
    )  # fmt: skip
    agencies = {row["agency_id"] for row in rows} | {
        row["agency__parent_id"] for row in rows if row["agency__parent_id"] is not None
    }
    heads = dict(
        Official.objects.filter(agency_id__in=agencies, is_head=True).values_list(
            "agency_id", "user_id"
        )
    )
    moderators = list(
        Membership.objects.filter(role=Role.MODERATOR, agency__isnull=True).values_list(
            "user_id", flat=True
        )
    )
    labels = _clock_labels()
    notes: list[tuple[int, str, dict[str, Any], str]] = []
    events: list[tuple[int, str, int, str, bool]] = []
    for row in rows:
        recipients: set[int | None]
        if row["kind"] == Clock.Kind.MODERATION:
            recipients = set(moderators)
        elif name == "warning":
            recipients = {row["appeal__assignee_id"] or heads.get(row["agency_id"])}
        elif name == "breach":
            recipients = {heads.get(row["agency_id"]), row["appeal__assignee_id"]}
        else:
            parent = row["agency__parent_id"]
            recipients = {heads.get(parent)} if parent is not None else set()
        due = f"{row['due_at'].astimezone(ALMATY):%d.%m.%Y %H:%M}"
        params = {
            "number": row["appeal__tracking_number"],
            "clock": labels[row["kind"]],
            "due": due,
        }
        url = f"/appeals/{row['appeal__tracking_number']}/"  # Appeal.path
        notes += [(user_id, kind, params, url) for user_id in recipients if user_id]
        events.append(
            (row["appeal_id"], f"clock_{name}", row["agency_id"], row["kind"], name != "warning")
        )
    insert_many(AppealEvent, ("appeal", "action", "agency", "note", "is_public"), events)
    do_notify_many(notes)


def _clock_labels() -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    for code in ("kk", "ru", "en"):
        with translation.override(code):
            for kind in Clock.Kind:
                labels[kind.value][code] = str(kind.label).lower()
    return labels


AUTO_CLOSE_WORKING_DAYS = 10


def auto_close(now: datetime) -> int:
    """Answers left unrated for 10 working days close (SPEC §1). Conditional: once each."""
    calendar = load_calendar()
    today = local_date(now)
    closed = 0
    # A term of 10 working days spans at least 10 calendar days: answers given
    # since local midnight 10 days ago cannot close yet, and the (state,
    # answered_at) index skips them. No ordering: the default one sorts them all.
    since = datetime.combine(today - timedelta(days=AUTO_CLOSE_WORKING_DAYS), time(0), ALMATY)
    waiting = (
        Appeal.objects.filter(state=Appeal.State.ANSWERED, rating="", answered_at__lt=since)
        .order_by()
        .values_list("pk", "answered_at")
    )
    for pk, answered_at in waiting.iterator():
        if answered_at is None:
            continue
        if calendar.add_working_days(local_date(answered_at), AUTO_CLOSE_WORKING_DAYS) >= today:
            continue
        with transaction.atomic():
            done = Appeal.objects.filter(pk=pk, state=Appeal.State.ANSWERED, rating="").update(
                state=Appeal.State.CLOSED, closed_at=now
            )
            if done:
                AppealEvent.objects.create(appeal_id=pk, action="auto_closed")
        closed += done
    return closed
