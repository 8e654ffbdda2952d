"""Every write of a live session (SPEC §3) is an action here.

Persist, then broadcast:

1. ``record`` takes the session's next sequence number with a conditional
   ``UPDATE … SET last_seq = last_seq + 1``. The row stays locked until the
   transaction ends, so numbers are gapless, and event N commits before event
   N + 1 can even be numbered.
2. It stores the ``LiveEvent`` row in the same transaction as the change.
3. After commit (``transaction.on_commit``), the event goes to the room's
   channel-layer group as JSON text serialised once, here; every process's
   hub (``reception.live_hub``) hands that same text to its sockets.

A rolled-back action sends nothing and leaves no number used.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from moderation.pipeline import moderate
from moderation.sanitize import render_markdown
from participation.access import (
    AccessDenied,
    MFARequired,
    check_role,
    has_mfa,
    holds_role,
    lineage_ids,
)
from participation.actions import do_notify
from participation.models import Agency, Official, Role, User
from reception.models import (
    Appeal,
    AppealEvent,
    LiveEvent,
    LiveFollow,
    LiveMessage,
    LiveQuestion,
    LiveSession,
    LiveVote,
)

MAX_MESSAGE_CHARS = 1000
MAX_QUESTION_CHARS = 2000
MAX_ANSWER_CHARS = 10000


class LiveRefused(Exception):
    """The step is not possible now; ``message`` says why (translated), ``code`` is stable."""

    def __init__(self, message: str, *, code: str = "refused", retry_after: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.retry_after = retry_after


# --------------------------------------------------------------------------- who may do what


def is_host(user: Any, session: LiveSession) -> bool:
    if not user.is_authenticated:
        return False
    if session.official.user_id == user.pk:
        return True
    return session.cohosts.filter(pk=user.pk).exists()


def is_staff_of(user: Any, session: LiveSession) -> bool:
    """Hosts, co-hosts, the session's moderators and the moderators covering its agency."""
    if not user.is_authenticated:
        return False
    return (
        is_host(user, session)
        or session.moderators.filter(pk=user.pk).exists()
        or holds_role(user, Role.MODERATOR, session.agency)
    )


def check_staff(user: Any, session: LiveSession) -> None:
    """Gate a host's or moderator's step: AccessDenied, or MFARequired without a second factor."""
    if not is_staff_of(user, session):
        raise AccessDenied
    if not has_mfa(user):
        raise MFARequired


def check_scheduler(user: Any, official: Official) -> None:
    """The official, or an official or delegate of their agency, schedules their sessions."""
    if user.is_authenticated and user.pk == official.user_id:
        if not has_mfa(user):
            raise MFARequired
        return
    for role in (Role.OFFICIAL, Role.DELEGATE):
        if holds_role(user, role, official.agency):
            check_role(user, role, official.agency)
            return
    raise AccessDenied


# --------------------------------------------------------------------------- events


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def record(session: LiveSession, kind: str, data: dict[str, Any]) -> LiveEvent:
    """Store the room's next public event and broadcast it once the transaction commits."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record() runs inside the action's transaction")
    LiveSession.objects.filter(pk=session.pk).update(last_seq=F("last_seq") + 1)
    seq = LiveSession.objects.filter(pk=session.pk).values_list("last_seq", flat=True).get()
    session.last_seq = seq
    event = LiveEvent.objects.create(session=session, seq=seq, kind=kind, data=data)
    text = event_text(event)
    group = session.group
    transaction.on_commit(
        lambda: _group_send(group, {"type": "live.event", "seq": seq, "text": text})
    )
    return event


def event_text(event: LiveEvent) -> str:
    """The frame every viewer receives for this event (docs/live.md, "Server to client")."""
    return _dumps({"type": "event", "seq": event.seq, "event": event.kind, "data": event.data})


def _tell_staff(session: LiveSession, kind: str, data: dict[str, Any]) -> None:
    """Items awaiting approval go to the hosts and moderators only, without a number:
    their pages read the waiting list from the database when they (re)connect."""
    text = _dumps({"type": "staff", "event": kind, "data": data})
    group = session.staff_group
    transaction.on_commit(lambda: _group_send(group, {"type": "live.staff", "text": text}))


def _group_send(group: str, message: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def message_data(message: LiveMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "html": message.text_html,
        "author": message.author.public_name,
        "host": message.is_host,
        "pinned": message.is_pinned,
        "at": _at(message.created_at),
    }


def question_data(question: LiveQuestion) -> dict[str, Any]:
    return {
        "id": question.pk,
        "html": question.text_html,
        "author": question.author.public_name,
        "votes": question.votes,
        "status": question.status,
        "answer": question.answer_html,
        "at": _at(question.created_at),
    }


def _blank_events(session: LiveSession, kinds: tuple[str, ...], item_id: int) -> None:
    """Hidden text leaves the event log too: a later resume must not deliver it."""
    LiveEvent.objects.filter(session=session, kind__in=kinds, data__id=item_id).update(
        data={"id": item_id, "hidden": True}
    )


# --------------------------------------------------------------------------- scheduling


@transaction.atomic
def do_schedule_session(
    *,
    actor: User,
    official: Official,
    title: str,
    description: str,
    language: str,
    starts_at: datetime,
    duration_minutes: int,
    mode: LiveSession.Mode,
    posting: LiveSession.Posting = LiveSession.Posting.EVERYONE,
    slow_mode_seconds: int = 10,
    cohosts: list[User] | None = None,
    moderators: list[User] | None = None,
) -> LiveSession:
    check_scheduler(actor, official)
    if not title.strip():
        raise LiveRefused(_("A session needs a title."), code="invalid")
    if starts_at <= timezone.now():
        raise LiveRefused(_("A session is scheduled in the future."), code="invalid")
    if not 10 <= duration_minutes <= 480:
        raise LiveRefused(_("A session lasts 10 to 480 minutes."), code="invalid")
    if not 0 <= slow_mode_seconds <= 3600:
        raise LiveRefused(_("Slow mode is 0 to 3600 seconds."), code="invalid")
    cohosts = [user for user in cohosts or [] if user.pk != official.user_id]
    moderators = list(moderators or [])
    _check_session_staff(official, cohosts, moderators)
    session = LiveSession.objects.create(
        official=official,
        agency=official.agency,
        title=title.strip(),
        description=description.strip(),
        language=language,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        posting=posting,
        slow_mode_seconds=slow_mode_seconds,
        created_by=actor,
    )
    session.cohosts.set(cohosts)
    session.moderators.set(moderators)
    return session


MODERATING_ROLES = (Role.OFFICIAL, Role.DELEGATE, Role.MODERATOR)


def may_moderate_for(user: User, agency: Any) -> bool:
    """Who may be named a session's moderator: the officials, delegates and
    moderators covering its agency (an ancestor's too), or the whole platform."""
    return any(holds_role(user, role, agency) for role in MODERATING_ROLES)


def moderator_candidates(agencies: Iterable[Agency]) -> QuerySet[User]:
    """Everyone ``may_moderate_for`` one of these agencies, as one query (the
    scheduling form's choices): ``holds_role``'s rule over the agencies' lineage."""
    covered = {pk for agency in agencies for pk in lineage_ids(agency)}
    return (
        User.objects.filter(
            Q(memberships__agency_id__in=covered) | Q(memberships__agency=None),
            memberships__role__in=MODERATING_ROLES,
        )
        .distinct()
        .order_by("display_name", "pk")
    )


def _check_session_staff(official: Official, cohosts: list[User], moderators: list[User]) -> None:
    """Co-hosts act as hosts and moderators approve and hide: both are roles granted
    by scheduling, so only people who already hold such a role may receive them."""
    hosting = set(Official.objects.filter(user__in=cohosts).values_list("user_id", flat=True))
    if any(user.pk not in hosting for user in cohosts):
        raise LiveRefused(_("Co-hosts are officials with a public profile."), code="invalid")
    if not all(may_moderate_for(user, official.agency) for user in moderators):
        raise LiveRefused(
            _("Session moderators are the office's officials, delegates or moderators."),
            code="invalid",
        )


@transaction.atomic
def do_follow_session(session: LiveSession, *, user: User) -> bool:
    """Ask for a reminder before the start; True if newly followed."""
    if session.state == LiveSession.State.ENDED:
        raise LiveRefused(_("This session has ended."), code="ended")
    try:
        with transaction.atomic():
            LiveFollow.objects.create(session=session, user=user)
    except IntegrityError:
        return False
    return True


def remind_followers(*, now: datetime | None = None, lead_minutes: int = 30) -> int:
    """Tell followers of sessions starting within ``lead_minutes``; each session once.

    Safe to run in several workers at once: the conditional UPDATE of
    ``reminded_at`` decides which run tells the followers.
    """
    now = now or timezone.now()
    soon = LiveSession.objects.filter(
        state=LiveSession.State.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__lte=now + timedelta(minutes=lead_minutes),
        starts_at__gt=now - timedelta(minutes=5),
    ).values_list("pk", flat=True)
    told = 0
    for pk in list(soon):
        with transaction.atomic():
            if not LiveSession.objects.filter(pk=pk, reminded_at__isnull=True).update(
                reminded_at=now
            ):
                continue
            session = LiveSession.objects.get(pk=pk)
            for follow in LiveFollow.objects.filter(session=session).select_related("user"):
                do_notify(
                    follow.user,
                    kind="live_reminder",
                    params={"title": session.title},
                    url=session.path,
                )
                told += 1
    return told


# --------------------------------------------------------------------------- before and during


def _check_open(session: LiveSession) -> None:
    if session.state == LiveSession.State.ENDED:
        raise LiveRefused(_("This session has ended."), code="ended")


def _check_slow_mode(session: LiveSession, user: User) -> None:
    if session.slow_mode_seconds <= 0:
        return
    key = f"live:slow:{session.pk}:{user.pk}"
    if not cache.add(key, 1, timeout=session.slow_mode_seconds):
        raise LiveRefused(
            _("Slow mode: one message every %(seconds)s s.")
            % {"seconds": session.slow_mode_seconds},
            code="slow_mode",
            retry_after=session.slow_mode_seconds,
        )


def _check_length(text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise LiveRefused(_("The text is empty."), code="invalid")
    if len(text) > limit:
        raise LiveRefused(
            _("The text is too long: %(length)s characters, at most %(limit)s.")
            % {"length": len(text), "limit": limit},
            code="too_long",
        )
    return text


@transaction.atomic
def do_ask_question(
    session: LiveSession, *, author: User, text: str, ip: str | None = None
) -> LiveQuestion:
    """A question before or during the session, through the moderation pipeline.

    In a pre-moderated session it waits for a host or moderator to approve it.
    ``ContentRefused`` (a ban, a mute, a blocked word) propagates to the caller.
    """
    _check_open(session)
    text = _check_length(text, MAX_QUESTION_CHARS)
    staff = is_staff_of(author, session)
    question = LiveQuestion(session=session, author=author, text=text)
    if session.mode == LiveSession.Mode.POSTMODERATED or staff:
        question.status = LiveQuestion.Status.APPROVED
    moderate(question, ip=ip)  # saves; publishes through after_verdict when public
    if question.status == LiveQuestion.Status.PENDING:
        _tell_staff(session, "pending", {"kind": "question", **question_data(question)})
    return question


@transaction.atomic
def do_vote(question: LiveQuestion, *, voter: User) -> LiveQuestion:
    """One upvote per person (the database refuses a second), never on one's own question."""
    session = question.session
    _check_open(session)
    if question.author_id == voter.pk:
        raise LiveRefused(_("You cannot vote for your own question."), code="own_question")
    if not question.is_public:
        raise LiveRefused(_("This question is not open for votes."), code="not_open")
    if question.status == LiveQuestion.Status.ANSWERED:
        raise LiveRefused(_("This question is already answered."), code="not_open")
    try:
        with transaction.atomic():
            LiveVote.objects.create(question=question, voter=voter)
    except IntegrityError:
        raise LiveRefused(_("You have already voted for this question."), code="voted") from None
    LiveQuestion.objects.filter(pk=question.pk).update(votes=F("votes") + 1)
    question.refresh_from_db(fields=["votes"])
    record(session, "question.votes", {"id": question.pk, "votes": question.votes})
    return question


@transaction.atomic
def do_post_message(
    session: LiveSession, *, author: User, text: str, ip: str | None = None
) -> LiveMessage:
    """A chat message: slow mode per person, the moderation pipeline, then the room."""
    if session.state != LiveSession.State.LIVE:
        raise LiveRefused(_("The chat is open only while the session is live."), code="not_live")
    text = _check_length(text, MAX_MESSAGE_CHARS)
    staff = is_staff_of(author, session)
    if staff:
        check_staff(author, session)
    elif session.posting == LiveSession.Posting.QUESTIONS:
        raise LiveRefused(_("In this session viewers may only ask questions."), code="forbidden")
    else:
        _check_slow_mode(session, author)
    message = LiveMessage(
        session=session, author=author, text=text, is_host=is_host(author, session)
    )
    if session.mode == LiveSession.Mode.POSTMODERATED or staff:
        message.status = LiveMessage.Status.PUBLISHED
    moderate(message, ip=ip)
    if message.status == LiveMessage.Status.PENDING:
        _tell_staff(session, "pending", {"kind": "message", **message_data(message)})
    return message


def hide_from_room(obj: LiveMessage | LiveQuestion) -> None:
    """Take a public item off every viewer's page and out of the event log."""
    kind = _kind(obj)
    _blank_events(obj.session, (kind,), obj.pk)
    record(obj.session, f"{kind}.hidden", {"id": obj.pk})


def publish_if_public(obj: LiveMessage | LiveQuestion) -> None:
    """Broadcast an item that has just become public; called after every moderation verdict."""
    session = obj.session
    if isinstance(obj, LiveMessage):
        if obj.is_public:
            record(session, "message", message_data(obj))
        elif obj.status == LiveMessage.Status.PUBLISHED:
            _blank_events(session, ("message",), obj.pk)
            record(session, "message.hidden", {"id": obj.pk})
    else:
        if obj.is_public:
            record(session, "question", question_data(obj))
        elif obj.status != LiveQuestion.Status.PENDING:
            _blank_events(session, ("question",), obj.pk)
            record(session, "question.hidden", {"id": obj.pk})


@transaction.atomic
def do_approve(item: LiveMessage | LiveQuestion, *, actor: User) -> None:
    """A host or moderator lets a waiting message or question into the room."""
    session = item.session
    check_staff(actor, session)
    if isinstance(item, LiveMessage):
        updated = LiveMessage.objects.filter(pk=item.pk, status=LiveMessage.Status.PENDING).update(
            status=LiveMessage.Status.PUBLISHED
        )
        item.status = LiveMessage.Status.PUBLISHED
    else:
        updated = LiveQuestion.objects.filter(
            pk=item.pk, status=LiveQuestion.Status.PENDING
        ).update(status=LiveQuestion.Status.APPROVED)
        item.status = LiveQuestion.Status.APPROVED
    if not updated:
        raise LiveRefused(_("This item is no longer waiting for approval."), code="conflict")
    if item.is_visible:
        publish_if_public(item)
    _tell_staff(session, "decided", {"kind": _kind(item), "id": item.pk})


@transaction.atomic
def do_hide(item: LiveMessage | LiveQuestion, *, actor: User) -> None:
    """Remove a message or question from every viewer's page and from the event log."""
    session = item.session
    check_staff(actor, session)
    hidden = type(item).Status.HIDDEN
    if item.status == hidden:
        raise LiveRefused(_("This item is already hidden."), code="conflict")
    was_public = item.is_public
    type(item).objects.filter(pk=item.pk).update(status=hidden)
    item.status = hidden
    if isinstance(item, LiveMessage):
        LiveMessage.objects.filter(pk=item.pk).update(is_pinned=False)
    elif session.current_question_id == item.pk:
        LiveSession.objects.filter(pk=session.pk).update(current_question=None)
    if was_public:
        kind = _kind(item)
        _blank_events(session, (kind,), item.pk)
        record(session, f"{kind}.hidden", {"id": item.pk})
    _tell_staff(session, "decided", {"kind": _kind(item), "id": item.pk})


def _kind(item: LiveMessage | LiveQuestion) -> str:
    return "message" if isinstance(item, LiveMessage) else "question"


@transaction.atomic
def do_pin(message: LiveMessage, *, actor: User, pinned: bool = True) -> None:
    check_staff(actor, message.session)
    if not message.is_public:
        raise LiveRefused(_("Only a published message can be pinned."), code="not_open")
    LiveMessage.objects.filter(pk=message.pk).update(is_pinned=pinned)
    message.is_pinned = pinned
    record(message.session, "message.pinned", {"id": message.pk, "pinned": pinned})


@transaction.atomic
def do_answer_now(question: LiveQuestion, *, actor: User) -> None:
    """The host takes this question now; the one before it goes back to the queue."""
    session = LiveSession.objects.select_for_update().get(pk=question.session_id)
    check_staff(actor, session)
    if session.state != LiveSession.State.LIVE:
        raise LiveRefused(_("The session is not live."), code="not_live")
    if question.status != LiveQuestion.Status.APPROVED or not question.is_visible:
        raise LiveRefused(_("Only a question in the queue can be taken."), code="not_open")
    LiveQuestion.objects.filter(session=session, status=LiveQuestion.Status.ANSWERING).update(
        status=LiveQuestion.Status.APPROVED
    )
    LiveQuestion.objects.filter(pk=question.pk).update(status=LiveQuestion.Status.ANSWERING)
    question.status = LiveQuestion.Status.ANSWERING
    LiveSession.objects.filter(pk=session.pk).update(current_question=question)
    record(session, "question.answering", {"id": question.pk})


@transaction.atomic
def do_answer_question(question: LiveQuestion, *, actor: User, text: str = "") -> None:
    """Mark a question answered, with the host's written answer if they give one."""
    session = LiveSession.objects.select_for_update().get(pk=question.session_id)
    check_staff(actor, session)
    if question.status not in (LiveQuestion.Status.APPROVED, LiveQuestion.Status.ANSWERING):
        raise LiveRefused(_("Only a question in the queue can be answered."), code="not_open")
    answer = text.strip()
    if len(answer) > MAX_ANSWER_CHARS:
        raise LiveRefused(
            _("The text is too long: %(length)s characters, at most %(limit)s.")
            % {"length": len(answer), "limit": MAX_ANSWER_CHARS},
            code="too_long",
        )
    question.status = LiveQuestion.Status.ANSWERED
    question.answer = answer
    question.answer_html = render_markdown(answer) if answer else ""
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["status", "answer", "answer_html", "answered_by", "answered_at"])
    if session.current_question_id == question.pk:
        LiveSession.objects.filter(pk=session.pk).update(current_question=None)
    record(
        session,
        "question.answered",
        {"id": question.pk, "answer": question.answer_html, "by": actor.public_name},
    )


@transaction.atomic
def do_start_session(session: LiveSession, *, actor: User) -> None:
    check_staff(actor, session)
    if not LiveSession.objects.filter(pk=session.pk, state=LiveSession.State.SCHEDULED).update(
        state=LiveSession.State.LIVE, started_at=timezone.now()
    ):
        raise LiveRefused(_("This session has already started."), code="conflict")
    session.state = LiveSession.State.LIVE
    record(session, "session.live", {})


@transaction.atomic
def do_end_session(session: LiveSession, *, actor: User | None) -> list[Appeal]:
    """End the session; its approved questions left unanswered become appeals.

    ``actor`` None is the sweep ending a session long past its planned end.
    """
    if actor is not None:
        check_staff(actor, session)
    if not LiveSession.objects.filter(
        pk=session.pk, state__in=[LiveSession.State.SCHEDULED, LiveSession.State.LIVE]
    ).update(state=LiveSession.State.ENDED, ended_at=timezone.now(), current_question=None):
        raise LiveRefused(_("This session has already ended."), code="conflict")
    session.state = LiveSession.State.ENDED
    record(session, "session.ended", {})
    return convert_unanswered(session)


def convert_unanswered(session: LiveSession) -> list[Appeal]:
    """Each approved, unanswered question becomes an appeal to the host's reception room.

    Its clocks start as for any appeal; the question and the appeal link to
    each other (``LiveQuestion.appeal``, ``Appeal.live_question``). A question
    already converted is skipped, so running this twice converts nothing twice.
    """
    from reception.actions import do_submit_appeal

    appeals = []
    waiting = (
        LiveQuestion.objects.select_for_update()
        .filter(
            session=session,
            appeal__isnull=True,
            status__in=[LiveQuestion.Status.APPROVED, LiveQuestion.Status.ANSWERING],
        )
        .select_related("author")
        .order_by("created_at", "id")
    )
    with translation.override(session.language):
        subject = _("Question from the live session «%(title)s»") % {"title": session.title}
    for question in waiting:
        appeal = do_submit_appeal(
            citizen=question.author,
            kind=Appeal.Kind.QUESTION,
            subject=subject[:200],
            text=question.text,
            is_public=True,
            official=session.official,
        )
        LiveQuestion.objects.filter(pk=question.pk).update(appeal=appeal)
        AppealEvent.objects.create(
            appeal=appeal,
            action="from_live_session",
            agency=appeal.agency,
            note=session.title,
        )
        appeals.append(appeal)
    return appeals


def end_overdue_sessions(*, now: datetime | None = None, grace_minutes: int = 60) -> int:
    """End sessions an hour past their planned end that nobody ended (the sweep's part)."""
    now = now or timezone.now()
    ended = 0
    candidates = LiveSession.objects.filter(
        state__in=[LiveSession.State.SCHEDULED, LiveSession.State.LIVE],
        starts_at__lt=now - timedelta(minutes=grace_minutes),
    )
    for session in candidates:
        end = session.starts_at + timedelta(minutes=session.duration_minutes + grace_minutes)
        if end > now:
            continue
        try:
            do_end_session(session, actor=None)
        except LiveRefused:
            continue  # another worker ended it first
        ended += 1
    return ended
