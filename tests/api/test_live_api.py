"""Live sessions through the API: what the public sees of a room, asking and voting."""

from __future__ import annotations

import json

import pytest

from reception import live_actions
from reception.models import LiveQuestion, LiveSession
from tests.api.conftest import body, token_for
from tests.base import World
from tests.reception.live_helpers import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trusted(published):
    """Texts are published by the automatic rules at once."""


def _json(response):
    return json.loads(body(response))


def test_the_transcript_shows_answered_questions_and_the_chat(client, world: World) -> None:
    session = make_session(world)
    asked = live_actions.do_ask_question(session, author=world.alice, text="Когда откроют школу?")
    live_actions.do_answer_question(asked, actor=world.marat, text="В сентябре.")
    live_actions.do_post_message(session, author=world.bob, text="Спасибо!")
    detail = _json(client.get(f"/api/live-sessions/{session.pk}"))
    (question,) = detail["questions"]
    assert question["status"] == "answered"
    assert "Когда откроют школу?" in question["text_html"]
    assert "В сентябре." in question["answer_html"]
    assert question["author"] == world.alice.public_name
    messages = _json(client.get(f"/api/live-sessions/{session.pk}/messages"))["items"]
    assert [m["author"] for m in messages] == [world.bob.public_name]
    assert detail["host"] == world.marat_official.slug


def test_pending_and_hidden_items_stay_out(client, world: World) -> None:
    session = make_session(world, mode=LiveSession.Mode.PREMODERATED)
    live_actions.do_ask_question(session, author=world.alice, text="pending-question")
    posted = make_session(world)
    message = live_actions.do_post_message(posted, author=world.bob, text="hidden-message")
    live_actions.do_hide(message, actor=world.marat)
    for url in (f"/api/live-sessions/{session.pk}", f"/api/live-sessions/{posted.pk}/messages"):
        text = body(client.get(url)).decode()
        assert "pending-question" not in text
        assert "hidden-message" not in text


def test_the_list_filters_by_state(client, world: World) -> None:
    live = make_session(world, title="Live hour")
    make_session(world, title="Past hour", state=LiveSession.State.ENDED)
    items = _json(client.get("/api/live-sessions?state=live"))["items"]
    assert [item["id"] for item in items] == [live.pk]


def test_a_citizen_asks_with_a_token_and_the_question_is_queued(client, world: World) -> None:
    session = make_session(world)
    token = token_for(world.alice)
    response = client.post(
        f"/api/live-sessions/{session.pk}/questions",
        data={"text": "Будет ли новый парк?"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201
    created = _json(response)
    assert created["is_visible"] is True
    assert LiveQuestion.objects.get(pk=created["id"]).author == world.alice


def test_asking_anonymously_is_refused(client, world: World) -> None:
    session = make_session(world)
    response = client.post(
        f"/api/live-sessions/{session.pk}/questions",
        data={"text": "Hello"},
        content_type="application/json",
    )
    assert response.status_code == 401
    assert _json(response)["error"]["code"] == "unauthenticated"


def test_a_second_vote_and_a_vote_for_ones_own_question_are_refused(client, world: World) -> None:
    session = make_session(world)
    question = live_actions.do_ask_question(session, author=world.alice, text="Где автобус?")
    bob = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.bob)}"}
    alice = {"HTTP_AUTHORIZATION": f"Bearer {token_for(world.alice)}"}
    url = f"/api/live-sessions/questions/{question.pk}/vote"
    assert _json(client.post(url, **bob))["votes"] == 1
    again = client.post(url, **bob)
    assert (again.status_code, _json(again)["error"]["code"]) == (409, "voted")
    own = client.post(url, **alice)
    assert (own.status_code, _json(own)["error"]["code"]) == (409, "own_question")


def test_an_ended_session_takes_no_questions(client, world: World) -> None:
    session = make_session(world, state=LiveSession.State.ENDED)
    response = client.post(
        f"/api/live-sessions/{session.pk}/questions",
        data={"text": "Late question"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(world.alice)}",
    )
    assert (response.status_code, _json(response)["error"]["code"]) == (409, "ended")
