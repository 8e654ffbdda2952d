"""The moderation pipeline's records: items, rules, reports, sanctions, the audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Held for review")
    REJECTED = "rejected", _("Rejected")


class Reason(models.TextChoices):
    """The fixed list of reasons a verdict gives its author (SPEC §6)."""

    MEETS_RULES = "meets_rules", _("Meets the rules")
    NEW_ACCOUNT = "new_account", _("The first posts of a new account are checked by a moderator")
    WATCHED_WORDS = "watched_words", _("Contains words that a moderator must check")
    PERSONAL_DATA = (
        "personal_data",
        _("Contains personal data (an IIN, a phone number or an e-mail address)"),
    )
    LINKS = "links", _("Contains links, which new accounts may not post yet")
    DUPLICATE = "duplicate", _("Repeats something already posted")
    REPORTED = "reported", _("Reported by other people; hidden until a moderator checks it")
    INSULT = "insult", _("Insults, threats or hate speech")
    SPAM = "spam", _("Advertising or spam")
    UNLAWFUL = "unlawful", _("Calls to break the law")
    OFF_TOPIC = "off_topic", _("Off topic")
    PRIVACY = "privacy", _("Discloses someone's private life")
    OTHER = "other", _("Other breach of the rules")


class ModerationItem(models.Model):
    """One piece of user content and where it stands in moderation.

    The content itself stays in its own model; this row carries the state the
    queue needs. ``version`` grows with every decision: a decision names the
    version its moderator saw, and a conditional UPDATE on it lets exactly
    one of two simultaneous decisions through.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=40)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="moderation_items",
    )
    agency = models.ForeignKey(
        "participation.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Scopes the item to the moderators of this agency; empty: platform-wide."),
    )
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    flags = models.JSONField(_("automatic findings"), default=list, blank=True)
    needs_review = models.BooleanField(_("needs review"), default=False)
    hidden_by_reports = models.BooleanField(_("hidden by reports"), default=False)
    redacted = models.BooleanField(_("redacted"), default=False)
    excerpt = models.CharField(_("excerpt"), max_length=300, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=1, help_text=_("0 for live chat, which cannot wait.")
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    due_at = models.DateTimeField(_("decide before"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("moderation item")
        verbose_name_plural = _("moderation items")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_item_per_content"
            )
        ]
        indexes = [
            models.Index(fields=["priority", "due_at", "submitted_at"], name="queue_order"),
            models.Index(fields=["author", "state"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} ({self.state})"

    @property
    def in_queue(self) -> bool:
        return self.state == State.HELD or self.needs_review or self.hidden_by_reports


class WatchedWord(models.Model):
    """A word or phrase that the automatic rules act on. Admins edit the list."""

    class Action(models.TextChoices):
        BLOCK = "block", _("Block: refuse the text, telling the author why")
        HOLD = "hold", _("Hold for a moderator")
        CENSOR = "censor", _("Censor: publish with the word masked")
        FLAG = "flag", _("Flag: publish, and show moderators")

    language = models.CharField(
        _("language"),
        max_length=2,
        choices=[("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")],
    )
    phrase = models.CharField(_("word or phrase"), max_length=100)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    whole_word = models.BooleanField(
        _("whole word only"),
        default=False,
        help_text=_(
            "Off: the phrase also matches with endings (Kazakh and Russian words take "
            "suffixes). On: only the exact word."
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("watched word")
        verbose_name_plural = _("watched words")
        ordering = ["language", "phrase"]
        constraints = [
            models.UniqueConstraint(fields=["language", "phrase"], name="one_watched_phrase")
        ]

    def __str__(self) -> str:
        return f"{self.phrase} ({self.language}, {self.action})"


class Report(models.Model):
    """A person's report that an item breaks the rules. One per person per item."""

    item = models.ForeignKey(ModerationItem, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    weight = models.PositiveSmallIntegerField(default=1)
    by_staff = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    upheld = models.BooleanField(
        null=True, help_text=_("Whether the moderator's decision agreed with the report.")
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(fields=["item", "reporter"], name="one_report_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.reporter_id} → {self.item_id}: {self.reason}"


class Sanction(models.Model):
    class Kind(models.TextChoices):
        WARN = "warn", _("Warning")
        MUTE = "mute", _("Muted")
        BAN = "ban", _("Banned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(_("kind"), max_length=5, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    item = models.ForeignKey(
        ModerationItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    starts_at = models.DateTimeField(default=timezone.now)
    ends_at = models.DateTimeField(
        _("ends at"), null=True, blank=True, help_text=_("Empty for a permanent ban.")
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        indexes = [models.Index(fields=["user", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="ban") | Q(kind="warn") | Q(ends_at__isnull=False),
                name="a_mute_has_an_end",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.user_id}"


class DecisionAppeal(models.Model):
    """An author's one appeal against a decision, decided by a different moderator."""

    class Outcome(models.TextChoices):
        UPHELD = "upheld", _("Decision upheld")
        OVERTURNED = "overturned", _("Decision overturned")

    item = models.OneToOneField(
        ModerationItem, on_delete=models.CASCADE, related_name="decision_appeal"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("why the decision is wrong"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)
    original_moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)

    class Meta:
        verbose_name = _("appeal against a decision")
        verbose_name_plural = _("appeals against decisions")

    def __str__(self) -> str:
        return f"appeal on {self.item_id}"


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")


class AuditEntry(models.Model):
    """One moderation action. Append-only: the ORM, the admin and the database refuse changes.

    Database triggers (migration 0002) refuse UPDATE and DELETE even to raw SQL.
    """

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        help_text=_("Empty for the automatic rules."),
    )
    action = models.CharField(_("action"), max_length=30)
    item = models.ForeignKey(
        ModerationItem,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="audit_entries",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    reason = models.CharField(_("reason"), max_length=20, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    objects: ClassVar[AuditQuerySet] = AuditQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only.")
