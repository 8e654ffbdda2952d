"""Pages of live sessions: the lists, scheduling, the room (readable without JavaScript),
the transcript. Thin: parse, check access, call an action, respond."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from moderation.pipeline import ContentRefused
from participation.access import AccessDenied, holds_role
from participation.http import client_ip
from participation.models import Official, Role, User
from reception import live_actions, live_queries
from reception.forms import LiveSessionForm, LiveTextForm
from reception.live_actions import LiveRefused
from reception.models import LiveMessage, LiveQuestion, LiveSession


def sessions(request: HttpRequest) -> HttpResponse:
    """Live now, upcoming and past sessions."""
    context = {
        "live": live_queries.live_now()[:20],
        "upcoming": live_queries.upcoming()[:50],
        "past": live_queries.past()[:50],
        "may_schedule": request.user.is_authenticated and schedulable(request.user).exists(),
    }
    return render(request, "reception/live/list.html", context)


def schedulable(user: Any) -> Any:
    """The officials this person may schedule sessions for: themself, or their office's."""
    agencies = [
        membership.agency_id
        for membership in user.memberships.all()
        if membership.role in (Role.OFFICIAL, Role.DELEGATE)
    ]
    return Official.objects.filter(Q(user=user) | Q(agency_id__in=agencies)).order_by("slug")


@login_required
def schedule(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    officials = schedulable(user)
    if not officials.exists():
        raise Http404
    form = LiveSessionForm(request.POST or None, officials=officials)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            values = form.cleaned_data
            try:
                session = live_actions.do_schedule_session(
                    actor=user,
                    official=values["official"],
                    title=values["title"],
                    description=values["description"],
                    language=values["language"],
                    starts_at=values["starts_at"],
                    duration_minutes=values["duration_minutes"],
                    mode=LiveSession.Mode(values["mode"]),
                    posting=LiveSession.Posting(values["posting"]),
                    slow_mode_seconds=values["slow_mode_seconds"],
                    cohosts=list(User.objects.filter(official__in=values["cohosts"])),
                    moderators=list(values["moderators"]),
                )
            except LiveRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(request, _("The session is scheduled."))
                return HttpResponseRedirect(session.get_absolute_url())
        status = 400
    return render(request, "reception/live/schedule.html", {"form": form}, status=status)


def _session(pk: int) -> LiveSession:
    try:
        return LiveSession.objects.select_related("official", "agency").get(pk=pk)
    except LiveSession.DoesNotExist as exc:
        raise Http404 from exc


def room(request: HttpRequest, pk: int) -> HttpResponse:
    """The room: the question queue, the chat and, for hosts, their controls.

    Everything is here as plain HTML and forms; ``static/js/live.js`` then
    keeps the page up to date over the socket and sends the forms through it.
    """
    session = _session(pk)
    status = 200
    if request.method == "POST":
        status = _post(request, session)
        if status == 302:
            return HttpResponseRedirect(request.path)
    user = request.user
    staff = live_actions.is_staff_of(user, session)
    seq = LiveSession.objects.filter(pk=session.pk).values_list("last_seq", flat=True).get()
    context = {
        "session": session,
        "seq": seq,
        "questions": live_queries.public_questions(session),
        "chat": live_queries.public_messages(session).order_by("-created_at", "-id")[:200][::-1],
        "staff": staff,
        "waiting": live_queries.waiting(session.pk) if staff else None,
        "voted": live_queries.voted_ids(session, user),
        "form": LiveTextForm(),
        "following": user.is_authenticated and session.follows.filter(user=user).exists(),
    }
    return render(request, "reception/live/room.html", context, status=status)


def _post(request: HttpRequest, session: LiveSession) -> int:
    """Run a posted step of the room; 302 on success, else the status of the error shown."""
    user = request.user
    if not isinstance(user, User):
        messages.error(request, _("Sign in to take part; anyone may watch."))
        return 403
    step = request.POST.get("step", "")
    ip = client_ip(request)
    try:
        if step in ("ask", "chat"):
            form = LiveTextForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Write your text first (at most 2,000 characters)."))
                return 400
            text = form.cleaned_data["text"]
            if step == "ask":
                question = live_actions.do_ask_question(session, author=user, text=text, ip=ip)
                if not question.is_public:
                    messages.info(request, _("Your question waits for approval."))
            else:
                live_actions.do_post_message(session, author=user, text=text, ip=ip)
        elif step == "vote":
            live_actions.do_vote(_question(session, request), voter=user)
        elif step == "follow":
            live_actions.do_follow_session(session, user=user)
            messages.success(request, _("You will be reminded before it starts."))
        elif step in ("approve", "hide"):
            item: LiveMessage | LiveQuestion = (
                _question(session, request)
                if request.POST.get("kind") == "question"
                else _message(session, request)
            )
            (live_actions.do_approve if step == "approve" else live_actions.do_hide)(
                item, actor=user
            )
        elif step == "pin":
            live_actions.do_pin(_message(session, request), actor=user)
        elif step == "answering":
            live_actions.do_answer_now(_question(session, request), actor=user)
        elif step == "answered":
            live_actions.do_answer_question(
                _question(session, request), actor=user, text=request.POST.get("text", "")
            )
        elif step == "start":
            live_actions.do_start_session(session, actor=user)
        elif step == "end":
            appeals = live_actions.do_end_session(session, actor=user)
            messages.success(
                request,
                _("The session has ended; %(count)s unanswered questions became appeals.")
                % {"count": len(appeals)},
            )
        else:
            messages.error(request, _("Unknown step."))
            return 400
    except (LiveRefused, ContentRefused) as refused:
        messages.error(request, refused.message)
        return 409
    return 302


def _question(session: LiveSession, request: HttpRequest) -> LiveQuestion:
    try:
        return LiveQuestion.objects.select_related("session__official", "session__agency").get(
            session=session, pk=int(request.POST.get("id", ""))
        )
    except (ValueError, LiveQuestion.DoesNotExist) as exc:
        raise AccessDenied from exc


def _message(session: LiveSession, request: HttpRequest) -> LiveMessage:
    try:
        return LiveMessage.objects.select_related("session__official", "session__agency").get(
            session=session, pk=int(request.POST.get("id", ""))
        )
    except (ValueError, LiveMessage.DoesNotExist) as exc:
        raise AccessDenied from exc


def transcript(request: HttpRequest, pk: int) -> HttpResponse:
    """After the session: every public question with its answer or its appeal, and the chat."""
    session = _session(pk)
    context = {
        "session": session,
        "questions": live_queries.public_questions(session),
        "chat": live_queries.public_messages(session),
        "is_office": any(
            holds_role(request.user, role, session.agency)
            for role in (Role.OFFICIAL, Role.DELEGATE)
        ),
    }
    return render(request, "reception/live/transcript.html", context)
