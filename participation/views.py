from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from moderation.pipeline import ContentRefused
from participation import notify, petition_queries, queries
from participation.access import visible_notifications
from participation.actions import (
    do_create_api_token,
    do_mark_notifications_read,
    do_revoke_api_token,
    do_set_notification_preferences,
    do_set_preferred_language,
    do_update_profile,
)
from participation.forms import ApiTokenForm, NotificationPreferencesForm, ProfileForm
from participation.http import client_ip
from participation.models import Agency, Heartbeat, Official, User
from reception import stats


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "agency_count": Agency.objects.count(),
        "official_count": Official.objects.count(),
        "officials": Official.objects.select_related("agency").order_by("-is_head", "name_en")[:6],
        "top_agencies": Agency.objects.filter(parent__isnull=True).order_by("name_en"),
    }
    return render(request, "participation/home.html", context)


def agency_directory(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    kind = request.GET.get("kind", "")
    if kind not in Agency.Kind.values:
        kind = ""
    context: dict[str, object] = {"query": query, "kind": kind, "kinds": Agency.Kind.choices}
    if query or kind:
        context["results"] = queries.search_agencies(query, kind)
    else:
        context["tree"] = queries.agency_tree()
    return render(request, "participation/agency_directory.html", context)


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        agency = queries.agency_page(slug)
    except Agency.DoesNotExist as exc:
        raise Http404 from exc
    context = {
        "agency": agency,
        "breadcrumbs": queries.breadcrumbs(agency),
        "record": stats.record(agency=agency),
        "petitions": petition_queries.with_bars(petition_queries.listed(agency=agency)[:5]),
    }
    return render(request, "participation/agency_detail.html", context)


def official_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        official = Official.objects.select_related("agency", "agency__parent").get(slug=slug)
    except Official.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "participation/official_detail.html", {"official": official})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        changes = {field: form.cleaned_data[field] for field in form.changed_data}
        try:
            saved = do_update_profile(user, changes=changes, ip=client_ip(request))
        except ContentRefused as refused:
            form.add_error(None, refused.message)
        else:
            if saved.profile_state == "published":
                messages.success(request, _("Your profile is saved."))
            else:
                messages.info(
                    request,
                    _("Your profile is saved. Your public name and text wait for a moderator."),
                )
            return HttpResponseRedirect(translate_url(request.path, saved.preferred_language))
    return render(request, "participation/profile.html", _profile_context(user, form))


def _profile_context(user: User, form: ProfileForm, **extra: object) -> dict[str, object]:
    return {
        "form": form,
        "token_form": extra.pop("token_form", None) or ApiTokenForm(),
        "api_tokens": user.api_tokens.all(),
        **extra,
    }


@login_required
@require_POST
def create_api_token(request: HttpRequest) -> HttpResponse:
    """Make a personal API token and show it once, on the profile page (no redirect:
    the token must not travel through the session or a URL)."""
    user = request.user
    assert isinstance(user, User)
    token_form = ApiTokenForm(request.POST)
    profile_form = ProfileForm(instance=User.objects.get(pk=user.pk))
    if not token_form.is_valid():
        context = _profile_context(user, profile_form, token_form=token_form)
        return render(request, "participation/profile.html", context, status=400)
    try:
        token, raw = do_create_api_token(user, name=token_form.cleaned_data["name"])
    except ValueError:
        token_form.add_error(None, _("You have too many active tokens: revoke one first."))
        context = _profile_context(user, profile_form, token_form=token_form)
        return render(request, "participation/profile.html", context, status=400)
    context = _profile_context(user, profile_form, new_token=raw, new_token_name=token.name)
    response = render(request, "participation/profile.html", context, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke_api_token(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    token = do_revoke_api_token(user, token_id=pk)  # another's token: AccessDenied, a 404
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return HttpResponseRedirect(reverse("profile") + "#api-tokens")


def person(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's public profile: only what moderation has published."""
    try:
        shown = User.objects.get(pk=pk, is_active=True)
    except User.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "participation/person.html", {"person": shown})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    if request.method == "POST":
        do_mark_notifications_read(user)
        return HttpResponseRedirect(request.path)
    # What the person turned off in the page stays a record (and may be e-mailed), unlisted.
    shown = visible_notifications(user).filter(in_page=True)
    page = Paginator(shown, 30).get_page(request.GET.get("page"))
    language = translation.get_language()
    items = [(n, notify.render(n, language), notify.details(n, language)) for n in page.object_list]
    return render(request, "participation/notifications.html", {"page": page, "items": items})


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Where each kind of notification reaches the person: e-mail, the page, both, neither."""
    user = request.user
    assert isinstance(user, User)
    kinds = notify.kinds_for(user)
    current = {
        kind: both
        for (_user, kind), both in notify.choices((user.pk, kind) for kind in kinds).items()
    }
    form = NotificationPreferencesForm(request.POST or None, kinds=kinds, current=current)
    if request.method == "POST" and form.is_valid():
        do_set_notification_preferences(user, chosen=form.chosen())
        messages.success(request, _("Your notification settings are saved."))
        return HttpResponseRedirect(request.path)
    return render(request, "participation/notification_settings.html", {"form": form})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the site's language, and remember it as the person's preference.

    Works without JavaScript: the switcher is a plain form.
    """
    language = request.POST.get("language", "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = translation.get_language()
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, request.is_secure()
    ):
        # translate_url resolves the path in the active language: use the page's own.
        with translation.override(translation.get_language_from_path(next_url) or language):
            target = translate_url(next_url, language)
    else:
        with translation.override(language):
            target = reverse("home")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    if request.user.is_authenticated:
        assert isinstance(request.user, User)
        do_set_preferred_language(request.user, language=language)
    return response


def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: the database answers; the worker beats."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(name="worker").first()
    age = (timezone.now() - beat.beat_at).total_seconds() if beat else None
    return JsonResponse(
        {
            "database": "ok",
            "worker_last_beat": beat.beat_at.isoformat() if beat else None,
            "worker_ok": age is not None and age < 180,
        }
    )
