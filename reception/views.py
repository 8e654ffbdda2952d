from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from moderation.pipeline import ContentRefused
from participation.access import AccessDenied, check_role, holds_role, memberships
from participation.http import client_ip
from participation.models import Agency, Official, Role, User
from reception import actions, clocks, queries, stats
from reception.forms import (
    AnswerForm,
    AppealForm,
    AssignForm,
    ClarifyForm,
    ExtendForm,
    ForwardForm,
    NoticeForm,
    OperatorAppealForm,
    QuestionForm,
    RateForm,
)
from reception.models import Appeal, Attachment


def room(request: HttpRequest, slug: str) -> HttpResponse:
    """An official's public reception room: published questions with their answers."""
    try:
        official = Official.objects.select_related("agency").get(slug=slug)
    except Official.DoesNotExist as exc:
        raise Http404 from exc
    appeals = queries.room_appeals(official)[:50]
    context = {"official": official, "appeals": appeals, "record": stats.record(official=official)}
    return render(request, "reception/room.html", context)


def appeal(request: HttpRequest, number: str) -> HttpResponse:
    """An appeal's page: everything for those it concerns, the public part for others,
    and the forms for the next steps each person may take."""
    found, full = queries.access_appeal(request.user, number)
    status = 200
    if request.method == "POST":
        if not full:
            raise AccessDenied
        try:
            if _step(request, found):
                messages.success(request, _("Done."))
                return HttpResponseRedirect(request.path)
            status = 400
        except actions.InvalidTransition as refused:
            messages.error(request, refused.message)
            status = 409
        found.refresh_from_db()
    shown = [
        {"clock": clock, "status": clocks.status(clock), "days_left": clocks.days_left(clock)}
        for clock in found.clocks.order_by("kind", "-id")
    ]
    user = request.user
    in_office = full and any(
        holds_role(user, role, found.agency) for role in (Role.OFFICIAL, Role.DELEGATE)
    )
    context = {
        "appeal": found,
        "full": full,
        "clocks": shown,
        "events": queries.timeline(found, full=full),
        "attachments": found.attachments.all() if full else [],
        "in_office": in_office,
        "is_citizen": user.is_authenticated and user.pk == found.citizen_id,
    }
    if in_office:
        context.update(
            forward=ForwardForm(),
            assign=AssignForm(agency=found.agency, initial={"assignee": found.assignee_id}),
            question=QuestionForm(),
            extend=ExtendForm(),
            answer=AnswerForm(
                initial={"text": found.draft_answer, "outcome": found.draft_outcome or None}
            ),
            notice=NoticeForm(),
            is_official=holds_role(user, Role.OFFICIAL, found.agency),
        )
    context.update(clarify=ClarifyForm(), rate=RateForm())
    return render(request, "reception/appeal.html", context, status=status)


def _step(request: HttpRequest, found: Appeal) -> bool:
    """Run the posted step; False when its form is invalid."""
    user = request.user
    assert isinstance(user, User)
    step = request.POST.get("step", "")
    data = request.POST
    if step == "clarify":
        form: Any = ClarifyForm(data)
        if form.is_valid():
            actions.do_clarify(found, citizen=user, text=form.cleaned_data["text"])
            return True
        return False
    if step == "rate":
        form = RateForm(data)
        if form.is_valid():
            actions.do_rate(found, citizen=user, rating=Appeal.Rating(form.cleaned_data["rating"]))
            return True
        return False
    if step == "accept":
        actions.do_accept(found, actor=user)
        return True
    if step == "assign":
        assign = AssignForm(data, agency=found.agency)
        if assign.is_valid():
            actions.do_assign(found, actor=user, assignee=assign.cleaned_data["assignee"])
            return True
        return False
    forms_by_step = {
        "forward": ForwardForm,
        "ask": QuestionForm,
        "extend": ExtendForm,
        "answer": AnswerForm,
        "draft": AnswerForm,
        "not_considered": NoticeForm,
    }
    if step not in forms_by_step:
        return False
    form = forms_by_step[step](data)
    if not form.is_valid():
        return False
    values = form.cleaned_data
    if step == "forward":
        actions.do_forward(
            found, actor=user, to_agency=values["to_agency"], reason=values["reason"]
        )
    elif step == "ask":
        actions.do_ask_clarification(found, actor=user, question=values["question"])
    elif step == "extend":
        actions.do_extend(
            found, actor=user, reason=values["reason"], working_days=values["working_days"]
        )
    elif step == "answer":
        actions.do_answer(
            found, actor=user, text=values["text"], outcome=Appeal.Outcome(values["outcome"])
        )
    elif step == "draft":
        actions.do_draft_answer(
            found, actor=user, text=values["text"], outcome=Appeal.Outcome(values["outcome"])
        )
    else:
        actions.do_not_consider(found, actor=user, reason=values["reason"])
    return True


def track(request: HttpRequest) -> HttpResponse:
    """Look an appeal up by its tracking number. Private or missing: one same answer."""
    number = request.GET.get("number", "").strip()[:30]
    not_found = False
    if number:
        try:
            found, _full = queries.access_appeal(request.user, number)
        except AccessDenied:
            not_found = True
        else:
            return HttpResponseRedirect(reverse("appeal", args=[found.tracking_number]))
    return render(request, "reception/track.html", {"number": number, "not_found": not_found})


# --- Writing -----------------------------------------------------------------------


@login_required
def write_to_official(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        official = Official.objects.select_related("agency").get(slug=slug)
    except Official.DoesNotExist as exc:
        raise Http404 from exc
    return _write(request, official=official, agency=None)


@login_required
def write_to_agency(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        agency = Agency.objects.get(slug=slug)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    return _write(request, official=None, agency=agency)


def _write(
    request: HttpRequest, *, official: Official | None, agency: Agency | None
) -> HttpResponse:
    """The appeal form for an official's reception room or an agency."""
    user = request.user
    assert isinstance(user, User)
    form = AppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appeal = actions.do_submit_appeal(
                citizen=user,
                kind=Appeal.Kind(data["kind"]),
                subject=data["subject"],
                text=data["text"],
                is_public=data["is_public"],
                official=official,
                agency=agency,
                attachments=data["attachments"],
                ip=client_ip(request),
            )
        except (ContentRefused, actions.InvalidTransition) as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(
                request,
                _("Your appeal is registered. Its tracking number is %(number)s.")
                % {"number": appeal.tracking_number},
            )
            return HttpResponseRedirect(appeal.get_absolute_url())
    addressee = official.name if official else agency.name if agency else ""
    return render(request, "reception/write.html", {"form": form, "addressee": addressee})


def operator(request: HttpRequest) -> HttpResponse:
    """A public service centre: an operator submits for a citizen who came in person."""
    user = request.user
    scope = _operator_or_404(request)
    form = OperatorAppealForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                citizen = actions.find_or_create_citizen(
                    iin=data["iin"],
                    full_name=data["full_name"],
                    email=data["email"],
                    region=data["region"],
                )
                appeal = actions.do_submit_appeal(
                    citizen=citizen,
                    kind=Appeal.Kind(data["kind"]),
                    subject=data["subject"],
                    text=data["text"],
                    is_public=data["is_public"],
                    agency=data["agency"],
                    submitted_by=user,  # type: ignore[arg-type]
                    attachments=data["attachments"],
                    ip=client_ip(request),
                )
        except (ContentRefused, actions.InvalidTransition) as refused:
            form.add_error(None, refused.message)
        else:
            if data["email"]:
                send_tracking_email(appeal)
            return HttpResponseRedirect(reverse("slip", args=[appeal.tracking_number]))
    return render(request, "reception/operator.html", {"form": form, "scope": scope})


def slip(request: HttpRequest, number: str) -> HttpResponse:
    """A printable slip and an SMS-ready text with the tracking number."""
    found, full = queries.access_appeal(request.user, number)
    if not full:
        raise AccessDenied
    return render(request, "reception/slip.html", {"appeal": found, "sms": sms_text(found)})


def sms_text(appeal: Appeal) -> str:
    """At most 160 characters, in the citizen's language, with the number and where to look."""
    with translation.override(appeal.citizen.preferred_language):
        text = _("Appeal %(number)s registered. Track: %(site)s/appeals/track/") % {
            "number": appeal.tracking_number,
            "site": settings.SITE_ROOT.removeprefix("https://").removeprefix("http://"),
        }
    return str(text)[:160]


def send_tracking_email(appeal: Appeal) -> None:
    with translation.override(appeal.citizen.preferred_language):
        send_mail(
            subject=str(_("Your appeal %(number)s") % {"number": appeal.tracking_number}),
            message=render_to_string(
                "reception/tracking_email.txt", {"appeal": appeal, "site": settings.SITE_ROOT}
            ),
            from_email=None,
            recipient_list=[appeal.citizen.email],
        )


def _operator_or_404(request: HttpRequest) -> Agency | None:
    user = request.user
    scopes = [m.agency for m in memberships(user) if m.role == Role.OPERATOR]
    if not scopes:
        raise AccessDenied
    check_role(user, Role.OPERATOR, scopes[0])
    return scopes[0]


# --- The office ------------------------------------------------------------------------


def office(request: HttpRequest) -> HttpResponse:
    """The office inbox: the appeals of one's agencies, filtered by clock state, kind, assignee."""
    user = request.user
    agencies = [
        m.agency for m in memberships(user) if m.role in (Role.OFFICIAL, Role.DELEGATE) and m.agency
    ]
    if not agencies:
        raise AccessDenied
    check_role(
        user, Role(next(m.role for m in memberships(user) if m.agency in agencies)), agencies[0]
    )
    covered = queries.covered_agency_ids(agencies)
    filters = {
        "clock": request.GET.get("clock", ""),
        "kind": request.GET.get("kind", ""),
        "assignee": request.GET.get("assignee", ""),
        "state": request.GET.get("state", "open"),
    }
    appeals = queries.office_appeals(covered, filters=filters, user=user)
    if request.method == "POST":
        return _bulk_forward(request, appeals)
    return render(
        request,
        "reception/office.html",
        {
            "appeals": appeals[:200],
            "filters": filters,
            "kinds": Appeal.Kind.choices,
            "forward": ForwardForm(),
        },
    )


def _bulk_forward(request: HttpRequest, appeals: Any) -> HttpResponse:
    form = ForwardForm(request.POST)
    chosen = appeals.filter(pk__in=request.POST.getlist("appeals"))
    if not form.is_valid() or not chosen:
        messages.error(request, _("Choose appeals, an agency and a reason."))
        return HttpResponseRedirect(request.get_full_path())
    done = 0
    for appeal in chosen:
        try:
            actions.do_forward(
                appeal,
                actor=request.user,  # type: ignore[arg-type]
                to_agency=form.cleaned_data["to_agency"],
                reason=form.cleaned_data["reason"],
            )
            done += 1
        except actions.InvalidTransition as refused:
            messages.warning(request, f"{appeal.tracking_number}: {refused.message}")
    messages.success(request, _("%(count)s appeals forwarded.") % {"count": done})
    return HttpResponseRedirect(request.get_full_path())


def attachment(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """An attachment, only for those who see the whole appeal."""
    found, full = queries.access_appeal(request.user, number)
    if not full:
        raise AccessDenied
    try:
        item = found.attachments.get(pk=pk)
    except Attachment.DoesNotExist as exc:
        raise AccessDenied from exc
    response = FileResponse(
        item.file.open("rb"), content_type=item.content_type, as_attachment=True, filename=item.name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
