"""Every step of an appeal's life (SPEC §1) is an action here.

Each action checks who may take it (``participation.access``), checks the
appeal is in a state that allows it (``InvalidTransition`` otherwise, never a
silent no-op), moves the clocks, writes a timeline event and tells the people
concerned, all in one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moderation.pipeline import clean_input, moderate
from moderation.sanitize import render_markdown
from participation.access import AccessDenied, check_role, holds_role
from participation.actions import do_notify
from participation.models import Agency, Official, Role, User
from participation.workdays import load_calendar, local_date
from reception import clocks, stats
from reception.models import Appeal, AppealEvent, Attachment, Clock

OFFICE_ROLES = (Role.OFFICIAL, Role.DELEGATE)
# Crockford's base32 without I, L, O, U: nothing to misread when dictated or typed.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class InvalidTransition(Exception):
    """The appeal is not in a state that allows this step; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def new_tracking_number(now: datetime | None = None) -> str:
    """``A-2026-7K3Q-9XMP``: the year and 40 random bits, not guessable, easy to dictate."""
    year = local_date(now or timezone.now()).year
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"A-{year}-{code[:4]}-{code[4:]}"


def check_office(user: Any, appeal: Appeal) -> None:
    """Officials and delegates of the handling agency (or above it) may act on its appeals."""
    for role in OFFICE_ROLES:
        if holds_role(user, role, appeal.agency):
            check_role(user, role, appeal.agency)  # the MFA check
            return
    raise AccessDenied


def is_head_of(user: Any, agency: Agency) -> bool:
    return Official.objects.filter(user=user, agency=agency, is_head=True).exists()


def _event(
    appeal: Appeal, action: str, *, actor: User | None, note: str = "", public: bool = True
) -> None:
    AppealEvent.objects.create(
        appeal=appeal, action=action, actor=actor, agency=appeal.agency, note=note, is_public=public
    )
    stats.mark_changed()  # every step passes here: cached statistics follow it


def _tell_citizen(appeal: Appeal, kind: str, **params: Any) -> None:
    do_notify(
        appeal.citizen,
        kind=kind,
        params={"number": appeal.tracking_number, **params},
        url=appeal.path,
    )


def office_people(agency: Agency) -> Iterable[User]:
    """Who hears of a new appeal: the agency's officials and delegates."""
    return User.objects.filter(
        memberships__agency=agency, memberships__role__in=[r.value for r in OFFICE_ROLES]
    ).distinct()


def _require(appeal: Appeal, *states: Appeal.State) -> None:
    if appeal.state not in states:
        raise InvalidTransition(
            str(
                _("This step is not possible: the appeal is %(state)s.")
                % {"state": appeal.get_state_display()}
            )
        )


@transaction.atomic
def do_submit_appeal(
    *,
    citizen: User,
    kind: Appeal.Kind,
    subject: str,
    text: str,
    is_public: bool,
    official: Official | None = None,
    agency: Agency | None = None,
    submitted_by: User | None = None,
    attachments: Iterable[Any] = (),
    ip: str | None = None,
    now: datetime | None = None,
) -> Appeal:
    """Register an appeal on the day of submission (or the next working day) and start its clocks.

    An operator at a public service centre submits for a citizen who came in
    person (``submitted_by``); the citizen gets the tracking number.
    """
    if official is None and agency is None:
        raise ValueError("an appeal is addressed to an official or an agency")
    if submitted_by is not None:
        check_role(submitted_by, Role.OPERATOR, _operator_scope(submitted_by))
    now = now or timezone.now()
    handling = official.agency if official is not None else agency
    assert handling is not None
    registered_on = load_calendar().registration_day(now)
    appeal = Appeal(
        tracking_number=new_tracking_number(now),
        kind=kind,
        # Saved once before moderation (the clocks need the row): cleaned as it will.
        subject=clean_input(subject).strip(),
        text=clean_input(text),
        is_public=is_public,
        citizen=citizen,
        submitted_by=submitted_by,
        official=official,
        agency=handling,
        state=Appeal.State.REGISTERED,
        submitted_at=now,
        registered_on=registered_on,
    )
    # Clocks first need the row; moderation saves it. T1 is met when moderation decides.
    appeal.save()
    for kind_ in Clock.Kind:
        clocks.start(appeal, kind_, agency=handling, registered_on=registered_on)
    moderate(appeal, ip=ip)
    for upload in attachments:
        _attach(appeal, upload)
    _event(appeal, "submitted", actor=submitted_by or citizen)
    _tell_citizen(appeal, "appeal_registered")
    for person in office_people(handling):
        do_notify(
            person, kind="appeal_new", params={"number": appeal.tracking_number}, url=appeal.path
        )
    return appeal


def _attach(appeal: Appeal, upload: Any) -> Attachment:
    """Store one upload that the form has checked (type by its first bytes, size)."""
    from reception.forms import sniff

    kind = sniff(upload)
    if kind is None:
        raise InvalidTransition(str(_("This file type is not accepted.")))
    content_type, extension = kind
    name = "".join(c for c in str(upload.name) if c.isprintable() and c not in '/\\"')[:200]
    attachment = Attachment(
        appeal=appeal, name=name or "file", content_type=content_type, extension=extension,
        size=upload.size,
    )  # fmt: skip
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def find_or_create_citizen(*, iin: str, full_name: str, email: str, region: Any) -> User:
    """The account of a citizen who came in person, found by IIN, or a new one.

    Without an e-mail the account gets an address under ``.invalid`` (a domain
    reserved never to exist): nothing is ever sent there, and the citizen can
    later claim the account with their own address at a service centre.
    """
    existing = User.objects.filter(iin=iin).first()
    if existing is not None:
        return existing
    address = email.lower() if email else f"iin-{iin}@citizens.invalid"
    if User.objects.filter(email=address).exists():
        raise InvalidTransition(str(_("This e-mail address belongs to another account.")))
    return User.objects.create_user(
        address, None, iin=iin, real_name=full_name, region=region, preferred_language="kk"
    )


def _operator_scope(operator: User) -> Agency | None:
    """Operators serve every citizen who comes in, whatever the addressee: any
    operator membership will do."""
    from participation.access import memberships

    for membership in memberships(operator):
        if membership.role == Role.OPERATOR:
            return membership.agency
    raise AccessDenied


@transaction.atomic
def do_accept(
    appeal: Appeal, *, actor: User, assignee: User | None = None, now: datetime | None = None
) -> Appeal:
    check_office(actor, appeal)
    _require(appeal, Appeal.State.REGISTERED)
    if assignee is not None and not any(
        holds_role(assignee, r, appeal.agency) for r in OFFICE_ROLES
    ):
        raise InvalidTransition(str(_("The assignee does not work in this office.")))
    appeal.state = Appeal.State.ACCEPTED
    appeal.assignee = assignee or actor
    appeal.save(update_fields=["state", "assignee"])
    clocks.stop(appeal, [Clock.Kind.FIRST_RESPONSE], met=True, now=now)
    _event(appeal, "accepted", actor=actor)
    _tell_citizen(appeal, "appeal_accepted")
    return appeal


@transaction.atomic
def do_assign(appeal: Appeal, *, actor: User, assignee: User) -> Appeal:
    check_office(actor, appeal)
    _require(appeal, Appeal.State.REGISTERED, Appeal.State.ACCEPTED, Appeal.State.AWAITING_CITIZEN)
    if not any(holds_role(assignee, r, appeal.agency) for r in OFFICE_ROLES):
        raise InvalidTransition(str(_("The assignee does not work in this office.")))
    appeal.assignee = assignee
    appeal.save(update_fields=["assignee"])
    _event(appeal, "assigned", actor=actor, public=False, note=assignee.public_name)
    return appeal


@transaction.atomic
def do_forward(
    appeal: Appeal, *, actor: User, to_agency: Agency, reason: str, now: datetime | None = None
) -> Appeal:
    """Send the appeal to the competent agency; its clocks start at its own registration."""
    check_office(actor, appeal)
    _require(appeal, Appeal.State.REGISTERED, Appeal.State.ACCEPTED)
    if to_agency.pk == appeal.agency_id:
        raise InvalidTransition(str(_("The appeal is already with this agency.")))
    if not reason.strip():
        raise InvalidTransition(str(_("Say why the appeal goes to another agency.")))
    now = now or timezone.now()
    clocks.stop(appeal, [Clock.Kind.FIRST_RESPONSE], met=True, now=now)
    clocks.stop(appeal, [Clock.Kind.ANSWER, Clock.Kind.LEGAL], met=False, now=now)
    previous = appeal.agency
    appeal.agency = to_agency
    appeal.official = None
    appeal.assignee = None
    appeal.state = Appeal.State.REGISTERED
    appeal.registered_on = load_calendar().registration_day(now)
    appeal.save(update_fields=["agency", "official", "assignee", "state", "registered_on"])
    for kind in (Clock.Kind.FIRST_RESPONSE, Clock.Kind.ANSWER, Clock.Kind.LEGAL):
        clocks.start(appeal, kind, agency=to_agency, registered_on=appeal.registered_on)
    _event(
        appeal,
        "forwarded",
        actor=actor,
        note=f"{previous.name} → {to_agency.name}: {reason.strip()}",
    )
    _tell_citizen(
        appeal,
        "appeal_forwarded",
        agency={"kk": to_agency.name_kk, "ru": to_agency.name_ru, "en": to_agency.name_en},
    )
    for person in office_people(to_agency):
        do_notify(
            person, kind="appeal_new", params={"number": appeal.tracking_number}, url=appeal.path
        )
    return appeal


@transaction.atomic
def do_ask_clarification(appeal: Appeal, *, actor: User, question: str) -> Appeal:
    """Ask the citizen; the answer clock (T3) pauses until they reply. T4 never pauses."""
    check_office(actor, appeal)
    _require(appeal, Appeal.State.ACCEPTED)
    if not question.strip():
        raise InvalidTransition(str(_("Write the question for the citizen.")))
    appeal.state = Appeal.State.AWAITING_CITIZEN
    appeal.clarification_request = question.strip()
    appeal.save(update_fields=["state", "clarification_request"])
    clocks.pause(appeal, Clock.Kind.ANSWER)
    _event(appeal, "clarification_asked", actor=actor, note=question.strip(), public=False)
    _tell_citizen(appeal, "appeal_clarification_asked")
    return appeal


@transaction.atomic
def do_clarify(appeal: Appeal, *, citizen: User, text: str) -> Appeal:
    if appeal.citizen_id != citizen.pk:
        raise AccessDenied
    _require(appeal, Appeal.State.AWAITING_CITIZEN)
    if not text.strip():
        raise InvalidTransition(str(_("Write your clarification.")))
    appeal.state = Appeal.State.ACCEPTED
    appeal.save(update_fields=["state"])
    clocks.resume(appeal, Clock.Kind.ANSWER)
    _event(appeal, "clarified", actor=citizen, note=text.strip()[:5000], public=False)
    return appeal


MAX_EXTENSION_WORKING_DAYS = 40  # about two months (SPEC §1: by at most two months)


@transaction.atomic
def do_extend(appeal: Appeal, *, actor: User, reason: str, working_days: int) -> Appeal:
    """The head of the body extends the legal deadline, with a reason, once, by <= two months."""
    check_office(actor, appeal)
    if not is_head_of(actor, appeal.agency):
        raise AccessDenied
    _require(appeal, Appeal.State.ACCEPTED, Appeal.State.AWAITING_CITIZEN)
    if appeal.extension_reason:
        raise InvalidTransition(str(_("The deadline has already been extended once.")))
    if not 1 <= working_days <= MAX_EXTENSION_WORKING_DAYS:
        raise InvalidTransition(str(_("An extension is 1 to 40 working days.")))
    if not reason.strip():
        raise InvalidTransition(str(_("An extension needs a reason.")))
    appeal.extension_reason = reason.strip()
    appeal.save(update_fields=["extension_reason"])
    clocks.extend(appeal, Clock.Kind.LEGAL, working_days=working_days)
    _event(appeal, "extended", actor=actor, note=reason.strip())
    _tell_citizen(appeal, "appeal_extended", days=working_days)
    return appeal


@transaction.atomic
def do_draft_answer(appeal: Appeal, *, actor: User, text: str, outcome: Appeal.Outcome) -> Appeal:
    """A delegate's draft, for an official to approve where the office requires it."""
    check_office(actor, appeal)
    _require(appeal, Appeal.State.REGISTERED, Appeal.State.ACCEPTED, Appeal.State.AWAITING_CITIZEN)
    appeal.draft_answer = text.strip()
    appeal.draft_outcome = outcome
    appeal.drafted_by = actor
    appeal.save(update_fields=["draft_answer", "draft_outcome", "drafted_by"])
    _event(appeal, "answer_drafted", actor=actor, public=False)
    return appeal


@transaction.atomic
def do_answer(
    appeal: Appeal,
    *,
    actor: User,
    text: str,
    outcome: Appeal.Outcome,
    now: datetime | None = None,
) -> Appeal:
    """Publish the answer. Delegates may, unless their agency asks officials to approve."""
    check_office(actor, appeal)
    _require(appeal, Appeal.State.REGISTERED, Appeal.State.ACCEPTED, Appeal.State.AWAITING_CITIZEN)
    if not holds_role(actor, Role.OFFICIAL, appeal.agency) and not appeal.agency.delegates_answer:
        raise AccessDenied
    if not text.strip():
        raise InvalidTransition(str(_("The answer is empty.")))
    now = now or timezone.now()
    appeal.state = Appeal.State.ANSWERED
    appeal.answer = text.strip()
    appeal.answer_html = render_markdown(appeal.answer)
    appeal.outcome = outcome
    appeal.answered_at = now
    appeal.answered_by = actor
    appeal.draft_answer = ""
    appeal.draft_outcome = ""
    appeal.save(
        update_fields=[
            "state", "answer", "answer_html", "outcome", "answered_at", "answered_by",
            "draft_answer", "draft_outcome",
        ]
    )  # fmt: skip
    clocks.stop(
        appeal,
        [Clock.Kind.FIRST_RESPONSE, Clock.Kind.ANSWER, Clock.Kind.LEGAL],
        met=True,
        now=now,
    )
    _event(appeal, "answered", actor=actor, note=appeal.get_outcome_display())
    _tell_citizen(appeal, "appeal_answered")
    return appeal


@transaction.atomic
def do_rate(
    appeal: Appeal, *, citizen: User, rating: Appeal.Rating, now: datetime | None = None
) -> Appeal:
    """Satisfied: closed. Not satisfied: reopened once here, then escalated as a complaint."""
    if appeal.citizen_id != citizen.pk:
        raise AccessDenied
    _require(appeal, Appeal.State.ANSWERED)
    now = now or timezone.now()
    appeal.rating = rating
    appeal.rated_at = now
    if rating == Appeal.Rating.SATISFIED:
        appeal.state = Appeal.State.CLOSED
        appeal.closed_at = now
        appeal.save(update_fields=["rating", "rated_at", "state", "closed_at"])
        _event(appeal, "rated_satisfied", actor=citizen)
        return appeal
    if not appeal.reopened:
        appeal.state = Appeal.State.ACCEPTED
        appeal.reopened = True
        appeal.save(update_fields=["rating", "rated_at", "state", "reopened"])
        registered = load_calendar().registration_day(now)
        for kind in (Clock.Kind.ANSWER, Clock.Kind.LEGAL):
            clocks.start(appeal, kind, agency=appeal.agency, registered_on=registered)
        _event(appeal, "reopened", actor=citizen)
        for person in office_people(appeal.agency):
            do_notify(
                person,
                kind="appeal_reopened",
                params={"number": appeal.tracking_number},
                url=appeal.path,
            )
        return appeal
    return _escalate(appeal, now=now)


def _escalate(appeal: Appeal, *, now: datetime) -> Appeal:
    superior = appeal.agency.parent
    appeal.state = Appeal.State.ESCALATED if superior else Appeal.State.CLOSED
    appeal.closed_at = now
    appeal.save(update_fields=["rating", "rated_at", "state", "closed_at"])
    _event(appeal, "rated_unsatisfied", actor=appeal.citizen)
    if superior is None:
        return appeal
    complaint = do_submit_appeal(
        citizen=appeal.citizen,
        kind=Appeal.Kind.COMPLAINT,
        subject=appeal.subject,
        text=appeal.text,
        is_public=appeal.is_public,
        agency=superior,
        now=now,
    )
    Appeal.objects.filter(pk=complaint.pk).update(escalated_from=appeal)
    _event(appeal, "escalated", actor=None, note=superior.name)
    return appeal


@transaction.atomic
def do_not_consider(appeal: Appeal, *, actor: User, reason: str) -> Appeal:
    """Only an empty appeal may be left unconsidered, with a reasoned notice (SPEC §1)."""
    check_office(actor, appeal)
    _require(appeal, Appeal.State.REGISTERED, Appeal.State.ACCEPTED)
    if not reason.strip():
        raise InvalidTransition(str(_("A reasoned notice is required.")))
    appeal.state = Appeal.State.NOT_CONSIDERED
    appeal.closed_at = timezone.now()
    appeal.save(update_fields=["state", "closed_at"])
    clocks.stop(appeal, [Clock.Kind.FIRST_RESPONSE, Clock.Kind.ANSWER, Clock.Kind.LEGAL], met=True)
    _event(appeal, "not_considered", actor=actor, note=reason.strip())
    _tell_citizen(appeal, "appeal_not_considered")
    return appeal
