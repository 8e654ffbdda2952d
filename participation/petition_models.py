"""Petitions (SPEC §5): the petition, its supporters, signatures, counters and timeline.

Imported by ``participation.models`` so Django registers them with the app.
See docs/petitions.md for the lifecycle and the counting design.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PetitionDecision(models.TextChoices):
    """The fixed list of reasons a moderator gives when deciding a petition (SPEC §5)."""

    MEETS_RULES = "meets_rules", _("Meets the rules for petitions")
    NOT_COMPETENT = "not_competent", _("The addressee is not competent for this demand")
    DUPLICATE = "duplicate", _("Repeats a petition that is already open")
    UNLAWFUL = "unlawful", _("Demands something against the law or the Constitution")
    INSULT = "insult", _("Contains insults, threats or hate speech")
    PERSONAL_DATA = "personal_data", _("Discloses personal data")
    UNCLEAR = "unclear", _("The demand is not clear enough to answer")
    ADVERTISING = "advertising", _("Advertising or spam")


class Petition(models.Model):
    """A citizen's petition to a state body.

    ``signature_count`` and ``counted_at`` are written only by the tally
    (``participation.petition_actions.tally``), never by a signer: signing
    appends a ``Signature`` row and nothing else, so signers never wait on one
    another for a counter row.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        COLLECTING = "collecting", _("Gathering supporters")
        MODERATION = "moderation", _("In moderation")
        OPEN = "open", _("Open for signatures")
        CONSIDERATION = "consideration", _("Under consideration")
        RESPONDED = "responded", _("Responded")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")
        EXPIRED = "expired", _("Expired")

    class Level(models.TextChoices):
        REPUBLIC = "republic", _("Republic")
        REGION = "region", _("Region")
        CITY = "city", _("City or district")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="petitions",
    )
    agency = models.ForeignKey(
        "participation.Agency",
        verbose_name=_("addressee"),
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"), max_length=10000)
    text_html = models.TextField(blank=True, editable=False)
    text_visible = models.BooleanField(_("text published"), default=False, editable=False)
    state = models.CharField(_("state"), max_length=14, choices=State.choices, default=State.DRAFT)

    supporters_needed = models.PositiveIntegerField(_("supporters needed"))
    supporters_due_at = models.DateTimeField(_("supporters due by"), null=True, blank=True)
    threshold = models.PositiveIntegerField(_("signature threshold"))
    window_days = models.PositiveIntegerField(_("signing window (days)"))
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("signing closes at"), null=True, blank=True)

    decision = models.CharField(
        _("moderation reason"), max_length=20, choices=PetitionDecision.choices, blank=True
    )
    decision_note = models.CharField(_("moderator's note"), max_length=500, blank=True)

    signature_count = models.PositiveIntegerField(_("signatures counted"), default=0)
    counted_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    threshold_reached_at = models.DateTimeField(_("threshold reached at"), null=True, blank=True)
    response_days = models.PositiveSmallIntegerField(_("response term (working days)"), default=0)
    response_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    response_due_at = models.DateTimeField(_("response due by"), null=True, blank=True)
    response_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    response_breached_at = models.DateTimeField(null=True, blank=True, editable=False)

    response = models.TextField(_("response"), blank=True, max_length=20000)
    response_html = models.TextField(blank=True, editable=False)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    responded_by = models.ForeignKey(
        "participation.Official",
        verbose_name=_("responded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("personal data removed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [
            models.Index(fields=["state", "-created_at"], name="petition_state"),
            models.Index(
                fields=["response_warn_at"],
                condition=Q(state="consideration", response_warned_at__isnull=True),
                name="petition_response_warn_due",
            ),
            models.Index(
                fields=["response_due_at"],
                condition=Q(state="consideration", response_breached_at__isnull=True),
                name="petition_response_breach_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("petitions:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"P-{self.pk}"

    @property
    def is_listed(self) -> bool:
        """Shown in the public list and open data: past moderation and not rejected."""
        return self.text_visible and self.state in LISTED_STATES

    @property
    def may_sign(self) -> bool:
        return (
            self.state in SIGNING_STATES
            and self.closes_at is not None
            and timezone.now() < self.closes_at
        )


LISTED_STATES = (
    Petition.State.OPEN,
    Petition.State.CONSIDERATION,
    Petition.State.RESPONDED,
    Petition.State.CLOSED,
    Petition.State.EXPIRED,
)
SIGNING_STATES = (
    Petition.State.OPEN,
    Petition.State.CONSIDERATION,
    Petition.State.RESPONDED,
)


class PetitionSupporter(models.Model):
    """A member of the initiative group: a supporter gathered before listing."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="supporters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity = models.CharField(_("normalised identity"), max_length=254)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "identity"], name="one_support_per_identity"
            )
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.pk}"


class Signature(models.Model):
    """One person's signature. Appended by the signer; counted later by the tally.

    The unique (petition, identity) constraint is what makes one signature per
    person: ``identity`` is the signer's e-mail normalised
    (``participation.petition_actions.normalise_identity``). ``tallied`` says
    whether the tally has added the row to the counters yet.
    """

    class State(models.TextChoices):
        VALID = "valid", _("valid")
        EXCESS = "excess", _("over the address rate limit: not counted")
        INVALID = "invalid", _("invalidated by a moderator")

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="signatures")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    identity = models.CharField(_("normalised identity"), max_length=254)
    email_domain = models.CharField(_("e-mail domain"), max_length=254)
    region = models.ForeignKey(
        "participation.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    public_name = models.CharField(_("public name"), max_length=80, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.VALID)
    tallied = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "identity"], name="one_signature_per_identity"
            )
        ]
        indexes = [
            models.Index(
                fields=["petition"], condition=Q(tallied=False), name="signature_untallied"
            ),
            # "Recent signatures" on a hot petition's page: newest public names first,
            # without sorting the petition's every row on each view.
            models.Index(
                fields=["petition", "-id"],
                condition=Q(state="valid") & ~Q(public_name=""),
                name="signature_public_recent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.pk} ({self.state})"


class PetitionTally(models.Model):
    """The counted valid signatures of one petition from one region (none: no region given).

    Written only by the tally and by invalidation, under the petition's row
    lock; the petition's ``signature_count`` is the sum of its tallies.
    """

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="tallies")
    region = models.ForeignKey(
        "participation.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("signature tally")
        verbose_name_plural = _("signature tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["petition", "region"],
                condition=Q(region__isnull=False),
                name="one_tally_per_region",
            ),
            models.UniqueConstraint(
                fields=["petition"],
                condition=Q(region__isnull=True),
                name="one_tally_without_region",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.region_id}: {self.count}"


class PetitionEvent(models.Model):
    """A step in a petition's timeline. ``is_public`` ones are on the public page."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    params = models.JSONField(default=dict, blank=True)
    is_public = models.BooleanField(default=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")

    def __str__(self) -> str:
        return f"{self.petition_id} · {self.action}"
