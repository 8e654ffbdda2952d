"""The one road for user content: ``moderate(obj)`` on every create and every edit.

1. The author may post: no ban or mute, not over a rate limit.
2. The automatic rules read each text field: watched words, personal data in
   public text, links from young accounts, duplicates, the author's trust.
3. A ``block`` refuses the text with a clear reason (``ContentRefused``; the
   caller's transaction rolls back, the author keeps their text in the form),
   unless the type may not be refused (appeals), where it holds instead.
4. Censored words and redacted personal data are rewritten; the original goes
   to the audit log.
5. Each text is rendered from Markdown and sanitised; the safe HTML is stored
   in ``<field>_html``. Pages show only that.
6. The verdict (published or held, with a reason from the fixed list) is
   applied through the type's ``apply`` hook and saved with the item that the
   queue reads. The author is told when their text is held.

Call it inside the content action's transaction, after setting the raw text
fields on the object and before any other save of them. ``is_edit=False``
means the content is new (it has no moderation item yet); an edit looks its
item up and locks it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation import registry
from moderation.limits import is_duplicate, over_limit
from moderation.models import AuditEntry, ModerationItem, Reason, State
from moderation.rules import (
    Hit,
    Trust,
    count_links,
    personal_data,
    rewrite,
    trust_level,
    watched_words,
)
from moderation.sanctions import active_restriction
from moderation.sanitize import TextTooLong, plain_text, render_markdown
from participation.rows import insert_row, update_row
from participation.workdays import WorkCalendar, load_calendar

_REASON_OF_RULE = {
    "watched_word": Reason.WATCHED_WORDS,
    "iin": Reason.PERSONAL_DATA,
    "phone": Reason.PERSONAL_DATA,
    "email": Reason.PERSONAL_DATA,
    "links": Reason.LINKS,
    "duplicate": Reason.DUPLICATE,
    "trust": Reason.NEW_ACCOUNT,
}


class ContentRefused(Exception):
    """The text cannot be accepted as it is. ``message`` says why, in the active language."""

    def __init__(self, message: str, *, reason: Reason = Reason.OTHER, retry_after: int = 0):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.retry_after = retry_after


@dataclass(frozen=True)
class Verdict:
    state: State
    reason: Reason
    hits: list[Hit]
    item: ModerationItem


def check_can_post(author: Any) -> None:
    """Raise ``ContentRefused`` if a ban or mute stops this person from posting."""
    restriction = active_restriction(author)
    if restriction is None:
        return
    if restriction.ends_at is None:
        raise ContentRefused(
            str(_("Your account is banned from posting.")), reason=Reason(restriction.reason)
        )
    local = timezone.localtime(restriction.ends_at)
    raise ContentRefused(
        str(_("You are muted until %(moment)s.") % {"moment": f"{local:%Y-%m-%d %H:%M}"}),
        reason=Reason(restriction.reason),
    )


@transaction.atomic
def moderate(obj: Model, *, ip: str | None = None, is_edit: bool = False) -> Verdict:
    moderated = registry.for_model(obj._meta.model)  # also for a lazy request.user
    author = moderated.author(obj)
    # Content that may not be refused (appeals) is held, not refused, for a sanctioned author.
    sanctioned = False
    if author is not None:
        if moderated.may_refuse:
            check_can_post(author)
        else:
            sanctioned = active_restriction(author) is not None
        wait = over_limit(user_id=author.pk, ip=ip)
        if wait:
            raise ContentRefused(
                str(_("You are posting too fast. Please wait %(seconds)s s.") % {"seconds": wait}),
                reason=Reason.SPAM,
                retry_after=wait,
            )

    public = moderated.is_public(obj)
    originals = {name: clean_input(getattr(obj, name) or "") for name in moderated.all_fields}
    rewritten: dict[str, str] = {}
    hits: list[Hit] = []
    for name, text in originals.items():
        found = watched_words(text)
        if public:
            found += personal_data(text)
        rewritten[name] = rewrite(text, found)
        hits += found

    if sanctioned:
        hits.append(Hit("sanction", "hold"))
    joined = "\n".join(originals.values())
    trust = trust_level(author) if author is not None else Trust.MEMBER
    if trust == Trust.NEW and joined.strip():
        hits.append(Hit("trust", "hold"))
    if trust <= Trust.BASIC and count_links(joined) > _young_links():
        hits.append(Hit("links", "hold"))
    if (
        not is_edit
        and author is not None
        and joined.strip()
        and is_duplicate(user_id=author.pk, text=joined)
    ):
        hits.append(Hit("duplicate", "block"))

    blocking = [hit for hit in hits if hit.action == "block"]
    if blocking and moderated.may_refuse:
        raise ContentRefused(_refusal_message(blocking[0]), reason=_reason(blocking[0]))

    html: dict[str, str] = {}
    for name in moderated.text_fields:
        text = rewritten[name]
        try:
            html[name] = render_markdown(text)
        except TextTooLong as exc:
            raise ContentRefused(
                str(
                    _("The text is too long: %(length)s characters, at most %(limit)s.")
                    % {"length": exc.length, "limit": exc.limit}
                ),
                reason=Reason.OTHER,
            ) from exc

    holding = [hit for hit in hits if hit.action in ("hold", "block")]
    state = State.HELD if holding else State.PUBLISHED
    reason = _reason(holding[0]) if holding else Reason.MEETS_RULES
    needs_review = any(hit.action == "flag" for hit in hits)

    for name, text in rewritten.items():
        setattr(obj, name, text)
    for name, safe in html.items():
        setattr(obj, moderated.html_field(name), safe)
    # New content has no item yet: only an edit looks one up (and locks it).
    existing = _item_for(obj) if is_edit else None
    hidden = existing is not None and existing[1]
    moderated.apply(obj, state, hidden)
    if obj.pk is None:
        obj.save()
    else:  # an UPDATE of just these columns: no other field of the object is touched
        update_row(
            obj,
            [
                *moderated.all_fields,
                *map(moderated.html_field, moderated.text_fields),
                *moderated.visibility_fields,
            ],
        )

    plain = [rewritten[name] for name in moderated.plain_fields]
    # The excerpt needs 280 characters: a short head of the HTML is plenty to read them from.
    body = plain_text(" ".join(value[:1000] for value in html.values()))
    excerpt = " · ".join([*plain, body]).strip(" ·")[:280]
    due = _moderation_due(moderated, obj)
    values = {
        "kind": moderated.kind,
        "author": author,
        "agency": moderated.agency(obj),
        "state": state,
        "reason": reason,
        "flags": [hit.as_json() for hit in hits],
        "needs_review": needs_review,
        "excerpt": excerpt,
        "priority": moderated.priority,
        "due_at": due,
    }
    if existing is None:
        item = ModerationItem(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, **values
        )
        item.pk = insert_row(item)
    else:
        # The row is locked (select_for_update in _item_for) until this transaction ends.
        values.update(claimed_by=None, claimed_at=None, decided_by=None, decided_at=None)
        ModerationItem.objects.filter(pk=existing[0]).update(version=F("version") + 1, **values)
        item = ModerationItem.objects.get(pk=existing[0])

    changed = {name: originals[name] for name in originals if originals[name] != rewritten[name]}
    insert_row(
        AuditEntry(
            action="edited" if is_edit else "submitted",
            item=item,
            subject=author,
            reason=reason,
            before={"texts": changed} if changed else {},
            after={"state": state, "flags": values["flags"]},
        )
    )
    if state == State.PUBLISHED:
        moderated.after_verdict(obj, state)
    if state == State.HELD and author is not None:
        from moderation.actions import tell_author

        tell_author(item, kind="moderation_held")
    return Verdict(state=state, reason=reason, hits=hits, item=item)


def clean_input(text: str) -> str:
    """Line ends as \\n; no NUL (U+0000): it means nothing in text and PostgreSQL
    cannot store it, so no content type's raw field may carry one."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def _young_links() -> int:
    from django.conf import settings

    return int(settings.MODERATION_YOUNG_ACCOUNT_LINKS)


def _reason(hit: Hit) -> Reason:
    return _REASON_OF_RULE.get(hit.rule, Reason.OTHER)


def _refusal_message(hit: Hit) -> str:
    if hit.rule == "duplicate":
        return str(_("You have already posted this text."))
    return str(
        _("The text contains words that are not allowed here: %(word)s.") % {"word": hit.detail}
    )


def _item_for(obj: Model) -> tuple[int, bool] | None:
    """(pk, hidden_by_reports) of the object's item, locked until commit; None if new."""
    if obj.pk is None:
        return None
    row = (
        ModerationItem.objects.select_for_update()
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .values_list("pk", "hidden_by_reports")
        .first()
    )
    return (row[0], row[1]) if row else None


_calendar: tuple[float, WorkCalendar] | None = None


def _moderation_due(moderated: registry.ModeratedType, obj: Model) -> Any:
    """The T1 moderation clock (1 working day), or the content's own clock if sooner.

    The calendar (one query for the overrides) is reused for a minute: every
    post would otherwise read it, and a correction by an admin may take that
    minute to reach the moderation clock of new posts.
    """
    global _calendar
    now = time.monotonic()
    if _calendar is None or now - _calendar[0] > 60:
        _calendar = (now, load_calendar())
    calendar = _calendar[1]
    due = calendar.due_moment(calendar.registration_day(timezone.now()), 1)
    own = moderated.clock_due(obj)
    return min(due, own) if own is not None else due
