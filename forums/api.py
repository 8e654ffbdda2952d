"""Forums in the JSON API: categories, published threads and their posts in tree
order, and replying.

Only what the pages show everyone leaves here: visible threads and visible
posts, under the author's public name, with the official's badge. Held or
hidden texts, edit histories and who reacted never do.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from forums import actions
from forums.models import Category, Post, Thread
from moderation.pipeline import ContentRefused
from participation.apikit import (
    ERRORS,
    READ_LIMIT,
    WRITE_AUTH,
    WRITE_ERRORS,
    WRITE_LIMIT,
    ApiError,
    Page,
    PageParams,
    Text,
    acting_user,
    paginate,
)
from participation.http import client_ip

router = Router(tags=["forums"])


class CategoryKind(StrEnum):
    TOPIC = "topic"
    AGENCY = "agency"
    DRAFT_LAW = "draft_law"


class CategoryOut(Schema):
    slug: str
    kind: CategoryKind
    name: str = Field(description="In the language the request asks for (Accept-Language).")
    description: str
    agency: str | None = Field(description="Slug of the agency whose forum it is.")
    url: str

    @staticmethod
    def resolve_agency(category: Category) -> str | None:
        return category.agency.slug if category.agency else None

    @staticmethod
    def resolve_url(category: Category) -> str:
        return category.get_absolute_url()


class ThreadOut(Schema):
    id: int
    category: str = Field(description="Slug of its category.")
    title: str
    language: str
    is_pinned: bool
    is_locked: bool
    is_archived: bool
    reply_count: int
    pinned_response: int | None = Field(description="Id of the pinned official response.")
    created_at: datetime
    last_post_at: datetime
    url: str

    @staticmethod
    def resolve_category(thread: Thread) -> str:
        return thread.category.slug

    @staticmethod
    def resolve_pinned_response(thread: Thread) -> int | None:
        return thread.pinned_post_id

    @staticmethod
    def resolve_url(thread: Thread) -> str:
        return thread.get_absolute_url()


class PostOut(Schema):
    id: int
    parent: int | None
    depth: int
    author: str | None = Field(description="The author's public name.")
    official: str | None = Field(description="Slug of the official who wrote it (the badge).")
    is_committee_answer: bool
    body_html: str = Field(description="The post as published: sanitised HTML.")
    agree_count: int
    disagree_count: int
    created_at: datetime
    edited_at: datetime | None

    @staticmethod
    def resolve_parent(post: Post) -> int | None:
        return post.parent_id

    @staticmethod
    def resolve_author(post: Post) -> str | None:
        return post.author.public_name if post.author else None

    @staticmethod
    def resolve_official(post: Post) -> str | None:
        return post.official.slug if post.official else None


class ThreadFilters(PageParams):
    category: str | None = Field(None, description="Slug of a category.")


def _threads() -> Any:
    return Thread.objects.filter(is_visible=True).select_related("category")


@router.get("/forum/categories", response={200: list[CategoryOut], **ERRORS})
def list_categories(request: HttpRequest) -> Any:
    """Every forum category: by topic, by agency and for draft laws."""
    return list(Category.objects.select_related("agency"))


@router.get("/forum/threads", response={200: Page[ThreadOut], **ERRORS})
def list_threads(request: HttpRequest, filters: Query[ThreadFilters]) -> Any:
    """Published threads, most recently active first."""
    threads = _threads()
    if filters.category:
        threads = threads.filter(category__slug=filters.category)
    items, next_cursor = paginate(
        threads, cursor=filters.cursor, limit=filters.limit, order=["-last_post_at", "-id"]
    )
    return {"items": items, "next_cursor": next_cursor}


@router.get("/forum/threads/{thread_id}", response={200: ThreadOut, **ERRORS})
def get_thread(request: HttpRequest, thread_id: int) -> Any:
    return get_object_or_404(_threads(), pk=thread_id)


@router.get("/forum/threads/{thread_id}/posts", response={200: Page[PostOut], **ERRORS})
def list_posts(request: HttpRequest, thread_id: int, page: Query[PageParams]) -> Any:
    """The thread's published posts in tree order (a reply follows its parent), the
    opening post first. ``parent`` and ``depth`` rebuild the tree."""
    thread = get_object_or_404(_threads(), pk=thread_id)
    posts = Post.objects.filter(thread=thread, is_visible=True).select_related("author", "official")
    items, next_cursor = paginate(posts, cursor=page.cursor, limit=page.limit, order=["path", "id"])
    return {"items": items, "next_cursor": next_cursor}


class ReplyIn(Schema):
    body: Text = Field(min_length=1, max_length=50_000, description="Markdown.")
    parent: int | None = Field(None, description="The post answered; default: the opening post.")


class ReplyOut(Schema):
    id: int
    is_visible: bool = Field(description="False: it waits for a moderator.")
    url: str


@router.post(
    "/forum/threads/{thread_id}/posts",
    response={201: ReplyOut, **WRITE_ERRORS},
    auth=WRITE_AUTH,
    throttle=[READ_LIMIT, WRITE_LIMIT],
)
def reply(request: HttpRequest, thread_id: int, payload: ReplyIn) -> Any:
    """Reply in a thread, to any of its published posts. The reply passes moderation."""
    thread = get_object_or_404(_threads(), pk=thread_id)
    posts = Post.objects.filter(thread=thread, is_visible=True)
    parent = (
        posts.filter(pk=payload.parent).first()
        if payload.parent is not None
        else posts.filter(parent__isnull=True).first()
    )
    if parent is None:
        raise ApiError(422, "unknown_parent", _("There is no such post in this thread."))
    try:
        post = actions.do_reply(
            parent=parent, author=acting_user(request), body=payload.body, ip=client_ip(request)
        )
    except (actions.ForumError, ContentRefused) as refused:
        raise ApiError(409, "refused", str(refused.message)) from refused
    return Status(
        201, {"id": post.pk, "is_visible": post.is_visible, "url": post.get_absolute_url()}
    )
