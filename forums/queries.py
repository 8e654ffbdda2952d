"""Reads of the forums: bounded pages, whatever the size or the depth of a thread.

A thread page is one query for the thread (with its category, agency and the
pinned response) and one for the page of posts: the next ``PAGE_SIZE`` posts
after a cursor in path order, no deeper than ``MAX_DEPTH`` levels below the
post the page starts from, with their authors and official profiles joined.
Reply counts and reaction counts are columns, not counts, so nothing grows
with the thread. For a signed-in reader, their own reaction to each post and
whether they watch the thread come in those same two queries (a subquery and
an EXISTS), so a page costs them only what every page costs (the session,
the user, the notification badge, their roles).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from forums.models import (
    PATH_STEP,
    BillArticle,
    BillParagraph,
    Category,
    DraftLaw,
    Post,
    PostRevision,
    Reaction,
    Thread,
    Watch,
    path_successor,
)
from participation.access import AccessDenied, AnyUser, holds_role
from participation.models import Role

PAGE_SIZE = 50
MAX_DEPTH = 6  # levels shown below the post a page starts from; then "continue this thread"
THREADS_PER_PAGE = 30
_CURSOR = re.compile(rf"^(?:[0-9a-z]{{{PATH_STEP}}}){{1,200}}$")


class BadCursor(ValueError):
    """A page address that no page of ours produced."""


def parse_cursor(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not _CURSOR.match(value):
        raise BadCursor(value)
    return value


def may_moderate(user: AnyUser, thread: Thread) -> bool:
    return user.is_authenticated and holds_role(user, Role.MODERATOR, thread.category.agency)


def access_thread(user: AnyUser, thread_id: int) -> Thread:
    """A thread everyone may read, or its author's or a moderator's held thread; else 404."""
    threads = Thread.objects.all()
    if user.is_authenticated:  # whether the reader watches it, in the same query
        threads = threads.annotate(
            watched=Exists(
                Watch.objects.filter(thread=OuterRef("pk"), user_id=user.pk, muted=False)
            )
        )
    try:
        thread = threads.select_related(
            "category",
            "category__agency__parent",
            "draft_law",
            "pinned_post",
            "pinned_post__author",
            "pinned_post__official",
            "pinned_post__official__agency",
        ).get(pk=thread_id)
    except Thread.DoesNotExist as exc:
        raise AccessDenied from exc
    if thread.is_visible or (user.is_authenticated and thread.author_id == user.pk):
        return thread
    if may_moderate(user, thread):
        return thread
    raise AccessDenied


def access_post(user: AnyUser, post_id: int) -> Post:
    """A post whose thread the person may read (its text shows only when visible)."""
    try:
        post = Post.objects.select_related("author", "official").get(pk=post_id)
    except Post.DoesNotExist as exc:
        raise AccessDenied from exc
    post.thread = access_thread(user, post.thread_id)
    return post


def post_history(user: AnyUser, post_id: int) -> tuple[Post, QuerySet[PostRevision]]:
    """A post and its earlier texts, as this person may see them.

    A post that is not visible is the author's alone. Others see only the earlier
    texts that were published: a text moderation held (an IIN, say) and its
    author then edited never becomes public through the history; the author and
    the thread's moderators see every revision.
    """
    post = access_post(user, post_id)
    is_author = user.is_authenticated and post.author_id == user.pk
    if not post.is_visible and not is_author:
        raise AccessDenied
    revisions = post.revisions.all()
    if not is_author and not may_moderate(user, post.thread):
        revisions = revisions.filter(was_visible=True)
    return post, revisions


def post_in_thread(thread: Thread, post_id: int) -> Post:
    """A post of a thread already accessed (a branch's top); 404 for any other id."""
    try:
        return Post.objects.get(pk=post_id, thread=thread)
    except Post.DoesNotExist as exc:
        raise AccessDenied from exc


@dataclass(frozen=True)
class Cursors:
    """Where a page starts: ``after`` a path (exclusive), ``start`` at one (inclusive),
    or ending just ``before`` one. None of them: the first page."""

    after: str | None = None
    start: str | None = None
    before: str | None = None

    @property
    def is_first(self) -> bool:
        return self.after is None and self.start is None and self.before is None


@dataclass
class Page:
    posts: list[Post]
    base_depth: int
    next_cursor: str | None = None
    prev_cursor: str | None = None


def page_of_posts(
    thread: Thread,
    *,
    root: Post | None = None,
    paragraph: BillParagraph | None = None,
    cursors: Cursors | None = None,
    viewer: AnyUser | None = None,
) -> Page:
    """One page of the tree in path order, from ``cursors``. ``root``: only its subtree;
    ``paragraph``: only the comments anchored to it (and their replies)."""
    cursors = cursors or Cursors()
    after, start, before = cursors.after, cursors.start, cursors.before
    posts = Post.objects.filter(thread=thread)
    base_depth = 0
    if root is not None:
        posts = posts.filter(path__gte=root.path, path__lt=path_successor(root.path))
        base_depth = root.depth
    if paragraph is not None:
        posts = posts.filter(paragraph=paragraph)
        base_depth = 1
    posts = posts.filter(depth__lte=base_depth + MAX_DEPTH).select_related(
        "author", "official", "official__agency", "paragraph__article"
    )
    if viewer is not None and viewer.is_authenticated:  # the reader's reaction, same query
        mine = Reaction.objects.filter(post=OuterRef("pk"), user_id=viewer.pk).values("kind")
        posts = posts.annotate(my_reaction=Subquery(mine[:1]))
    if before is not None:
        rows = list(posts.filter(path__lt=before).order_by("-path")[: PAGE_SIZE + 1])
        more_before = len(rows) > PAGE_SIZE
        rows = rows[:PAGE_SIZE][::-1]
        page = Page(posts=rows, base_depth=base_depth)
        page.next_cursor = rows[-1].path if rows else None
        page.prev_cursor = rows[0].path if rows and more_before else None
        return page
    if after is not None:
        posts = posts.filter(path__gt=after)
    elif start is not None:
        posts = posts.filter(path__gte=start)
    rows = list(posts.order_by("path")[: PAGE_SIZE + 1])
    page = Page(posts=rows[:PAGE_SIZE], base_depth=base_depth)
    if len(rows) > PAGE_SIZE:
        page.next_cursor = page.posts[-1].path
    if (after is not None or start is not None) and page.posts:
        page.prev_cursor = page.posts[0].path
    return page


def is_watching(
    user: AnyUser, *, thread: Thread | None = None, category: Category | None = None
) -> bool:
    if not user.is_authenticated:
        return False
    if thread is not None:
        return Watch.objects.filter(user=user, thread=thread, muted=False).exists()
    return Watch.objects.filter(user=user, category=category).exists()


def categories() -> QuerySet[Category]:
    """Every category with its number of visible threads."""
    return Category.objects.select_related("agency").annotate(
        thread_total=Count("threads", filter=Q(threads__is_visible=True))
    )


def category_threads(category: Category, *, before: tuple[str, int] | None = None) -> list[Thread]:
    """Visible threads, pinned first, then the most recently active; a page of them."""
    threads = (
        Thread.objects.filter(category=category, is_visible=True)
        .select_related("author")
        .order_by("-is_pinned", "-last_post_at", "-id")
    )
    if before is not None:
        moment, thread_id = before
        threads = threads.filter(is_pinned=False).filter(
            Q(last_post_at__lt=moment) | Q(last_post_at=moment, id__lt=thread_id)
        )
    return list(threads[: THREADS_PER_PAGE + 1])


def draft_laws() -> QuerySet[DraftLaw]:
    return DraftLaw.objects.select_related("committee", "thread").order_by("-created_at")


def access_draft(slug: str) -> DraftLaw:
    """A published draft law, with its committee, thread and category; 404 otherwise."""
    try:
        return DraftLaw.objects.select_related("committee", "thread", "thread__category").get(
            slug=slug, thread__is_visible=True
        )
    except DraftLaw.DoesNotExist as exc:
        raise AccessDenied from exc


def draft_law(slug: str) -> tuple[DraftLaw, list[BillArticle]]:
    """A draft law with its articles and paragraphs (three queries whatever its length)."""
    draft = access_draft(slug)
    return draft, list(draft.articles.prefetch_related("paragraphs"))


def paragraph_of(draft: DraftLaw, paragraph_id: int) -> BillParagraph:
    try:
        return BillParagraph.objects.select_related("article").get(
            pk=paragraph_id, article__draft=draft
        )
    except BillParagraph.DoesNotExist as exc:
        raise AccessDenied from exc
