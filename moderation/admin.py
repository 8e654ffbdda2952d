from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from moderation.actions import do_delete_watched_word, do_save_watched_word
from moderation.models import (
    AuditEntry,
    DecisionAppeal,
    ModerationItem,
    Report,
    Sanction,
    WatchedWord,
)
from participation.models import User


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Records written only by the moderation actions: the admin may look, not touch."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WatchedWord)
class WatchedWordAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["phrase", "language", "action", "whole_word", "created_at"]
    list_filter = ["language", "action"]
    search_fields = ["phrase"]

    def save_model(self, request: HttpRequest, obj: WatchedWord, form: Any, change: bool) -> None:
        assert isinstance(request.user, User)
        do_save_watched_word(obj, actor=request.user)

    def delete_model(self, request: HttpRequest, obj: WatchedWord) -> None:
        assert isinstance(request.user, User)
        do_delete_watched_word(obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        assert isinstance(request.user, User)
        for word in queryset:
            do_delete_watched_word(word, actor=request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "item", "subject", "reason"]
    list_filter = ["action", "reason"]
    date_hierarchy = "created_at"


@admin.register(ModerationItem)
class ModerationItemAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "state", "reason", "author", "submitted_at", "decided_by"]
    list_filter = ["kind", "state", "reason", "hidden_by_reports", "needs_review"]


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["item", "reporter", "reason", "weight", "created_at", "upheld"]
    list_filter = ["reason", "upheld", "by_staff"]


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "reason", "starts_at", "ends_at", "revoked_at", "issued_by"]
    list_filter = ["kind", "reason"]


@admin.register(DecisionAppeal)
class DecisionAppealAdmin(ReadOnlyAdmin):
    list_display = ["item", "author", "created_at", "decided_by", "outcome"]
    list_filter = ["outcome"]
