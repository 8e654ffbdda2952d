from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from participation.actions import do_grant_role, do_revoke_role
from participation.models import (
    Agency,
    Heartbeat,
    Membership,
    Notification,
    Official,
    Region,
    Role,
    Topic,
    User,
)


class MembershipInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "agency"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):  # type: ignore[type-arg]
    ordering = ["email"]
    list_display = [
        "email",
        "display_name",
        "region",
        "preferred_language",
        "is_staff",
        "date_joined",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language", "region"]
    search_fields = ["email", "display_name", "real_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {"fields": ("display_name", "real_name", "region", "preferred_language", "iin")},
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_en", "name_kk", "name_ru", "slug"]
    search_fields = ["name_kk", "name_ru", "name_en"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["slug", "name_kk", "name_ru", "name_en"]
    search_fields = ["slug", "name_kk", "name_ru", "name_en"]


class OfficialInline(admin.StackedInline):  # type: ignore[type-arg]
    model = Official
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_en", "kind", "parent", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name_kk", "name_ru", "name_en", "slug"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["topics"]
    prepopulated_fields = {"slug": ["name_en"]}
    inlines = [OfficialInline]


@admin.register(Official)
class OfficialAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name_en", "position_en", "agency", "is_head"]
    list_filter = ["is_head", "agency__kind"]
    search_fields = ["name_kk", "name_ru", "name_en", "user__email"]
    autocomplete_fields = ["user", "agency"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "role", "agency", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "agency__name_en"]
    autocomplete_fields = ["user", "agency"]

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        """New memberships go through the action, which tells the person."""
        if change:
            super().save_model(request, obj, form, change)
            return
        saved = do_grant_role(obj.user, role=Role(obj.role), agency=obj.agency)
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        do_revoke_role(obj)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["user", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    readonly_fields = ["user", "kind", "params", "url", "created_at", "read_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "beat_at", "count"]
    readonly_fields = ["name", "beat_at", "count"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# Imported here, not in the block above, so that this registration stays one
# self-contained addition to the file.
from participation.models import WorkdayOverride  # noqa: E402


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["date", "is_working_day", "reason_en"]
    list_filter = ["is_working_day"]
    ordering = ["-date"]
    date_hierarchy = "date"
    search_fields = ["reason_kk", "reason_ru", "reason_en"]
    readonly_fields = ["created_at"]


# Petitions are changed only through their actions (the pages); the admin reads.
from participation.petition_models import Petition  # noqa: E402


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "title", "agency", "level", "state", "signature_count", "counted_at"]
    list_filter = ["state", "level"]
    search_fields = ["title"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
