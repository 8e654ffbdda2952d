"""Petitions through the API: listed ones with exact counts, never who signed; signing."""

from __future__ import annotations

import json

import pytest

from participation.models import Region
from participation.petition_actions import do_sign, tally
from participation.petition_models import Petition, Signature
from tests.api.conftest import body, token_for
from tests.base import World
from tests.factories import UserFactory
from tests.petitions.helpers import draft, open_petition

pytestmark = pytest.mark.django_db


def _json(response):
    return json.loads(body(response))


def test_a_listed_petition_shows_its_count_by_region_and_nothing_about_signers(
    client, world: World
) -> None:
    petition = open_petition(world, threshold=100)
    almaty = Region.objects.get(slug="almaty")
    for _n in range(3):
        do_sign(petition, user=UserFactory.create(), region=almaty, public=True)
    do_sign(petition, user=UserFactory.create(email="secret.signer@example.kz"))
    tally()
    response = client.get(f"/api/petitions/{petition.pk}")
    assert response.status_code == 200, body(response)
    detail = _json(response)
    assert detail["signature_count"] == 4
    assert sum(row["count"] for row in detail["regions"]) == 4
    assert {"slug": "almaty", "count": 3} in [
        {"slug": r["slug"], "count": r["count"]} for r in detail["regions"]
    ]
    text = body(client.get(f"/api/petitions/{petition.pk}")).decode()
    assert "secret.signer" not in text
    assert world.alice.email not in text  # the author


def test_drafts_are_neither_listed_nor_readable(client, world: World) -> None:
    hidden = draft(world, text="Саябаққа орындықтар қою керек.")
    listed = open_petition(world)
    ids = [item["id"] for item in _json(client.get("/api/petitions"))["items"]]
    assert ids == [listed.pk]
    response = client.get(f"/api/petitions/{hidden.pk}")
    assert (response.status_code, _json(response)["error"]["code"]) == (404, "not_found")


def test_signing_twice_through_the_api_makes_one_signature(client, world: World) -> None:
    petition = open_petition(world, threshold=100)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.bob)}"}
    url = f"/api/petitions/{petition.pk}/signatures"
    first = client.post(url, data={"region": "almaty"}, content_type="application/json", **auth)
    again = client.post(url, data={}, content_type="application/json", **auth)
    assert _json(first) == {"new": True, "counted": True}
    assert _json(again) == {"new": False, "counted": True}
    assert Signature.objects.filter(petition=petition).count() == 1


def test_an_unknown_region_is_a_clear_error(client, world: World) -> None:
    petition = open_petition(world)
    response = client.post(
        f"/api/petitions/{petition.pk}/signatures",
        data={"region": "atlantis"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.bob)}",
    )
    assert (response.status_code, _json(response)["error"]["code"]) == (422, "unknown_region")


def test_a_closed_petition_refuses_signatures(client, world: World) -> None:
    petition = open_petition(world)
    Petition.objects.filter(pk=petition.pk).update(state=Petition.State.EXPIRED)
    response = client.post(
        f"/api/petitions/{petition.pk}/signatures",
        data={},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.bob)}",
    )
    assert (response.status_code, _json(response)["error"]["code"]) == (409, "refused")


def test_a_petition_number_beyond_any_id_is_not_found(client, world: World) -> None:
    """Found by schemathesis: the signing INSERT could not bind it (a server error)."""
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.bob)}"}
    response = client.post(
        f"/api/petitions/{2**70}/signatures", data={}, content_type="application/json", **auth
    )
    assert response.status_code == 404
    client.force_login(world.bob)
    assert client.post(f"/en/petitions/{2**70}/sign/").status_code == 404
