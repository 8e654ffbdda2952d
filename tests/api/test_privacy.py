"""No private field or private record leaves through the API, the exports or the
transparency pages: every endpoint, for every kind of caller, table-driven."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from forums import actions as forum_actions
from forums.models import Post
from participation.api import api
from participation.models import PRIVATE_USER_FIELDS, ApiToken, User
from participation.petition_actions import do_sign, tally
from reception import actions, live_actions
from reception.models import Appeal, LiveSession
from tests.api.conftest import body, token_for
from tests.factories import CategoryFactory, UserFactory
from tests.petitions.helpers import draft, open_petition
from tests.reception.live_helpers import make_session

pytestmark = pytest.mark.django_db

# Every GET endpoint of the API, with the addresses that exercise it. A new
# endpoint fails test_every_endpoint_is_in_the_table until it gets its rows here.
# "{private}" is a private appeal's number, "{public}" a published one's.
ENDPOINTS: dict[str, list[str]] = {
    "/api/regions": ["/api/regions"],
    "/api/agencies": ["/api/agencies?limit=100", "/api/agencies?region=almaty"],
    "/api/agencies/{slug}": ["/api/agencies/almaty"],
    "/api/officials": ["/api/officials?limit=100"],
    "/api/officials/{slug}": ["/api/officials/aigerim-nurlanova"],
    "/api/me": ["/api/me"],
    "/api/appeals": [
        "/api/appeals?limit=100",
        "/api/appeals?official=aigerim-nurlanova",
        "/api/appeals?agency=almaty&state=accepted",
    ],
    "/api/appeals/{number}": ["/api/appeals/{private}", "/api/appeals/{public}"],
    "/api/statistics": ["/api/statistics?period=all", "/api/statistics?region=almaty"],
    "/api/statistics/agencies/{slug}": ["/api/statistics/agencies/almaty?period=all"],
    "/api/live-sessions": ["/api/live-sessions?limit=100", "/api/live-sessions?state=live"],
    "/api/live-sessions/{session_id}": ["/api/live-sessions/{live}", "/api/live-sessions/{pre}"],
    "/api/live-sessions/{session_id}/messages": ["/api/live-sessions/{live}/messages"],
    "/api/petitions": ["/api/petitions?limit=100", "/api/petitions?state=open"],
    "/api/petitions/{petition_id}": ["/api/petitions/{petition}", "/api/petitions/{draft}"],
    "/api/forum/categories": ["/api/forum/categories"],
    "/api/forum/threads": ["/api/forum/threads?limit=100", "/api/forum/threads?category=forum"],
    "/api/forum/threads/{thread_id}": [
        "/api/forum/threads/{thread}",
        "/api/forum/threads/{held_thread}",
    ],
    "/api/forum/threads/{thread_id}/posts": ["/api/forum/threads/{thread}/posts?limit=100"],
}
EXPORTS_AND_PAGES = [
    "/api/openapi.json",
    "/open-data/statistics.csv?period=all",
    "/open-data/statistics.json?period=all",
    "/open-data/appeals.csv?period=all",
    "/open-data/appeals.json?period=all",
    "/open-data/appeals.json?period=all&agency=almaty",
    "/en/transparency/?period=all",
    "/en/transparency/almaty/?period=all",
    "/ru/transparency/almaty/?period=all",
]


@pytest.fixture
def secrets(world, settings, tmp_path, published):
    """A world with private things in it; returns every string that must never leave."""
    settings.MEDIA_ROOT = tmp_path
    User.objects.filter(pk=world.alice.pk).update(real_name="Alice Smithova", iin="850101300005")
    User.objects.filter(pk=world.bob.pk).update(real_name="Bobur Karimov")
    world.alice.refresh_from_db()
    private = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.COMPLAINT,
        subject="Neighbour Ivanov beats his dog",
        text="Every night at Abai 150, flat 12.",
        is_public=False,
        official=world.aigerim_official,
        attachments=[
            SimpleUploadedFile("proof-secret.pdf", b"%PDF-1.4 x", content_type="application/pdf")
        ],
    )
    # Bob's appeal is public and answered, but Bob's identity and the office's
    # internal steps (clarification, draft) stay private.
    public = actions.do_submit_appeal(
        citizen=world.bob,
        kind=Appeal.Kind.QUESTION,
        subject="Street lights on Timiryazev",
        text="When will the lights be fixed?",
        is_public=True,
        official=world.aigerim_official,
        attachments=[
            SimpleUploadedFile("bob-scan.pdf", b"%PDF-1.4 y", content_type="application/pdf")
        ],
    )
    actions.do_accept(public, actor=world.aigerim)
    actions.do_ask_clarification(public, actor=world.aigerim, question="Which house, ask-secret?")
    actions.do_clarify(public, citizen=world.bob, text="House 7, clarify-secret")
    actions.do_draft_answer(
        public, actor=world.aigerim, text="draft-secret", outcome=Appeal.Outcome.RESOLVED
    )
    # Live sessions: a question waiting for approval and a hidden chat message.
    pre = make_session(world, mode=LiveSession.Mode.PREMODERATED)
    live_actions.do_ask_question(pre, author=world.alice, text="live-pending-secret")
    live = make_session(world)
    hidden = live_actions.do_post_message(live, author=world.bob, text="live-hidden-secret")
    live_actions.do_hide(hidden, actor=world.marat)
    # Petitions: a listed one signed by a named person, and a draft.
    petition = open_petition(world, threshold=100)
    do_sign(petition, user=UserFactory.create(email="petition.signer@example.kz",
            real_name="Signer Secretova"), public=False)  # fmt: skip
    tally()
    draft_petition = draft(world, text="petition-draft-secret")
    # Forums: a held reply in a public thread, and a held thread.
    category = CategoryFactory.create(agency=world.mazhilis, slug="forum")
    thread = forum_actions.do_start_thread(
        category=category, author=world.alice, title="Buses", body="Where are the buses?"
    )
    settings.MODERATION_TRUSTED_AFTER_POSTS = 100
    root = Post.objects.get(thread=thread, parent__isnull=True)
    forum_actions.do_reply(parent=root, author=world.bob, body="forum-held-secret")
    held_thread = forum_actions.do_start_thread(
        category=category, author=world.bob, title="forum-thread-secret", body="Body"
    )
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    raw_token = token_for(world.alice)
    values = ["Alice Smithova", "Bobur Karimov", "850101300005", "Neighbour Ivanov",
              "Abai 150, flat 12", "proof-secret", "bob-scan", "ask-secret", "clarify-secret",
              "draft-secret", private.tracking_number, raw_token, "live-pending-secret",
              "live-hidden-secret", "petition.signer", "Signer Secretova",
              "petition-draft-secret", "forum-held-secret", "forum-thread-secret",
              ApiToken.objects.get().digest]  # fmt: skip
    for person in User.objects.all():
        values += [str(getattr(person, field)) for field in PRIVATE_USER_FIELDS
                   if getattr(person, field)]  # fmt: skip
    return {"private": private, "public": public, "values": values, "token": raw_token,
            "live": live, "pre": pre, "petition": petition,
            "draft": draft_petition, "thread": thread,
            "held_thread": held_thread}  # fmt: skip


def test_every_endpoint_is_in_the_table():
    schema = api.get_openapi_schema()
    gets = {path for path, operations in schema["paths"].items() if "get" in operations}
    assert gets == set(ENDPOINTS)


def _clients(world, secrets) -> dict[str, Client]:
    anonymous = Client()
    by_token = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(world.bob, 'bob')}")
    owner = Client(HTTP_AUTHORIZATION=f"Bearer {secrets['token']}")
    office = Client()
    office.force_login(world.aigerim)
    moderator = Client()
    moderator.force_login(world.moira)
    return {
        "anonymous": anonymous,
        "another citizen's token": by_token,
        "the citizen's own token": owner,
        "the office's session": office,
        "a moderator's session": moderator,
    }


def test_no_private_field_or_record_leaves_through_any_endpoint(world, secrets):
    urls = [url for rows in ENDPOINTS.values() for url in rows] + EXPORTS_AND_PAGES
    urls = [
        url.format(private=secrets["private"].tracking_number,
                   public=secrets["public"].tracking_number,
                   live=secrets["live"].pk, pre=secrets["pre"].pk,
                   petition=secrets["petition"].pk, draft=secrets["draft"].pk,
                   thread=secrets["thread"].pk, held_thread=secrets["held_thread"].pk)
        for url in urls
    ]  # fmt: skip
    checked = 0
    for who, client in _clients(world, secrets).items():
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (who, url)
            text = body(response).decode()
            for secret in secrets["values"]:
                assert secret not in text, (who, url, secret)
            assert "%PDF" not in text, (who, url)
            checked += 1
    assert checked == 5 * len(urls)


def test_the_public_appeal_itself_is_there(client, world, secrets):
    """The table above would pass on empty answers: check the public part is served."""
    number = secrets["public"].tracking_number
    detail = client.get(f"/api/appeals/{number}").json()
    assert detail["subject"] == "Street lights on Timiryazev"
    assert [event["action"] for event in detail["timeline"]] == ["submitted", "accepted"]
    export = body(client.get("/open-data/appeals.csv?period=all")).decode()
    assert number in export and "Street lights on Timiryazev" in export
    assert client.get(f"/api/appeals/{secrets['private'].tracking_number}").status_code == 404
