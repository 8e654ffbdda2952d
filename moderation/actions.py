"""Every moderator's and reporter's write: atomic, audited, with the author told.

Concurrency is stated where it matters: a claim and a decision are
conditional UPDATEs whose row count is checked, so of two moderators acting on
one item at once exactly one succeeds and the other gets ``Conflict``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from moderation import registry
from moderation.models import (
    AuditEntry,
    DecisionAppeal,
    ModerationItem,
    Reason,
    Report,
    Sanction,
    State,
    WatchedWord,
)
from moderation.rules import bump_watched_words_version
from moderation.sanctions import forget
from moderation.sanitize import render_markdown
from participation.access import check_role, memberships
from participation.actions import do_notify
from participation.models import Role, User


class Conflict(Exception):
    """Another moderator got there first; ``message`` says who and what."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_moderator(user: Any, item: ModerationItem) -> None:
    """Moderators act on items of their agencies; platform moderators on all."""
    check_role(user, Role.MODERATOR, item.agency)


def tell_author(item: ModerationItem, *, kind: str, **params: Any) -> None:
    if item.author is None:
        return
    do_notify(
        item.author,
        kind=kind,
        params={"reason": _reason_names(item.reason), **params},
        url=_item_url(item),
    )


# --- The queue --------------------------------------------------------------------


def do_claim(item: ModerationItem, *, moderator: User) -> ModerationItem:
    """Take an item so no other moderator works on it. Stale claims may be taken over."""
    check_moderator(moderator, item)
    now = timezone.now()
    stale = now - timedelta(minutes=settings.MODERATION_CLAIM_MINUTES)
    with transaction.atomic():
        taken = (
            ModerationItem.objects.filter(pk=item.pk)
            .filter(Q(claimed_by__isnull=True) | Q(claimed_by=moderator) | Q(claimed_at__lt=stale))
            .update(claimed_by=moderator, claimed_at=now)
        )
        if not taken:
            item.refresh_from_db()
            raise Conflict(
                str(
                    _("%(name)s is already working on this item.") % {"name": _who(item.claimed_by)}
                )
            )
        AuditEntry.objects.create(actor=moderator, action="claimed", item=item)
    item.refresh_from_db()
    return item


@transaction.atomic
def do_decide(
    item: ModerationItem,
    *,
    moderator: User,
    state: State,
    reason: Reason,
    version: int,
    texts: dict[str, str] | None = None,
) -> ModerationItem:
    """Publish, hold or reject an item, optionally redacting its texts.

    ``version`` is the item version the moderator saw. The UPDATE only
    matches that version and an item nobody else holds, so a second decision
    on the same item finds no row and raises ``Conflict``: never two decisions.
    """
    check_moderator(moderator, item)
    if state == State.PUBLISHED and reason != Reason.MEETS_RULES and not texts:
        reason = Reason.MEETS_RULES
    now = timezone.now()
    stale = now - timedelta(minutes=settings.MODERATION_CLAIM_MINUTES)
    before = {"state": item.state, "reason": item.reason, "hidden": item.hidden_by_reports}
    won = (
        ModerationItem.objects.filter(pk=item.pk, version=version)
        .filter(Q(claimed_by__isnull=True) | Q(claimed_by=moderator) | Q(claimed_at__lt=stale))
        .update(
            state=state,
            reason=reason,
            needs_review=False,
            hidden_by_reports=False,
            decided_by=moderator,
            decided_at=now,
            claimed_by=None,
            claimed_at=None,
            version=F("version") + 1,
        )
    )
    if not won:
        item.refresh_from_db()
        holder = item.claimed_by if item.claimed_by_id not in (None, moderator.pk) else None
        who = _who(holder or item.decided_by)
        raise Conflict(
            str(
                _("%(name)s has already acted on this item; reload it to see the decision.")
                % {"name": who}
            )
        )
    item.refresh_from_db()
    obj = _content(item)
    moderated = registry.for_kind(item.kind)
    redacted: dict[str, dict[str, str]] = {}
    changed: list[str] = []
    for name, text in (texts or {}).items():
        if name not in moderated.all_fields:
            raise ValueError(f"{name} is not a text field of {item.kind}")
        redacted[name] = {"before": getattr(obj, name), "after": text}
        setattr(obj, name, text)
        changed.append(name)
        if name in moderated.text_fields:
            setattr(obj, moderated.html_field(name), render_markdown(text))
            changed.append(moderated.html_field(name))
    moderated.apply(obj, state, False)
    obj.save(update_fields=[*changed, *moderated.visibility_fields])
    if texts:
        ModerationItem.objects.filter(pk=item.pk).update(redacted=True)
    moderated.after_verdict(obj, state)
    Report.objects.filter(item=item, resolved_at__isnull=True).update(
        resolved_at=now, upheld=state != State.PUBLISHED or bool(texts)
    )
    AuditEntry.objects.create(
        actor=moderator,
        action="redacted" if texts else "decided",
        item=item,
        subject=item.author,
        reason=reason,
        before={**before, "texts": {k: v["before"] for k, v in redacted.items()}},
        after={"state": state, "texts": {k: v["after"] for k, v in redacted.items()}},
    )
    if texts:
        tell_author(item, kind="moderation_redacted")
    elif state != before["state"] or before["hidden"]:
        kind = (
            "moderation_held_by_moderator"
            if state == State.HELD
            else f"moderation_{State(state).value}"
        )
        tell_author(item, kind=kind)
    return item


def do_bulk_decide(
    items: list[ModerationItem], *, moderator: User, state: State, reason: Reason
) -> tuple[list[ModerationItem], list[tuple[ModerationItem, str]]]:
    """Decide many items; each in its own transaction, so one conflict stops none of the rest."""
    done, conflicts = [], []
    for item in items:
        try:
            done.append(
                do_decide(
                    item, moderator=moderator, state=state, reason=reason, version=item.version
                )
            )
        except Conflict as conflict:
            conflicts.append((item, conflict.message))
    return done, conflicts


# --- Reports -----------------------------------------------------------------------


def reporter_weight(user: User) -> tuple[int, bool]:
    """(weight, is staff): staff count as a hiding report; accurate reporters weigh double."""
    if user.is_staff or memberships(user):
        return settings.MODERATION_REPORTS_TO_HIDE, True
    resolved = Report.objects.filter(reporter=user, resolved_at__isnull=False)
    total = resolved.count()
    if total >= 5 and resolved.filter(upheld=True).count() >= 0.8 * total:
        return 2, False
    return 1, False


@transaction.atomic
def do_report(item: ModerationItem, *, reporter: User, reason: Reason, comment: str = "") -> Report:
    """Report an item. Three distinct people, or one member of staff, hide it until reviewed."""
    if item.author_id == reporter.pk:
        raise NotAllowed(str(_("You cannot report what you wrote yourself.")))
    weight, by_staff = reporter_weight(reporter)
    try:
        with transaction.atomic():
            report = Report.objects.create(
                item=item,
                reporter=reporter,
                reason=reason,
                comment=comment[:500],
                weight=weight,
                by_staff=by_staff,
            )
    except IntegrityError as exc:
        raise NotAllowed(str(_("You have already reported this."))) from exc
    AuditEntry.objects.create(actor=reporter, action="reported", item=item, reason=reason)
    open_reports = Report.objects.filter(item=item, resolved_at__isnull=True)
    distinct = open_reports.values("reporter").distinct().count()
    if by_staff or distinct >= settings.MODERATION_REPORTS_TO_HIDE:
        _hide(item)
    return report


def _hide(item: ModerationItem) -> None:
    hidden = ModerationItem.objects.filter(pk=item.pk, hidden_by_reports=False).update(
        hidden_by_reports=True
    )
    if not hidden:  # already hidden: nothing more to do, exactly once
        return
    item.refresh_from_db()
    obj = _content(item)
    moderated = registry.for_kind(item.kind)
    moderated.apply(obj, State(item.state), True)
    obj.save(update_fields=list(moderated.visibility_fields))
    AuditEntry.objects.create(action="hidden_by_reports", item=item, reason=Reason.REPORTED)
    tell_author(item, kind="moderation_hidden")


def abusive_reporters(min_reports: int = 5, max_upheld_share: float = 0.2) -> list[dict[str, Any]]:
    """People whose reports moderators mostly reject: shown to moderators."""
    from django.db.models import Count

    rows = (
        Report.objects.filter(resolved_at__isnull=False)
        .values("reporter", "reporter__email", "reporter__display_name")
        .annotate(total=Count("id"), upheld=Count("id", filter=Q(upheld=True)))
        .filter(total__gte=min_reports)
    )
    return [dict(row) for row in rows if row["upheld"] <= max_upheld_share * row["total"]]


# --- Sanctions ---------------------------------------------------------------------


@transaction.atomic
def do_sanction(
    user: User,
    *,
    moderator: User,
    kind: Sanction.Kind,
    reason: Reason,
    ends_at: datetime | None = None,
    note: str = "",
    item: ModerationItem | None = None,
) -> Sanction:
    check_role(moderator, Role.MODERATOR, item.agency if item else None)
    if kind == Sanction.Kind.MUTE and ends_at is None:
        raise ValueError("a mute needs an end")
    if user.pk == moderator.pk:
        raise NotAllowed(str(_("You cannot sanction yourself.")))
    forget(user.pk)  # now, and again once committed, so no stale "unsanctioned" survives
    transaction.on_commit(lambda: forget(user.pk))
    sanction = Sanction.objects.create(
        user=user,
        kind=kind,
        reason=reason,
        ends_at=ends_at,
        note=note[:500],
        item=item,
        issued_by=moderator,
    )
    AuditEntry.objects.create(
        actor=moderator,
        action=f"sanction_{Sanction.Kind(kind).value}",
        item=item,
        subject=user,
        reason=reason,
        after={"ends_at": ends_at.isoformat() if ends_at else None, "note": note[:500]},
    )
    params: dict[str, Any] = {"reason": _reason_names(reason)}
    if ends_at is not None:
        params["until"] = f"{timezone.localtime(ends_at):%Y-%m-%d %H:%M}"
    do_notify(user, kind=f"sanction_{Sanction.Kind(kind).value}", params=params)
    return sanction


@transaction.atomic
def do_revoke_sanction(sanction: Sanction, *, moderator: User) -> None:
    check_role(moderator, Role.MODERATOR, None)
    updated = Sanction.objects.filter(pk=sanction.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if updated:
        AuditEntry.objects.create(
            actor=moderator,
            action="sanction_revoked",
            subject=sanction.user,
            reason=sanction.reason,
        )


# --- Appeals against decisions ---------------------------------------------------------


@transaction.atomic
def do_appeal_decision(item: ModerationItem, *, author: User, text: str) -> DecisionAppeal:
    """The author contests a decision, once. A different moderator will decide."""
    if item.author_id != author.pk:
        raise NotAllowed(str(_("Only the author may appeal this decision.")))
    if item.state == State.PUBLISHED and not item.redacted:
        raise NotAllowed(str(_("There is nothing to appeal: the text is published as written.")))
    if not text.strip():
        raise NotAllowed(str(_("Please say why the decision is wrong.")))
    try:
        with transaction.atomic():
            appeal = DecisionAppeal.objects.create(
                item=item,
                author=author,
                text=text[:2000],
                original_moderator=item.decided_by,
            )
    except IntegrityError as exc:
        raise NotAllowed(str(_("A decision can be appealed only once."))) from exc
    ModerationItem.objects.filter(pk=item.pk).update(needs_review=True)
    AuditEntry.objects.create(actor=author, action="decision_appealed", item=item)
    return appeal


@transaction.atomic
def do_decide_appeal(
    appeal: DecisionAppeal, *, moderator: User, outcome: DecisionAppeal.Outcome
) -> DecisionAppeal:
    """Uphold or overturn. The moderator who made the decision may not judge it."""
    item = appeal.item
    check_moderator(moderator, item)
    if moderator.pk in (appeal.original_moderator_id, item.decided_by_id):
        raise NotAllowed(str(_("A different moderator must decide this appeal.")))
    decided = DecisionAppeal.objects.filter(pk=appeal.pk, decided_at__isnull=True).update(
        decided_by=moderator, decided_at=timezone.now(), outcome=outcome
    )
    if not decided:
        raise Conflict(str(_("This appeal has already been decided.")))
    if outcome == DecisionAppeal.Outcome.OVERTURNED:
        item.refresh_from_db()
        do_decide(
            item,
            moderator=moderator,
            state=State.PUBLISHED,
            reason=Reason.MEETS_RULES,
            version=item.version,
        )
    else:
        ModerationItem.objects.filter(pk=item.pk).update(needs_review=False)
    outcome_name = DecisionAppeal.Outcome(outcome).value
    AuditEntry.objects.create(actor=moderator, action=f"appeal_{outcome_name}", item=item)
    appeal.refresh_from_db()
    tell_author(item, kind=f"appeal_{outcome_name}")
    return appeal


# --- Watched words ---------------------------------------------------------------------


@transaction.atomic
def do_save_watched_word(word: WatchedWord, *, actor: User | None) -> WatchedWord:
    created = word.pk is None
    word.full_clean()
    word.save()
    AuditEntry.objects.create(
        actor=actor,
        action="watched_word_added" if created else "watched_word_changed",
        after={"phrase": word.phrase, "language": word.language, "action": word.action},
    )
    transaction.on_commit(bump_watched_words_version)
    return word


@transaction.atomic
def do_delete_watched_word(word: WatchedWord, *, actor: User | None) -> None:
    AuditEntry.objects.create(
        actor=actor,
        action="watched_word_removed",
        before={"phrase": word.phrase, "language": word.language, "action": word.action},
    )
    word.delete()
    transaction.on_commit(bump_watched_words_version)


# --- Helpers ---------------------------------------------------------------------------


def _content(item: ModerationItem) -> Any:
    content = item.content
    if content is None:
        raise NotAllowed(str(_("The content of this item no longer exists.")))
    return content


def _who(user: User | None) -> str:
    return user.public_name if user is not None else str(_("Another moderator"))


def _item_url(item: ModerationItem) -> str:
    from django.urls import reverse

    language = item.author.preferred_language if item.author else "kk"
    with translation.override(language):
        return reverse("moderation:item", args=[item.pk])


def _reason_names(reason: str) -> dict[str, str]:
    names = {}
    for code in ("kk", "ru", "en"):
        with translation.override(code):
            names[code] = str(Reason(reason).label)
    return names
