"""Forums (SPEC §4): categories, threads, nested posts, draft laws read paragraph by paragraph.

A thread's posts form a tree. Each post stores its parent and a materialized
``path``: the zero-padded base-36 ids of its ancestors and of itself, joined
(``PATH_STEP`` characters each). Ordering by path is the tree in depth-first
order with siblings oldest first; a subtree is a range of paths. The path is
built from the post's own id, written in the same transaction right after the
INSERT, so concurrent replies to one parent can never collide (there is no
sibling counter to race for).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from participation.models import LANGUAGE_CHOICES, Trilingual

PATH_STEP = 8  # base-36 characters per level: ids up to 36**8 ≈ 2.8e12
PATH_MAX_LEVELS = 200  # a reply deeper than this is refused with a message
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def path_segment(post_id: int) -> str:
    """``post_id`` as ``PATH_STEP`` base-36 digits: string order is numeric order."""
    if post_id < 0 or post_id >= 36**PATH_STEP:
        raise ValueError(f"post id {post_id} does not fit a path segment")
    digits = []
    while post_id:
        post_id, rest = divmod(post_id, 36)
        digits.append(_DIGITS[rest])
    return "".join(reversed(digits)).rjust(PATH_STEP, "0")


def path_successor(path: str) -> str:
    """The smallest path after every path that starts with ``path`` (the subtree's end).

    The last segment plus one: ``…0000001a`` → ``…0000001b``. Paths hold only
    [0-9a-z], so any collation orders them as plain strings do.
    """
    head, last = path[:-PATH_STEP], path[-PATH_STEP:]
    return head + path_segment(int(last, 36) + 1)


class Category(Trilingual, models.Model):
    """Where threads live: a topic, an agency's forum, or the discussion of draft laws."""

    class Kind(models.TextChoices):
        TOPIC = "topic", _("By topic")
        AGENCY = "agency", _("By agency")
        DRAFT_LAW = "draft_law", _("Draft laws")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TOPIC)
    slug = models.SlugField(_("slug"), unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    agency = models.ForeignKey(
        "participation.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forum_categories",
        help_text=_("Its officials answer here and its moderators look after it."),
    )
    topic = models.ForeignKey(
        "participation.Topic",
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["kind", "position", "slug"]
        verbose_name = _("forum category")
        verbose_name_plural = _("forum categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forums:category", args=[self.slug])

    @property
    def description(self) -> str:
        return self.tr("description")


class Thread(models.Model):
    """A discussion: its title, and a tree of posts whose root is the opening post.

    ``reply_count`` and ``last_post_at`` move when a post is published;
    ``pinned_post`` is an official response shown above the tree;
    ``announced_at`` is set once, when the category's watchers are told of it.
    """

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="threads"
    )
    title = models.CharField(_("title"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="forum_threads",
    )
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    is_visible = models.BooleanField(_("visible"), default=False, editable=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    is_locked = models.BooleanField(_("locked"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    pinned_post = models.ForeignKey(
        "Post",
        verbose_name=_("pinned official response"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reply_count = models.PositiveIntegerField(_("replies"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_post_at = models.DateTimeField(_("last post at"), default=timezone.now)
    announced_at = models.DateTimeField(
        _("announced to watchers at"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        indexes = [
            models.Index(
                fields=["category", "-is_pinned", "-last_post_at", "-id"], name="thread_listing"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("forums:thread", args=[self.pk])

    @property
    def accepts_posts(self) -> bool:
        return not (self.is_locked or self.is_archived)


class Post(models.Model):
    """One message in a thread's tree. ``parent`` is None only for the opening post.

    ``official`` is set when an official writes in that capacity (the badge);
    ``is_committee_answer`` when an MP of a draft law's committee answers a
    comment on it. ``paragraph`` anchors a comment (and its replies) to a
    paragraph of a draft law. ``published_at`` is set once, when the post is
    first published: the conditional UPDATE on it is what makes watchers
    hear of a reply exactly once.
    """

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="posts"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=PATH_STEP * PATH_MAX_LEVELS, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="forum_posts",
    )
    official = models.ForeignKey(
        "participation.Official",
        verbose_name=_("written as official"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_committee_answer = models.BooleanField(_("committee answer"), default=False)
    paragraph = models.ForeignKey(
        "BillParagraph",
        verbose_name=_("paragraph"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="comments",
    )
    body = models.TextField(_("text"), max_length=50_000)
    body_html = models.TextField(blank=True, editable=False)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    is_visible = models.BooleanField(_("visible"), default=False, editable=False)
    child_count = models.PositiveIntegerField(_("direct replies"), default=0, editable=False)
    agree_count = models.PositiveIntegerField(_("agree"), default=0, editable=False)
    disagree_count = models.PositiveIntegerField(_("disagree"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    edited_at = models.DateTimeField(_("edited at"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        constraints = [
            models.UniqueConstraint(fields=["thread", "path"], name="post_path_unique"),
        ]
        indexes = [
            models.Index(fields=["paragraph", "path"], name="post_paragraph_path"),
        ]

    def __str__(self) -> str:
        return f"{self.thread_id} · {self.path}"

    def get_absolute_url(self) -> str:
        return reverse("forums:post", args=[self.pk])


class PostRevision(models.Model):
    """A post's text before an edit: edits keep their history (SPEC §4)."""

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="revisions"
    )
    body = models.TextField(_("text"))
    body_html = models.TextField(blank=True)
    was_visible = models.BooleanField(
        _("was published"),
        default=False,
        help_text=_("Only texts that were published are shown in the public history."),
    )
    written_at = models.DateTimeField(_("written at"))
    replaced_at = models.DateTimeField(_("replaced at"), default=timezone.now)

    class Meta:
        ordering = ["-replaced_at", "-id"]
        verbose_name = _("post revision")
        verbose_name_plural = _("post revisions")

    def __str__(self) -> str:
        return f"{self.post_id} @ {self.written_at:%Y-%m-%d %H:%M}"


class Reaction(models.Model):
    """One reaction per person per post, held by the database."""

    class Kind(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")

    post = models.ForeignKey(
        Post, verbose_name=_("post"), on_delete=models.CASCADE, related_name="reactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("reaction"), max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("reaction")
        verbose_name_plural = _("reactions")
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="one_reaction_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.post_id}"


class Watch(models.Model):
    """A person follows a thread or a whole category and hears of new posts in it.

    ``muted`` (thread rows only): someone who watches the category has silenced
    this one thread. Replies to their own posts still reach them.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="forum_watches",
    )
    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), null=True, blank=True, on_delete=models.CASCADE
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE
    )
    muted = models.BooleanField(_("muted"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("watch")
        verbose_name_plural = _("watches")
        constraints = [
            models.CheckConstraint(
                condition=Q(thread__isnull=False, category__isnull=True)
                | Q(thread__isnull=True, category__isnull=False),
                name="watch_thread_or_category",
            ),
            models.UniqueConstraint(
                fields=["user", "thread"], condition=Q(thread__isnull=False), name="watch_thread"
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=Q(category__isnull=False),
                name="watch_category",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.thread_id or self.category_id}"


class ThreadEvent(models.Model):
    """The timeline of a thread's management: locked, pinned, archived, response pinned."""

    class Action(models.TextChoices):
        LOCKED = "locked", _("Locked")
        UNLOCKED = "unlocked", _("Unlocked")
        PINNED = "pinned", _("Pinned")
        UNPINNED = "unpinned", _("Unpinned")
        ARCHIVED = "archived", _("Archived")
        UNARCHIVED = "unarchived", _("Restored from the archive")
        RESPONSE_PINNED = "response_pinned", _("Official response pinned")
        RESPONSE_UNPINNED = "response_unpinned", _("Official response unpinned")

    thread = models.ForeignKey(
        Thread, verbose_name=_("thread"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thread event")
        verbose_name_plural = _("thread events")

    def __str__(self) -> str:
        return f"{self.thread_id} {self.action}"


class DraftLaw(Trilingual, models.Model):
    """A bill open for public comment, its text split into articles and paragraphs.

    Its ``thread`` holds the comments: each comment is a post anchored to a
    paragraph. MPs of the responsible ``committee`` answer them in place.
    """

    slug = models.SlugField(_("slug"), unique=True)
    name_kk = models.CharField(_("title (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("title (Russian)"), max_length=300)
    name_en = models.CharField(_("title (English)"), max_length=300)
    summary_kk = models.TextField(_("summary (Kazakh)"), blank=True)
    summary_ru = models.TextField(_("summary (Russian)"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    committee = models.ForeignKey(
        "participation.Agency",
        verbose_name=_("responsible committee"),
        on_delete=models.PROTECT,
        related_name="draft_laws",
    )
    thread = models.OneToOneField(
        Thread, verbose_name=_("discussion"), on_delete=models.PROTECT, related_name="draft_law"
    )
    comments_until = models.DateField(_("comments open until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("draft law")
        verbose_name_plural = _("draft laws")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forums:draft", args=[self.slug])

    @property
    def summary(self) -> str:
        return self.tr("summary")

    @property
    def accepts_comments(self) -> bool:
        """Open while its thread accepts posts, until ``comments_until`` (a local date)."""
        if not self.thread.accepts_posts:
            return False
        return self.comments_until is None or timezone.localdate() <= self.comments_until


class BillArticle(models.Model):
    draft = models.ForeignKey(
        DraftLaw, verbose_name=_("draft law"), on_delete=models.CASCADE, related_name="articles"
    )
    number = models.CharField(_("number"), max_length=20)
    heading = models.CharField(_("heading"), max_length=500, blank=True)
    position = models.PositiveIntegerField(_("position"))

    class Meta:
        ordering = ["draft", "position"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(fields=["draft", "position"], name="article_position"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()


class BillParagraph(models.Model):
    """A paragraph of an article; comments anchor here. ``comment_count`` counts the
    published comments and replies anchored to it."""

    article = models.ForeignKey(
        BillArticle,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="paragraphs",
    )
    number = models.CharField(_("number"), max_length=20, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"))
    comment_count = models.PositiveIntegerField(_("comments"), default=0, editable=False)

    class Meta:
        ordering = ["article", "position"]
        verbose_name = _("paragraph")
        verbose_name_plural = _("paragraphs")
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="paragraph_position"),
        ]

    def __str__(self) -> str:
        return f"{self.article.number} {self.number}".strip()

    def get_absolute_url(self) -> str:
        return reverse("forums:paragraph", args=[self.article.draft.slug, self.pk])
