"""The shared core: people, regions, agencies, roles, notifications."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from participation.iin import validate_iin

LANGUAGE_CHOICES = [("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")]


class Trilingual:
    """Models with ``<field>_kk``, ``<field>_ru`` and ``<field>_en`` columns.

    ``obj.tr("name")`` gives the value in the active language, falling back to
    Kazakh, then Russian, then English, so an untranslated field never shows
    empty.
    """

    def tr(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "kk")[:2]
        order = [language] + [code for code in ("kk", "ru", "en") if code != language]
        for code in order:
            value = getattr(self, f"{field}_{code}", "")
            if value:
                return str(value)
        return ""

    @property
    def name(self) -> str:
        return self.tr("name")


class Region(Trilingual, models.Model):
    """An oblys or a city of republican significance."""

    slug = models.SlugField(_("slug"), unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractUser):
    """A person with an account, identified by e-mail.

    ``display_name`` is public. ``real_name``, ``email`` and ``iin`` are
    private: they appear only to the person, to staff acting on their appeals,
    and in the admin; never on a public page, an export or the API (see
    ``PRIVATE_USER_FIELDS``).
    """

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(
        _("public display name"),
        max_length=80,
        blank=True,
        help_text=_("Shown next to what you write in public. Leave empty to appear as “Citizen”."),
    )
    real_name = models.CharField(
        _("real name"),
        max_length=200,
        blank=True,
        help_text=_("Private: seen only by the offices that answer your appeals."),
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=LANGUAGE_CHOICES, default="kk"
    )
    iin = models.CharField(
        _("IIN"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        validators=[validate_iin],
        help_text=_("Optional. Private: never shown in public, in exports or in the API."),
    )

    bio = models.TextField(
        _("about you"),
        blank=True,
        max_length=2000,
        help_text=_("Public. Markdown is allowed. Checked by moderators before it is shown."),
    )
    bio_html = models.TextField(blank=True, editable=False)
    profile_state = models.CharField(
        _("profile moderation state"),
        max_length=12,
        default="published",
        editable=False,
        help_text=_("The public name and “about you” are shown only when published."),
    )

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.email

    @property
    def public_name(self) -> str:
        """The name shown in public: the display name once moderation has published it."""
        if self.display_name and self.profile_state == "published":
            return self.display_name
        return str(_("Citizen"))


# Fields that must never leave through a public page, an export or the API.
PRIVATE_USER_FIELDS = ("email", "real_name", "iin", "password")


class Topic(Trilingual, models.Model):
    """A subject an agency is competent for; used to suggest forwarding."""

    slug = models.SlugField(_("slug"), unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class Agency(Trilingual, models.Model):
    """A state body. Agencies form a tree; the parent is the superior body."""

    class Kind(models.TextChoices):
        PARLIAMENT = "parliament", _("Parliament")
        CHAMBER = "chamber", _("Chamber of Parliament")
        MINISTRY = "ministry", _("Ministry")
        REGIONAL_AKIMAT = "regional_akimat", _("Regional akimat")
        CITY_AKIMAT = "city_akimat", _("City akimat")
        DISTRICT_AKIMAT = "district_akimat", _("District akimat")
        OTHER = "other", _("Other state body")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("superior body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    slug = models.SlugField(_("slug"), unique=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=300)
    name_ru = models.CharField(_("name (Russian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    description_kk = models.TextField(_("description (Kazakh)"), blank=True)
    description_ru = models.TextField(_("description (Russian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("competence topics"), blank=True)
    website = models.URLField(_("website"), blank=True)
    delegates_answer = models.BooleanField(
        _("delegates may publish answers"),
        default=True,
        help_text=_("Off: delegates draft answers and an official approves and publishes them."),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="agency_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("agency", args=[self.slug])

    @property
    def description(self) -> str:
        return self.tr("description")

    @property
    def is_central(self) -> bool:
        return self.kind in (self.Kind.PARLIAMENT, self.Kind.CHAMBER, self.Kind.MINISTRY)


class Official(Trilingual, models.Model):
    """The public face of an MP, an akim or the head of a state body."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="official")
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="officials"
    )
    slug = models.SlugField(_("slug"), unique=True)
    name_kk = models.CharField(_("full name (Kazakh)"), max_length=200)
    name_ru = models.CharField(_("full name (Russian)"), max_length=200)
    name_en = models.CharField(_("full name (English)"), max_length=200)
    position_kk = models.CharField(_("position (Kazakh)"), max_length=300)
    position_ru = models.CharField(_("position (Russian)"), max_length=300)
    position_en = models.CharField(_("position (English)"), max_length=300)
    bio_kk = models.TextField(_("biography (Kazakh)"), blank=True)
    bio_ru = models.TextField(_("biography (Russian)"), blank=True)
    bio_en = models.TextField(_("biography (English)"), blank=True)
    is_head = models.BooleanField(
        _("head of the agency"),
        default=False,
        help_text=_("The head receives breach escalations and may extend deadlines."),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("official")
        verbose_name_plural = _("officials")
        constraints = [
            models.UniqueConstraint(
                fields=["agency"], condition=Q(is_head=True), name="one_head_per_agency"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("official", args=[self.slug])

    @property
    def position(self) -> str:
        return self.tr("position")

    @property
    def bio(self) -> str:
        return self.tr("bio")


class Role(models.TextChoices):
    OFFICIAL = "official", _("Official")
    DELEGATE = "delegate", _("Delegate")
    MODERATOR = "moderator", _("Moderator")
    OPERATOR = "operator", _("Operator")


class Membership(models.Model):
    """A role a person holds in an agency.

    A membership covers its agency and every agency below it in the tree. Only
    a moderator may hold a membership with no agency, which makes them a
    platform-wide moderator.
    """

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"],
                condition=Q(agency__isnull=False),
                name="one_membership_per_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(agency__isnull=True),
                name="one_global_membership_per_role",
            ),
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(role="moderator"),
                name="only_moderators_are_global",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} · {self.agency or 'global'}"


class Notification(models.Model):
    """Something a person should know. Text is rendered in the reader's language.

    ``kind`` picks the message template in ``participation.notify.KINDS``;
    ``params`` fills it. Nothing private about a third person goes in params.

    The ``email_*`` columns are the e-mail outbox (``participation.email``): a
    row to be e-mailed is created ``pending``; a sender claims it by moving
    ``email_next_at`` forward (a lease) under a token, then marks it ``sent``,
    or puts it back with a later ``email_next_at`` after a failure.
    ``in_page=False`` (the person turned the page off for this kind) keeps the
    row as a record but out of the page: no live push, not listed, born read.
    """

    class EmailState(models.TextChoices):
        NONE = "", _("not e-mailed")
        PENDING = "pending", _("waiting to be e-mailed")
        SENT = "sent", _("e-mailed")
        FAILED = "failed", _("e-mail failed")
        SKIPPED = "skipped", _("no e-mail address to send to")

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    in_page = models.BooleanField(_("shown in the page"), default=True)
    email_state = models.CharField(
        _("e-mail"), max_length=8, choices=EmailState.choices, default="", blank=True
    )
    email_next_at = models.DateTimeField(_("next e-mail attempt"), null=True, blank=True)
    email_claim = models.UUIDField(null=True, blank=True, editable=False)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    email_error = models.CharField(_("last e-mail error"), max_length=300, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"]),
            models.Index(
                fields=["email_next_at"],
                condition=Q(email_state="pending"),
                name="notification_email_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"


class Heartbeat(models.Model):
    """The last time a periodic task ran: proof that a worker is alive."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    beat_at = models.DateTimeField(_("last beat"))
    count = models.PositiveBigIntegerField(_("beats"), default=0)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class WorkdayOverride(Trilingual, models.Model):
    """An admin's correction to the Kazakh working-day calendar for one date.

    The ``holidays`` package knows the law and the transfers decreed so far,
    but the government decrees new transfers every year and sometimes late, so
    an override here wins over the package (see ``participation.workdays``).
    """

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        help_text=_(
            "Ticked: a working day even if it is a weekend or a holiday (a transferred "
            "working Saturday). Unticked: a day off even if it is a weekday."
        ),
    )
    reason_kk = models.CharField(_("reason (Kazakh)"), max_length=200, blank=True)
    reason_ru = models.CharField(_("reason (Russian)"), max_length=200, blank=True)
    reason_en = models.CharField(_("reason (English)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("working-day override")
        verbose_name_plural = _("working-day overrides")

    def __str__(self) -> str:
        kind = _("working day") if self.is_working_day else _("day off")
        return f"{self.date:%Y-%m-%d} · {kind}"

    @property
    def reason(self) -> str:
        return self.tr("reason")


class NotificationPreference(models.Model):
    """A person's choice, for one kind of notification, of where it reaches them.

    Only choices that differ from the kind's default (``participation.notify.DELIVERY``)
    are stored, so a better default later reaches everyone who never chose.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=50)
    email = models.BooleanField(_("by e-mail"))
    in_page = models.BooleanField(_("in the page"))

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.kind}"


class DailyDigest(models.Model):
    """One person's daily digest of appeals at risk or overdue: one row per local day.

    The unique (person, date) row is what makes the digest go out once a day
    however many workers run the task; its notification does the delivery.
    """

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="+"
    )
    date = models.DateField(_("date"))
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [models.UniqueConstraint(fields=["user", "date"], name="one_digest_per_day")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.date:%Y-%m-%d}"


class ApiToken(models.Model):
    """A personal token for the JSON API, created and revoked on the profile page.

    Only a SHA-256 digest of the token is stored: the token itself is shown
    once, when it is made. Tokens are 256 random bits, so a plain digest is
    enough (no salt or slow hash is needed against guessing). ``prefix`` is the
    token's first characters, shown so people can tell their tokens apart.
    """

    user = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# Petitions live in their own module to keep this one readable (SPEC §5); the
# import registers their models with the app.
from participation import petition_models  # noqa: E402, F401
