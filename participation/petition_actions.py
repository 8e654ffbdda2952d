"""Every write to a petition goes through an action here (SPEC §5).

Lifecycle::

    draft → collecting (the initiative group gathers supporters)
          → moderation (a moderator decides with a reason code)
          → open (signing window) → consideration (threshold reached; response clock)
          → responded → closed
    also: rejected (moderation), expired (supporters or signatures short at the deadline)

Counting (why no signer ever waits on a counter row):

1. ``do_sign`` appends one ``Signature`` row (``INSERT … ON CONFLICT DO
   NOTHING``: the unique (petition, identity) constraint makes it one per
   person, and a double submission a no-op) and kicks the tally after commit.
2. ``tally`` claims untallied rows of one petition in batches (``UPDATE … SET
   tallied = TRUE … RETURNING region_id, state``) under the petition's row lock
   (``FOR NO KEY UPDATE``: signers' foreign-key checks take ``KEY SHARE`` and are
   not blocked), and adds the valid ones to the per-region ``PetitionTally`` rows
   and to ``Petition.signature_count`` with ``counted_at``.
3. ``do_invalidate_signatures`` takes the same lock, marks rows invalid and
   recounts the petition's tallies exactly from the rows; threshold states
   follow in both directions.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from participation.access import AccessDenied, check_role, holds_role
from participation.actions import do_notify_many
from participation.models import Agency, Membership, Official, Region, Role, User
from participation.petition_models import (
    SIGNING_STATES,
    Petition,
    PetitionDecision,
    PetitionEvent,
    PetitionSupporter,
    PetitionTally,
    Signature,
)
from participation.rows import prepared_cursor
from participation.workdays import load_calendar

# Providers that deliver every dotted variant of a local part to one mailbox.
DOTLESS_PROVIDERS = frozenset({"gmail.com", "googlemail.com"})
# Domains that are one mailbox service under several names: mapped to one.
DOMAIN_ALIASES = {
    "googlemail.com": "gmail.com",
    "ya.ru": "yandex.ru",
    "yandex.kz": "yandex.ru",
    "yandex.com": "yandex.ru",
    "yandex.by": "yandex.ru",
    "yandex.ua": "yandex.ru",
}

TALLY_BATCH = 5000


class PetitionError(Exception):
    """The petition is not in a state that allows this step; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Identity and settings ---------------------------------------------------------


def normalise_identity(email: str) -> str:
    """One string per mailbox: lower case, ``+tag`` removed, and for providers that
    ignore dots in the local part (``DOTLESS_PROVIDERS``) the dots removed too.

    ``Alice.Smith+petitions@GoogleMail.com`` → ``alicesmith@gmail.com``.
    """
    local, _sep, domain = email.strip().lower().rpartition("@")
    if not local or not domain:
        raise ValueError("not an e-mail address")
    local = local.split("+", 1)[0]
    if domain in DOTLESS_PROVIDERS:
        local = local.replace(".", "")
    domain = DOMAIN_ALIASES.get(domain, domain)
    return f"{local}@{domain}"


def level_for(agency: Agency) -> Petition.Level:
    """Central bodies take republic petitions, regional akimats regional ones, the rest city."""
    if agency.is_central or agency.kind == Agency.Kind.OTHER:
        return Petition.Level.REPUBLIC
    if agency.kind == Agency.Kind.REGIONAL_AKIMAT:
        return Petition.Level.REGION
    return Petition.Level.CITY


def threshold_for(level: str) -> int:
    return int(settings.PETITION_THRESHOLDS[level])


def response_days_for(agency: Agency) -> int:
    """20 working days for a local body, 40 for a central one (SPEC §5)."""
    days: dict[str, int] = settings.PETITION_RESPONSE_WORKING_DAYS
    return int(days["central" if agency.is_central else "local"])


def is_verified(user: User) -> bool:
    return EmailAddress.objects.filter(user_id=user.pk, verified=True).exists()


def _event(
    petition: Petition,
    action: str,
    *,
    actor: User | None = None,
    params: dict[str, Any] | None = None,
    is_public: bool = True,
    now: datetime | None = None,
) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition,
        action=action,
        actor=actor,
        params=params or {},
        is_public=is_public,
        created_at=now or timezone.now(),
    )


def _notify(user_ids: set[int | None], kind: str, petition: Petition, **params: Any) -> None:
    url = f"/petitions/{petition.pk}/"
    notes = [
        (user_id, kind, {"title": petition.title, **params}, url) for user_id in user_ids if user_id
    ]
    do_notify_many(notes)


def _office_ids(agency: Agency) -> set[int | None]:
    """The officials and delegates of the addressee, who answer the petition."""
    officials = set(Official.objects.filter(agency=agency).values_list("user_id", flat=True))
    delegates = set(
        Membership.objects.filter(agency=agency, role=Role.DELEGATE).values_list(
            "user_id", flat=True
        )
    )
    return {*officials, *delegates}


def _moderator_ids(agency: Agency) -> set[int | None]:
    from participation.access import lineage_ids

    return set(
        Membership.objects.filter(role=Role.MODERATOR)
        .filter(Q(agency__isnull=True) | Q(agency_id__in=lineage_ids(agency)))
        .values_list("user_id", flat=True)
    )


def _local_due(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment):%d.%m.%Y}" if moment else ""


# --- Drafting, supporters, moderation ----------------------------------------------


@transaction.atomic
def do_create_petition(
    *, author: User, agency: Agency, title: str, text: str, ip: str | None = None
) -> Petition:
    """A draft petition; its text passes the moderation pipeline (may raise ``ContentRefused``)."""
    from moderation.pipeline import moderate

    if not is_verified(author):
        raise PetitionError(_("Confirm your e-mail address before starting a petition."))
    level = level_for(agency)
    petition = Petition(
        author=author,
        agency=agency,
        level=level,
        title=title,
        text=text,
        supporters_needed=int(settings.PETITION_SUPPORTERS),
        threshold=threshold_for(level),
        window_days=int(settings.PETITION_WINDOW_DAYS),
    )
    moderate(petition, ip=ip)
    _event(petition, "created", actor=author, is_public=False)
    return petition


@transaction.atomic
def do_edit_petition(
    petition: Petition, *, author: User, title: str, text: str, ip: str | None = None
) -> Petition:
    """Change a draft's text: it passes the pipeline again."""
    from moderation.pipeline import moderate

    if petition.author_id != author.pk:
        raise AccessDenied
    if petition.state != Petition.State.DRAFT:
        raise PetitionError(_("Only a draft can be edited."))
    petition.title, petition.text = title, text
    moderate(petition, ip=ip, is_edit=True)
    return petition


@transaction.atomic
def do_start_collecting(petition: Petition, *, author: User) -> Petition:
    """The author opens the draft to the initiative group: supporters have
    ``PETITION_SUPPORT_WORKING_DAYS`` working days to join."""
    if petition.author_id != author.pk:
        raise AccessDenied
    now = timezone.now()
    calendar = load_calendar()
    due = calendar.due_moment(
        calendar.registration_day(now), int(settings.PETITION_SUPPORT_WORKING_DAYS)
    )
    moved = Petition.objects.filter(pk=petition.pk, state=Petition.State.DRAFT).update(
        state=Petition.State.COLLECTING, supporters_due_at=due
    )
    if not moved:
        raise PetitionError(_("The petition is no longer a draft."))
    petition.refresh_from_db()
    _event(petition, "collecting", actor=author, now=now)
    if petition.supporters_needed == 0:
        _to_moderation(petition, now)
    return petition


@transaction.atomic
def do_support(petition: Petition, *, user: User) -> bool:
    """Join the initiative group; True if this call added the support (idempotent).

    Once the group is complete the petition goes to moderation, exactly once
    (a conditional UPDATE on the state).
    """
    if not is_verified(user):
        raise PetitionError(_("Confirm your e-mail address before supporting a petition."))
    if petition.author_id == user.pk:
        raise PetitionError(_("The author does not count as a supporter."))
    if petition.state != Petition.State.COLLECTING:
        raise PetitionError(_("This petition is not gathering supporters."))
    if petition.supporters_due_at and timezone.now() > petition.supporters_due_at:
        raise PetitionError(_("The time to gather supporters is over."))
    created = (
        _insert_ignoring_conflict(
            PetitionSupporter._meta.db_table,
            {
                "petition_id": petition.pk,
                "user_id": user.pk,
                "identity": normalise_identity(user.email),
                "created_at": timezone.now(),
            },
            conflict="petition_id, identity",
        )
        is not None
    )
    if created and petition.supporters.count() >= petition.supporters_needed:
        _to_moderation(petition, timezone.now())
    return created


def _to_moderation(petition: Petition, now: datetime) -> None:
    moved = Petition.objects.filter(pk=petition.pk, state=Petition.State.COLLECTING).update(
        state=Petition.State.MODERATION
    )
    if moved:
        petition.state = Petition.State.MODERATION
        _event(petition, "moderation", now=now)
        _notify(_moderator_ids(petition.agency), "petition_moderation", petition)


@transaction.atomic
def do_decide_petition(
    petition: Petition, *, moderator: User, decision: PetitionDecision, note: str = ""
) -> Petition:
    """A moderator opens the petition for signatures (``MEETS_RULES``) or rejects it
    with a reason code; the author is told which.

    Opening also publishes the text if the pipeline held it: the moderator has
    read it. Conditional on the state, so two moderators cannot both decide.
    """
    check_role(moderator, Role.MODERATOR, petition.agency)
    now = timezone.now()
    if decision == PetitionDecision.MEETS_RULES:
        closes = now + timedelta(days=petition.window_days)
        moved = Petition.objects.filter(pk=petition.pk, state=Petition.State.MODERATION).update(
            state=Petition.State.OPEN,
            decision=decision,
            decision_note=note,
            opened_at=now,
            closes_at=closes,
            text_visible=True,
        )
    else:
        moved = Petition.objects.filter(pk=petition.pk, state=Petition.State.MODERATION).update(
            state=Petition.State.REJECTED, decision=decision, decision_note=note, ended_at=now
        )
    if not moved:
        raise PetitionError(_("This petition is not waiting for moderation any more."))
    petition.refresh_from_db()
    if decision == PetitionDecision.MEETS_RULES:
        _publish_text(petition, moderator)
        _event(petition, "opened", actor=moderator, now=now)
        _notify({petition.author_id}, "petition_open", petition)
    else:
        _event(petition, "rejected", actor=moderator, params={"reason": decision}, now=now)
        _notify(
            {petition.author_id},
            "petition_rejected",
            petition,
            reason=_in_each_language(lambda: str(decision.label)),
        )
    return petition


def _publish_text(petition: Petition, moderator: User) -> None:
    from django.contrib.contenttypes.models import ContentType

    from moderation.actions import do_decide
    from moderation.models import ModerationItem, Reason, State

    item = ModerationItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Petition), object_id=petition.pk
    ).first()
    if item is not None and item.state != State.PUBLISHED:
        do_decide(
            item,
            moderator=moderator,
            state=State.PUBLISHED,
            reason=Reason.MEETS_RULES,
            version=item.version,
        )


def _in_each_language(text: Any) -> dict[str, str]:
    names = {}
    for code in ("kk", "ru", "en"):
        with translation.override(code):
            names[code] = text()
    return names


# --- Signing -------------------------------------------------------------------------


@dataclass(frozen=True)
class SignResult:
    created: bool  # False: this person had already signed (a double submission)
    counted: bool  # False: over the address rate limit, kept but not counted


def do_sign(
    petition: Petition,
    *,
    user: User,
    region: Region | None = None,
    public: bool = False,
    ip: str | None = None,
) -> SignResult:
    """Sign: one INSERT, nothing else is written (see the module docstring).

    Idempotent: the unique (petition, identity) constraint turns a second
    signature of the same person, under any spelling of their address and any
    concurrency, into a no-op. Signatures over the address's burst or sustained
    rate limit are kept, marked ``excess`` and not counted.

    The hot path of a spike is two round trips: one to Redis (both rate limits
    and the tally kick, pipelined) and one INSERT that checks, in its ``WHERE``,
    that the account has a confirmed address and that the petition is listed,
    open and inside its window. ``petition`` may be a bare ``Petition(pk=…)``;
    only a refused INSERT reads anything to say why (``AccessDenied`` for a
    petition that does not exist or is not listed).
    """
    if not 0 < petition.pk < 2**63:  # the INSERT binds it as a 64-bit integer
        raise AccessDenied
    identity = normalise_identity(user.email)
    now = timezone.now()
    counted, kicked = _address_limits_and_kick(ip)
    row = _insert_signature(
        {
            "petition_id": petition.pk,
            "user_id": user.pk,
            "identity": identity,
            "email_domain": identity.rpartition("@")[2],
            "region_id": region.pk if region else None,
            "public_name": user.public_name if public else "",
            "ip": ip or None,
            "state": Signature.State.VALID if counted else Signature.State.EXCESS,
            "tallied": False,
            "created_at": now,
        },
        user_id=user.pk,
        petition_id=petition.pk,
        now=now,
    )
    if kicked:  # even for a refused row: the kick's second may hold others' signatures
        transaction.on_commit(schedule_tally)
    if row is None:
        found = Petition.objects.filter(pk=petition.pk).first()
        if found is None or not found.is_listed:
            raise AccessDenied
        if not found.may_sign:
            raise PetitionError(_("This petition is not open for signatures."))
        if not is_verified(user):
            raise PetitionError(_("Confirm your e-mail address before signing."))
    return SignResult(created=row is not None, counted=counted)


def _insert_signature(
    values: dict[str, Any], *, user_id: int, petition_id: int, now: datetime
) -> int | None:
    """The signature's INSERT with its conditions; its id, or None if refused."""
    adapt = connection.ops.adapt_datetimefield_value
    params = [adapt(v) if isinstance(v, datetime) else v for v in values.values()]
    with prepared_cursor() as cursor:
        cursor.execute(
            _signature_insert(tuple(values), connection.vendor),
            [*params, user_id, petition_id, adapt(now)],
        )
        row = cursor.fetchone()
    return int(row[0]) if row else None


@functools.cache
def _signature_insert(names: tuple[str, ...], vendor: str) -> str:
    """The statement, built once. On PostgreSQL each value is cast to its column's
    type: the server binds them, and cannot infer types in an ``INSERT … SELECT``."""
    meta = Signature._meta
    if vendor == "postgresql":
        fields = [meta.get_field(name) for name in names]
        marks = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in fields)  # type: ignore[union-attr]
    else:
        marks = ", ".join(["%s"] * len(names))
    emails = EmailAddress._meta.db_table
    petitions = Petition._meta.db_table
    states = ", ".join(f"'{state.value}'" for state in SIGNING_STATES)
    return (
        f"INSERT INTO {meta.db_table} ({', '.join(names)}) SELECT {marks} "  # noqa: S608
        f"WHERE EXISTS (SELECT 1 FROM {emails} WHERE user_id = %s AND verified) "
        f"AND EXISTS (SELECT 1 FROM {petitions} WHERE id = %s AND text_visible "
        f"AND state IN ({states}) AND closes_at > %s) "
        "ON CONFLICT (petition_id, identity) DO NOTHING RETURNING id"
    )


def _insert_ignoring_conflict(table: str, values: dict[str, Any], *, conflict: str) -> int | None:
    """``INSERT … ON CONFLICT (…) DO NOTHING RETURNING id``: the new id, or None if the
    unique constraint already held such a row. PostgreSQL and SQLite (3.35+) alike."""
    columns = ", ".join(values)
    marks = ", ".join(["%s"] * len(values))
    params = [
        connection.ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v
        for v in values.values()
    ]
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608  (our names)
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _address_limits_and_kick(ip: str | None, *, kick: bool = True) -> tuple[bool, bool]:
    """(within the address's limits, this call is the first tally kick of its second).

    Fixed windows. With Redis: one pipelined round trip for both counters and the
    kick, shared by every process; without, the local cache.
    """
    seconds = int(settings.PETITION_TALLY_KICK_SECONDS)
    burst, sustained = int(settings.PETITION_RATE_BURST), int(settings.PETITION_RATE_SUSTAINED)
    now = time.time()
    keys = [(f"b:{ip}:{int(now // 60)}", 61), (f"s:{ip}:{int(now // 3600)}", 3601)] if ip else []
    client = _redis()
    if client is None:
        counts = [_consume(key, window) for key, window in keys]
        kicked = kick and (not seconds or cache.add("petitions:tally-kick", 1, timeout=seconds))
    else:
        pipe = client.pipeline(transaction=False)
        for key, window in keys:
            pipe.set(_redis_key(key), 0, ex=window, nx=True)
            pipe.incr(_redis_key(key))
        if kick:
            pipe.set(_redis_key("tally-kick"), 1, ex=max(1, seconds), nx=True)
        replies = pipe.execute()
        counts = [int(replies[1]), int(replies[3])] if keys else []
        kicked = kick and (not seconds or bool(replies[-1]))
    within = not counts or (counts[0] <= burst and counts[1] <= sustained)
    return within, kicked


@functools.cache
def _redis() -> Any:
    """A Redis client of our own (one per process, pooled): Django's cache builds a
    new client object on every call, which costs more than the round trip."""
    url = getattr(settings, "REDIS_URL", "")
    if not url or "RedisCache" not in settings.CACHES["default"]["BACKEND"]:
        return None
    import redis

    return redis.Redis.from_url(url)


def _redis_key(key: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', '')}:petitions:rate:{key}"


def _consume(key: str, window: int) -> int:
    """A fixed-window counter in the cache (the local-memory cache without Redis)."""
    cache_key = f"petitions:rate:{key}"
    if cache.add(cache_key, 1, timeout=window):
        return 1
    try:
        return int(cache.incr(cache_key))
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window)
        return 1


def schedule_tally() -> None:
    """Run the tally about a second from now, once for all the signatures committed
    until then (the first signer of each second, across processes, schedules it; see
    ``_address_limits_and_kick``). A lost kick only delays the count: the tally also
    runs every minute."""
    from participation.tasks import tally_signatures

    seconds = int(settings.PETITION_TALLY_KICK_SECONDS)
    if seconds:
        tally_signatures.schedule(delay=seconds)
    else:
        tally_signatures()


# --- Counting --------------------------------------------------------------------------


def tally(*, batch: int = TALLY_BATCH, now: datetime | None = None) -> int:
    """Add the untallied signatures to their petitions' counters; the rows claimed.

    One pass over the petitions that have a queue, each drained batch by batch;
    signatures that arrive meanwhile are left to the next run (the next kick, or
    the minute), so a run ends even while a spike goes on.
    """
    done = 0
    petitions = list(
        Signature.objects.filter(tallied=False)
        .order_by()
        .values_list("petition_id", flat=True)
        .distinct()[:1000]
    )
    for petition_id in petitions:
        for _batch in range(100):  # at most 500,000 rows per petition per run
            claimed = _tally_petition(petition_id, batch, now or timezone.now())
            done += claimed
            if claimed < batch:
                break
    return done


@transaction.atomic
def _tally_petition(petition_id: int, batch: int, now: datetime) -> int:
    petition = Petition.objects.select_for_update(no_key=True).get(pk=petition_id)
    table = Signature._meta.db_table
    sql = (
        f"UPDATE {table} SET tallied = TRUE WHERE id IN ("  # noqa: S608  (our names)
        f"SELECT id FROM {table} WHERE petition_id = %s AND NOT tallied LIMIT %s"
        ") RETURNING region_id, state"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [petition_id, batch])
        rows = cursor.fetchall()
    added = Counter(region for region, state in rows if state == Signature.State.VALID)
    for region_id, count in added.items():
        updated = PetitionTally.objects.filter(petition_id=petition_id, region_id=region_id)
        if not updated.update(count=F("count") + count):
            PetitionTally.objects.create(petition_id=petition_id, region_id=region_id, count=count)
    total = petition.signature_count + sum(added.values())
    Petition.objects.filter(pk=petition_id).update(signature_count=total, counted_at=now)
    petition.signature_count, petition.counted_at = total, now
    _follow_threshold(petition, now)
    return len(rows)


def _follow_threshold(petition: Petition, now: datetime) -> None:
    """Move the petition across its threshold, either way, from its counted signatures.

    Up: open → consideration, and the response clock starts (20 working days for
    a local body, 40 for a central one). Down (after invalidation): back to open,
    the clock withdrawn. Called with the petition's row lock held.
    """
    reached = petition.signature_count >= petition.threshold
    if reached and petition.state == Petition.State.OPEN:
        calendar = load_calendar()
        registered = calendar.registration_day(now)
        days = response_days_for(petition.agency)
        due = calendar.due_moment(registered, days)
        Petition.objects.filter(pk=petition.pk).update(
            state=Petition.State.CONSIDERATION,
            threshold_reached_at=now,
            response_days=days,
            response_warn_at=calendar.warning_moment(registered, days),
            response_due_at=due,
            response_warned_at=None,
            response_breached_at=None,
        )
        petition.state, petition.response_due_at = Petition.State.CONSIDERATION, due
        _event(petition, "threshold_reached", params={"count": petition.signature_count}, now=now)
        _notify(
            {petition.author_id, *_office_ids(petition.agency)},
            "petition_threshold",
            petition,
            due=_local_due(due),
        )
    elif not reached and petition.state == Petition.State.CONSIDERATION:
        Petition.objects.filter(pk=petition.pk).update(
            state=Petition.State.OPEN,
            threshold_reached_at=None,
            response_warn_at=None,
            response_due_at=None,
            response_warned_at=None,
            response_breached_at=None,
        )
        petition.state = Petition.State.OPEN
        _event(petition, "threshold_lost", params={"count": petition.signature_count}, now=now)


@transaction.atomic
def do_invalidate_signatures(
    petition: Petition,
    *,
    moderator: User,
    since: datetime | None = None,
    until: datetime | None = None,
    domain: str = "",
    ip: str = "",
) -> int:
    """Invalidate the signatures that match every criterion given (a time window, an
    e-mail domain, an address); the counts are recounted exactly and the threshold
    state follows. Returns how many signatures this call invalidated."""
    return _judge_signatures(
        petition,
        moderator=moderator,
        before=[Signature.State.VALID, Signature.State.EXCESS],
        after=Signature.State.INVALID,
        action="signatures_invalidated",
        criteria={"since": since, "until": until, "domain": domain, "ip": ip},
    )


@transaction.atomic
def do_count_excess_signatures(
    petition: Petition,
    *,
    moderator: User,
    since: datetime | None = None,
    until: datetime | None = None,
    domain: str = "",
    ip: str = "",
) -> int:
    """Count, after a moderator's check, the signatures kept over an address's rate
    limit that match every criterion given; recounted exactly like invalidation."""
    return _judge_signatures(
        petition,
        moderator=moderator,
        before=[Signature.State.EXCESS],
        after=Signature.State.VALID,
        action="signatures_reinstated",
        criteria={"since": since, "until": until, "domain": domain, "ip": ip},
    )


def _judge_signatures(
    petition: Petition,
    *,
    moderator: User,
    before: list[Signature.State],
    after: Signature.State,
    action: str,
    criteria: dict[str, Any],
) -> int:
    check_role(moderator, Role.MODERATOR, petition.agency)
    since, until, domain, ip = (criteria[k] for k in ("since", "until", "domain", "ip"))
    if since is None and until is None and not domain and not ip:
        raise PetitionError(_("Give a time window, an e-mail domain or an address."))
    now = timezone.now()
    locked = Petition.objects.select_for_update(no_key=True).get(pk=petition.pk)
    rows = Signature.objects.filter(petition=locked, state__in=before)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    if until is not None:
        rows = rows.filter(created_at__lt=until)
    if domain:
        rows = rows.filter(email_domain=DOMAIN_ALIASES.get(domain.lower(), domain.lower()))
    if ip:
        rows = rows.filter(ip=ip)
    changed = rows.update(state=after)
    recount(locked, now)
    _event(locked, action, actor=moderator, params={"count": changed}, now=now)
    petition.refresh_from_db()
    return changed


def recount(petition: Petition, now: datetime) -> None:
    """Rebuild the petition's tallies from its tallied valid rows (row lock held)."""
    counts = dict(
        Signature.objects.filter(petition=petition, state=Signature.State.VALID, tallied=True)
        .order_by()
        .values_list("region_id")
        .annotate(n=Count("id"))
        .values_list("region_id", "n")
    )
    PetitionTally.objects.filter(petition=petition).delete()
    PetitionTally.objects.bulk_create(
        PetitionTally(petition=petition, region_id=region_id, count=n)
        for region_id, n in counts.items()
    )
    total = sum(counts.values())
    Petition.objects.filter(pk=petition.pk).update(signature_count=total, counted_at=now)
    petition.signature_count, petition.counted_at = total, now
    _follow_threshold(petition, now)


# --- The response ------------------------------------------------------------------


def may_respond(user: Any, petition: Petition) -> bool:
    return any(holds_role(user, role, petition.agency) for role in (Role.OFFICIAL, Role.DELEGATE))


@transaction.atomic
def do_respond(petition: Petition, *, actor: User, text: str) -> Petition:
    """The addressee's response: officials and delegates of the body (with MFA)."""
    from moderation.sanitize import render_markdown

    role = Role.OFFICIAL if holds_role(actor, Role.OFFICIAL, petition.agency) else Role.DELEGATE
    check_role(actor, role, petition.agency)
    if not text.strip():
        raise PetitionError(_("Write the response."))
    now = timezone.now()
    official = (
        Official.objects.filter(user=actor).first()
        or Official.objects.filter(agency=petition.agency, is_head=True).first()
    )
    moved = Petition.objects.filter(pk=petition.pk, state=Petition.State.CONSIDERATION).update(
        state=Petition.State.RESPONDED,
        response=text,
        response_html=render_markdown(text),
        responded_at=now,
        responded_by=official,
    )
    if not moved:
        raise PetitionError(_("Only a petition under consideration can be responded to."))
    petition.refresh_from_db()
    on_time = petition.response_due_at is None or now <= petition.response_due_at
    _event(petition, "responded", actor=actor, params={"on_time": on_time}, now=now)
    _notify({petition.author_id}, "petition_responded", petition)
    return petition


# --- The sweep ---------------------------------------------------------------------

ENDED_STATES = (Petition.State.CLOSED, Petition.State.EXPIRED, Petition.State.REJECTED)


def sweep(now: datetime | None = None) -> dict[str, int]:
    """One pass of the petition clocks; every effect happens once (conditional UPDATEs)."""
    now = now or timezone.now()
    return {
        "supporters_expired": _end(
            Petition.objects.filter(state=Petition.State.COLLECTING, supporters_due_at__lt=now),
            Petition.State.COLLECTING,
            Petition.State.EXPIRED,
            "expired_supporters",
            now,
        ),
        "window_expired": _end(
            Petition.objects.filter(state=Petition.State.OPEN, closes_at__lte=now),
            Petition.State.OPEN,
            Petition.State.EXPIRED,
            "expired",
            now,
        ),
        "closed": _end(
            Petition.objects.filter(state=Petition.State.RESPONDED, closes_at__lte=now),
            Petition.State.RESPONDED,
            Petition.State.CLOSED,
            "closed",
            now,
        ),
        "response_warnings": _fire("response_warned_at", "response_warn_at", "warning", now),
        "response_breaches": _fire("response_breached_at", "response_due_at", "breach", now),
    }


def _end(
    due: Any, before: Petition.State, after: Petition.State, action: str, now: datetime
) -> int:
    done = 0
    for pk in list(due.order_by().values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            moved = Petition.objects.filter(pk=pk, state=before).update(state=after, ended_at=now)
            if moved:
                petition = Petition.objects.get(pk=pk)
                _event(petition, action, now=now)
                if after == Petition.State.EXPIRED:
                    _notify({petition.author_id}, "petition_expired", petition)
            done += moved
    return done


def _fire(column: str, moment: str, name: str, now: datetime) -> int:
    """Claim the due response-clock events with ``UPDATE … WHERE col IS NULL RETURNING id``."""
    candidates = list(
        Petition.objects.filter(
            state=Petition.State.CONSIDERATION,
            **{f"{column}__isnull": True, f"{moment}__lte": now},
        )
        .order_by()
        .values_list("pk", flat=True)[:1000]
    )
    if not candidates:
        return 0
    marks = ", ".join(["%s"] * len(candidates))
    sql = (
        f"UPDATE {Petition._meta.db_table} SET {column} = %s "  # noqa: S608  (our names)
        f"WHERE id IN ({marks}) AND {column} IS NULL AND state = 'consideration' RETURNING id"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, [connection.ops.adapt_datetimefield_value(now), *candidates])
            claimed = [row[0] for row in cursor.fetchall()]
        for petition in Petition.objects.filter(pk__in=claimed).select_related("agency"):
            _event(petition, f"response_{name}", is_public=name == "breach", now=now)
            _notify(
                _office_ids(petition.agency),
                f"petition_response_{name}",
                petition,
                due=_local_due(petition.response_due_at),
            )
    return len(claimed)


# --- Personal data -------------------------------------------------------------------


def anonymise(now: datetime | None = None) -> int:
    """Remove signers' and supporters' personal data from petitions that ended
    ``PETITION_ANONYMISE_AFTER_DAYS`` ago: the account link, the address, the
    public name, and the identity (replaced by a placeholder that is still unique).
    Counts, regions, domains and times stay. Once per petition (conditional UPDATE)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=int(settings.PETITION_ANONYMISE_AFTER_DAYS))
    due = Petition.objects.filter(
        state__in=ENDED_STATES, ended_at__lte=cutoff, anonymised_at__isnull=True
    ).values_list("pk", flat=True)
    done = 0
    for pk in list(due[:1000]):
        with transaction.atomic():
            if not Petition.objects.filter(pk=pk, anonymised_at__isnull=True).update(
                anonymised_at=now
            ):
                continue
            for model in (Signature, PetitionSupporter):
                table = model._meta.db_table
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET identity = 'removed-' || id, user_id = NULL"  # noqa: S608
                        + (", ip = NULL, public_name = ''" if model is Signature else "")
                        + " WHERE petition_id = %s",
                        [pk],
                    )
            done += 1
    return done
