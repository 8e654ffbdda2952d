"""Live sessions: scheduling, questions and votes, pages, and questions that become appeals."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from moderation.models import ModerationItem
from participation.access import AccessDenied
from reception import live_actions
from reception.live_actions import LiveRefused
from reception.models import Appeal, Clock, LiveEvent, LiveQuestion, LiveSession, LiveVote
from tests.base import World
from tests.reception.live_helpers import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trusted(settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0


def test_it_lets_an_official_schedule_a_session(world: World) -> None:
    session = live_actions.do_schedule_session(
        actor=world.marat,
        official=world.marat_official,
        title="Жастар саясаты",
        description="",
        language="kk",
        starts_at=timezone.now() + timedelta(days=2),
        duration_minutes=60,
        mode=LiveSession.Mode.PREMODERATED,
    )
    assert session.state == LiveSession.State.SCHEDULED
    assert session.agency == world.mazhilis


def test_it_lets_a_delegate_schedule_for_their_official_but_not_a_citizen(world: World) -> None:
    values = {
        "official": world.marat_official,
        "title": "Q&A",
        "description": "",
        "language": "ru",
        "starts_at": timezone.now() + timedelta(days=1),
        "duration_minutes": 30,
        "mode": LiveSession.Mode.POSTMODERATED,
    }
    live_actions.do_schedule_session(actor=world.dana, **values)  # type: ignore[arg-type]
    with pytest.raises(AccessDenied):
        live_actions.do_schedule_session(actor=world.alice, **values)  # type: ignore[arg-type]


def test_it_refuses_a_session_in_the_past(world: World) -> None:
    with pytest.raises(LiveRefused):
        live_actions.do_schedule_session(
            actor=world.marat,
            official=world.marat_official,
            title="Late",
            description="",
            language="kk",
            starts_at=timezone.now() - timedelta(minutes=1),
            duration_minutes=60,
            mode=LiveSession.Mode.PREMODERATED,
        )


def test_the_database_refuses_a_second_vote_by_one_person(world: World) -> None:
    session = make_session(world, state=LiveSession.State.SCHEDULED)
    question = live_actions.do_ask_question(session, author=world.alice, text="Жол қашан салынады?")
    LiveVote.objects.create(question=question, voter=world.bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        LiveVote.objects.create(question=question, voter=world.bob)


def test_a_vote_counts_once_and_never_on_ones_own_question(world: World) -> None:
    session = make_session(world, state=LiveSession.State.SCHEDULED)
    question = live_actions.do_ask_question(session, author=world.alice, text="Жол қашан салынады?")
    live_actions.do_vote(question, voter=world.bob)
    with pytest.raises(LiveRefused) as again:
        live_actions.do_vote(question, voter=world.bob)
    assert again.value.code == "voted"
    with pytest.raises(LiveRefused) as own:
        live_actions.do_vote(question, voter=world.alice)
    assert own.value.code == "own_question"
    question.refresh_from_db()
    assert question.votes == 1


def test_a_question_goes_through_moderation_first_in_the_queue(world: World) -> None:
    session = make_session(world)
    question = live_actions.do_ask_question(session, author=world.alice, text="My IIN is here?")
    item = ModerationItem.objects.get(kind="live_question", object_id=question.pk)
    assert item.priority == 0
    assert item.agency == world.mazhilis


def test_a_rolled_back_action_stores_no_event_and_uses_no_number(world: World) -> None:
    session = make_session(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        live_actions.do_post_message(session, author=world.alice, text="never")
        raise RuntimeError
    live_actions.do_post_message(session, author=world.alice, text="kept")
    assert list(LiveEvent.objects.values_list("seq", flat=True)) == [1]


def test_ending_a_session_turns_unanswered_approved_questions_into_appeals(world: World) -> None:
    session = make_session(world)
    open_question = live_actions.do_ask_question(
        session, author=world.alice, text="Мектеп қашан ашылады?"
    )
    answered = live_actions.do_ask_question(session, author=world.bob, text="Когда ремонт?")
    live_actions.do_answer_question(answered, actor=world.marat, text="В мае.")
    live_actions.do_hide(
        live_actions.do_ask_question(session, author=world.bob, text="off topic"), actor=world.marat
    )

    appeals = live_actions.do_end_session(session, actor=world.marat)

    assert len(appeals) == 1
    appeal = appeals[0]
    open_question.refresh_from_db()
    assert open_question.appeal == appeal
    assert appeal.live_question == open_question
    assert appeal.citizen == world.alice
    assert appeal.official == world.marat_official
    assert appeal.kind == Appeal.Kind.QUESTION
    assert "Мектеп қашан ашылады?" in appeal.text
    # Its clocks run (the moderation clock is met at once: the text was published).
    running = Clock.objects.filter(appeal=appeal, state=Clock.State.RUNNING)
    assert sorted(running.values_list("kind", flat=True)) == ["t2", "t3", "t4"]
    assert appeal.events.filter(action="from_live_session").exists()
    # Ending twice converts nothing twice.
    with pytest.raises(LiveRefused):
        live_actions.do_end_session(session, actor=world.marat)
    assert Appeal.objects.count() == 1


def test_the_sweep_ends_a_forgotten_session_and_converts_its_questions(world: World) -> None:
    session = make_session(world, starts_at=timezone.now() - timedelta(hours=3))
    live_actions.do_ask_question(session, author=world.alice, text="Не забудьте мой вопрос")
    assert live_actions.end_overdue_sessions() == 1
    session.refresh_from_db()
    assert session.state == LiveSession.State.ENDED
    assert LiveQuestion.objects.get().appeal is not None


def test_followers_are_reminded_once_before_the_start(world: World) -> None:
    session = make_session(
        world, state=LiveSession.State.SCHEDULED, starts_at=timezone.now() + timedelta(minutes=20)
    )
    live_actions.do_follow_session(session, user=world.alice)
    assert live_actions.remind_followers() == 1
    assert live_actions.remind_followers() == 0
    assert world.alice.notifications.filter(kind="live_reminder").count() == 1


def test_only_staff_may_hide(world: World) -> None:
    session = make_session(world)
    message = live_actions.do_post_message(session, author=world.alice, text="hello")
    with pytest.raises(AccessDenied):
        live_actions.do_hide(message, actor=world.bob)


# ------------------------------------------------------------------------- pages


def test_the_list_shows_live_upcoming_and_past_sessions(client, world: World) -> None:
    make_session(world, title="Live one")
    make_session(
        world,
        title="Next week",
        state=LiveSession.State.SCHEDULED,
        starts_at=timezone.now() + timedelta(days=7),
    )
    make_session(world, title="Last month", state=LiveSession.State.ENDED)
    page = client.get("/en/live/").content.decode()
    assert page.index("Live one") < page.index("Next week") < page.index("Last month")


def test_the_room_is_readable_without_javascript(client, world: World) -> None:
    session = make_session(world)
    live_actions.do_post_message(session, author=world.alice, text="**Hello** room")
    question = live_actions.do_ask_question(session, author=world.bob, text="Question <b>one</b>")
    page = client.get(f"/en/live/{session.pk}/").content.decode()
    assert "<strong>Hello</strong> room" in page
    assert "Question &lt;b&gt;one&lt;/b&gt;" in page
    assert f'id="question-{question.pk}"' in page
    assert "Sign in to ask a question or vote." in page


def test_a_citizen_asks_and_votes_with_plain_forms(client, world: World) -> None:
    session = make_session(world, state=LiveSession.State.SCHEDULED)
    client.force_login(world.alice)
    response = client.post(f"/en/live/{session.pk}/", {"step": "ask", "text": "Су қашан болады?"})
    assert response.status_code == 302
    question = LiveQuestion.objects.get()
    client.force_login(world.bob)
    client.post(f"/en/live/{session.pk}/", {"step": "vote", "id": question.pk})
    response = client.post(f"/en/live/{session.pk}/", {"step": "vote", "id": question.pk})
    assert response.status_code == 409
    assert "already voted" in response.content.decode()
    question.refresh_from_db()
    assert question.votes == 1


def test_the_schedule_page_creates_a_session(client, world: World) -> None:
    client.force_login(world.marat)
    starts = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/en/live/schedule/",
        {
            "official": world.marat_official.pk,
            "title": "Ауыл шаруашылығы",
            "description": "",
            "starts_at": starts,
            "duration_minutes": 60,
            "language": "kk",
            "mode": "pre",
            "posting": "everyone",
            "slow_mode_seconds": 10,
        },
    )
    session = LiveSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/live/{session.pk}/"
    client.force_login(world.alice)
    assert client.get("/en/live/schedule/").status_code == 404


def test_the_schedule_page_names_co_hosts_and_session_moderators(client, world: World) -> None:
    """A co-host acts as a host and a session moderator approves; both are offered
    from people who already hold such a role, and the action refuses anyone else."""
    client.force_login(world.marat)
    page = client.get("/en/live/schedule/").content.decode()
    cohosts = re.search(r'<select name="cohosts".*?</select>', page, re.S)
    moderators = re.search(r'<select name="moderators".*?</select>', page, re.S)
    assert cohosts and moderators
    assert "Aigerim Nurlanova — Akimat of Almaty" in cohosts.group()  # an official
    assert f'<option value="{world.dana.pk}">Dana</option>' in moderators.group()  # a delegate
    assert f'<option value="{world.moira.pk}">Moira</option>' in moderators.group()  # a moderator
    assert "Alice" not in moderators.group()  # a citizen: neither
    starts = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "official": world.marat_official.pk,
        "title": "Көлік реформасы",
        "starts_at": starts,
        "duration_minutes": 60,
        "language": "kk",
        "mode": "pre",
        "posting": "everyone",
        "slow_mode_seconds": 10,
        "cohosts": [world.aigerim_official.pk],
        "moderators": [world.dana.pk],
    }
    assert client.post("/en/live/schedule/", form).status_code == 302
    session = LiveSession.objects.get()
    assert list(session.cohosts.all()) == [world.aigerim]
    assert list(session.moderators.all()) == [world.dana]
    assert live_actions.is_host(world.aigerim, session)
    assert live_actions.is_staff_of(world.dana, session)
    assert not live_actions.is_staff_of(world.alice, session)
    refused = client.post("/en/live/schedule/", {**form, "moderators": [world.alice.pk]})
    assert refused.status_code == 400  # not among the choices
    assert LiveSession.objects.count() == 1


def test_the_action_refuses_co_hosts_and_moderators_without_a_role(world: World) -> None:
    values: dict[str, Any] = {
        "actor": world.marat,
        "official": world.marat_official,
        "title": "Q&A",
        "description": "",
        "language": "ru",
        "starts_at": timezone.now() + timedelta(days=1),
        "duration_minutes": 30,
        "mode": LiveSession.Mode.POSTMODERATED,
    }
    with pytest.raises(LiveRefused, match="Co-hosts are officials"):
        live_actions.do_schedule_session(**values, cohosts=[world.alice])
    with pytest.raises(LiveRefused, match="Session moderators are"):
        live_actions.do_schedule_session(**values, moderators=[world.oskar])
    assert not LiveSession.objects.exists()
    session = live_actions.do_schedule_session(
        **values, cohosts=[world.marat, world.aigerim], moderators=[world.moira]
    )
    assert list(session.cohosts.all()) == [world.aigerim]  # the host is not their own co-host


def test_the_transcript_links_the_question_to_its_appeal(client, world: World) -> None:
    session = make_session(world)
    question = live_actions.do_ask_question(session, author=world.alice, text="Қашан?")
    live_actions.do_end_session(session, actor=world.marat)
    question.refresh_from_db()
    client.force_login(world.alice)
    page = client.get(f"/en/live/{session.pk}/transcript/").content.decode()
    assert question.appeal is not None
    assert question.appeal.tracking_number in page
    assert "became an appeal" in page


def test_the_demo_has_a_past_session_with_a_transcript_and_an_upcoming_one(client) -> None:
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    past = LiveSession.objects.get(state=LiveSession.State.ENDED)
    upcoming = LiveSession.objects.get(state=LiveSession.State.SCHEDULED)
    assert past.questions.filter(status=LiveQuestion.Status.ANSWERED).count() == 2
    assert past.questions.filter(appeal__isnull=False).count() == 1
    assert upcoming.questions.filter(status=LiveQuestion.Status.APPROVED).count() == 2
    page = client.get(f"/ru/live/{past.pk}/transcript/").content.decode()
    assert "Двадцать новых автобусов" in page
    assert "Сәлеметсіз бе!" in page


def test_the_transparency_figures_count_sessions_and_their_questions(client, world: World) -> None:
    """Held sessions and the fate of their public questions, as on the pages and the API."""
    session = make_session(world)
    answered = live_actions.do_ask_question(session, author=world.alice, text="Мектеп қашан?")
    live_actions.do_answer_question(answered, actor=world.marat, text="Қыркүйекте.")
    live_actions.do_ask_question(session, author=world.bob, text="Когда будет парк?")
    make_session(world, title="Not held yet", state=LiveSession.State.SCHEDULED)
    live_actions.do_end_session(session, actor=world.marat)  # the open question becomes an appeal

    figures = client.get("/api/statistics?period=all").json()["sections"]["live_sessions"]
    assert figures == {
        "sessions_held": 1,
        "questions_asked": 2,
        "questions_answered": 1,
        "answered_percent": 50,
        "became_appeals": 1,
    }
    mazhilis = client.get(f"/api/statistics/agencies/{world.mazhilis.slug}?period=all").json()
    assert mazhilis["sections"]["live_sessions"]["sessions_held"] == 1
    almaty = client.get(f"/api/statistics/agencies/{world.almaty.slug}?period=all").json()
    assert almaty["sections"]["live_sessions"]["sessions_held"] == 0
    page = client.get(f"/en/transparency/{world.mazhilis.slug}/?period=all").content.decode()
    assert "Sessions held" in page
