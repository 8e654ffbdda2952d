"""The appeal lifecycle of SPEC §1 and its clocks (SPEC §2), with time frozen."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from participation.access import AccessDenied
from participation.models import Notification
from reception import actions, clocks
from reception.models import Appeal, Clock
from reception.sweep import sweep

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def submit(world, when="2025-03-07 17:00", **kwargs):
    with time_machine.travel(at(when), tick=False):
        return actions.do_submit_appeal(
            citizen=world.alice,
            kind=Appeal.Kind.QUESTION,
            subject="Street lights on Abai avenue",
            text="The lights on our street have been off for a month.",
            is_public=True,
            official=kwargs.pop("official", world.aigerim_official),
            **kwargs,
        )


def clock(appeal, kind):
    return appeal.clocks.get(kind=kind, state__in=["running", "paused"])


def local(moment):
    return moment.astimezone(ALMATY)


def test_submission_registers_and_starts_the_clocks_of_the_worked_example(world):
    """SPEC §2: submitted Fri 2025-03-07 17:00 → +3 on 13 March, +5 on 17 March, +15 on 3 April."""
    appeal = submit(world)
    assert appeal.registered_on == dt.date(2025, 3, 7)
    assert appeal.tracking_number.startswith("A-2025-")
    assert local(clock(appeal, Clock.Kind.FIRST_RESPONSE).due_at) == at("2025-03-13 23:59:59")
    assert local(clock(appeal, Clock.Kind.ANSWER).due_at) == at("2025-03-17 23:59:59")
    assert local(clock(appeal, Clock.Kind.LEGAL).due_at) == at("2025-04-03 23:59:59")


def test_a_weekend_submission_registers_on_the_next_working_day(world):
    appeal = submit(world, when="2025-01-04 10:00")  # Saturday; Sunday 5 January was worked
    assert appeal.registered_on == dt.date(2025, 1, 5)
    assert local(clock(appeal, Clock.Kind.FIRST_RESPONSE).due_at).date() == dt.date(2025, 1, 9)


def test_the_citizen_and_the_office_are_told(world):
    appeal = submit(world)
    assert Notification.objects.filter(user=world.alice, kind="appeal_registered").exists()
    assert Notification.objects.filter(user=world.aigerim, kind="appeal_new").exists()
    note = Notification.objects.get(user=world.alice, kind="appeal_registered")
    assert note.params["number"] == appeal.tracking_number


def test_moderation_decides_publication_never_acceptance(world, settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 1
    appeal = submit(world)
    appeal.refresh_from_db()
    assert not appeal.is_visible  # Alice's first text waits for a moderator
    assert appeal.state == Appeal.State.REGISTERED  # but it is registered and its clocks run
    assert clock(appeal, Clock.Kind.FIRST_RESPONSE).state == Clock.State.RUNNING


def test_a_sanctioned_citizens_appeal_is_held_not_refused(world, settings):
    from moderation.actions import do_sanction
    from moderation.models import Reason, Sanction

    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    do_sanction(world.alice, moderator=world.moira, kind=Sanction.Kind.BAN, reason=Reason.SPAM)
    appeal = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.REQUEST,
        subject="A bench in the yard",
        text="Please install a bench.",
        is_public=True,
        official=world.aigerim_official,
    )
    assert appeal.state == Appeal.State.REGISTERED
    appeal.refresh_from_db()
    assert not appeal.is_visible


def test_accepting_meets_the_first_response_clock(world):
    appeal = submit(world)
    with time_machine.travel(at("2025-03-10 10:00"), tick=False):
        actions.do_accept(appeal, actor=world.aigerim)
    t2 = appeal.clocks.get(kind=Clock.Kind.FIRST_RESPONSE)
    assert t2.state == Clock.State.MET
    assert clocks.status(t2) == clocks.Status.MET


def test_only_the_office_may_act(world):
    appeal = submit(world)
    with pytest.raises(AccessDenied):
        actions.do_accept(appeal, actor=world.bob)
    with pytest.raises(AccessDenied):
        actions.do_accept(appeal, actor=world.dana)  # a Mazhilis delegate, not this office


def test_a_step_out_of_order_is_refused_with_a_reason(world):
    appeal = submit(world)
    with pytest.raises(actions.InvalidTransition):
        actions.do_ask_clarification(appeal, actor=world.aigerim, question="Which street?")


def test_forwarding_restarts_the_clocks_in_the_receiving_agency(world):
    appeal = submit(world)
    with time_machine.travel(at("2025-03-11 12:00"), tick=False):
        actions.do_forward(
            appeal, actor=world.aigerim, to_agency=world.bostandyk, reason="District roads"
        )
    appeal.refresh_from_db()
    assert appeal.agency == world.bostandyk
    assert appeal.registered_on == dt.date(2025, 3, 11)
    assert local(clock(appeal, Clock.Kind.FIRST_RESPONSE).due_at).date() == dt.date(2025, 3, 14)
    assert appeal.clocks.filter(kind=Clock.Kind.ANSWER, state=Clock.State.STOPPED).count() == 1
    assert Notification.objects.filter(user=world.alice, kind="appeal_forwarded").exists()


def test_clarification_pauses_the_answer_clock_only(world):
    appeal = submit(world)
    with time_machine.travel(at("2025-03-10 10:00"), tick=False):
        actions.do_accept(appeal, actor=world.aigerim)
        actions.do_ask_clarification(appeal, actor=world.aigerim, question="Which street exactly?")
    assert clock(appeal, Clock.Kind.ANSWER).state == Clock.State.PAUSED
    assert clock(appeal, Clock.Kind.LEGAL).state == Clock.State.RUNNING
    before = clock(appeal, Clock.Kind.ANSWER).due_at
    # Paused from Monday 10 March to Wednesday 12 March: two working days pass.
    with time_machine.travel(at("2025-03-12 09:00"), tick=False):
        actions.do_clarify(appeal, citizen=world.alice, text="Abai avenue, 10 to 40.")
    t3 = clock(appeal, Clock.Kind.ANSWER)
    assert t3.state == Clock.State.RUNNING
    assert local(t3.due_at).date() == dt.date(2025, 3, 19)  # 17 March + 2 working days
    assert t3.due_at > before


def test_only_the_head_extends_and_only_once(world):
    appeal = submit(world)
    actions.do_accept(appeal, actor=world.aigerim)
    from participation.models import Membership, Role
    from tests.base import enrol_mfa
    from tests.factories import UserFactory

    deputy = UserFactory.create()
    Membership.objects.create(user=deputy, role=Role.OFFICIAL, agency=world.almaty)
    enrol_mfa(deputy)
    with pytest.raises(AccessDenied):
        actions.do_extend(appeal, actor=deputy, reason="Survey needed", working_days=10)
    before = clock(appeal, Clock.Kind.LEGAL).due_at
    actions.do_extend(appeal, actor=world.aigerim, reason="A survey of the street", working_days=10)
    assert clock(appeal, Clock.Kind.LEGAL).due_at > before
    with pytest.raises(actions.InvalidTransition):
        actions.do_extend(appeal, actor=world.aigerim, reason="Again", working_days=5)


def test_answering_meets_the_clocks_and_publishes_the_answer(world):
    appeal = submit(world)
    actions.do_accept(appeal, actor=world.aigerim)
    actions.do_answer(
        appeal, actor=world.aigerim, text="Repaired on **Monday**.", outcome=Appeal.Outcome.RESOLVED
    )
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.ANSWERED
    assert "<strong>Monday</strong>" in appeal.answer_html
    assert not appeal.clocks.filter(state__in=["running", "paused"]).exclude(kind="t1").exists()


def test_unsatisfied_reopens_once_then_escalates_as_a_complaint(world):
    appeal = submit(world, official=None, agency=world.bostandyk)
    from participation.models import Membership, Role

    Membership.objects.create(user=world.aigerim, role=Role.OFFICIAL, agency=world.bostandyk)
    actions.do_answer(appeal, actor=world.aigerim, text="Done.", outcome=Appeal.Outcome.EXPLAINED)
    actions.do_rate(appeal, citizen=world.alice, rating=Appeal.Rating.UNSATISFIED)
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.ACCEPTED and appeal.reopened
    actions.do_answer(
        appeal, actor=world.aigerim, text="Done, really.", outcome=Appeal.Outcome.EXPLAINED
    )
    actions.do_rate(appeal, citizen=world.alice, rating=Appeal.Rating.UNSATISFIED)
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.ESCALATED
    complaint = Appeal.objects.get(escalated_from=appeal)
    assert complaint.kind == Appeal.Kind.COMPLAINT
    assert complaint.agency == world.almaty  # the superior body


def test_satisfied_closes(world):
    appeal = submit(world)
    actions.do_answer(appeal, actor=world.aigerim, text="Done.", outcome=Appeal.Outcome.RESOLVED)
    actions.do_rate(appeal, citizen=world.alice, rating=Appeal.Rating.SATISFIED)
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.CLOSED


def test_the_sweep_warns_breaches_and_escalates_exactly_once(world):
    appeal = submit(world, official=None, agency=world.bostandyk)
    from participation.models import Official
    from tests.factories import UserFactory

    head = UserFactory.create()
    Official.objects.create(
        user=head,
        agency=world.bostandyk,
        slug="bostandyk-akim",
        is_head=True,
        name_kk="Әкім",
        name_ru="Аким",
        name_en="Akim",
        position_kk="Әкім",
        position_ru="Аким",
        position_en="Akim",
    )
    # T2 (3 working days from 7 March) warns at the end of 12 March and is due 13 March.
    with time_machine.travel(at("2025-03-13 09:00"), tick=False):
        first = sweep()
        again = sweep()
    assert first["warning"] >= 1 and again["warning"] == 0
    with time_machine.travel(at("2025-03-14 09:00"), tick=False):
        assert sweep()["breach"] >= 1
        assert sweep()["breach"] == 0
    assert Notification.objects.filter(user=head, kind="clock_breach").count() == 1
    # Two more working days (17, 18 March): the superior body's head hears of it, once.
    with time_machine.travel(at("2025-03-19 09:00"), tick=False):
        assert sweep()["escalation"] >= 1
        assert sweep()["escalation"] == 0
    assert Notification.objects.filter(user=world.aigerim, kind="clock_escalated").count() >= 1
    assert clocks.status(appeal.clocks.get(kind="t2")) == clocks.Status.BREACHED


def test_unrated_answers_close_after_ten_working_days(world):
    appeal = submit(world)
    with time_machine.travel(at("2025-03-10 10:00"), tick=False):
        actions.do_answer(
            appeal, actor=world.aigerim, text="Done.", outcome=Appeal.Outcome.RESOLVED
        )
    with time_machine.travel(at("2025-03-21 10:00"), tick=False):  # Nauryz is not counted
        assert sweep()["closed"] == 0
    with time_machine.travel(at("2025-03-28 10:00"), tick=False):
        assert sweep()["closed"] == 1
        assert sweep()["closed"] == 0
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.CLOSED


def test_a_private_appeal_is_seen_only_by_those_it_concerns(client, world):
    with time_machine.travel(at("2025-03-07 17:00"), tick=False):
        appeal = actions.do_submit_appeal(
            citizen=world.alice,
            kind=Appeal.Kind.COMPLAINT,
            subject="My neighbour",
            text="Private matter",
            is_public=False,
            official=world.aigerim_official,
        )
    url = f"/en/appeals/{appeal.tracking_number}/"
    assert client.get(url).status_code == 404
    client.force_login(world.bob)
    assert client.get(url).status_code == 404
    response = client.get("/en/appeals/track/", {"number": appeal.tracking_number})
    assert "No public appeal has this number" in response.content.decode()
    client.force_login(world.alice)
    assert "Private matter" in client.get(url).content.decode()
    client.force_login(world.aigerim)
    assert "Private matter" in client.get(url).content.decode()


def test_a_moderation_clock_past_its_escalation_moment_does_not_stall_the_sweep(world, monkeypatch):
    """T1 never escalates; with a full batch of them the sweep must still finish."""
    import signal

    from reception import sweep as sweep_module

    def stalled(signum, frame):
        raise TimeoutError("the sweep did not finish")

    monkeypatch.setattr(sweep_module, "BATCH", 1)
    submit(world)  # Alice's first text: held, so its moderation clock keeps running
    assert Clock.objects.filter(kind=Clock.Kind.MODERATION, state=Clock.State.RUNNING).exists()
    previous = signal.signal(signal.SIGALRM, stalled)
    signal.alarm(20)
    try:
        with time_machine.travel(at("2025-06-02 09:00"), tick=False):
            assert sweep()["escalation"] >= 1  # T2–T4 escalate; T1 does not, and is skipped
            assert sweep() == {"warning": 0, "breach": 0, "escalation": 0, "closed": 0}
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_null_character_is_dropped_not_fatal(world):
    """An appeal may not be refused, and PostgreSQL cannot store U+0000: the pipeline drops it."""
    appeal = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.QUESTION,
        subject="Street\x00 lights",
        text="When will the lights\x00 be fixed?",
        is_public=True,
        official=world.aigerim_official,
    )
    appeal.refresh_from_db()
    assert (appeal.subject, appeal.text) == ("Street lights", "When will the lights be fixed?")
