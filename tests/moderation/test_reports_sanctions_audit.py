"""Reports hide, sanctions stop posting, appeals get a second moderator, the log never changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from moderation.actions import (
    NotAllowed,
    abusive_reporters,
    do_appeal_decision,
    do_decide,
    do_decide_appeal,
    do_report,
    do_sanction,
)
from moderation.models import (
    AuditEntry,
    DecisionAppeal,
    ModerationItem,
    Reason,
    Report,
    Sanction,
    State,
)
from moderation.pipeline import ContentRefused
from participation.actions import do_update_profile
from tests.base import make_moderator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(world, settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    do_update_profile(world.alice, changes={"bio": "Біздің аулада жарық жоқ"})
    return ModerationItem.objects.get(object_id=world.alice.pk)


def test_three_distinct_reporters_hide_an_item_until_reviewed(world, published):
    reporters = [world.bob, *UserFactory.create_batch(2)]
    for number, reporter in enumerate(reporters):
        do_report(published, reporter=reporter, reason=Reason.INSULT)
        published.refresh_from_db()
        world.alice.refresh_from_db()
        assert published.hidden_by_reports == (number == 2)
    assert world.alice.profile_state == "hidden"
    assert world.alice.notifications.filter(kind="moderation_hidden").count() == 1


def test_one_staff_report_hides_at_once(world, published):
    do_report(published, reporter=world.dana, reason=Reason.PERSONAL_DATA)
    published.refresh_from_db()
    assert published.hidden_by_reports
    assert Report.objects.get().by_staff


def test_a_person_reports_an_item_once_and_never_their_own(world, published):
    do_report(published, reporter=world.bob, reason=Reason.SPAM)
    with pytest.raises(NotAllowed):
        do_report(published, reporter=world.bob, reason=Reason.INSULT)
    with pytest.raises(NotAllowed):
        do_report(published, reporter=world.alice, reason=Reason.SPAM)


def test_a_review_restores_a_hidden_item_and_scores_the_reports(world, published):
    for reporter in [world.bob, *UserFactory.create_batch(2)]:
        do_report(published, reporter=reporter, reason=Reason.INSULT)
    published.refresh_from_db()
    do_decide(
        published,
        moderator=world.moira,
        state=State.PUBLISHED,
        reason=Reason.MEETS_RULES,
        version=published.version,
    )
    world.alice.refresh_from_db()
    assert world.alice.profile_state == State.PUBLISHED
    assert set(Report.objects.values_list("upheld", flat=True)) == {False}


def test_reporters_whose_reports_are_mostly_rejected_are_listed(world, settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    authors = UserFactory.create_batch(5)
    for author in authors:
        do_update_profile(author, changes={"bio": f"Fine text {author.pk}"})
        item = ModerationItem.objects.get(object_id=author.pk)
        do_report(item, reporter=world.bob, reason=Reason.SPAM)
        item.refresh_from_db()
        do_decide(
            item,
            moderator=world.moira,
            state=State.PUBLISHED,
            reason=Reason.MEETS_RULES,
            version=item.version,
        )
    listed = abusive_reporters()
    assert [row["reporter"] for row in listed] == [world.bob.pk]


@pytest.mark.parametrize("kind", [Sanction.Kind.MUTE, Sanction.Kind.BAN])
def test_a_muted_or_banned_person_cannot_post(world, published, kind):
    ends = timezone.now() + timedelta(hours=2) if kind == Sanction.Kind.MUTE else None
    do_sanction(world.alice, moderator=world.moira, kind=kind, reason=Reason.INSULT, ends_at=ends)
    with pytest.raises(ContentRefused) as refused:
        do_update_profile(world.alice, changes={"bio": "Again"})
    assert ("muted until" if kind == Sanction.Kind.MUTE else "banned") in refused.value.message
    assert world.alice.notifications.filter(kind=f"sanction_{kind.value}").exists()


def test_a_mute_ends_by_itself(world, published):
    do_sanction(
        world.alice,
        moderator=world.moira,
        kind=Sanction.Kind.MUTE,
        reason=Reason.SPAM,
        ends_at=timezone.now() - timedelta(seconds=1),
    )
    do_update_profile(world.alice, changes={"bio": "I am back"})


def test_a_warning_does_not_stop_posting(world, published):
    do_sanction(
        world.alice, moderator=world.moira, kind=Sanction.Kind.WARN, reason=Reason.OFF_TOPIC
    )
    do_update_profile(world.alice, changes={"bio": "Understood"})
    assert world.alice.notifications.filter(kind="sanction_warn").exists()


def test_an_author_appeals_once_and_a_different_moderator_decides(world, published):
    do_decide(
        published,
        moderator=world.moira,
        state=State.REJECTED,
        reason=Reason.INSULT,
        version=published.version,
    )
    published.refresh_from_db()
    appeal = do_appeal_decision(published, author=world.alice, text="It was not an insult.")
    with pytest.raises(NotAllowed):
        do_appeal_decision(published, author=world.alice, text="Again")
    with pytest.raises(NotAllowed, match="different moderator"):
        do_decide_appeal(appeal, moderator=world.moira, outcome=DecisionAppeal.Outcome.OVERTURNED)
    second = make_moderator()
    do_decide_appeal(appeal, moderator=second, outcome=DecisionAppeal.Outcome.OVERTURNED)
    world.alice.refresh_from_db()
    assert world.alice.profile_state == State.PUBLISHED
    assert world.alice.notifications.filter(kind="appeal_overturned").exists()


def test_only_the_author_may_appeal_and_only_a_decision_against_them(world, published):
    with pytest.raises(NotAllowed):
        do_appeal_decision(published, author=world.alice, text="Nothing to appeal")
    do_decide(
        published,
        moderator=world.moira,
        state=State.REJECTED,
        reason=Reason.SPAM,
        version=published.version,
    )
    published.refresh_from_db()
    with pytest.raises(NotAllowed):
        do_appeal_decision(published, author=world.bob, text="Not mine")


def test_the_audit_log_refuses_changes_through_the_orm(world, published):
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.reason = "spam"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="spam")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_an_update_to_the_audit_log(world, published):
    entry = AuditEntry.objects.first()
    assert entry is not None
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE moderation_auditentry SET reason = 'spam' WHERE id = %s", [entry.pk])


@pytest.mark.postgres
def test_postgresql_refuses_a_delete_from_the_audit_log(world, published):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM moderation_auditentry")
    assert AuditEntry.objects.exists()


def test_the_admin_cannot_change_or_delete_audit_entries(client, world, published):
    client.force_login(world.root)
    entry = AuditEntry.objects.first()
    assert entry is not None
    assert client.get(f"/admin/moderation/auditentry/{entry.pk}/delete/").status_code == 403
    response = client.post(f"/admin/moderation/auditentry/{entry.pk}/change/", {"reason": "spam"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.reason != "spam"


def test_the_public_register_counts_decisions_and_appeals(client, world, published):
    do_decide(
        published,
        moderator=world.moira,
        state=State.REJECTED,
        reason=Reason.INSULT,
        version=published.version,
    )
    published.refresh_from_db()
    do_appeal_decision(published, author=world.alice, text="Please look again")
    page = client.get("/en/moderation/register/").content.decode()
    assert "Insults, threats or hate speech" in page
    assert "Median hours to a decision" in page
