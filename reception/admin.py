from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from reception.models import Appeal, AppealEvent, Clock


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    """Appeals change only through their actions (reception/actions.py), never by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClockInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Clock
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "kind", "agency", "state", "warn_at", "due_at", "escalate_at", "stopped_at",
    )  # fmt: skip

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = AppealEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created_at", "action", "actor", "agency", "note", "is_public")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Appeal)
class AppealAdmin(ReadOnly):
    list_display = [
        "tracking_number",
        "kind",
        "agency",
        "state",
        "is_public",
        "is_visible",
        "submitted_at",
    ]
    list_filter = ["state", "kind", "is_public", "is_visible"]
    search_fields = ["tracking_number", "subject"]
    inlines = [ClockInline, EventInline]
