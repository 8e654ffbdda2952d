"""Moderation pages: thin. Parse, check access, call an action, respond."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from moderation import actions, queries, registry
from moderation.forms import (
    AppealDecisionForm,
    AppealForm,
    BulkForm,
    DecideForm,
    RedactForm,
    ReportForm,
    SanctionForm,
)
from moderation.models import AuditEntry, ModerationItem, Reason, Sanction, State
from participation.access import AccessDenied, MFARequired, has_mfa, memberships
from participation.models import Role, User


def _moderator(request: HttpRequest) -> User:
    """The signed-in moderator (any scope) with MFA, or AccessDenied / MFARequired."""
    user = request.user
    if not user.is_authenticated or not any(m.role == Role.MODERATOR for m in memberships(user)):
        raise AccessDenied
    if not has_mfa(user):
        raise MFARequired
    assert isinstance(user, User)
    return user


def queue(request: HttpRequest) -> HttpResponse:
    moderator = _moderator(request)
    items = list(queries.queue_for(moderator)[:200])
    return render(
        request,
        "moderation/queue.html",
        {"items": items, "bulk": BulkForm(), "now": timezone.now()},
    )


@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    moderator = _moderator(request)
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose at least one item, a decision and a reason."))
        return HttpResponseRedirect(reverse("moderation:queue"))
    visible = set(queries.queue_for(moderator).values_list("pk", flat=True))
    chosen = [item for item in form.cleaned_data["items"] if item.pk in visible]
    done, conflicts = actions.do_bulk_decide(
        chosen,
        moderator=moderator,
        state=State(form.cleaned_data["state"]),
        reason=Reason(form.cleaned_data["reason"]),
    )
    messages.success(request, _("%(count)s items decided.") % {"count": len(done)})
    for item, message in conflicts:
        messages.warning(request, f"#{item.pk}: {message}")
    return HttpResponseRedirect(reverse("moderation:queue"))


def item(request: HttpRequest, pk: int) -> HttpResponse:
    """The item: what it says, what the rules found, its history; and the forms to act."""
    found = queries.access_item_by_id(request.user, pk)
    is_moderator = found.author_id != request.user.pk or any(
        m.role == Role.MODERATOR for m in memberships(request.user)
    )
    status = 200
    if request.method == "POST":
        response, status = _act(request, found)
        if response is not None:
            return response
        found.refresh_from_db()
    return render(
        request, "moderation/item.html", _item_context(request, found, is_moderator), status=status
    )


def _act(request: HttpRequest, found: ModerationItem) -> tuple[HttpResponse | None, int]:
    """Run the posted action; a redirect on success, else (None, status) to re-render."""
    user = request.user
    assert isinstance(user, User)
    action = request.POST.get("action", "")
    try:
        if action == "appeal":
            appeal_form = AppealForm(request.POST)
            if appeal_form.is_valid():
                actions.do_appeal_decision(
                    found, author=user, text=appeal_form.cleaned_data["text"]
                )
                messages.success(
                    request, _("Your appeal is sent. A different moderator will decide.")
                )
                return HttpResponseRedirect(request.path), 302
            return None, 400
        moderator = _moderator(request)
        if action == "claim":
            actions.do_claim(found, moderator=moderator)
        elif action == "decide":
            decide = DecideForm(request.POST)
            if not decide.is_valid():
                return None, 400
            actions.do_decide(
                found,
                moderator=moderator,
                state=State(decide.cleaned_data["state"]),
                reason=Reason(decide.cleaned_data["reason"]),
                version=decide.cleaned_data["version"],
            )
        elif action == "redact":
            redact = RedactForm(request.POST, item=found)
            if not redact.is_valid():
                return None, 400
            actions.do_decide(
                found,
                moderator=moderator,
                state=State.PUBLISHED,
                reason=Reason(redact.cleaned_data["reason"]),
                version=redact.cleaned_data["version"],
                texts=redact.texts(),
            )
        elif action == "sanction" and found.author is not None:
            sanction = SanctionForm(request.POST)
            if not sanction.is_valid():
                messages.error(
                    request, " ".join(str(e) for errors in sanction.errors.values() for e in errors)
                )
                return None, 400
            hours = sanction.cleaned_data.get("hours")
            actions.do_sanction(
                found.author,
                moderator=moderator,
                kind=Sanction.Kind(sanction.cleaned_data["kind"]),
                reason=Reason(sanction.cleaned_data["reason"]),
                ends_at=timezone.now() + timedelta(hours=hours) if hours else None,
                note=sanction.cleaned_data["note"],
                item=found,
            )
        elif action == "decide_appeal":
            outcome = AppealDecisionForm(request.POST)
            if not outcome.is_valid():
                return None, 400
            actions.do_decide_appeal(
                found.decision_appeal, moderator=moderator, outcome=outcome.cleaned_data["outcome"]
            )
        else:
            return None, 400
    except actions.Conflict as conflict:
        messages.error(request, conflict.message)
        return None, 409
    except actions.NotAllowed as refusal:
        messages.error(request, refusal.message)
        return None, 403
    messages.success(request, _("Done."))
    return HttpResponseRedirect(request.path), 302


def _item_context(
    request: HttpRequest, found: ModerationItem, is_moderator: bool
) -> dict[str, Any]:
    moderated = registry.for_kind(found.kind)
    obj = found.content
    context: dict[str, Any] = {
        "item": found,
        "content": obj,
        "is_moderator": is_moderator,
        "is_author": found.author_id == request.user.pk,
        "html": [getattr(obj, moderated.html_field(name), "") for name in moderated.text_fields],
        "plain": [getattr(obj, name, "") for name in moderated.plain_fields],
        "public_url": moderated.url(obj) if obj is not None else "",
        "appeal": getattr(found, "decision_appeal", None),
    }
    if is_moderator:
        context.update(
            decide=DecideForm(
                initial={"version": found.version, "state": found.state, "reason": found.reason}
            ),
            redact=RedactForm(item=found, initial={"version": found.version}),
            sanction=SanctionForm(),
            appeal_decision=AppealDecisionForm(),
            reports=found.reports.select_related("reporter").order_by("created_at"),
            history=AuditEntry.objects.filter(item=found).select_related("actor")[:50],
        )
    else:
        context["appeal_form"] = AppealForm()
    return context


@login_required
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ReportForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("home")
    if not form.is_valid():
        messages.error(request, _("Choose what is wrong with it."))
        return HttpResponseRedirect(back)
    try:
        moderated = registry.for_kind(form.cleaned_data["kind"])
    except KeyError as exc:
        raise AccessDenied from exc
    found = ModerationItem.objects.filter(
        content_type=ContentType.objects.get_for_model(moderated.model),
        object_id=form.cleaned_data["object_id"],
    ).first()
    if found is None:
        raise AccessDenied
    try:
        actions.do_report(
            found,
            reporter=user,
            reason=Reason(form.cleaned_data["reason"]),
            comment=form.cleaned_data["comment"],
        )
    except actions.NotAllowed as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Thank you. Moderators will look at it."))
    return HttpResponseRedirect(back)


def register(request: HttpRequest) -> HttpResponse:
    """The public moderation register."""
    stats = queries.register_stats()
    labels = dict(Reason.choices)
    states = dict(State.choices)
    rows = [
        {"state": states[row["state"]], "reason": labels[row["reason"]], "count": row["count"]}
        for row in stats["by_reason"]
    ]
    return render(request, "moderation/register.html", {"stats": stats, "rows": rows})


def reporters(request: HttpRequest) -> HttpResponse:
    _moderator(request)
    return render(request, "moderation/reporters.html", {"rows": actions.abusive_reporters()})
