"""Reception rooms: appeals, their timeline and their SLA clocks (SPEC §1 and §2)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Appeal(models.Model):
    """A question, complaint, proposal or request to an official or an agency.

    ``agency`` is the body handling it now (forwarding changes it); ``official``
    is the person it was addressed to, if any. Moderation decides publication
    only (``is_visible``); the appeal is delivered and answered whatever it says.
    """

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        COMPLAINT = "complaint", _("Complaint")
        PROPOSAL = "proposal", _("Proposal")
        REQUEST = "request", _("Request")

    class State(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ACCEPTED = "accepted", _("Accepted")
        AWAITING_CITIZEN = "awaiting_citizen", _("Awaiting the citizen's clarification")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")
        ESCALATED = "escalated", _("Escalated to the superior body")
        NOT_CONSIDERED = "not_considered", _("Not considered")

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", _("Resolved")
        PARTLY_RESOLVED = "partly_resolved", _("Partly resolved")
        REFUSED = "refused", _("Refused, with reasons")
        EXPLAINED = "explained", _("Explained")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Not satisfied")

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("text"), max_length=20000)
    text_html = models.TextField(blank=True, editable=False)
    is_public = models.BooleanField(
        _("public"),
        default=True,
        help_text=_("Public appeals and their answers are shown in the reception room."),
    )
    is_visible = models.BooleanField(
        default=False, editable=False, help_text=_("Public and published by moderation.")
    )
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by an operator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    official = models.ForeignKey(
        "participation.Official",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    agency = models.ForeignKey(
        "participation.Agency",
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_appeals",
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    registered_on = models.DateField(_("registered on"))
    clarification_request = models.TextField(_("clarification asked"), blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    draft_answer = models.TextField(_("draft answer"), blank=True)
    draft_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer = models.TextField(_("answer"), blank=True)
    answer_html = models.TextField(blank=True, editable=False)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    reopened = models.BooleanField(_("reopened once"), default=False)
    escalated_from = models.OneToOneField(
        "self",
        verbose_name=_("escalated from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="escalated_to",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "state"]),
            models.Index(fields=["official", "is_visible", "-submitted_at"]),
            models.Index(fields=["state", "answered_at"]),
            # The public list (API, open data): newest published first, by keyset.
            models.Index(
                fields=["-submitted_at", "-id"],
                condition=Q(is_visible=True),
                name="appeal_published_recent",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    def get_absolute_url(self) -> str:
        return reverse("appeal", args=[self.tracking_number])

    @property
    def path(self) -> str:
        """The appeal's address without a language prefix, for notifications: the
        site redirects it to the reader's own language."""
        return f"/appeals/{self.tracking_number}/"

    @property
    def is_open(self) -> bool:
        return self.state in (
            self.State.REGISTERED,
            self.State.ACCEPTED,
            self.State.AWAITING_CITIZEN,
        )


def _attachment_path(attachment: Attachment, filename: str) -> str:
    # A random name: the citizen's file name never becomes a path on the server.
    return f"appeals/{attachment.appeal.tracking_number}/{uuid.uuid4().hex}{attachment.extension}"


class Attachment(models.Model):
    """A file attached to an appeal: private, shown only to those who see the whole appeal."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class AppealEvent(models.Model):
    """One step of an appeal's life, for its timeline and its audit."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey(
        "participation.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(
        default=True, help_text=_("Shown on the appeal's public timeline.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")

    def __str__(self) -> str:
        return f"{self.appeal_id}: {self.action}"


class Clock(models.Model):
    """One SLA clock of one appeal in one agency, with its moments stored.

    The moments are computed when the clock starts (and moved on pause,
    resume and extension), so an appeal's state never depends on a job having
    run: ``on track`` / ``at risk`` / ``breached`` are read from them. The
    sweep only *acts* on them (warn, escalate), and each action happens once:
    it sets its ``*_at`` column with a conditional UPDATE whose row count it
    checks.
    """

    class Kind(models.TextChoices):
        MODERATION = "t1", _("Moderation")
        FIRST_RESPONSE = "t2", _("First response")
        ANSWER = "t3", _("Answer")
        LEGAL = "t4", _("Legal deadline")

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        PAUSED = "paused", _("Paused")
        MET = "met", _("Met")
        STOPPED = "stopped", _("Stopped")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="clocks")
    agency = models.ForeignKey("participation.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=2, choices=Kind.choices)
    working_days = models.PositiveSmallIntegerField()
    registered_on = models.DateField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.RUNNING)
    warn_at = models.DateTimeField()
    due_at = models.DateTimeField()
    escalate_at = models.DateTimeField(
        help_text=_("Two working days after the due moment: the superior body is told.")
    )
    paused_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "kind"],
                condition=Q(state__in=["running", "paused"]),
                name="one_live_clock_per_kind",
            )
        ]
        indexes = [
            models.Index(
                fields=["state", "warn_at"],
                condition=Q(warned_at__isnull=True),
                name="clock_warn_due",
            ),
            models.Index(
                fields=["state", "due_at"],
                condition=Q(breached_at__isnull=True),
                name="clock_breach_due",
            ),
            models.Index(
                fields=["state", "escalate_at"],
                condition=Q(escalated_at__isnull=True),
                name="clock_escalate_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appeal_id} {self.kind} {self.state}"


# --------------------------------------------------------------------------- live sessions
# SPEC §3. How the pieces fit is in docs/live.md.

# The site's languages (settings.LANGUAGES), spelled out: settings are not read at import.
SESSION_LANGUAGES = [("kk", _("Kazakh")), ("ru", _("Russian")), ("en", _("English"))]


class LiveSession(models.Model):
    """An official's live hour: questions before, a WebSocket room during, a transcript after.

    ``last_seq`` is the sequence number of the session's last stored event. An
    action takes the next one with a conditional ``UPDATE … RETURNING`` that
    locks this row until its transaction ends, so numbers are gapless and
    commit in order (see ``reception.live_actions.record``).
    """

    class Mode(models.TextChoices):
        PREMODERATED = "pre", _("Every message is approved before it is shown")
        POSTMODERATED = "post", _("Messages are shown at once and may be removed")

    class Posting(models.TextChoices):
        EVERYONE = "everyone", _("Every signed-in person may chat and ask")
        QUESTIONS = "questions", _("Viewers may only ask questions; the chat is for the hosts")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Upcoming")
        LIVE = "live", _("Live now")
        ENDED = "ended", _("Ended")

    official = models.ForeignKey(
        "participation.Official",
        verbose_name=_("host"),
        on_delete=models.PROTECT,
        related_name="live_sessions",
    )
    agency = models.ForeignKey(
        "participation.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    cohosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("co-hosts"), blank=True, related_name="+"
    )
    moderators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("session moderators"),
        blank=True,
        related_name="moderated_live_sessions",
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=SESSION_LANGUAGES)
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration in minutes"), default=60)
    mode = models.CharField(_("moderation"), max_length=4, choices=Mode.choices)
    posting = models.CharField(
        _("who may post"), max_length=10, choices=Posting.choices, default=Posting.EVERYONE
    )
    slow_mode_seconds = models.PositiveSmallIntegerField(
        _("slow mode: seconds between two messages of one person"), default=10
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.SCHEDULED)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0, editable=False)
    current_question = models.ForeignKey(
        "LiveQuestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("live_session", args=[self.pk])

    @property
    def path(self) -> str:
        return f"/live/{self.pk}/"

    @property
    def group(self) -> str:
        """The channel-layer group of the room's viewers."""
        return f"live.{self.pk}"

    @property
    def staff_group(self) -> str:
        """The hosts' and moderators' group: items waiting for approval."""
        return f"live.{self.pk}.staff"


class LiveQuestion(models.Model):
    """A question asked before or during a session.

    ``is_visible`` is the moderation pipeline's verdict; ``status`` is the
    room's own flow (approved by the hosts, being answered, answered, hidden).
    The public sees a question when both allow it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        APPROVED = "approved", _("In the queue")
        ANSWERING = "answering", _("Being answered now")
        ANSWERED = "answered", _("Answered")
        HIDDEN = "hidden", _("Hidden")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="live_questions"
    )
    text = models.TextField(_("question"), max_length=2000)
    text_html = models.TextField(blank=True, editable=False)
    is_visible = models.BooleanField(default=False, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    votes = models.PositiveIntegerField(default=0, editable=False)
    answer = models.TextField(_("answer"), max_length=10000, blank=True)
    answer_html = models.TextField(blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    appeal = models.OneToOneField(
        Appeal,
        verbose_name=_("became the appeal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_question",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live question")
        verbose_name_plural = _("live questions")
        ordering = ["-votes", "created_at", "id"]
        indexes = [models.Index(fields=["session", "status", "-votes"])]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("live_session", args=[self.session_id]) + f"#question-{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.is_visible and self.status in (
            self.Status.APPROVED,
            self.Status.ANSWERING,
            self.Status.ANSWERED,
        )


class LiveVote(models.Model):
    """One upvote: one per person and question, whatever the concurrency."""

    question = models.ForeignKey(LiveQuestion, on_delete=models.CASCADE, related_name="+")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["question", "voter"], name="one_vote_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} → {self.question_id}"


class LiveMessage(models.Model):
    """A chat message in the room."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting approval")
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="live_messages"
    )
    text = models.TextField(_("message"), max_length=1000)
    text_html = models.TextField(blank=True, editable=False)
    is_visible = models.BooleanField(default=False, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    is_pinned = models.BooleanField(default=False)
    is_host = models.BooleanField(default=False, help_text=_("Written by a host."))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("live_session", args=[self.session_id]) + f"#message-{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.is_visible and self.status == self.Status.PUBLISHED


class LiveEvent(models.Model):
    """One public event of a room, stored before it is broadcast.

    A client that reconnects with the last ``seq`` it saw is sent every later
    row, in order. Hiding a message also blanks the payload of the event that
    carried it, so nobody who resumes later receives the hidden text.
    """

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("live event")
        verbose_name_plural = _("live events")
        ordering = ["session", "seq"]
        constraints = [models.UniqueConstraint(fields=["session", "seq"], name="one_event_per_seq")]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.kind}"


class LiveFollow(models.Model):
    """A person who wants a reminder before the session starts."""

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_follow_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.session_id}"
