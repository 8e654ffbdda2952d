"""Forum pages: thin views over ``forums.queries`` (reads) and ``forums.actions`` (writes).

Every form works without JavaScript: replying, quoting and editing have
their own pages; reacting, watching and managing are small POST forms that
come back to the page they were sent from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from forums import actions, queries, search
from forums.forms import CommentForm, EditForm, PostForm, SearchForm, ThreadForm, quote
from forums.models import PATH_STEP, Category, Post, Reaction, Thread
from moderation.pipeline import ContentRefused
from participation.access import AccessDenied, AnyUser
from participation.http import client_ip
from participation.models import User


@dataclass
class Row:
    """A post as the page shows it: its depth below the page's top, what the reader sees."""

    post: Post
    depth: int
    shown: bool
    continues: bool
    mine: str


def _rows(user: AnyUser, page: queries.Page) -> list[Row]:
    me = user.pk if user.is_authenticated else None
    rows = []
    for post in page.posts:
        depth = post.depth - page.base_depth
        rows.append(
            Row(
                post=post,
                depth=max(depth, 0),
                shown=post.is_visible or (me is not None and post.author_id == me),
                continues=depth >= queries.MAX_DEPTH and post.child_count > 0,
                mine=getattr(post, "my_reaction", None) or "",
            )
        )
    return rows


def _post_list_context(request: HttpRequest) -> dict[str, Any]:
    """What every post on a page shares, worked out once per page rather than once per post:
    the address forms come back to, one CSRF input, and the root of the forum addresses
    (``_post.html`` builds its links on it: fifty posts would otherwise cost some three
    hundred URL reversals). Reporting a post has its own page, for the same reason: a
    report form under each of fifty posts was a fifth of the page's rendering."""
    return {
        "forums_root": reverse("forums:index"),
        "here": request.get_full_path(),
        # One masked CSRF token for the page's many small forms, not one per form.
        "csrf_input": format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        ),
    }


def _language() -> str:
    return (get_language() or "kk")[:2]


def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


def _bad_cursor(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "forums/bad_request.html",
        {"message": _("This page address is not valid. Start again from the first page.")},
        status=400,
    )


def _cursors(request: HttpRequest) -> queries.Cursors:
    return queries.Cursors(
        after=queries.parse_cursor(request.GET.get("after")),
        start=queries.parse_cursor(request.GET.get("from")),
        before=queries.parse_cursor(request.GET.get("before")),
    )


# --- Reading -------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    """Categories by kind, and the draft laws open for comment."""
    groups: dict[str, list[Category]] = {}
    for category in queries.categories():
        groups.setdefault(category.get_kind_display(), []).append(category)
    context = {"groups": groups, "drafts": queries.draft_laws()[:10], "search": SearchForm()}
    return render(request, "forums/index.html", context)


def category(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = Category.objects.select_related("agency").get(slug=slug)
    except Category.DoesNotExist as exc:
        raise AccessDenied from exc
    before = None
    raw = request.GET.get("before", "")
    if raw:
        moment, _sep, thread_id = raw.rpartition("_")
        parsed = parse_datetime(moment)
        if parsed is None or not thread_id.isdigit():
            return _bad_cursor(request)
        before = (parsed.isoformat(), int(thread_id))
    threads = queries.category_threads(found, before=before)
    more = len(threads) > queries.THREADS_PER_PAGE
    threads = threads[: queries.THREADS_PER_PAGE]
    next_cursor = ""
    if more:
        last = threads[-1]
        next_cursor = f"{last.last_post_at.isoformat()}_{last.pk}"
    context = {
        "category": found,
        "threads": threads,
        "next_cursor": next_cursor,
        "watching": queries.is_watching(request.user, category=found),
    }
    return render(request, "forums/category.html", context)


def thread(request: HttpRequest, pk: int, post_id: int | None = None) -> HttpResponse:
    """A page of the thread's tree, or of one branch of it ("continue this thread")."""
    found = queries.access_thread(request.user, pk)
    root = None
    if post_id is not None:
        root = queries.post_in_thread(found, post_id)
    try:
        cursors = _cursors(request)
    except queries.BadCursor:
        return _bad_cursor(request)
    page = queries.page_of_posts(found, root=root, cursors=cursors, viewer=request.user)
    user = request.user
    context = {
        "thread": found,
        "root": root,
        "page": page,
        "rows": _rows(user, page),
        "watching": getattr(found, "watched", False),
        "may_manage": actions.may_manage(user, found),
        "draft": getattr(found, "draft_law", None),  # joined by access_thread
        "reply_form": PostForm(),
        "first_page": cursors.is_first and root is None,
        **_post_list_context(request),
    }
    return render(request, "forums/thread.html", context)


def post(request: HttpRequest, pk: int) -> HttpResponse:
    """A post's permanent address: the page of the tree (or branch) where it stands."""
    found = queries.access_post(request.user, pk)
    anchor = f"#post-{found.pk}"
    if found.paragraph_id is not None:
        draft = found.thread.draft_law
        target = reverse("forums:paragraph", args=[draft.slug, found.paragraph_id])
        return HttpResponseRedirect(f"{target}?from={found.path}{anchor}")
    if found.depth <= queries.MAX_DEPTH:
        target = reverse("forums:thread", args=[found.thread_id])
        return HttpResponseRedirect(f"{target}?from={found.path}{anchor}")
    # A deep post: the branch from its ancestor that brings it within MAX_DEPTH.
    top = ((found.depth - 1) // queries.MAX_DEPTH) * queries.MAX_DEPTH
    ancestor_id = int(found.path[top * PATH_STEP : (top + 1) * PATH_STEP], 36)
    target = reverse("forums:branch", args=[found.thread_id, ancestor_id])
    return HttpResponseRedirect(f"{target}?from={found.path}{anchor}")


def history(request: HttpRequest, pk: int) -> HttpResponse:
    found, revisions = queries.post_history(request.user, pk)
    context = {"post": found, "revisions": revisions[:50]}
    return render(request, "forums/history.html", context)


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The report form for one post; it posts to the moderation pipeline's report endpoint."""
    found = queries.access_post(request.user, pk)
    if not found.is_visible or found.author_id == request.user.pk:
        raise AccessDenied
    return render(request, "forums/report.html", {"post": found})


def search_page(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        if not search.words(form.cleaned_data["q"]):
            form.add_error("q", _("Type at least one word to search for."))
        else:
            results = search.search(form.cleaned_data["q"])
    status = 400 if form.errors else 200
    return render(request, "forums/search.html", {"form": form, "results": results}, status=status)


def draft(request: HttpRequest, slug: str) -> HttpResponse:
    """A draft law's text, article by article, with the number of comments beside each paragraph."""
    found, articles = queries.draft_law(slug)
    context = {
        "draft": found,
        "articles": articles,
        "committee_member": actions.is_committee_member(request.user, found),
    }
    return render(request, "forums/draft.html", context)


def paragraph(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One paragraph with its comments and the committee's answers; comment here."""
    found = queries.access_draft(slug)
    para = queries.paragraph_of(found, pk)
    form = CommentForm()
    status = 200
    if request.method == "POST":
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('account_login')}?next={request.path}")
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                comment = actions.do_comment_paragraph(
                    para,
                    author=_user(request),
                    body=form.cleaned_data["body"],
                    ip=client_ip(request),
                    fallback_language=_language(),
                )
            except (ContentRefused, actions.ForumError) as refused:
                form.add_error("body", refused.message)
            else:
                _told(request, comment)
                return HttpResponseRedirect(f"{request.path}?from={comment.path}#post-{comment.pk}")
        status = 400
    try:
        cursors = _cursors(request)
    except queries.BadCursor:
        return _bad_cursor(request)
    page = queries.page_of_posts(found.thread, paragraph=para, cursors=cursors, viewer=request.user)
    context = {
        "draft": found,
        "paragraph": para,
        "thread": found.thread,
        "page": page,
        "rows": _rows(request.user, page),
        "form": form,
        "committee_member": actions.is_committee_member(request.user, found),
        "comments_open": found.accepts_comments,
        **_post_list_context(request),
    }
    return render(request, "forums/paragraph.html", context, status=status)


# --- Writing -------------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _told(request: HttpRequest, post: Post) -> None:
    if post.is_visible:
        messages.success(request, _("Published."))
    else:
        messages.warning(request, _("Saved. A moderator will check it before others can see it."))


@login_required
def new_thread(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = Category.objects.select_related("agency").get(slug=slug)
    except Category.DoesNotExist as exc:
        raise AccessDenied from exc
    if found.kind == Category.Kind.DRAFT_LAW:
        raise AccessDenied  # draft laws are opened by their committee, through the admin
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_start_thread(
                category=found,
                author=_user(request),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                ip=client_ip(request),
                fallback_language=_language(),
            )
        except (ContentRefused, actions.ForumError) as refused:
            form.add_error(None, refused.message)
        else:
            if created.is_visible:
                messages.success(request, _("Your thread is open."))
            else:
                messages.warning(
                    request, _("Saved. A moderator will check it before others can see it.")
                )
            return HttpResponseRedirect(created.get_absolute_url())
    status = 400 if form.errors else 200
    return render(
        request, "forums/new_thread.html", {"category": found, "form": form}, status=status
    )


@login_required
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply page: the post answered, and the form (with a quote if asked)."""
    parent = queries.access_post(request.user, pk)
    if not parent.is_visible and parent.author_id != request.user.pk:
        raise AccessDenied
    initial = {}
    if request.GET.get("quote") and parent.is_visible:
        name = parent.author.public_name if parent.author else _("Citizen")
        initial["body"] = quote(parent.body, name)
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_reply(
                parent=parent,
                author=_user(request),
                body=form.cleaned_data["body"],
                ip=client_ip(request),
                fallback_language=_language(),
            )
        except (ContentRefused, actions.ForumError) as refused:
            form.add_error("body", refused.message)
        else:
            _told(request, created)
            return HttpResponseRedirect(reverse("forums:post", args=[created.pk]))
    status = 400 if form.errors else 200
    context = {"parent": parent, "thread": parent.thread, "form": form}
    return render(request, "forums/reply.html", context, status=status)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.access_post(request.user, pk)
    if found.author_id != request.user.pk:
        raise AccessDenied
    form = EditForm(request.POST or None, initial={"body": found.body})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_edit_post(
                found, editor=_user(request), body=form.cleaned_data["body"], ip=client_ip(request)
            )
        except (ContentRefused, actions.ForumError) as refused:
            form.add_error("body", refused.message)
        else:
            _told(request, found)
            return HttpResponseRedirect(reverse("forums:post", args=[found.pk]))
    status = 400 if form.errors else 200
    return render(request, "forums/edit.html", {"post": found, "form": form}, status=status)


@require_POST
@login_required
def react(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.access_post(request.user, pk)
    kind = request.POST.get("kind", "")
    if kind not in Reaction.Kind.values or not found.is_visible:
        messages.error(request, _("This reaction is not possible."))
        return _back(request, found.get_absolute_url())
    try:
        actions.do_react(found, user=_user(request), kind=Reaction.Kind(kind))
    except actions.ForumError as refused:
        messages.error(request, refused.message)
    return _back(request, found.get_absolute_url())


@require_POST
@login_required
def pin(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.access_post(request.user, pk)
    try:
        actions.do_pin_response(found, actor=_user(request))
        messages.success(request, _("The response is pinned to the top of the thread."))
    except actions.ForumError as refused:
        messages.error(request, refused.message)
    return HttpResponseRedirect(found.thread.get_absolute_url())


@require_POST
@login_required
def unpin(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.access_thread(request.user, pk)
    try:
        actions.do_unpin_response(found, actor=_user(request))
        messages.success(request, _("Done."))
    except actions.ForumError as refused:
        messages.error(request, refused.message)
    return HttpResponseRedirect(found.get_absolute_url())


@require_POST
@login_required
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    found = queries.access_thread(request.user, pk)
    change = request.POST.get("change", "")
    try:
        actions.do_change_thread(found, actor=_user(request), change=change)
        messages.success(request, _("Done."))
    except ValueError:
        messages.error(request, _("Unknown change."))
    except actions.ForumError as refused:
        messages.error(request, refused.message)
    return HttpResponseRedirect(found.get_absolute_url())


@require_POST
@login_required
def watch(request: HttpRequest, pk: int | None = None, slug: str | None = None) -> HttpResponse:
    watching = request.POST.get("watch") == "1"
    target: dict[str, Any]
    if pk is not None:
        found: Thread | Category = queries.access_thread(request.user, pk)
        target = {"thread": found}
    else:
        try:
            found = Category.objects.get(slug=slug)
        except Category.DoesNotExist as exc:
            raise AccessDenied from exc
        target = {"category": found}
    actions.do_watch(user=_user(request), watching=watching, **target)
    if watching:
        messages.success(request, _("You will be notified of new posts here."))
    else:
        messages.success(request, _("You no longer watch this."))
    return _back(request, found.get_absolute_url())
