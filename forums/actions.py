"""Every write to the forums is an action here (SPEC §4).

Each action is atomic, takes keyword-only arguments, checks who may act
(``participation.access``), passes user text through the moderation pipeline,
and writes what the timeline needs. Refusals are ``ForumError`` with a
message for the person, never a silent no-op.

Concurrency, stated once:

1. A new post first locks its thread row (``SELECT … FOR UPDATE``), then
   takes the time and inserts. Posts of one thread are therefore written one
   after another: ids, creation times and paths grow in commit order, so a
   reader paging by path never misses a post committed behind its cursor,
   and the lock also settles "is the thread locked?" against a moderator
   locking it at the same moment.
2. The path is the parent's path plus the new post's own id, written in the
   same transaction right after the INSERT: no sibling counter, nothing to
   race for; the unique (thread, path) constraint states it.
3. Watchers hear of a post once: the first publication sets
   ``Post.published_at`` with a conditional UPDATE, and only the transaction
   whose UPDATE matched a row notifies (later edits and re-publications by a
   moderator find it set).
4. One reaction per person per post: a unique constraint; a lost race is
   answered as if the other request had come first.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from forums import search
from forums.consumers import thread_group
from forums.models import (
    PATH_MAX_LEVELS,
    BillArticle,
    BillParagraph,
    Category,
    DraftLaw,
    Post,
    PostRevision,
    Reaction,
    Thread,
    ThreadEvent,
    Watch,
    path_segment,
)
from moderation.models import State
from moderation.pipeline import moderate
from participation import realtime
from participation.access import AccessDenied, check_role, has_mfa, holds_role, memberships
from participation.actions import do_notify_many
from participation.models import Agency, Official, Role, User

_KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")
_LATIN = re.compile(r"[A-Za-z]")


class ForumError(Exception):
    """The step is not possible now; ``message`` says why, in the active language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _check_text(*texts: str) -> None:
    """The forms already refuse a NUL character; callers that skip them get the same answer
    (PostgreSQL cannot store one)."""
    if any("\x00" in text for text in texts):
        raise ForumError(_("The text contains a null character (U+0000), which is not allowed."))


def detect_language(text: str, fallback: str = "kk") -> str:
    """kk when Kazakh letters appear, ru for other Cyrillic, en for Latin; else ``fallback``.

    It picks the search configuration (Russian or English stemming, simple for Kazakh).
    """
    if any(char in _KAZAKH_LETTERS for char in text):
        return "kk"
    cyrillic, latin = len(_CYRILLIC.findall(text)), len(_LATIN.findall(text))
    if cyrillic or latin:
        return "ru" if cyrillic >= latin else "en"
    return fallback if fallback in {"kk", "ru", "en"} else "kk"


def official_capacity(user: User) -> Official | None:
    """The official profile someone writes under (the badge), if they hold the role with MFA."""
    official: Official | None = getattr(user, "official", None)
    if official is None:
        return None
    if holds_role(user, Role.OFFICIAL, official.agency) and has_mfa(user):
        return official
    return None


def may_manage(user: Any, thread: Thread) -> bool:
    """Moderators covering the category's agency, and that agency's officials, manage threads."""
    if not user.is_authenticated:
        return False
    if not {m.role for m in memberships(user)} & {Role.MODERATOR, Role.OFFICIAL}:
        return False  # most readers: no need to walk the agency tree
    agency = thread.category.agency
    if holds_role(user, Role.MODERATOR, agency):
        return True
    return agency is not None and holds_role(user, Role.OFFICIAL, agency)


def check_manager(user: Any, thread: Thread) -> None:
    agency = thread.category.agency
    for role in (Role.MODERATOR, Role.OFFICIAL):
        if (role == Role.MODERATOR or agency is not None) and holds_role(user, role, agency):
            check_role(user, role, agency)  # the MFA check
            return
    raise AccessDenied


def is_committee_member(user: Any, draft: DraftLaw) -> bool:
    return bool(user.is_authenticated and holds_role(user, Role.OFFICIAL, draft.committee))


# --- Threads and posts ------------------------------------------------------------------


@transaction.atomic
def do_start_thread(
    *,
    category: Category,
    author: User,
    title: str,
    body: str,
    ip: str | None = None,
    fallback_language: str = "kk",
) -> Thread:
    """Open a thread: its title and opening post both pass moderation; the author watches it."""
    title = title.strip()
    if not title:
        raise ForumError(_("A thread needs a title."))
    if not body.strip():
        raise ForumError(_("Write something to start the discussion."))
    _check_text(title, body)
    thread = Thread(
        category=category,
        title=title,
        author=author,
        language=detect_language(title + " " + body, fallback_language),
    )
    moderate(thread, ip=ip)
    _insert_post(thread=thread, parent=None, author=author, body=body, ip=ip)
    Watch.objects.get_or_create(user=author, thread=thread)
    return thread


@transaction.atomic
def do_reply(
    *,
    parent: Post,
    author: User,
    body: str,
    ip: str | None = None,
    fallback_language: str = "kk",
) -> Post:
    """Reply to any post. Locks the thread row first (see the module docstring)."""
    thread = Thread.objects.select_for_update().select_related("category").get(pk=parent.thread_id)
    if thread.is_archived:
        raise ForumError(_("This thread is archived: it can be read but no longer answered."))
    if thread.is_locked:
        raise ForumError(_("This thread is locked: no new replies."))
    if not body.strip():
        raise ForumError(_("The reply is empty."))
    _check_text(body)
    if parent.depth + 1 >= PATH_MAX_LEVELS:
        raise ForumError(_("This branch is too deep: reply to an earlier post instead."))
    committee_answer = False
    if parent.paragraph_id is not None:
        draft = DraftLaw.objects.select_related("committee").get(thread=thread)
        committee_answer = (
            is_committee_member(author, draft) and official_capacity(author) is not None
        )
    return _insert_post(
        thread=thread,
        parent=parent,
        author=author,
        body=body,
        ip=ip,
        paragraph_id=parent.paragraph_id,
        committee_answer=committee_answer,
        fallback_language=fallback_language,
    )


def _insert_post(
    *,
    thread: Thread,
    parent: Post | None,
    author: User | None,
    body: str,
    ip: str | None,
    paragraph_id: int | None = None,
    committee_answer: bool = False,
    fallback_language: str = "kk",
) -> Post:
    """INSERT through the pipeline, then the path from the new id (caller holds the thread)."""
    post = Post(
        thread=thread,
        parent=parent,
        author=author,
        official=official_capacity(author) if author is not None else None,
        is_committee_answer=committee_answer,
        paragraph_id=paragraph_id,
        body=body,
        language=detect_language(body, fallback_language),
        depth=parent.depth + 1 if parent is not None else 0,
        created_at=timezone.now(),
        # Unique until the UPDATE below replaces it: the thread lock keeps others out.
        path="",
    )
    moderate(post, ip=ip)
    post.path = (parent.path if parent is not None else "") + path_segment(post.pk)
    Post.objects.filter(pk=post.pk).update(path=post.path)
    if parent is not None:
        Post.objects.filter(pk=parent.pk).update(child_count=F("child_count") + 1)
    return post


def on_post_verdict(post: Post, state: State) -> None:
    """After every verdict on a post: the search index, and the first publication's effects.

    Runs inside the verdict's transaction, from the pipeline (new posts and
    edits) and from moderators' decisions alike.
    """
    search.sync_post(post)
    if state != State.PUBLISHED:
        return
    now = timezone.now()
    first = Post.objects.filter(pk=post.pk, published_at__isnull=True).update(published_at=now)
    if not first:
        return  # already published once: watchers have heard of it
    post.published_at = now
    if post.parent_id is not None:
        Thread.objects.filter(pk=post.thread_id).update(
            reply_count=F("reply_count") + 1, last_post_at=now
        )
    if post.paragraph_id is not None:
        BillParagraph.objects.filter(pk=post.paragraph_id).update(
            comment_count=F("comment_count") + 1
        )
    _notify_watchers(post)
    # Open pages of the thread offer to show it; no text, only where it is.
    realtime.send_on_commit(
        thread_group(post.thread_id),
        "forum.post",
        {"id": post.pk, "url": f"/forums/posts/{post.pk}/"},
    )


def _notify_watchers(post: Post) -> None:
    """One notification per person for a newly published post, never to its author.

    The parent's author hears "a reply to you" (or "the committee answered
    you"); watchers of the thread or its category hear "a new reply"; someone
    who is several of these hears once. While the thread's title waits for a
    moderator, only the parent's author hears (the title is not public yet);
    the opening post is announced by ``_announce_thread`` instead.
    """
    thread = Thread.objects.only("title", "category_id", "is_visible").get(pk=post.thread_id)
    if post.parent_id is None:
        _announce_thread(thread)
        return
    params = {"author": _public_names(post.author), "thread": thread.title}
    url = f"/forums/posts/{post.pk}/"
    notes: dict[int, str] = {}
    parent_author = Post.objects.filter(pk=post.parent_id).values_list("author_id", flat=True)
    parent_author_id = parent_author.first()
    if parent_author_id is not None:
        notes[parent_author_id] = (
            "forum_committee_answer" if post.is_committee_answer else "forum_reply_to_you"
        )
    if thread.is_visible:
        for user_id in _watchers(thread):
            notes.setdefault(user_id, "forum_reply")
    notes.pop(post.author_id, None)  # type: ignore[arg-type]
    do_notify_many([(user_id, kind, params, url) for user_id, kind in sorted(notes.items())])


def _watchers(thread: Thread) -> set[int]:
    """Who watches the thread or its category, less those who muted the thread."""
    watches = list(
        Watch.objects.filter(
            Q(thread_id=thread.pk) | Q(category_id=thread.category_id)
        ).values_list("user_id", "muted")
    )
    muted = {user_id for user_id, is_muted in watches if is_muted}
    return {user_id for user_id, _is_muted in watches if user_id not in muted}


def _announce_thread(thread: Thread) -> None:
    """Tell the category's watchers of a new thread, once: when both its title and its
    opening post are published, whichever a moderator publishes last
    (a conditional UPDATE on ``announced_at``)."""
    root = Post.objects.filter(thread_id=thread.pk, parent__isnull=True).select_related("author")
    opening = root.first()
    if opening is None or opening.published_at is None:
        return
    first = Thread.objects.filter(pk=thread.pk, is_visible=True, announced_at__isnull=True).update(
        announced_at=timezone.now()
    )
    if not first:
        return
    params = {"author": _public_names(opening.author), "thread": thread.title}
    url = f"/forums/posts/{opening.pk}/"
    people = _watchers(thread) - {opening.author_id}
    do_notify_many([(user_id, "forum_thread_new", params, url) for user_id in sorted(people)])


def on_thread_verdict(thread: Thread, state: State) -> None:
    """After every verdict on a thread's title: the search index, and the announcement."""
    search.sync_thread(thread)
    if state == State.PUBLISHED and thread.is_visible:
        _announce_thread(thread)


def _public_names(author: User | None) -> dict[str, str]:
    """The author's public name for a notification, read in each language (the fallback
    "Citizen" is translated)."""
    names = {}
    for code in ("kk", "ru", "en"):
        with translation.override(code):
            names[code] = author.public_name if author is not None else str(_("Citizen"))
    return names


@transaction.atomic
def do_edit_post(post: Post, *, editor: User, body: str, ip: str | None = None) -> Post:
    """The author edits their post; the text before is kept (``PostRevision``) and the
    new text passes moderation again."""
    if post.author_id != editor.pk:
        raise AccessDenied
    thread = Thread.objects.select_for_update().get(pk=post.thread_id)
    if not thread.accepts_posts:
        raise ForumError(_("This thread is closed: its posts can no longer be edited."))
    if not body.strip():
        raise ForumError(_("The text is empty."))
    _check_text(body)
    if body.replace("\r\n", "\n") == post.body:
        raise ForumError(_("Nothing has changed."))
    now = timezone.now()
    PostRevision.objects.create(
        post=post,
        body=post.body,
        body_html=post.body_html,
        was_visible=post.is_visible,  # a held or rejected text never becomes public here
        written_at=post.edited_at or post.created_at,
        replaced_at=now,
    )
    post.body = body
    post.edited_at = now
    post.language = detect_language(body, post.language)
    Post.objects.filter(pk=post.pk).update(edited_at=now, language=post.language)
    moderate(post, ip=ip, is_edit=True)
    search.sync_post(post)
    return post


@transaction.atomic
def do_react(post: Post, *, user: User, kind: Reaction.Kind) -> Reaction | None:
    """Agree or disagree with a post; the same reaction again takes it back.

    Returns the person's reaction now (None once taken back).
    """
    if post.author_id == user.pk:
        raise ForumError(_("You cannot react to your own post."))
    if Thread.objects.filter(pk=post.thread_id, is_archived=True).exists():
        raise ForumError(_("This thread is archived: it can be read but no longer answered."))
    existing = Reaction.objects.select_for_update().filter(post=post, user=user).first()
    if existing is not None:
        _count(post, existing.kind, -1)
        if existing.kind == kind:
            existing.delete()
            return None
        Reaction.objects.filter(pk=existing.pk).update(kind=kind)
        existing.kind = kind
        _count(post, kind, +1)
        return existing
    try:
        with transaction.atomic():
            reaction = Reaction.objects.create(post=post, user=user, kind=kind)
    except IntegrityError:
        # A second request of the same person won the race: theirs counts.
        return Reaction.objects.filter(post=post, user=user).first()
    _count(post, kind, +1)
    return reaction


def _count(post: Post, kind: str, step: int) -> None:
    field = f"{kind}_count"
    Post.objects.filter(pk=post.pk).update(**{field: F(field) + step})


# --- Watching -----------------------------------------------------------------------------


@transaction.atomic
def do_watch(
    *,
    user: User,
    watching: bool,
    thread: Thread | None = None,
    category: Category | None = None,
) -> None:
    """Start or stop watching a thread or a category (idempotent).

    Stopping a thread whose category the person watches mutes the thread
    (a ``muted`` row), so the category's notifications skip it.
    """
    if (thread is None) == (category is None):
        raise ValueError("watch a thread or a category")
    if thread is None:
        if watching:
            Watch.objects.get_or_create(user=user, category=category)
        else:
            Watch.objects.filter(user=user, category=category).delete()
        return
    if watching:
        Watch.objects.update_or_create(user=user, thread=thread, defaults={"muted": False})
    elif Watch.objects.filter(user=user, category_id=thread.category_id).exists():
        Watch.objects.update_or_create(user=user, thread=thread, defaults={"muted": True})
    else:
        Watch.objects.filter(user=user, thread=thread).delete()


# --- Managing threads -----------------------------------------------------------------------

_STATE_CHANGES: dict[str, tuple[str, bool, ThreadEvent.Action]] = {
    "lock": ("is_locked", True, ThreadEvent.Action.LOCKED),
    "unlock": ("is_locked", False, ThreadEvent.Action.UNLOCKED),
    "pin": ("is_pinned", True, ThreadEvent.Action.PINNED),
    "unpin": ("is_pinned", False, ThreadEvent.Action.UNPINNED),
    "archive": ("is_archived", True, ThreadEvent.Action.ARCHIVED),
    "unarchive": ("is_archived", False, ThreadEvent.Action.UNARCHIVED),
}


@transaction.atomic
def do_change_thread(thread: Thread, *, actor: User, change: str) -> Thread:
    """Lock, unlock, pin, unpin, archive or restore a thread (moderators and the
    category's officials). A conditional UPDATE: a change already made says so."""
    if change not in _STATE_CHANGES:
        raise ValueError(f"unknown thread change {change!r}")
    check_manager(actor, thread)
    field, value, action = _STATE_CHANGES[change]
    changed = Thread.objects.filter(pk=thread.pk, **{field: not value}).update(**{field: value})
    if not changed:
        raise ForumError(_("Nothing to do: someone has already made this change."))
    setattr(thread, field, value)
    ThreadEvent.objects.create(thread=thread, action=action, actor=actor)
    return thread


@transaction.atomic
def do_pin_response(post: Post, *, actor: User) -> Thread:
    """Pin an official's post above the thread: by that official, a moderator or the
    category's officials."""
    thread = Thread.objects.select_for_update().select_related("category").get(pk=post.thread_id)
    if post.official_id is None or not post.is_visible:
        raise ForumError(_("Only a published post of an official can be pinned as the response."))
    if post.author_id != actor.pk or official_capacity(actor) is None:
        check_manager(actor, thread)
    Thread.objects.filter(pk=thread.pk).update(pinned_post=post)
    thread.pinned_post = post
    ThreadEvent.objects.create(
        thread=thread, action=ThreadEvent.Action.RESPONSE_PINNED, actor=actor, post=post
    )
    return thread


@transaction.atomic
def do_unpin_response(thread: Thread, *, actor: User) -> Thread:
    if thread.pinned_post_id is None:
        raise ForumError(_("No response is pinned."))
    pinned = Post.objects.get(pk=thread.pinned_post_id)
    if pinned.author_id != actor.pk:
        check_manager(actor, thread)
    Thread.objects.filter(pk=thread.pk).update(pinned_post=None)
    thread.pinned_post = None
    ThreadEvent.objects.create(
        thread=thread, action=ThreadEvent.Action.RESPONSE_UNPINNED, actor=actor, post=pinned
    )
    return thread


# --- Draft laws -------------------------------------------------------------------------------

_ARTICLE = re.compile(
    r"^\s*(?:(?:Article|Статья|Бап)\s+(\d+(?:-\d+)?)|(\d+(?:-\d+)?)\s*-\s*бап)\.?\s*(.*)$",
    re.IGNORECASE,
)
_PARAGRAPH = re.compile(r"^\s*(\d+(?:\.\d+)*)[.)]\s+(.*)$")


def split_bill(text: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """A bill's text as [(article number, heading, [(paragraph number, text)])].

    An article starts at a line "Article 5. Heading", "Статья 5. …" or
    "5-бап. …"; inside it, a line "1. …" or "1) …" starts a numbered
    paragraph, a blank line an unnumbered one, and other lines continue the
    paragraph they follow.
    """
    articles: list[tuple[str, str, list[tuple[str, str]]]] = []
    paragraphs: list[tuple[str, str]] = []
    current: list[str] | None = None
    number = ""

    def close_paragraph() -> None:
        nonlocal current
        if current is not None and " ".join(current).strip():
            paragraphs.append((number, " ".join(current).strip()))
        current = None

    for line in text.replace("\r\n", "\n").split("\n"):
        article = _ARTICLE.match(line)
        if article:
            close_paragraph()
            paragraphs = []
            articles.append(
                (article.group(1) or article.group(2), article.group(3).strip(), paragraphs)
            )
            continue
        if not articles:
            if line.strip():
                raise ForumError(
                    _("The text must begin with an article heading, such as “Article 1. …”.")
                )
            continue
        numbered = _PARAGRAPH.match(line)
        if numbered:
            close_paragraph()
            number, current = numbered.group(1), [numbered.group(2)]
        elif not line.strip():
            close_paragraph()
            number = ""
        else:
            if current is None:
                current = []
            current.append(line.strip())
    close_paragraph()
    if not articles:
        raise ForumError(_("The text has no articles."))
    empty = [number for number, _heading, found in articles if not found]
    if empty:
        raise ForumError(_("Article %(number)s has no paragraphs.") % {"number": empty[0]})
    return articles


@transaction.atomic
def do_publish_draft_law(
    *,
    slug: str,
    names: dict[str, str],
    summaries: dict[str, str],
    text: str,
    committee: Agency,
    category: Category,
    author: User | None = None,
    comments_until: date | None = None,
) -> DraftLaw:
    """Put a bill up for comment: its thread, its articles and paragraphs.

    The opening post is the summary; paragraph comments are its replies.
    """
    articles = split_bill(text)
    language = "kk" if names.get("kk") else "ru"
    title = names.get(language) or names.get("en") or slug
    thread = Thread(category=category, title=title, author=author, language=language)
    moderate(thread)
    summary = summaries.get(language) or summaries.get("ru") or summaries.get("en") or title
    _insert_post(thread=thread, parent=None, author=author, body=summary, ip=None)
    draft = DraftLaw.objects.create(
        slug=slug,
        committee=committee,
        thread=thread,
        comments_until=comments_until,
        **{f"name_{code}": names.get(code, "") for code in ("kk", "ru", "en")},
        **{f"summary_{code}": summaries.get(code, "") for code in ("kk", "ru", "en")},
    )
    for position, (number, heading, paragraphs) in enumerate(articles):
        article = BillArticle.objects.create(
            draft=draft, number=number, heading=heading, position=position
        )
        BillParagraph.objects.bulk_create(
            BillParagraph(article=article, number=pnumber, text=ptext, position=index)
            for index, (pnumber, ptext) in enumerate(paragraphs)
        )
    return draft


@transaction.atomic
def do_comment_paragraph(
    paragraph: BillParagraph,
    *,
    author: User,
    body: str,
    ip: str | None = None,
    fallback_language: str = "kk",
) -> Post:
    """A comment anchored to a paragraph: a reply to the bill's opening post."""
    draft = paragraph.article.draft
    root = Post.objects.get(thread_id=draft.thread_id, parent__isnull=True)
    thread = Thread.objects.select_for_update().get(pk=draft.thread_id)
    draft.thread = thread  # as locked: the state the check below reads
    if not draft.accepts_comments:
        raise ForumError(_("Comments on this draft law are closed."))
    if not body.strip():
        raise ForumError(_("The comment is empty."))
    _check_text(body)
    return _insert_post(
        thread=thread,
        parent=root,
        author=author,
        body=body,
        ip=ip,
        paragraph_id=paragraph.pk,
        committee_answer=False,
        fallback_language=fallback_language,
    )
