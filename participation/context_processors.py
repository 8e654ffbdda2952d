from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from moderation.forms import REPORT_REASONS
from participation.access import can_act, must_use_mfa, visible_notifications


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
    }
