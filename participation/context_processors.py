from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from moderation.forms import REPORT_REASONS
from participation.access import can_act, memberships, must_use_mfa, visible_notifications
from participation.models import Role


def site(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    unread = 0
    if user.is_authenticated:
        unread = visible_notifications(user).filter(read_at__isnull=True).count()
    return {
        "SITE_NAME": settings.SITE_NAME,
        "unread_notifications": unread,
        "needs_mfa_enrolment": must_use_mfa(user) and not can_act(user),
        "report_reasons": REPORT_REASONS,
        "work_places": work_places(user),
    }


def work_places(user: Any) -> list[dict[str, str]]:
    """Links to the places a role holder works: the office inbox, the operator desk, the queue."""
    roles = {m.role for m in memberships(user)}
    places = []
    if roles & {Role.OFFICIAL, Role.DELEGATE}:
        places.append({"url": reverse("office"), "label": str(_("Office inbox"))})
    if Role.OPERATOR in roles:
        places.append({"url": reverse("operator"), "label": str(_("Service centre"))})
    if Role.MODERATOR in roles:
        places.append({"url": reverse("moderation:queue"), "label": str(_("Moderation"))})
    return places
