"""Fifty sign requests at once for one mailbox under different spellings: one signature.

The accounts differ (``+tag``, dots, case, googlemail), so no account-level check
can catch them; only the unique (petition, identity) constraint does. Each
request runs in its own thread with its own database connection, released
together by a barrier.

PostgreSQL only: the test suite's SQLite database is an in-memory, shared-cache
one whose table locks fail concurrent writers at once instead of making them
wait, which says nothing about the file database the platform runs on. The same
constraint is checked on every database by the sequential spelling test in
test_lifecycle.py.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from participation.petition_actions import tally
from participation.petition_models import Signature
from tests.base import World
from tests.factories import UserFactory
from tests.petitions.helpers import open_petition

REQUESTS = 50


def spellings(count: int) -> list[str]:
    """Fifty addresses of one Gmail mailbox: dots anywhere, any +tag, any case."""
    local = "aruzhanbekova"
    found = []
    for n in range(count):
        dotted = ".".join([local[: 1 + n % 12], local[1 + n % 12 :]])
        name = dotted.upper() if n % 3 == 0 else dotted
        tag = f"+spike{n}" if n else ""
        domain = "googlemail.com" if n % 5 == 0 else "gmail.com"
        found.append(f"{name}{tag}@{domain}")
    assert len({address.lower() for address in found}) == count
    return found


def sign_all_at_once(world: World, *, signers: int) -> tuple[int, list[int]]:
    petition = open_petition(world, threshold=1000)
    clients = []
    for address in spellings(signers):
        client = Client()
        client.force_login(UserFactory.create(email=address))
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def sign(client: Client) -> None:
        try:
            barrier.wait()
            response = client.post(f"/en/petitions/{petition.pk}/sign/", {"public": "on"})
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally()
    petition.refresh_from_db()
    assert Signature.objects.filter(petition=petition).count() == 1
    return petition.signature_count, statuses


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_requests_for_one_mailbox_make_one_signature(world: World) -> None:
    count, statuses = sign_all_at_once(world, signers=REQUESTS)
    assert statuses == [303] * REQUESTS  # every request answered, none failed
    assert count == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_count_is_exact_after_signing_tallying_and_invalidating_at_once(world: World) -> None:
    """Signers, two tallies and an invalidation racing on one petition: once the
    queue drains, the shown count is the number of valid signatures and the
    region tallies add up to it."""
    from participation.models import Region
    from participation.petition_actions import do_invalidate_signatures, do_sign
    from participation.petition_models import Petition

    petition = open_petition(world, threshold=1000)
    # Transactional tests flush the regions migration 0002 loads: make four.
    regions = [
        Region.objects.get_or_create(
            slug=slug, defaults={"name_kk": slug, "name_ru": slug, "name_en": slug}
        )[0]
        for slug in ("almaty", "astana", "shymkent", "abai")
    ]
    users = [
        UserFactory.create(email=f"racer{n}@{'bots.example' if n % 3 == 0 else 'example.kz'}")
        for n in range(60)
    ]
    start = threading.Barrier(len(users) + 3)
    errors: list[BaseException] = []

    def run(work: object) -> None:
        try:
            start.wait()
            work()  # type: ignore[operator]
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    def signer(n: int) -> object:
        return lambda: do_sign(petition, user=users[n], region=regions[n % 4], ip=f"192.0.2.{n}")

    def tallies() -> None:
        for _round in range(20):
            tally(batch=7)

    def invalidate() -> None:
        do_invalidate_signatures(petition, moderator=world.moira, domain="bots.example")

    workers = [signer(n) for n in range(len(users))] + [tallies, tallies, invalidate]
    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    tally()
    petition = Petition.objects.get(pk=petition.pk)
    valid = Signature.objects.filter(petition=petition, state="valid").count()
    assert Signature.objects.filter(petition=petition).count() == 60
    assert petition.signature_count == valid
    assert sum(petition.tallies.values_list("count", flat=True)) == valid


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_fire_each_response_event_once(world: World) -> None:
    """Ten petitions past their response deadline, two sweeps racing: each warning
    and each breach is notified to the akim once."""
    import datetime as dt

    import time_machine

    from participation.models import Notification
    from participation.petition_actions import do_sign, sweep
    from participation.petition_models import Petition, PetitionEvent

    with time_machine.travel(dt.datetime(2025, 6, 4, 7, 0, tzinfo=dt.UTC), tick=False):
        for n in range(10):
            petition = open_petition(
                world, threshold=1, agency=world.almaty, supporters=0, text=f"Өтініш №{n}"
            )
            Petition.objects.filter(pk=petition.pk).update(title=f"P{n}")
            do_sign(petition, user=UserFactory.create())
        tally()
    assert Petition.objects.filter(state=Petition.State.CONSIDERATION).count() == 10
    later = dt.datetime(2025, 9, 1, 7, 0, tzinfo=dt.UTC)  # every deadline long past
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(sweep(later))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["response_warnings"] for r in results) == 10
    assert sum(r["response_breaches"] for r in results) == 10
    assert PetitionEvent.objects.filter(action="response_breach").count() == 10
    told = Notification.objects.filter(user=world.aigerim, kind="petition_response_breach")
    assert told.count() == 10
    assert len(set(told.values_list("params__title", flat=True))) == 10
