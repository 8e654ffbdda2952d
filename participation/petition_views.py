"""The petition pages: thin views that parse, check access, call an action and respond."""

from __future__ import annotations

import csv
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from moderation.pipeline import ContentRefused
from participation import petition_actions as actions
from participation import petition_queries as queries
from participation.access import AccessDenied, MFARequired, agencies_with_role, can_act
from participation.http import client_ip
from participation.models import Agency, Role, User
from participation.petition_forms import (
    DecideForm,
    EditForm,
    InvalidateForm,
    PetitionForm,
    RespondForm,
    SignForm,
)
from participation.petition_models import Petition, PetitionDecision, Signature

LIST_FILTERS = ("open", "consideration", "responded", "closed", "expired")


def petition_list(request: HttpRequest) -> HttpResponse:
    """Listed petitions, by state and by the body they are addressed to (``?agency=``)."""
    state = request.GET.get("state", "")
    if state not in LIST_FILTERS:
        state = ""
    agency = None
    if slug := request.GET.get("agency", ""):
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            raise Http404
    context = {
        "petitions": queries.with_bars(queries.listed(state, agency)[:100]),
        "state": state,
        "agency": agency,
        "filters": [(code, Petition.State(code).label) for code in LIST_FILTERS],
        "moderates": bool(agencies_with_role(request.user, Role.MODERATOR)),
    }
    return render(request, "petitions/list.html", context)


@login_required
def petition_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    # "Start a petition" on an agency's page addresses the draft to it (?agency=).
    slug = request.GET.get("agency", "")
    addressed = Agency.objects.filter(slug=slug).first() if slug else None
    form = PetitionForm(request.POST or None, initial={"agency": addressed})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                petition = actions.do_create_petition(
                    author=user, ip=client_ip(request), **form.cleaned_data
                )
            except ContentRefused as refused:
                form.add_error(None, refused.message)
            except actions.PetitionError as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request, _("Your draft is saved. Check it, then invite supporters.")
                )
                return HttpResponseRedirect(petition.get_absolute_url())
        status = 400
    return render(request, "petitions/new.html", {"form": form}, status=status)


def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A petition's page, with the form for each step this person may take."""
    petition = queries.access_petition(request.user, pk)
    status = 200
    forms: dict[str, Any] = {}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            done, forms = _step(request, petition)
            if done:
                return HttpResponseRedirect(request.path)
            status = 400
        except actions.PetitionError as refused:
            messages.error(request, refused.message)
            status = 409
        petition.refresh_from_db()
    return render(
        request, "petitions/detail.html", _context(request, petition, forms), status=status
    )


def _context(request: HttpRequest, petition: Petition, forms: dict[str, Any]) -> dict[str, Any]:
    user = request.user
    is_author = user.is_authenticated and user.pk == petition.author_id
    is_moderator = queries.is_moderator_of(user, petition)
    is_office = queries.is_office_of(user, petition)
    full = is_author or is_moderator or is_office
    regions = queries.by_region(petition)
    context: dict[str, Any] = {
        "petition": petition,
        "is_author": is_author,
        "is_moderator": is_moderator,
        "is_office": is_office,
        "progress": queries.progress(petition),
        "regions": regions,
        "chart": queries.region_chart(regions),
        "events": queries.timeline(petition, full=full),
        "names": queries.recent_public_names(petition) if petition.is_listed else [],
        "pending": queries.pending_count(petition),
        "count_every": settings.PETITION_COUNT_POLL_SECONDS,
        "show_text": petition.text_visible or full,
        "supported": False,
        "signed": False,
    }
    if user.is_authenticated:
        assert isinstance(user, User)
        identity = actions.normalise_identity(user.email)
        context["supported"] = petition.supporters.filter(identity=identity).exists()
        context["signed"] = petition.signatures.filter(identity=identity).exists()
        context["sign"] = forms.get("sign") or SignForm(initial={"region": user.region_id})
    if is_author and petition.state == Petition.State.DRAFT:
        context["edit"] = forms.get("edit") or EditForm(
            initial={"title": petition.title, "text": petition.text}
        )
    if is_moderator:
        context["excess"] = petition.signatures.filter(state=Signature.State.EXCESS).count()
        context["decide"] = forms.get("decide") or DecideForm()
        context["invalidate"] = forms.get("invalidate") or InvalidateForm()
    if is_office:
        context["respond"] = forms.get("respond") or RespondForm()
    return context


def _step(request: HttpRequest, petition: Petition) -> tuple[bool, dict[str, Any]]:
    """Run the posted step: (done, the bound form when it is invalid)."""
    user = request.user
    assert isinstance(user, User)
    step = request.POST.get("step", "")
    if step == "collect":
        actions.do_start_collecting(petition, author=user)
        messages.success(request, _("Share the link: supporters can now join."))
        return True, {}
    if step == "edit":
        edit = EditForm(request.POST)
        if not edit.is_valid():
            return False, {"edit": edit}
        try:
            actions.do_edit_petition(
                petition, author=user, ip=client_ip(request), **edit.cleaned_data
            )
        except ContentRefused as refused:
            edit.add_error(None, refused.message)
            return False, {"edit": edit}
        messages.success(request, _("Your draft is saved. Check it, then invite supporters."))
        return True, {}
    if step == "support":
        if actions.do_support(petition, user=user):
            messages.success(request, _("You support this petition."))
        else:
            messages.info(request, _("You already support this petition."))
        return True, {}
    if step == "decide":
        decide = DecideForm(request.POST)
        if not decide.is_valid():
            return False, {"decide": decide}
        actions.do_decide_petition(
            petition,
            moderator=user,
            decision=PetitionDecision(decide.cleaned_data["decision"]),
            note=decide.cleaned_data["note"],
        )
        messages.success(request, _("Decision saved; the author is told."))
        return True, {}
    if step == "respond":
        respond = RespondForm(request.POST)
        if not respond.is_valid():
            return False, {"respond": respond}
        actions.do_respond(petition, actor=user, text=respond.cleaned_data["text"])
        messages.success(request, _("The response is published."))
        return True, {}
    if step == "invalidate":
        invalidate = InvalidateForm(request.POST)
        if not invalidate.is_valid():
            return False, {"invalidate": invalidate}
        criteria = dict(invalidate.cleaned_data)
        if criteria.pop("action") == "count":
            count = actions.do_count_excess_signatures(petition, moderator=user, **criteria)
            message = _("%(count)s held signatures now count; the count is exact again.")
        else:
            count = actions.do_invalidate_signatures(petition, moderator=user, **criteria)
            message = _("%(count)s signatures invalidated; the count is exact again.")
        messages.success(request, message % {"count": count})
        return True, {}
    raise actions.PetitionError(_("Unknown step."))


@require_POST
def petition_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign: the hot path under a viral spike. One INSERT; counted later by the tally."""
    detail = reverse("petitions:detail", args=[pk])
    if not request.user.is_authenticated:
        return redirect_to_login(detail)
    user = request.user
    assert isinstance(user, User)
    # A bare instance: do_sign's INSERT checks that the petition is listed and open,
    # and reads it (404 if missing or unlisted) only when it refuses the signature.
    petition = Petition(pk=pk)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a region from the list, or none."))
        return HttpResponseRedirect(detail, status=303)
    try:
        result = actions.do_sign(
            petition,
            user=user,
            region=form.cleaned_data["region"],
            public=form.cleaned_data["public"],
            ip=client_ip(request),
        )
    except actions.PetitionError as refused:
        messages.error(request, refused.message)
        return HttpResponseRedirect(detail, status=303)
    if not result.created:
        messages.info(request, _("You have already signed this petition."))
    elif result.counted:
        messages.success(request, _("Thank you: your signature is recorded."))
    else:
        messages.warning(
            request,
            _(
                "Your signature is recorded, but many signatures came from your network at "
                "once: a moderator will check it before it counts."
            ),
        )
    return HttpResponseRedirect(detail, status=303)


def petition_moderation(request: HttpRequest) -> HttpResponse:
    """Petitions waiting for this moderator's decision (moderators with MFA only)."""
    user = request.user
    if not agencies_with_role(user, Role.MODERATOR):
        raise AccessDenied
    if not can_act(user):
        raise MFARequired
    waiting = queries.awaiting_moderation(user)
    return render(request, "petitions/moderation.html", {"petitions": waiting})


def petition_json(request: HttpRequest, pk: int) -> JsonResponse:
    petition = queries.access_petition(request.user, pk)
    if not petition.is_listed:
        raise AccessDenied
    return JsonResponse(queries.open_data(petition), json_dumps_params={"ensure_ascii": False})


@cache_control(public=True, max_age=5)
def petition_count(request: HttpRequest, pk: int) -> JsonResponse:
    """The count as the page shows it, for the page to refresh itself (petitions.js).

    The same for everyone (read as an anonymous visitor: listed petitions only,
    and the session is never touched), so a proxy or CDN may serve it for the
    five seconds it allows: a viral petition's open pages poll it every
    ``PETITION_COUNT_POLL_SECONDS``.
    """
    petition = queries.access_petition(AnonymousUser(), pk)
    if not petition.is_listed:
        raise AccessDenied
    pending = queries.pending_count(petition)
    counted = render_to_string(
        "petitions/_counted.html", {"petition": petition, "pending": pending}
    ).strip()
    return JsonResponse(
        {
            "signature_count": petition.signature_count,
            "threshold": petition.threshold,
            "state": petition.state,
            "may_sign": petition.may_sign,
            "counted_at": petition.counted_at.isoformat() if petition.counted_at else None,
            "pending": pending,
            "counted_text": counted,
        },
        json_dumps_params={"ensure_ascii": False},
    )


def petition_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Signatures by region as CSV: region slug, name, count (no personal data)."""
    petition = queries.access_petition(request.user, pk)
    if not petition.is_listed:
        raise AccessDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="petition-{petition.pk}-regions.csv"'
    writer = csv.writer(response)
    writer.writerow(["region", "name", "signatures", "counted_at"])
    counted = petition.counted_at.isoformat() if petition.counted_at else ""
    for row in queries.by_region(petition):
        writer.writerow([row.slug, row.name, row.count, counted])
    return response


def list_json(request: HttpRequest) -> JsonResponse:
    state = request.GET.get("state", "")
    data = queries.list_data(state if state in LIST_FILTERS else "")
    return JsonResponse({"petitions": data}, json_dumps_params={"ensure_ascii": False})


def list_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="petitions.csv"'
    writer = csv.writer(response)
    columns = ["id", "number", "title", "state", "level", "agency", "threshold",
               "signature_count", "counted_at", "closes_at"]  # fmt: skip
    writer.writerow(columns)
    for row in queries.list_data():
        writer.writerow([row[column] for column in columns])
    return response
