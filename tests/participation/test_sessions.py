"""Sessions and the signed-in user, read with prepared statements
(participation.sessions, participation.auth), behave as Django's own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from participation.sessions import SessionStore

pytestmark = pytest.mark.django_db


def whoami(client) -> str:
    """The account page answers a signed-in person and sends others to log in."""
    response = client.get("/en/accounts/email/")
    return "signed in" if response.status_code == 200 else "anonymous"


def test_a_login_keeps_a_person_signed_in(client, world):
    client.force_login(world.alice)
    assert whoami(client) == "signed in"
    assert client.get("/en/accounts/email/").context["user"] == world.alice


def test_an_expired_session_is_anonymous(client, world):
    client.force_login(world.alice)
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert whoami(client) == "anonymous"


def test_an_unknown_session_key_is_anonymous(client, world):
    client.force_login(world.alice)
    Session.objects.all().delete()
    assert whoami(client) == "anonymous"


def test_a_key_the_server_never_issued_is_never_saved():
    """No session fixation: data saved under an unknown key gets a fresh key."""
    chosen = "attacker0chosen0key0000000000000"
    store = SessionStore(chosen)
    assert store.load() == {}
    store["language"] = "kk"
    store.save()
    assert store.session_key != chosen
    assert not Session.objects.filter(session_key=chosen).exists()


def test_a_deactivated_account_is_signed_out(client, world):
    client.force_login(world.alice)
    world.alice.is_active = False
    world.alice.save()
    assert whoami(client) == "anonymous"


def test_a_password_change_signs_out_other_sessions(client, world):
    client.force_login(world.alice)
    world.alice.set_password("Another-long-passphrase-9")
    world.alice.save()
    assert whoami(client) == "anonymous"
