"""Live sessions in the JSON API: the public lists, each session's questions and
chat as the public sees them (the transcript), asking and upvoting.

Only what the room shows the public leaves here: approved, visible questions
and published messages, under the author's public name. Pending and hidden
items, and anything about an author beyond that name, never do.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from moderation.pipeline import ContentRefused
from participation.apikit import (
    ERRORS,
    READ_LIMIT,
    WRITE_AUTH,
    WRITE_ERRORS,
    WRITE_LIMIT,
    ApiError,
    Page,
    PageParams,
    Text,
    acting_user,
    paginate,
)
from participation.http import client_ip
from reception import live_actions, live_queries
from reception.live_actions import LiveRefused
from reception.models import LiveMessage, LiveQuestion, LiveSession

router = Router(tags=["live sessions"])


class LiveState(StrEnum):
    SCHEDULED = "scheduled"
    LIVE = "live"
    ENDED = "ended"


class LiveMode(StrEnum):
    PREMODERATED = "pre"
    POSTMODERATED = "post"


class LiveQuestionStatus(StrEnum):
    APPROVED = "approved"
    ANSWERING = "answering"
    ANSWERED = "answered"


class SessionOut(Schema):
    id: int
    title: str
    description: str
    language: str
    starts_at: datetime
    duration_minutes: int
    state: LiveState
    mode: LiveMode = Field(description="pre: every message approved first; post: removable.")
    host: str = Field(description="Slug of the hosting official.")
    agency: str = Field(description="Slug of the host's agency.")
    started_at: datetime | None
    ended_at: datetime | None
    url: str

    @staticmethod
    def resolve_host(session: LiveSession) -> str:
        return session.official.slug

    @staticmethod
    def resolve_agency(session: LiveSession) -> str:
        return session.agency.slug

    @staticmethod
    def resolve_url(session: LiveSession) -> str:
        return session.get_absolute_url()


class QuestionOut(Schema):
    id: int
    text_html: str = Field(description="The question as published: sanitised HTML.")
    author: str = Field(description="The author's public name.")
    votes: int
    status: LiveQuestionStatus
    answer_html: str = Field(description="The host's answer, sanitised HTML; may be empty.")
    answered_at: datetime | None
    appeal: str | None = Field(
        description="Tracking number of the appeal an unanswered question became, if public."
    )
    created_at: datetime

    @staticmethod
    def resolve_author(question: LiveQuestion) -> str:
        return question.author.public_name

    @staticmethod
    def resolve_appeal(question: LiveQuestion) -> str | None:
        appeal = question.appeal
        return appeal.tracking_number if appeal is not None and appeal.is_visible else None


class SessionDetailOut(SessionOut):
    questions: list[QuestionOut] = Field(description="The public queue, most votes first.")

    @staticmethod
    def resolve_questions(session: LiveSession) -> list[LiveQuestion]:
        return list(live_queries.public_questions(session))


class MessageOut(Schema):
    id: int
    text_html: str
    author: str = Field(description="The author's public name.")
    is_host: bool
    is_pinned: bool
    created_at: datetime

    @staticmethod
    def resolve_author(message: LiveMessage) -> str:
        return message.author.public_name


class SessionFilters(PageParams):
    state: LiveState | None = None
    host: str | None = Field(None, description="Slug of the hosting official.")
    agency: str | None = Field(None, description="Slug of the host's agency.")


def _sessions() -> Any:
    return LiveSession.objects.select_related("official", "agency")


def _session(session_id: int) -> LiveSession:
    return get_object_or_404(_sessions(), pk=session_id)


@router.get("/live-sessions", response={200: Page[SessionOut], **ERRORS})
def list_sessions(request: HttpRequest, filters: Query[SessionFilters]) -> Any:
    """Live sessions, soonest first: upcoming, live now and past."""
    sessions = _sessions()
    if filters.state:
        sessions = sessions.filter(state=filters.state)
    if filters.host:
        sessions = sessions.filter(official__slug=filters.host)
    if filters.agency:
        sessions = sessions.filter(agency__slug=filters.agency)
    items, next_cursor = paginate(
        sessions, cursor=filters.cursor, limit=filters.limit, order=["starts_at", "id"]
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/live-sessions/{session_id}", response={200: SessionDetailOut, **ERRORS})
def get_session(request: HttpRequest, session_id: int) -> Any:
    """A session and its public question queue, with the answers given."""
    return _session(session_id)


@router.get("/live-sessions/{session_id}/messages", response={200: Page[MessageOut], **ERRORS})
def list_messages(request: HttpRequest, session_id: int, page: Query[PageParams]) -> Any:
    """The session's published chat, oldest first: with the questions, its transcript."""
    session = _session(session_id)
    items, next_cursor = paginate(
        live_queries.public_messages(session),
        cursor=page.cursor,
        limit=page.limit,
        order=["created_at", "id"],
    )
    return {"items": items, "next_cursor": next_cursor}


class QuestionIn(Schema):
    text: Text = Field(min_length=1, max_length=2000)


class QuestionCreatedOut(Schema):
    id: int
    status: str = Field(description="pending (waits for the hosts) or approved.")
    is_visible: bool = Field(description="Shown to the public now.")
    url: str


class VoteOut(Schema):
    id: int
    votes: int


# LiveRefused codes a client can act on; any other refusal is plain "refused".
STABLE_CODES = {"ended", "own_question", "voted"}


def _refused(error: LiveRefused | ContentRefused) -> ApiError:
    code = getattr(error, "code", "")
    return ApiError(409, code if code in STABLE_CODES else "refused", str(error.message))


@router.post(
    "/live-sessions/{session_id}/questions",
    response={201: QuestionCreatedOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    throttle=[READ_LIMIT, WRITE_LIMIT],
)
def ask_question(request: HttpRequest, session_id: int, payload: QuestionIn) -> Any:
    """Ask a question before or during a session. It passes the moderation pipeline;
    in a pre-moderated session it waits for the hosts."""
    session = _session(session_id)
    try:
        question = live_actions.do_ask_question(
            session, author=acting_user(request), text=payload.text, ip=client_ip(request)
        )
    except (LiveRefused, ContentRefused) as refused:
        raise _refused(refused) from refused
    return Status(
        201,
        {
            "id": question.pk,
            "status": question.status,
            "is_visible": question.is_public,
            "url": question.get_absolute_url(),
        },
    )


@router.post(
    "/live-sessions/questions/{question_id}/vote",
    response={200: VoteOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    throttle=[READ_LIMIT, WRITE_LIMIT],
)
def vote(request: HttpRequest, question_id: int) -> Any:
    """Upvote a public question: once per person, never one's own."""
    question = get_object_or_404(
        LiveQuestion.objects.select_related("session"), pk=question_id, is_visible=True
    )
    try:
        question = live_actions.do_vote(question, voter=acting_user(request))
    except LiveRefused as refused:
        raise _refused(refused) from refused
    return {"id": question.pk, "votes": question.votes}
