"""The JSON API: schema and docs, public reads, authenticated writes, errors, pages, limits."""

from __future__ import annotations

import json
import re

import pytest

from participation.models import ApiToken
from reception import actions
from reception.models import Appeal
from tests.api.conftest import token_for
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db

APPEAL = {
    "kind": "question",
    "subject": "Жарық жоқ",
    "text": "Абай даңғылы 150 үйінің ауласында жарық жоқ.",
    "agency": "almaty",
}


def submit(client, payload=APPEAL, **headers):
    return client.post("/api/appeals", payload, content_type="application/json", **headers)


def test_it_serves_an_openapi_3_1_schema_and_browsable_docs(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/appeals" in schema["paths"] and "/api/statistics" in schema["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    # The docs keep to the site's CSP: scripts from this site only, no inline code.
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    for attributes, _code in scripts:
        assert 'src="/static/' in attributes or 'type="application/json"' in attributes
    assert "cdn" not in html.lower()


def test_it_submits_an_appeal_with_a_token(client, world):
    token = token_for(world.alice)
    response = submit(client, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 201, response.content
    number = response.json()["tracking_number"]
    appeal = Appeal.objects.get(tracking_number=number)
    assert appeal.citizen == world.alice and appeal.agency == world.almaty
    assert appeal.clocks.count() == 4  # the same action as the web form: clocks run
    assert ApiToken.objects.get(user=world.alice).last_used_at is not None


def test_it_refuses_writes_without_a_valid_token(client, world):
    response = submit(client)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert submit(client, HTTP_AUTHORIZATION="Bearer odk_guessed").status_code == 401
    assert Appeal.objects.count() == 0


def test_a_revoked_token_no_longer_works(client, world):
    from participation.actions import do_revoke_api_token

    token = token_for(world.alice)
    do_revoke_api_token(world.alice, token_id=ApiToken.objects.get().pk)
    assert submit(client, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_a_session_writes_with_its_csrf_token_only(api_client, world):
    api_client.force_login(world.bob)
    refused = submit(api_client)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    api_client.get("/en/accounts/profile/")  # sets the CSRF cookie
    csrf = api_client.cookies["csrftoken"].value
    assert submit(api_client, HTTP_X_CSRFTOKEN=csrf).status_code == 201


def test_bad_input_gets_one_error_format_with_the_fields(client, world):
    token = token_for(world.alice)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}", "HTTP_ACCEPT_LANGUAGE": "en"}
    missing = submit(client, {"kind": "wish", "subject": ""}, **auth)
    assert missing.status_code == 422
    error = missing.json()["error"]
    assert error["code"] == "invalid"
    fields = {detail["field"] for detail in error["details"]}
    assert {"body.payload.kind", "body.payload.subject", "body.payload.text"} <= fields
    both = submit(client, {**APPEAL, "official": "aigerim-nurlanova"}, **auth)
    assert both.status_code == 422 and "exactly one" in both.json()["error"]["message"]
    in_russian = submit(client, {**APPEAL, "official": "aigerim-nurlanova"},
                        **{**auth, "HTTP_ACCEPT_LANGUAGE": "ru"})  # fmt: skip
    assert "либо государственному органу" in in_russian.json()["error"]["message"]
    unknown = submit(client, {**APPEAL, "agency": "no-such-body"}, **auth)
    assert unknown.json()["error"]["code"] == "unknown_addressee"
    not_json = client.post("/api/appeals", "{not json", content_type="application/json", **auth)
    assert not_json.status_code in (400, 422) and "error" in not_json.json()
    assert client.get("/api/no/such/thing").json()["error"]["code"] == "not_found"


def test_lists_are_paged_by_cursor(client, world):
    for _ in range(3):
        AgencyFactory.create()
    seen, cursor, pages = [], None, 0
    while True:
        url = "/api/agencies?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).json()
        seen += [agency["slug"] for agency in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4 and len(seen) == len(set(seen)) == 7
    forged = client.get("/api/agencies?cursor=eyJpZCI6MX0")
    assert forged.status_code == 400 and forged.json()["error"]["code"] == "invalid_cursor"


def test_published_appeals_come_newest_first_and_a_private_one_is_a_404(client, world, published):
    def send(subject, public):
        return actions.do_submit_appeal(
            citizen=world.alice, kind=Appeal.Kind.QUESTION, subject=subject,
            text=subject + " text", is_public=public, official=world.aigerim_official,
        )  # fmt: skip

    first, private, last = send("First", True), send("Secret", False), send("Last", True)
    listed = client.get("/api/appeals").json()["items"]
    assert [item["subject"] for item in listed] == ["Last", "First"]
    assert client.get(f"/api/appeals/{first.tracking_number}").status_code == 200
    hidden = client.get(f"/api/appeals/{private.tracking_number}")
    missing = client.get("/api/appeals/A-2026-0000-0000")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content
    assert last.is_visible


def test_reads_are_rate_limited_per_address_and_per_token(client, world, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "read": (2, 60)}
    assert client.get("/api/regions").status_code == 200
    assert client.get("/api/regions").status_code == 200
    limited = client.get("/api/regions")
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert int(limited["Retry-After"]) > 0
    # A token caller is counted on its own, with the larger authenticated allowance.
    token = token_for(world.bob)
    assert client.get("/api/regions", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_writes_have_their_own_tighter_limit(client, world, settings):
    settings.API_RATE_LIMITS = {**settings.API_RATE_LIMITS, "write_authenticated": (1, 60)}
    settings.MODERATION_DUPLICATE_SECONDS = 0
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.alice)}"}
    assert submit(client, **auth).status_code == 201
    assert submit(client, {**APPEAL, "subject": "Another"}, **auth).status_code == 429


def test_me_names_the_tokens_owner_without_private_fields(client, world):
    token = token_for(world.alice)
    me = client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert me == {"id": world.alice.pk, "public_name": "Alice", "preferred_language": "en"}


def test_statistics_refuse_nonsense_filters_clearly(client, world):
    backwards = client.get(
        "/api/statistics?start=2025-05-01&end=2025-01-01", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert backwards.status_code == 422
    assert "start date" in backwards.json()["error"]["message"]
    assert client.get("/api/statistics?region=atlantis").json()["error"]["code"] == (
        "unknown_region"
    )
    assert client.get("/api/statistics?period=forever").status_code == 422
    assert json.loads(client.get("/api/statistics?region=almaty").content)["region"] == "almaty"


def test_the_api_enums_follow_the_models():
    from participation.api import AgencyKind
    from participation.models import Agency
    from reception.api import AppealKind, AppealState

    assert [kind.value for kind in AgencyKind] == Agency.Kind.values
    assert [kind.value for kind in AppealKind] == Appeal.Kind.values
    assert [state.value for state in AppealState] == Appeal.State.values


@pytest.mark.parametrize(
    "url",
    [
        "/api/agencies?q=a%00b",
        "/api/agencies/a%00b",
        "/api/appeals/A%00",
        "/open-data/appeals.csv?agency=%00",
        "/en/transparency/?region=%00",
        "/en/agencies/?q=%00",
    ],
)
def test_a_nul_character_is_refused_not_a_server_error(client, world, url):
    """PostgreSQL refuses NUL in text: it must never reach a query."""
    assert client.get(url).status_code == 400


def test_a_nul_character_in_an_appeal_is_refused(client, world):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.alice)}"}
    response = submit(client, {**APPEAL, "text": "a\x00b"}, **auth)
    assert response.status_code == 422 and not Appeal.objects.exists()


def test_a_wrong_method_gets_the_error_format_too(client, world):
    response = client.delete("/api/appeals")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}
