"""Forum posts and thread titles in the moderation pipeline (docs/moderation.md)."""

from __future__ import annotations

from typing import Any

from moderation.models import State
from moderation.registry import ModeratedType, register


def _apply(obj: Any, state: State, hidden: bool) -> None:
    obj.is_visible = state == State.PUBLISHED and not hidden


def _post_verdict(post: Any, state: State) -> None:
    from forums.actions import on_post_verdict

    on_post_verdict(post, state)


def _thread_verdict(thread: Any, state: State) -> None:
    from forums.actions import on_thread_verdict

    on_thread_verdict(thread, state)


def register_forums() -> None:
    from forums.models import Post, Thread

    register(
        ModeratedType(
            kind="forum_post",
            model=Post,
            text_fields=("body",),
            author=lambda post: post.author,
            is_public=lambda post: True,
            url=lambda post: post.get_absolute_url(),
            apply=_apply,
            visibility_fields=("is_visible",),
            agency=lambda post: post.thread.category.agency,
            after_verdict=_post_verdict,
        )
    )
    register(
        ModeratedType(
            kind="forum_thread",
            model=Thread,
            text_fields=(),
            plain_fields=("title",),
            author=lambda thread: thread.author,
            is_public=lambda thread: True,
            url=lambda thread: thread.get_absolute_url(),
            apply=_apply,
            visibility_fields=("is_visible",),
            agency=lambda thread: thread.category.agency,
            after_verdict=_thread_verdict,
        )
    )
