"""Reads of live sessions: the lists, the room's state, the transcript."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from participation.models import Agency, Region
from participation.transparency import Figure, Section
from reception.live_actions import message_data, question_data
from reception.models import LiveMessage, LiveQuestion, LiveSession
from reception.stats import Period, percent

SNAPSHOT_MESSAGES = 200

PUBLIC_QUESTION_STATUSES = [
    LiveQuestion.Status.APPROVED,
    LiveQuestion.Status.ANSWERING,
    LiveQuestion.Status.ANSWERED,
]


def upcoming() -> QuerySet[LiveSession]:
    return LiveSession.objects.filter(
        state=LiveSession.State.SCHEDULED, starts_at__gte=timezone.now() - timedelta(hours=1)
    ).select_related("official", "agency")


def live_now() -> QuerySet[LiveSession]:
    return LiveSession.objects.filter(state=LiveSession.State.LIVE).select_related(
        "official", "agency"
    )


def past() -> QuerySet[LiveSession]:
    return (
        LiveSession.objects.filter(state=LiveSession.State.ENDED)
        .select_related("official", "agency")
        .order_by("-starts_at", "-id")
    )


def public_questions(session: LiveSession | int) -> QuerySet[LiveQuestion]:
    """The queue: most votes first."""
    return (
        LiveQuestion.objects.filter(
            session=session, is_visible=True, status__in=PUBLIC_QUESTION_STATUSES
        )
        .select_related("author", "appeal")
        .order_by("-votes", "created_at", "id")
    )


def public_messages(session: LiveSession | int) -> QuerySet[LiveMessage]:
    return (
        LiveMessage.objects.filter(
            session=session, is_visible=True, status=LiveMessage.Status.PUBLISHED
        )
        .select_related("author")
        .order_by("created_at", "id")
    )


def snapshot(session_id: int) -> dict[str, Any]:
    """The room as it stands, numbered with the last event it includes (or a later one).

    The number is read first: anything that changes after it arrives again as
    an event, and events carry whole state (idempotent on the client).
    """
    session = LiveSession.objects.get(pk=session_id)
    messages = list(public_messages(session_id).order_by("-created_at", "-id")[:SNAPSHOT_MESSAGES])
    messages.reverse()
    return {
        "type": "snapshot",
        "seq": session.last_seq,
        "state": session.state,
        "current": session.current_question_id,
        "messages": [message_data(message) for message in messages],
        "questions": [question_data(question) for question in public_questions(session_id)],
    }


def waiting(session_id: int) -> dict[str, Any]:
    """What waits for the hosts' approval (staff sockets only)."""
    questions = LiveQuestion.objects.filter(
        session_id=session_id, status=LiveQuestion.Status.PENDING
    ).select_related("author")
    messages = LiveMessage.objects.filter(
        session_id=session_id, status=LiveMessage.Status.PENDING
    ).select_related("author")
    return {
        "type": "waiting",
        "questions": [question_data(question) for question in questions],
        "messages": [message_data(message) for message in messages],
    }


def voted_ids(session: LiveSession, user: Any) -> set[int]:
    from reception.models import LiveVote

    if not user.is_authenticated:
        return set()
    return set(
        LiveVote.objects.filter(question__session=session, voter=user).values_list(
            "question_id", flat=True
        )
    )


def transparency_section(
    agency: Agency | None, period: Period, region: Region | None
) -> Section | None:
    """Live sessions on the transparency pages: held, questions, answered, became appeals.

    Sessions count by their start's local date, in the period; questions are the
    public ones of those sessions (approved by the hosts, visible).
    """
    sessions = LiveSession.objects.filter(state=LiveSession.State.ENDED)
    if agency is not None:
        sessions = sessions.filter(agency=agency)
    if region is not None:
        sessions = sessions.filter(agency__region=region)
    since, until = period.moments()
    if since is not None:
        sessions = sessions.filter(starts_at__gte=since)
    if until is not None:
        sessions = sessions.filter(starts_at__lt=until)
    questions = LiveQuestion.objects.filter(
        session__in=sessions, is_visible=True, status__in=PUBLIC_QUESTION_STATUSES
    ).aggregate(
        asked=Count("id"),
        answered=Count("id", filter=Q(status=LiveQuestion.Status.ANSWERED)),
        appeals=Count("id", filter=Q(appeal__isnull=False)),
    )
    return Section(
        key="live_sessions",
        title=_("Live sessions"),
        figures=[
            Figure("sessions_held", _("Sessions held"), sessions.count()),
            Figure("questions_asked", _("Questions in the queue"), questions["asked"]),
            Figure("questions_answered", _("Questions answered live"), questions["answered"]),
            Figure(
                "answered_percent",
                _("Share answered live"),
                percent(questions["answered"], questions["asked"]),
                "%",
            ),
            Figure(
                "became_appeals",
                _("Unanswered questions sent on as appeals"),
                questions["appeals"],
            ),
        ],
    )
