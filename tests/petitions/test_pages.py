from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from participation.models import Region
from participation.petition_actions import anonymise, do_respond, do_sign, sweep, tally
from participation.petition_models import Petition, Signature
from tests.base import World
from tests.factories import UserFactory
from tests.petitions.helpers import draft, open_petition

pytestmark = pytest.mark.django_db


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_it_signs_once_from_the_page_whatever_the_double_submission(world: World) -> None:
    petition = open_petition(world, threshold=100)
    almaty = Region.objects.get(slug="almaty")
    client = signed_in(world.bob)
    url = f"/en/petitions/{petition.pk}/sign/"
    first = client.post(url, {"region": almaty.pk, "public": "on"})
    second = client.post(url, {"region": almaty.pk})
    assert first.status_code == second.status_code == 303
    assert Signature.objects.filter(petition=petition).count() == 1
    page = client.get(f"/en/petitions/{petition.pk}/")
    assert b"You have already signed this petition." in page.content
    assert b"You have signed this petition." in page.content


def test_it_sends_strangers_to_sign_in_before_signing(world: World) -> None:
    petition = open_petition(world)
    response = Client().post(f"/en/petitions/{petition.pk}/sign/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Signature.objects.exists()


def test_it_shows_progress_regions_timeline_and_the_response(world: World) -> None:
    petition = open_petition(world, threshold=2, agency=world.almaty)
    almaty = Region.objects.get(slug="almaty")
    for user in (world.bob, UserFactory.create(email="secret.signer@example.kz")):
        do_sign(petition, user=user, region=almaty, public=True)
    tally()
    do_respond(petition, actor=world.aigerim, text="Жоба 2026 жылы қаржыландырылады.")
    page = Client().get(f"/en/petitions/{petition.pk}/").content.decode()
    assert "<progress" in page and 'max="2" value="2"' in page
    assert "Signatures by region" in page and "<svg" in page and "<table" in page
    assert "Threshold reached; under consideration" in page
    assert "The government responded" in page
    assert "Жоба 2026 жылы қаржыландырылады." in page
    assert "Counted at" in page
    assert "secret.signer" not in page and "bob@example.kz" not in page


def test_it_publishes_open_data_without_personal_data(world: World) -> None:
    petition = open_petition(world, threshold=50)
    almaty = Region.objects.get(slug="almaty")
    do_sign(petition, user=world.bob, region=almaty, ip="203.0.113.5", public=True)
    do_sign(petition, user=UserFactory.create(email="zarina@example.kz"))
    tally()
    client = Client()
    data = client.get(f"/en/petitions/{petition.pk}/data.json").json()
    assert data["signature_count"] == 2
    assert sum(region["count"] for region in data["regions"]) == 2
    assert {region["slug"] for region in data["regions"]} == {"almaty", None}
    rows = list(
        csv.reader(
            io.StringIO(client.get(f"/en/petitions/{petition.pk}/regions.csv").content.decode())
        )
    )
    assert rows[0] == ["region", "name", "signatures", "counted_at"]
    listing = client.get("/en/petitions/data.json").json()["petitions"]
    assert [item["id"] for item in listing] == [petition.pk]
    everything = (
        str(data) + str(rows) + str(listing) + client.get("/en/petitions/data.csv").content.decode()
    )
    for private in ("bob@example.kz", "zarina", "203.0.113.5", "Bob", "alice@example.kz", "Alice"):
        assert private not in everything


def test_it_hides_a_draft_from_everyone_but_its_author_and_staff(world: World) -> None:
    petition = draft(world)
    url = f"/en/petitions/{petition.pk}/"
    assert Client().get(url).status_code == 404
    assert signed_in(world.bob).get(url).status_code == 404
    assert signed_in(world.alice).get(url).status_code == 200
    assert Client().get(f"/en/petitions/{petition.pk}/data.json").status_code == 404


def test_it_invalidates_by_address_from_the_moderators_form(world: World) -> None:
    petition = open_petition(world, threshold=2)
    for n in range(3):
        do_sign(petition, user=UserFactory.create(), ip="192.0.2.66" if n else "192.0.2.1")
    tally()
    petition.refresh_from_db()
    assert petition.state == Petition.State.CONSIDERATION
    moira = signed_in(world.moira)
    url = f"/en/petitions/{petition.pk}/"
    empty = moira.post(url, {"step": "invalidate"})
    assert empty.status_code == 400
    assert b"Give a time window, an e-mail domain or an address." in empty.content
    response = moira.post(url, {"step": "invalidate", "ip": "192.0.2.66"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert (petition.signature_count, petition.state) == (1, Petition.State.OPEN)
    assert (
        signed_in(world.bob).post(url, {"step": "invalidate", "ip": "192.0.2.1"}).status_code == 404
    )


def test_it_starts_a_petition_from_the_form_and_its_text_is_sanitised(world: World) -> None:
    client = signed_in(world.alice)
    response = client.post(
        "/en/petitions/new/",
        {
            "agency": world.bostandyk.pk,
            "title": "Саябақ",
            "text": "Ағаш <script>x()</script> отырғызу",
        },
    )
    assert response.status_code == 302
    petition = Petition.objects.get()
    assert "<script>" not in petition.text_html
    assert petition.level == Petition.Level.CITY and petition.threshold == 1000
    assert client.post("/en/petitions/new/", {"title": ""}).status_code == 400


@override_settings(PETITION_ANONYMISE_AFTER_DAYS=30)
def test_it_removes_signers_personal_data_a_while_after_the_petition_ends(world: World) -> None:
    petition = open_petition(world, threshold=10)
    do_sign(petition, user=world.bob, ip="203.0.113.5", public=True)
    tally()
    assert petition.closes_at is not None
    sweep(petition.closes_at)
    assert anonymise(petition.closes_at + dt.timedelta(days=29)) == 0
    assert anonymise(petition.closes_at + dt.timedelta(days=31)) == 1
    assert anonymise(timezone.now() + dt.timedelta(days=400)) == 0
    signature = Signature.objects.get(petition=petition)
    assert (signature.user_id, signature.ip, signature.public_name) == (None, None, "")
    assert "bob" not in signature.identity
    petition.refresh_from_db()
    assert petition.signature_count == 1 and petition.anonymised_at is not None


def test_it_lets_the_author_edit_a_draft_through_the_pipeline_and_not_after(world: World) -> None:
    petition = draft(world)
    client = signed_in(world.alice)
    url = f"/en/petitions/{petition.pk}/"
    edited = client.post(url, {"step": "edit", "title": "Жаңа атау", "text": "**Жаңа** мәтін"})
    assert edited.status_code == 302
    petition.refresh_from_db()
    assert petition.title == "Жаңа атау" and "<strong>Жаңа</strong>" in petition.text_html
    assert (
        signed_in(world.bob).post(url, {"step": "edit", "title": "x", "text": "y"}).status_code
        == 404
    )
    client.post(url, {"step": "collect"})
    late = client.post(url, {"step": "edit", "title": "Кеш", "text": "Кеш"})
    assert late.status_code == 409
    assert b"Only a draft can be edited." in late.content


def test_it_refuses_a_region_that_does_not_exist_with_a_message(world: World) -> None:
    petition = open_petition(world)
    client = signed_in(world.bob)
    response = client.post(f"/en/petitions/{petition.pk}/sign/", {"region": "999999"}, follow=True)
    assert b"Choose a region from the list, or none." in response.content
    assert not Signature.objects.exists()


def test_it_answers_signatures_for_petitions_that_cannot_be_signed(world: World) -> None:
    """A missing or unlisted petition is the one 404; a listed one past its window
    says so, and nothing is written."""
    client = signed_in(world.bob)
    assert client.post("/en/petitions/999999/sign/").status_code == 404
    petition = open_petition(world)
    hidden = draft(world, author=world.bob)
    assert client.post(f"/en/petitions/{hidden.pk}/sign/").status_code == 404
    Petition.objects.filter(pk=petition.pk).update(closes_at=timezone.now())
    response = client.post(f"/en/petitions/{petition.pk}/sign/", follow=True)
    assert b"This petition is not open for signatures." in response.content
    assert not Signature.objects.exists()


def test_it_counts_held_signatures_from_the_moderators_form(world: World) -> None:
    petition = open_petition(world, threshold=10)
    with override_settings(PETITION_RATE_BURST=0):
        do_sign(petition, user=world.bob, ip="100.64.0.9")
    tally()
    moira = signed_in(world.moira)
    url = f"/en/petitions/{petition.pk}/"
    assert b"1 signature is held over an address" in moira.get(url).content
    response = moira.post(url, {"step": "invalidate", "action": "count", "ip": "100.64.0.9"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert petition.signature_count == 1
    assert (
        "Signatures held over a rate limit checked and counted"
        in Client().get(url).content.decode()
    )


def test_a_signature_costs_three_statements(world: World, django_assert_num_queries) -> None:
    """The hot path of a spike: the session, the user, the INSERT (the bench's speed
    rests on it; the rate limits and the tally kick go to the cache)."""
    petition = open_petition(world)
    client = signed_in(world.bob)
    with django_assert_num_queries(3):
        response = client.post(f"/en/petitions/{petition.pk}/sign/", {"public": "on"})
    assert response.status_code == 303
    assert Signature.objects.filter(petition=petition, user=world.bob).exists()


@pytest.mark.postgres
def test_on_postgresql_the_signing_statements_run_prepared(world: World) -> None:
    from django.db import connection

    petition = open_petition(world)
    signed_in(world.bob).post(f"/en/petitions/{petition.pk}/sign/", {"public": "on"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "django_session"' in sql for sql in prepared)
    assert any('FROM "participation_user"' in sql for sql in prepared)
    assert any(sql.startswith("INSERT INTO participation_signature") for sql in prepared)


def test_an_agency_page_lists_the_petitions_addressed_to_it(world: World) -> None:
    to_almaty = open_petition(world, agency=world.almaty, threshold=10)
    do_sign(to_almaty, user=world.bob)
    tally()
    elsewhere = open_petition(world, agency=world.bostandyk, text="Аулаға балалар алаңы керек.")
    unlisted = draft(world, agency=world.almaty, text="Көшеге жарық шамдарын орнатыңыз.")
    page = Client().get("/en/agencies/almaty/").content.decode()
    assert "Petitions to this body" in page
    assert to_almaty.get_absolute_url() in page and 'max="10" value="1"' in page
    assert elsewhere.get_absolute_url() not in page
    assert unlisted.get_absolute_url() not in page
    assert "/en/petitions/?agency=almaty" in page


def test_an_agency_without_petitions_offers_to_start_one(world: World) -> None:
    page = Client().get("/en/agencies/almaty/").content.decode()
    assert "No petitions to this body yet." in page
    assert "/en/petitions/new/?agency=almaty" in page
    form = signed_in(world.bob).get("/en/petitions/new/?agency=almaty").content.decode()
    assert f'<option value="{world.almaty.pk}" selected>' in form


def test_the_list_narrows_to_one_agency_and_keeps_it_across_state_filters(world: World) -> None:
    to_almaty = open_petition(world, agency=world.almaty)
    elsewhere = open_petition(world, agency=world.bostandyk, text="Аулаға балалар алаңы керек.")
    page = Client().get("/en/petitions/?agency=almaty").content.decode()
    assert "Petitions to Akimat of Almaty" in page
    assert to_almaty.get_absolute_url() in page
    assert elsewhere.get_absolute_url() not in page
    assert "?state=open&amp;agency=almaty" in page
    assert Client().get("/en/petitions/?agency=no-such-body").status_code == 404
    assert elsewhere.get_absolute_url() in Client().get("/en/petitions/").content.decode()


def test_the_count_json_follows_the_tally_and_is_the_same_for_everyone(world: World) -> None:
    petition = open_petition(world, threshold=10)
    url = f"/en/petitions/{petition.pk}/count.json"
    do_sign(petition, user=world.bob)
    waiting = Client().get(url).json()
    assert (waiting["signature_count"], waiting["pending"], waiting["threshold"]) == (0, 1, 10)
    assert waiting["counted_text"] == "Not counted yet. 1 new signature is being counted."
    tally()
    response = signed_in(world.alice).get(url)  # the author: still the public answer
    counted = response.json()
    assert (counted["signature_count"], counted["pending"], counted["may_sign"]) == (1, 0, True)
    assert counted["counted_text"].startswith("Counted at ")
    assert response["Cache-Control"] == "public, max-age=5"
    assert "Cookie" not in response.get("Vary", "")
    assert world.bob.email not in response.content.decode()
    page = Client().get(f"/en/petitions/{petition.pk}/").content.decode()
    assert f'data-count-url="{url}"' in page and "js/petitions.js" in page


def test_the_count_json_of_an_unlisted_petition_is_a_404(world: World) -> None:
    unlisted = draft(world)
    response = signed_in(world.alice).get(f"/en/petitions/{unlisted.pk}/count.json")
    assert response.status_code == 404
    page = signed_in(world.alice).get(f"/en/petitions/{unlisted.pk}/").content.decode()
    assert "data-count-url" not in page
