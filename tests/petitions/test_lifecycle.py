from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import override_settings

from participation.models import Notification
from participation.petition_actions import (
    PetitionError,
    do_decide_petition,
    do_invalidate_signatures,
    do_respond,
    do_sign,
    do_start_collecting,
    do_support,
    normalise_identity,
    sweep,
    tally,
)
from participation.petition_models import Petition, PetitionDecision, Signature
from tests.base import World
from tests.factories import UserFactory
from tests.petitions.helpers import draft, open_petition

pytestmark = pytest.mark.django_db

ALMATY_NOON = dt.datetime(2025, 6, 4, 7, 0, tzinfo=dt.UTC)  # Wednesday 12:00 in Almaty


@pytest.mark.parametrize(
    ("email", "identity"),
    [
        ("Alice.Smith+petitions@GoogleMail.com", "alicesmith@gmail.com"),
        ("a.l.i.c.e.smith@gmail.com", "alicesmith@gmail.com"),
        ("Dana.Ospan+x@mail.ru", "dana.ospan@mail.ru"),
        ("nurlan@ya.ru", "nurlan@yandex.ru"),
    ],
)
def test_it_normalises_addresses_to_one_identity_per_mailbox(email: str, identity: str) -> None:
    assert normalise_identity(email) == identity


def test_it_lists_a_petition_only_after_supporters_and_a_moderators_decision(world: World) -> None:
    with override_settings(PETITION_SUPPORTERS=2):
        petition = draft(world)
    assert petition.state == Petition.State.DRAFT
    do_start_collecting(petition, author=world.alice)
    assert do_support(petition, user=world.bob) is True
    assert do_support(petition, user=world.bob) is False  # a double click
    petition.refresh_from_db()
    assert petition.state == Petition.State.COLLECTING
    do_support(petition, user=UserFactory.create())
    petition.refresh_from_db()
    assert petition.state == Petition.State.MODERATION
    assert Notification.objects.filter(user=world.moira, kind="petition_moderation").exists()

    do_decide_petition(petition, moderator=world.moira, decision=PetitionDecision.MEETS_RULES)
    assert petition.state == Petition.State.OPEN
    assert petition.is_listed and petition.may_sign
    assert petition.closes_at is not None and petition.opened_at is not None
    assert (petition.closes_at - petition.opened_at).days == 182


def test_it_tells_the_author_why_a_petition_is_rejected(world: World) -> None:
    with override_settings(PETITION_SUPPORTERS=0):
        petition = draft(world)
    do_start_collecting(petition, author=world.alice)
    do_decide_petition(petition, moderator=world.moira, decision=PetitionDecision.NOT_COMPETENT)
    assert petition.state == Petition.State.REJECTED
    note = Notification.objects.get(user=world.alice, kind="petition_rejected")
    assert "not competent" in note.params["reason"]["en"]
    with pytest.raises(PetitionError):
        do_decide_petition(petition, moderator=world.moira, decision=PetitionDecision.MEETS_RULES)


def test_it_counts_one_signature_per_mailbox_under_any_spelling(world: World) -> None:
    petition = open_petition(world, threshold=100)
    spellings = ["ainur.k@gmail.com", "AinurK+petition@gmail.com", "a.i.n.u.r.k@googlemail.com"]
    results = [do_sign(petition, user=UserFactory.create(email=email)) for email in spellings]
    assert [r.created for r in results] == [True, False, False]
    tally()
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert Signature.objects.filter(petition=petition).count() == 1


def test_it_refuses_unverified_accounts(world: World) -> None:
    petition = open_petition(world)
    with pytest.raises(PetitionError):
        do_sign(petition, user=UserFactory.create(verified=False))


@time_machine.travel(ALMATY_NOON, tick=False)
def test_it_starts_the_response_clock_at_the_threshold_and_reverts_on_invalidation(
    world: World,
) -> None:
    """20 working days for a local body; an invalidation that drops the count
    below the threshold sends the petition back to open and withdraws the clock."""
    petition = open_petition(world, threshold=3)
    good = [UserFactory.create(email=f"signer{n}@example.kz") for n in range(2)]
    bots = [UserFactory.create(email=f"bot{n}@spam.example") for n in range(2)]
    for user in good + bots:
        do_sign(petition, user=user, ip="203.0.113.9")
    tally()
    petition.refresh_from_db()
    assert petition.signature_count == 4
    assert petition.state == Petition.State.CONSIDERATION
    # 4 June 2025 + 20 working days (no holidays in June after the 6th... Kurban ait on 6 June)
    assert petition.response_due_at is not None
    assert petition.response_days == 20

    removed = do_invalidate_signatures(petition, moderator=world.moira, domain="spam.example")
    assert removed == 2
    petition.refresh_from_db()
    assert petition.signature_count == 2
    assert petition.state == Petition.State.OPEN
    assert petition.response_due_at is None
    assert list(petition.events.values_list("action", flat=True))[-2:] == [
        "threshold_lost",
        "signatures_invalidated",
    ]
    # A new genuine signature takes it over again.
    do_sign(petition, user=UserFactory.create())
    tally()
    petition.refresh_from_db()
    assert petition.state == Petition.State.CONSIDERATION


def test_it_keeps_signatures_over_the_address_limit_but_does_not_count_them(
    world: World,
) -> None:
    petition = open_petition(world, threshold=100)
    with override_settings(PETITION_RATE_BURST=2):
        results = [
            do_sign(petition, user=UserFactory.create(), ip="198.51.100.7") for _n in range(4)
        ]
        other = do_sign(petition, user=UserFactory.create(), ip="198.51.100.8")
    assert [r.counted for r in results] == [True, True, False, False]
    assert other.counted
    tally()
    petition.refresh_from_db()
    assert petition.signature_count == 3
    assert Signature.objects.filter(petition=petition, state="excess").count() == 2


def test_it_keeps_region_totals_adding_up_to_the_count(world: World) -> None:
    from participation.models import Region

    regions = list(Region.objects.all()[:3])
    petition = open_petition(world, threshold=100)
    for n in range(9):
        do_sign(petition, user=UserFactory.create(), region=regions[n % 3] if n < 7 else None)
    tally(batch=2)
    petition.refresh_from_db()
    totals: dict[int | None, int] = dict(petition.tallies.values_list("region_id", "count"))
    assert sum(totals.values()) == petition.signature_count == 9
    assert totals[None] == 2


def test_it_fires_the_response_warning_and_breach_once_and_records_the_response(
    world: World,
) -> None:
    with time_machine.travel(ALMATY_NOON, tick=False):
        petition = open_petition(world, threshold=1, agency=world.almaty)
        do_sign(petition, user=world.bob)
        tally()
        petition.refresh_from_db()
        due = petition.response_due_at
        assert due is not None
    assert sweep(due - dt.timedelta(days=1))["response_warnings"] == 1
    assert sweep(due - dt.timedelta(days=1))["response_warnings"] == 0
    late = due + dt.timedelta(seconds=1)
    assert sweep(late)["response_breaches"] == 1
    assert sweep(late)["response_breaches"] == 0
    assert (
        Notification.objects.filter(user=world.aigerim, kind="petition_response_breach").count()
        == 1
    )

    do_respond(petition, actor=world.aigerim, text="Бағдаршам **2025 жылы** орнатылады.")
    assert petition.state == Petition.State.RESPONDED
    assert "<strong>2025 жылы</strong>" in petition.response_html
    assert Notification.objects.filter(user=world.alice, kind="petition_responded").exists()


def test_it_expires_a_petition_whose_window_ends_below_the_threshold(world: World) -> None:
    petition = open_petition(world, threshold=10)
    assert petition.closes_at is not None
    assert sweep(petition.closes_at)["window_expired"] == 1
    petition.refresh_from_db()
    assert petition.state == Petition.State.EXPIRED
    assert Notification.objects.filter(user=world.alice, kind="petition_expired").exists()


def test_a_moderator_counts_signatures_held_over_the_rate_limit_after_checking_them(
    world: World,
) -> None:
    from participation.petition_actions import do_count_excess_signatures

    petition = open_petition(world, threshold=3)
    with override_settings(PETITION_RATE_BURST=1):
        for _n in range(3):
            do_sign(petition, user=UserFactory.create(), ip="100.64.0.1")  # one CGNAT address
    tally()
    petition.refresh_from_db()
    assert (petition.signature_count, petition.state) == (1, Petition.State.OPEN)
    assert do_count_excess_signatures(petition, moderator=world.moira, ip="100.64.0.1") == 2
    petition.refresh_from_db()
    assert (petition.signature_count, petition.state) == (3, Petition.State.CONSIDERATION)
    with pytest.raises(PetitionError):
        do_count_excess_signatures(petition, moderator=world.moira)
