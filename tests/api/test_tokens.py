"""Personal API tokens: made and revoked on the profile page, stored only as a digest."""

from __future__ import annotations

import hashlib
import re

import pytest

from participation.models import ApiToken
from tests.api.conftest import token_for

pytestmark = pytest.mark.django_db


def test_a_token_is_shown_once_and_only_its_digest_is_kept(client, world):
    client.force_login(world.alice)
    made = client.post("/en/accounts/profile/api-tokens/", {"name": "My civic app"})
    assert made.status_code == 201 and made["Cache-Control"] == "no-store"
    found = re.search(r"data-new-token>(odk_[\w-]+)<", made.content.decode())
    assert found is not None
    raw = found.group(1)
    token = ApiToken.objects.get(user=world.alice)
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    again = client.get("/en/accounts/profile/").content.decode()
    assert raw not in again and "My civic app" in again and token.prefix in again
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert me.json()["id"] == world.alice.pk


def test_a_token_needs_a_name(client, world):
    client.force_login(world.alice)
    refused = client.post("/en/accounts/profile/api-tokens/", {"name": " "})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_and_keeps_its_record(client, world):
    raw = token_for(world.alice)
    token = ApiToken.objects.get()
    client.force_login(world.alice)
    response = client.post(f"/en/accounts/profile/api-tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code in (200, 401)
    anonymous = client.__class__()
    assert anonymous.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_nobody_revokes_anothers_token(client, world):
    token_for(world.alice)
    token = ApiToken.objects.get()
    client.force_login(world.bob)
    assert client.post(f"/en/accounts/profile/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
