"""The queue: urgency order, claims, decisions, conflicts, redaction, bulk actions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from moderation.actions import Conflict, do_bulk_decide, do_claim, do_decide
from moderation.models import AuditEntry, ModerationItem, Reason, State
from moderation.queries import queue_for
from participation.actions import do_update_profile
from tests.base import make_moderator

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(world, settings):
    """Alice's profile text, held for a moderator (her first post)."""
    settings.MODERATION_TRUSTED_AFTER_POSTS = 1
    do_update_profile(world.alice, changes={"bio": "Менің телефоным 87012345678"})
    return ModerationItem.objects.get(object_id=world.alice.pk)


def test_the_queue_puts_live_chat_first_then_the_nearest_deadline(world, held):
    soon = held
    later = ModerationItem.objects.create(
        content_type=soon.content_type,
        object_id=world.bob.pk,
        kind="profile",
        author=world.bob,
        state=State.HELD,
        reason=Reason.NEW_ACCOUNT,
        due_at=soon.due_at + timedelta(hours=5),
    )
    live = ModerationItem.objects.create(
        content_type=soon.content_type,
        object_id=world.marat.pk,
        kind="profile",
        author=world.marat,
        state=State.HELD,
        reason=Reason.OTHER,
        priority=0,
        due_at=soon.due_at + timedelta(days=3),
    )
    assert list(queue_for(world.moira)) == [live, soon, later]


def test_the_moderation_clock_is_one_working_day(held):
    local = timezone.localtime(held.due_at)
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert timedelta(hours=1) < held.due_at - held.submitted_at < timedelta(days=5)


def test_a_moderator_publishes_and_the_author_is_told(world, held):
    do_decide(
        held,
        moderator=world.moira,
        state=State.PUBLISHED,
        reason=Reason.MEETS_RULES,
        version=held.version,
    )
    world.alice.refresh_from_db()
    assert world.alice.profile_state == State.PUBLISHED
    assert world.alice.notifications.filter(kind="moderation_published").exists()
    assert not queue_for(world.moira).exists()


def test_a_rejection_gives_the_author_the_reason(world, held):
    do_decide(
        held,
        moderator=world.moira,
        state=State.REJECTED,
        reason=Reason.INSULT,
        version=held.version,
    )
    note = world.alice.notifications.get(kind="moderation_rejected")
    assert note.params["reason"]["en"] == "Insults, threats or hate speech"
    assert note.params["reason"]["ru"].startswith("Текст содержит оскорбления")
    world.alice.refresh_from_db()
    assert world.alice.profile_state == State.REJECTED


def test_a_second_decision_on_the_same_version_is_a_conflict(world, held):
    other = make_moderator()
    seen = held.version
    do_decide(
        held, moderator=world.moira, state=State.PUBLISHED, reason=Reason.MEETS_RULES, version=seen
    )
    with pytest.raises(Conflict) as conflict:
        do_decide(held, moderator=other, state=State.REJECTED, reason=Reason.SPAM, version=seen)
    assert "Moira" in conflict.value.message
    assert AuditEntry.objects.filter(item=held, action="decided").count() == 1
    world.alice.refresh_from_db()
    assert world.alice.profile_state == State.PUBLISHED


def test_a_claimed_item_cannot_be_taken_or_decided_by_another(world, held, settings):
    other = make_moderator()
    do_claim(held, moderator=world.moira)
    with pytest.raises(Conflict, match="Moira"):
        do_claim(held, moderator=other)
    with pytest.raises(Conflict):
        do_decide(
            held, moderator=other, state=State.REJECTED, reason=Reason.SPAM, version=held.version
        )
    ModerationItem.objects.filter(pk=held.pk).update(
        claimed_at=timezone.now() - timedelta(minutes=settings.MODERATION_CLAIM_MINUTES + 1)
    )
    assert do_claim(held, moderator=other).claimed_by == other  # a stale claim may be taken


@pytest.mark.postgres  # SQLite's in-memory test database locks whole tables between threads
@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_once_one_wins_the_other_is_told(world, settings):
    """Two threads, two database connections, one item: exactly one decision lands."""
    settings.MODERATION_TRUSTED_AFTER_POSTS = 1
    do_update_profile(world.alice, changes={"bio": "Held text"})
    item = ModerationItem.objects.get(object_id=world.alice.pk)
    other = make_moderator()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(moderator, state):
        try:
            fresh = type(moderator).objects.get(pk=moderator.pk)
            barrier.wait()
            do_decide(item, moderator=fresh, state=state, reason=Reason.OTHER, version=item.version)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(world.moira, State.PUBLISHED)),
        threading.Thread(target=decide, args=(other, State.REJECTED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "won"]
    assert AuditEntry.objects.filter(item=item, action="decided").count() == 1


def test_redaction_publishes_the_edited_text_and_keeps_the_original(world, held):
    original = world.alice.__class__.objects.get(pk=world.alice.pk).bio
    do_decide(
        held,
        moderator=world.moira,
        state=State.PUBLISHED,
        reason=Reason.PERSONAL_DATA,
        version=held.version,
        texts={"bio": "Менің телефоным [жасырылды]", "display_name": "Alice"},
    )
    world.alice.refresh_from_db()
    assert world.alice.bio == "Менің телефоным [жасырылды]"
    assert "[жасырылды]" in world.alice.bio_html
    entry = AuditEntry.objects.get(action="redacted")
    assert entry.before["texts"]["bio"] == original
    assert world.alice.notifications.filter(kind="moderation_redacted").exists()


def test_bulk_decisions_skip_items_claimed_by_others(world, held, settings):
    other = make_moderator()
    do_update_profile(world.bob, changes={"bio": "Held too"})
    second = ModerationItem.objects.get(object_id=world.bob.pk)
    do_claim(second, moderator=other)
    done, conflicts = do_bulk_decide(
        [held, second], moderator=world.moira, state=State.PUBLISHED, reason=Reason.MEETS_RULES
    )
    assert [item.pk for item in done] == [held.pk]
    assert [item.pk for item, _ in conflicts] == [second.pk]


def test_the_queue_page_is_for_moderators_only(client, world, held):
    client.force_login(world.alice)
    assert client.get("/en/moderation/").status_code == 404
    client.force_login(world.moira)
    page = client.get("/en/moderation/").content.decode()
    assert f"#{held.pk}" in page


def test_a_conflict_on_the_page_is_a_clear_409(client, world, held):
    client.force_login(world.moira)
    url = f"/en/moderation/items/{held.pk}/"
    first = client.post(
        url,
        {
            "action": "decide",
            "state": "published",
            "reason": "meets_rules",
            "version": held.version,
        },
    )
    assert first.status_code == 302
    second = client.post(
        url, {"action": "decide", "state": "rejected", "reason": "spam", "version": held.version}
    )
    assert second.status_code == 409
    assert "already acted on this item" in second.content.decode()


def test_the_author_sees_the_decision_others_do_not(client, world, held):
    client.force_login(world.alice)
    assert client.get(f"/en/moderation/items/{held.pk}/").status_code == 200
    client.force_login(world.bob)
    assert client.get(f"/en/moderation/items/{held.pk}/").status_code == 404


def test_a_scoped_moderator_sees_the_items_of_their_agencies_and_those_below(world, settings):
    from reception.actions import do_submit_appeal
    from reception.models import Appeal

    settings.MODERATION_TRUSTED_AFTER_POSTS = 5  # every appeal here waits for a moderator
    local = make_moderator("Local moderator", agency=world.almaty)
    district = do_submit_appeal(
        citizen=world.alice, kind=Appeal.Kind.QUESTION, subject="District", text="D",
        is_public=True, agency=world.bostandyk,
    )  # fmt: skip
    chamber = do_submit_appeal(
        citizen=world.bob, kind=Appeal.Kind.QUESTION, subject="Chamber", text="C",
        is_public=True, official=world.marat_official,
    )  # fmt: skip
    seen = {item.object_id for item in queue_for(local)}
    assert district.pk in seen and chamber.pk not in seen
    everything = {item.object_id for item in queue_for(world.moira)}
    assert {district.pk, chamber.pk} <= everything
