"""Starting, pausing, resuming and stopping SLA clocks, and reading their state.

A clock's moments (warn, due, escalate) are stored when it starts and moved
when it pauses, resumes or is extended (SPEC §2). Its state for display is
read from those moments and the current time, never from a job's last run.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import Agency
from participation.workdays import (
    end_of_day,
    load_calendar,
    local_date,
    resume_due,
    working_days_remaining,
)
from reception.models import Appeal, Clock

DEFAULT_TARGETS = {
    Clock.Kind.MODERATION: 1,
    Clock.Kind.FIRST_RESPONSE: 3,
    Clock.Kind.ANSWER: 5,
    Clock.Kind.LEGAL: 15,
}
# Working days after a breach before the superior body hears of it (SPEC §2).
SUPERIOR_AFTER_DAYS = 2


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"
    PAUSED = "paused"
    STOPPED = "stopped"

    @property
    def label(self) -> str:
        return str(_STATUS_LABELS[self])


_STATUS_LABELS = {
    Status.ON_TRACK: _("on track"),
    Status.AT_RISK: _("at risk"),
    Status.BREACHED: _("overdue"),
    Status.MET: _("met on time"),
    Status.MET_LATE: _("met late"),
    Status.PAUSED: _("paused"),
    Status.STOPPED: _("stopped (forwarded)"),
}


def target(kind: Clock.Kind) -> int:
    """Working days for a clock; settings may override the defaults per kind."""
    overrides: dict[str, int] = getattr(settings, "RECEPTION_CLOCK_DAYS", {})
    return int(overrides.get(kind.value, DEFAULT_TARGETS[kind]))


def start(appeal: Appeal, kind: Clock.Kind, *, agency: Agency, registered_on: date) -> Clock:
    """Start a clock: a term of N working days from the day after registration."""
    calendar = load_calendar()
    days = target(kind)
    due = calendar.due_moment(registered_on, days)
    escalate = end_of_day(calendar.add_working_days(local_date(due), SUPERIOR_AFTER_DAYS))
    return Clock.objects.create(
        appeal=appeal,
        agency=agency,
        kind=kind,
        working_days=days,
        registered_on=registered_on,
        warn_at=calendar.warning_moment(registered_on, days),
        due_at=due,
        escalate_at=escalate,
    )


def stop(appeal: Appeal, kinds: list[Clock.Kind], *, met: bool, now: datetime | None = None) -> int:
    """Stop the appeal's live clocks of these kinds: met (done in time or late) or stopped."""
    now = now or timezone.now()
    return Clock.objects.filter(
        appeal=appeal, kind__in=kinds, state__in=[Clock.State.RUNNING, Clock.State.PAUSED]
    ).update(state=Clock.State.MET if met else Clock.State.STOPPED, stopped_at=now)


def pause(appeal: Appeal, kind: Clock.Kind, *, now: datetime | None = None) -> int:
    return Clock.objects.filter(appeal=appeal, kind=kind, state=Clock.State.RUNNING).update(
        state=Clock.State.PAUSED, paused_at=now or timezone.now()
    )


def resume(appeal: Appeal, kind: Clock.Kind, *, now: datetime | None = None) -> Clock | None:
    """Resume a paused clock: its moments move forward by the working days it was paused."""
    now = now or timezone.now()
    clock = Clock.objects.filter(appeal=appeal, kind=kind, state=Clock.State.PAUSED).first()
    if clock is None or clock.paused_at is None:
        return None
    clock.due_at = resume_due(clock.due_at, clock.paused_at, now)
    clock.warn_at = resume_due(clock.warn_at, clock.paused_at, now)
    clock.escalate_at = resume_due(clock.escalate_at, clock.paused_at, now)
    clock.state = Clock.State.RUNNING
    clock.paused_at = None
    clock.save(update_fields=["due_at", "warn_at", "escalate_at", "state", "paused_at"])
    return clock


def extend(appeal: Appeal, kind: Clock.Kind, *, working_days: int) -> Clock | None:
    """Move a live clock's moments forward by ``working_days`` (an extension)."""
    clock = Clock.objects.filter(
        appeal=appeal, kind=kind, state__in=[Clock.State.RUNNING, Clock.State.PAUSED]
    ).first()
    if clock is None:
        return None
    calendar = load_calendar()
    due_day = calendar.add_working_days(local_date(clock.due_at), working_days)
    clock.working_days += working_days
    clock.due_at = end_of_day(due_day)
    clock.warn_at = calendar.warning_moment(clock.registered_on, clock.working_days)
    clock.escalate_at = end_of_day(calendar.add_working_days(due_day, SUPERIOR_AFTER_DAYS))
    # A new term: its warning and breach may come again.
    clock.warned_at = None
    clock.breached_at = None
    clock.escalated_at = None
    clock.save()
    return clock


def status(clock: Clock, now: datetime | None = None) -> Status:
    """Where the clock stands, from its stored moments alone."""
    now = now or timezone.now()
    if clock.state == Clock.State.STOPPED:
        return Status.STOPPED
    if clock.state == Clock.State.MET:
        assert clock.stopped_at is not None
        return Status.MET if clock.stopped_at <= clock.due_at else Status.MET_LATE
    if clock.state == Clock.State.PAUSED:
        return Status.PAUSED
    if now > clock.due_at:
        return Status.BREACHED
    if now > clock.warn_at:
        return Status.AT_RISK
    return Status.ON_TRACK


def days_left(clock: Clock, now: datetime | None = None) -> int:
    """Working days left before the due day (0 on the due day itself)."""
    return working_days_remaining(clock.due_at, now or timezone.now())
