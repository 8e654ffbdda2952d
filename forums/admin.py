from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from forums.actions import ForumError, do_publish_draft_law
from forums.models import BillArticle, Category, DraftLaw, Post, Thread, ThreadEvent


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["slug", "name_kk", "name_ru", "name_en", "kind", "agency", "position"]
    list_filter = ["kind"]
    search_fields = ["slug", "name_kk", "name_ru", "name_en"]
    autocomplete_fields = ["agency"]
    prepopulated_fields = {"slug": ("name_en",)}


class ThreadEventInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ThreadEvent
    extra = 0
    can_delete = False
    readonly_fields = ["action", "actor", "post", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: threads change through the forum pages and the moderation queue."""

    list_display = ["title", "category", "is_visible", "is_pinned", "is_locked", "is_archived"]
    list_filter = ["category", "is_visible", "is_locked", "is_archived"]
    search_fields = ["title"]
    inlines = [ThreadEventInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: posts change through their author and the moderation queue."""

    list_display = ["pk", "thread", "author", "depth", "is_visible", "created_at"]
    list_filter = ["is_visible"]
    list_select_related = ["thread", "author"]
    raw_id_fields = ["thread", "parent", "author", "official", "paragraph"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DraftLawForm(forms.ModelForm):  # type: ignore[type-arg]
    text = forms.CharField(
        label=_("Text of the bill"),
        widget=forms.Textarea(attrs={"rows": 20}),
        help_text=_(
            "One article per heading line (“Article 1. …”, “Статья 1. …” or “1-бап. …”); "
            "numbered lines (“1. …”) or blank lines start paragraphs."
        ),
    )
    category = forms.ModelChoiceField(
        label=_("forum category"), queryset=Category.objects.filter(kind=Category.Kind.DRAFT_LAW)
    )

    class Meta:
        model = DraftLaw
        fields = [
            "slug",
            "name_kk",
            "name_ru",
            "name_en",
            "summary_kk",
            "summary_ru",
            "summary_en",
            "committee",
            "comments_until",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        from forums.actions import split_bill

        try:
            split_bill(cleaned.get("text", ""))
        except ForumError as refused:
            self.add_error("text", refused.message)
        return cleaned


class BillArticleInline(admin.TabularInline):  # type: ignore[type-arg]
    model = BillArticle
    extra = 0
    fields = ["number", "heading", "position"]
    readonly_fields = ["number", "heading", "position"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DraftLaw)
class DraftLawAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Adding a draft law splits its text (``do_publish_draft_law``); afterwards only its
    names, summaries and comment deadline change here."""

    list_display = ["slug", "name_kk", "committee", "comments_until", "created_at"]
    autocomplete_fields = ["committee"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = DraftLawForm
        else:
            kwargs["exclude"] = ["thread"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        return [BillArticleInline] if obj is not None else []  # the text makes them on add

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug", "committee"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: DraftLaw, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = do_publish_draft_law(
            slug=data["slug"],
            names={code: data[f"name_{code}"] for code in ("kk", "ru", "en")},
            summaries={code: data[f"summary_{code}"] for code in ("kk", "ru", "en")},
            text=data["text"],
            committee=data["committee"],
            category=data["category"],
            comments_until=data.get("comments_until"),
        )
        obj.pk = created.pk
        obj.thread = created.thread

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
