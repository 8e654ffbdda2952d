"""Notifications by e-mail: per-kind preferences, the outbox, the daily digest."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import smtplib
import socket
import threading
import time
from collections import Counter
from email.message import EmailMessage
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.db.models import QuerySet
from huey.contrib.djhuey import HUEY

from participation import email as outbox
from participation import notify
from participation.actions import (
    _enqueue_email,
    do_notify,
    do_notify_many,
    do_set_notification_preferences,
)
from participation.models import DailyDigest, Notification, NotificationPreference
from participation.tasks import daily_digest, send_notification_emails

pytestmark = pytest.mark.django_db

ALMATY = ZoneInfo("Asia/Almaty")
SITE = "https://dialogue.example.kz"
NUMBER = "A-2026-TEST-0001"
Pending = Notification.EmailState.PENDING


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ALMATY)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_ROOT = SITE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def published(user, url: str = f"/appeals/{NUMBER}/") -> Notification:
    """A notification whose text every catalog already translates."""
    return do_notify(user, kind="moderation_published", url=url)


def html_part(message: Any) -> str:
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return str(html)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- Preferences ----------------------------------------------------------------------


def test_every_kind_says_who_receives_it_and_where_it_goes_by_default():
    assert set(notify.DELIVERY) == set(notify.KINDS)
    assert all(d.group in notify.GROUPS for d in notify.DELIVERY.values())


def test_the_defaults_mail_what_matters_and_keep_the_welcome_in_the_page(world):
    welcome = do_notify(world.alice, kind="welcome")
    registered = do_notify(world.alice, kind="appeal_registered", params={"number": NUMBER})
    warning = do_notify(world.marat, kind="clock_warning", params={"number": NUMBER})
    assert welcome.email_state == Notification.EmailState.NONE and welcome.in_page
    assert registered.email_state == Pending and registered.in_page
    assert warning.email_state == Pending


def test_email_off_means_no_mail_but_the_page_still_shows_it(client, world):
    do_set_notification_preferences(world.alice, chosen={"moderation_published": (False, True)})
    published(world.alice)
    outbox.send_pending()
    assert mail.outbox == []
    client.force_login(world.alice)
    assert "A moderator published what you wrote" in client.get("/en/notifications/").text


def test_page_off_means_mailed_but_neither_listed_nor_counted_as_unread(client, world):
    """Decision: a kind turned off in the page is kept as a record (and e-mailed if
    wanted) but is not pushed live, not listed and not counted: it is born read."""
    do_set_notification_preferences(world.alice, chosen={"moderation_published": (True, False)})
    note = published(world.alice)
    assert not note.in_page and note.read_at is not None
    client.force_login(world.alice)
    assert "A moderator published" not in client.get("/en/notifications/").text
    assert "data-unread-count hidden" in client.get("/en/").text
    outbox.send_pending()
    assert [m.to for m in mail.outbox] == [["alice@example.kz"]]


def test_both_off_keeps_a_record_only(world):
    do_set_notification_preferences(world.bob, chosen={"moderation_published": (False, False)})
    note = published(world.bob)
    assert (note.in_page, note.email_state) == (False, Notification.EmailState.NONE)
    assert outbox.send_pending() == {}


def test_bulk_notifications_follow_each_persons_choice(world):
    do_set_notification_preferences(world.bob, chosen={"clock_breach": (False, True)})
    ids = do_notify_many(
        [(user.pk, "clock_breach", {"number": NUMBER}, "") for user in (world.marat, world.bob)]
    )
    states = dict(Notification.objects.filter(pk__in=ids).values_list("user_id", "email_state"))
    assert states == {world.marat.pk: Pending, world.bob.pk: Notification.EmailState.NONE}


def test_only_choices_that_differ_from_the_default_are_stored(world):
    do_set_notification_preferences(
        world.alice,
        chosen={"appeal_answered": (True, True), "appeal_registered": (False, True)},
    )
    stored = NotificationPreference.objects.filter(user=world.alice)
    assert list(stored.values_list("kind", "email", "in_page")) == [
        ("appeal_registered", False, True)
    ]
    do_set_notification_preferences(world.alice, chosen={"appeal_registered": (True, True)})
    assert not stored.exists()


def test_bulk_notifications_cost_the_same_queries_for_three_people_or_thirty(world):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    people = [world.alice, world.bob, world.marat, *UserFactory.create_batch(27)]

    def queries_for(users) -> int:
        with CaptureQueriesContext(connection) as captured:
            do_notify_many([(u.pk, "clock_breach", {"number": NUMBER}, "") for u in users])
        return len(captured)

    assert queries_for(people[:3]) == queries_for(people) <= 5


def test_the_settings_page_lists_what_the_person_can_receive(client, world):
    client.force_login(world.alice)
    page = client.get("/en/notifications/settings/").text
    assert "Your appeal is answered" in page
    assert "A new appeal in your reception room" not in page  # for offices only
    assert "Welcome" not in page  # it came once; there is nothing to choose
    client.force_login(world.marat)
    page = client.get("/en/notifications/settings/").text
    assert "A new appeal in your reception room" in page
    assert "Every morning: the appeals at risk or overdue" in page


def test_every_checkbox_on_the_settings_page_has_its_own_label(client, world):
    client.force_login(world.alice)
    page = client.get("/en/notifications/settings/").text
    assert '<label class="visually-hidden" for="id_email_appeal_answered">' in page
    assert "Your appeal is answered: by e-mail" in page
    assert '<th scope="col">By e-mail</th>' in page
    assert "<script" not in page.split("<main")[1].split("</main>")[0]


def test_the_settings_page_saves_the_choices(client, world):
    client.force_login(world.alice)
    kinds = notify.kinds_for(world.alice)
    # Every box ticked except e-mail for answers (an unticked box is simply absent).
    form = {f"email_{kind}": "on" for kind in kinds if kind != "appeal_answered"}
    form |= {f"page_{kind}": "on" for kind in kinds}
    response = client.post("/en/notifications/settings/", form)
    assert response.status_code == 302
    assert response["Location"] == "/en/notifications/settings/"
    answered = do_notify(world.alice, kind="appeal_answered", params={"number": NUMBER})
    assert answered.email_state == Notification.EmailState.NONE
    assert 'id="id_email_appeal_answered" checked' not in client.get(response["Location"]).text


def test_the_settings_page_is_linked_from_the_notifications_and_the_account_menu(client, world):
    client.force_login(world.alice)
    page = client.get("/en/notifications/").text
    assert page.count('href="/en/notifications/settings/"') == 2


def test_the_settings_page_needs_a_signed_in_person(client, world):
    response = client.get("/en/notifications/settings/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Rendering ------------------------------------------------------------------------


def test_the_mail_speaks_the_recipients_language(world):
    """Bob reads Russian and Alice English, whatever language was active when notified."""
    published(world.bob)
    published(world.alice)
    outbox.send_pending()
    to_alice, to_bob = sorted(mail.outbox, key=lambda m: m.to[0])
    assert to_bob.to == ["bob@example.kz"]
    assert to_bob.subject == "[Открытый диалог] Модератор опубликовал ваш текст."
    assert "Модератор опубликовал ваш текст." in to_bob.body
    assert to_alice.subject == "[Open Dialogue] A moderator published what you wrote."
    assert '<html lang="ru">' in html_part(to_bob)


def test_the_mail_links_absolutely_to_the_page_in_the_readers_language(world):
    published(world.bob)
    outbox.send_pending()
    (message,) = mail.outbox
    assert f"{SITE}/ru/appeals/{NUMBER}/" in message.body
    assert f"{SITE}/ru/notifications/settings/" in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{SITE}/ru/notifications/settings/>"


def test_the_html_part_escapes_and_the_text_part_reads_plainly(world):
    do_notify(world.alice, kind="moderation_rejected", params={"reason": "<b>a & b</b>"})
    outbox.send_pending()
    (message,) = mail.outbox
    assert "<b>a & b</b>" in message.body
    assert "&lt;b&gt;a &amp; b&lt;/b&gt;" in html_part(message)


@pytest.mark.parametrize(
    ("stored", "linked"),
    [
        ("/en/notifications/", f"{SITE}/en/notifications/"),  # already has a language
        ("/health/", f"{SITE}/health/"),  # not a page with a language
        ("https://evil.example/phish", ""),  # never a link elsewhere
        (f"{SITE}/kk/agencies/", f"{SITE}/kk/agencies/"),
        ("", ""),
    ],
)
def test_links_are_made_absolute_without_guessing(stored, linked):
    assert outbox.absolute_url(stored, "ru") == linked


def test_an_official_hears_of_an_appeal_without_the_citizens_private_details(world):
    from reception import actions
    from reception.models import Appeal

    world.alice.real_name = "Alice Private-Surname"
    world.alice.save()
    appeal = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.QUESTION,
        subject="My neighbour's debts",
        text="Private story.",
        is_public=False,
        official=world.aigerim_official,
    )
    outbox.send_pending()
    (to_office,) = [m for m in mail.outbox if m.to == ["aigerim@example.kz"]]
    whole = f"{to_office.subject}{to_office.body}{html_part(to_office)}"
    assert appeal.tracking_number in whole
    for private in ("alice@example.kz", "Private-Surname", "neighbour", "Private story"):
        assert private not in whole


# --- The outbox: once each, never lost ------------------------------------------------


def test_each_pending_notification_is_mailed_once_however_often_the_task_runs(world):
    note = published(world.alice)
    send_notification_emails.call_local()
    send_notification_emails.call_local()
    assert len(mail.outbox) == 1
    note.refresh_from_db()
    assert note.email_state == Notification.EmailState.SENT
    assert note.emailed_at is not None and note.email_claim is None


def test_a_sender_that_lost_the_race_for_a_batch_claims_nothing(world, monkeypatch):
    """Two workers select the same rows; the other one's UPDATE lands first."""
    published(world.alice)
    real_update = QuerySet.update
    winner: list[list[Notification]] = []
    raced: list[bool] = []

    def update_after_the_other_worker(self: QuerySet[Any], **values: Any) -> int:
        if values.get("email_claim") is not None and not raced:
            raced.append(True)
            winner.append(outbox._claim(50)[1])  # the other worker, between select and update
        return real_update(self, **values)

    monkeypatch.setattr(QuerySet, "update", update_after_the_other_worker)
    found, claimed = outbox._claim(50)
    monkeypatch.undo()
    assert found and claimed == []
    assert [n.user_id for n in winner[0]] == [world.alice.pk]
    outbox._deliver(winner[0], Counter())
    assert outbox.send_pending() == {}
    assert len(mail.outbox) == 1


def test_a_second_worker_starting_mid_batch_leaves_the_first_ones_rows_alone(world, settings):
    published(world.alice)
    published(world.bob)
    settings.EMAIL_BACKEND = f"{__name__}.SecondWorkerBackend"
    SecondWorkerBackend.second_run.clear()
    counts = outbox.send_pending()
    assert counts == {"sent": 2}
    assert SecondWorkerBackend.second_run == [{}]  # it found nothing it could take
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.kz", "bob@example.kz"]


class SecondWorkerBackend(LocmemBackend):
    """Runs a whole second sender while the first is sending its first message."""

    second_run: list[dict[str, int]] = []

    def send_messages(self, messages: Any) -> int:
        if not self.second_run:
            self.second_run.append(dict(outbox.send_pending()))
        return int(super().send_messages(messages))


@pytest.mark.postgres  # SQLite's in-memory test database locks whole tables between threads
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_send_each_mail_once(world, monkeypatch):
    """Two threads, two database connections, forty rows in batches of five."""
    monkeypatch.setattr("participation.actions._email_soon", lambda: None)  # no kick on commit
    for _ in range(20):
        published(world.alice)
        published(world.bob)
    barrier = threading.Barrier(2)
    results: list[dict[str, int]] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(dict(outbox.send_pending(batch=5)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r.get("sent", 0) for r in results) == 40
    assert len(mail.outbox) == 40
    assert not Notification.objects.filter(email_state=Pending).exists()


def test_a_dead_senders_rows_go_out_once_its_lease_runs_out(world):
    published(world.alice)
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        Notification.objects.update(email_next_at=at("2026-03-02 10:00"))
        _found, claimed = outbox._claim(50)  # ...and the worker dies here
        assert len(claimed) == 1
        assert outbox.send_pending() == {}
    with time_machine.travel(at("2026-03-02 10:11"), tick=False):
        assert outbox.send_pending() == {"sent": 1}
        assert outbox.send_pending() == {}
    assert len(mail.outbox) == 1


def test_a_failing_smtp_server_leaves_the_mail_pending_and_a_later_run_sends_it(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 2
    note = published(world.alice)
    with time_machine.travel(at("2026-03-02 10:00"), tick=False):
        Notification.objects.update(email_next_at=at("2026-03-02 10:00"))
        assert outbox.send_pending() == {"retry": 1}
    note.refresh_from_db()
    assert note.email_state == Pending
    assert note.email_attempts == 1
    assert note.email_next_at == at("2026-03-02 10:01")
    assert "ConnectionRefusedError" in note.email_error
    with time_machine.travel(at("2026-03-02 10:00:30"), tick=False):
        assert outbox.send_pending() == {}  # backing off
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # it is back
    with time_machine.travel(at("2026-03-02 10:01"), tick=False):
        assert outbox.send_pending() == {"sent": 1}
    note.refresh_from_db()
    assert note.email_state == Notification.EmailState.SENT
    assert len(mail.outbox) == 1


def test_a_failure_never_stops_the_others(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefuseBobBackend"
    bob = published(world.bob)
    alice = published(world.alice)
    counts = outbox.send_pending()
    assert counts == {"sent": 1, "retry": 1}
    bob.refresh_from_db()
    alice.refresh_from_db()
    assert (bob.email_state, alice.email_state) == (Pending, Notification.EmailState.SENT)


def test_retries_back_off_and_give_up_after_the_last_attempt(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefuseBobBackend"
    note = published(world.bob)
    moment = at("2026-03-02 10:00")
    waits = []
    for _attempt in range(outbox.MAX_ATTEMPTS):
        with time_machine.travel(moment, tick=False):
            Notification.objects.filter(pk=note.pk).update(email_next_at=moment)
            outbox.send_pending()
        note.refresh_from_db()
        if note.email_next_at:
            waits.append(note.email_next_at - moment)
            moment = note.email_next_at
    assert waits[:4] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert max(waits) == outbox.MAX_BACKOFF
    assert note.email_state == Notification.EmailState.FAILED
    assert note.email_attempts == outbox.MAX_ATTEMPTS


def test_an_address_refused_for_good_is_not_retried(world, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefuseBobBackend"
    RefuseBobBackend.code = 550
    try:
        assert outbox.send_pending() == {}
        published(world.bob)
        assert outbox.send_pending() == {"failed": 1}
    finally:
        RefuseBobBackend.code = 450


class RefuseBobBackend(LocmemBackend):
    code = 450

    def send_messages(self, messages: Any) -> int:
        if any("bob@example.kz" in m.to for m in messages):
            raise smtplib.SMTPRecipientsRefused({"bob@example.kz": (self.code, b"No")})
        return int(super().send_messages(messages))


def test_an_unconfirmed_or_inactive_address_is_not_mailed(world):
    EmailAddress.objects.filter(user=world.alice).update(verified=False)
    world.bob.is_active = False
    world.bob.save()
    published(world.alice)
    published(world.bob)
    assert outbox.send_pending() == {"skipped": 2}
    assert mail.outbox == []


def test_the_mail_goes_out_on_commit_queued_once_per_transaction(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        published(world.alice)
        published(world.bob)
        do_notify(world.alice, kind="welcome")
    assert [c for c in callbacks if c is _enqueue_email] == [_enqueue_email]
    assert len(mail.outbox) == 2  # the queue runs tasks at once in tests


def test_nothing_is_mailed_for_a_rolled_back_notification(
    world, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        published(world.alice)
        raise RuntimeError("rolled back")
    outbox.send_pending()
    assert mail.outbox == []


def test_the_mail_travels_through_a_real_smtp_server_in_russian(world, settings):
    from aiosmtpd.controller import Controller

    received: list[EmailMessage] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            message = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            received.append(message)
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL, settings.EMAIL_TIMEOUT = False, False, 5
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        note = published(world.bob)
        assert outbox.send_pending() == {"sent": 1}
        deadline = time.monotonic() + 5
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        controller.stop()
    (message,) = received
    assert message["To"] == "bob@example.kz"
    # (Python folds the encoded header onto a second line; unfolding leaves a space.)
    assert str(message["Subject"]).strip() == "[Открытый диалог] Модератор опубликовал ваш текст."
    plain = message.get_body(preferencelist=("plain",))
    assert isinstance(plain, EmailMessage)
    body = plain.get_content()
    assert "Модератор опубликовал ваш текст." in body
    assert f"{SITE}/ru/appeals/{NUMBER}/" in body
    note.refresh_from_db()
    assert note.email_state == Notification.EmailState.SENT


# --- The daily digest -----------------------------------------------------------------


@pytest.fixture
def at_risk(world):
    """An appeal to the akim of Almaty, submitted Fri 7 March 2025: its first-response
    clock (T2) is at risk from the end of 12 March and overdue after 13 March."""
    from reception import actions
    from reception.models import Appeal

    with time_machine.travel(at("2025-03-07 17:00"), tick=False):
        return actions.do_submit_appeal(
            citizen=world.alice,
            kind=Appeal.Kind.QUESTION,
            subject="Street lights",
            text="Off for a month.",
            is_public=True,
            official=world.aigerim_official,
        )


def digests_to(user) -> list[Any]:
    return [m for m in mail.outbox if m.to == [user.email] and "at risk" in m.subject]


def test_the_digest_lists_the_offices_appeals_at_risk_once_a_day(world, at_risk):
    world.aigerim.preferred_language = "en"
    world.aigerim.save()
    with time_machine.travel(at("2025-03-13 08:00"), tick=False):
        daily_digest.call_local()
        daily_digest.call_local()  # a second worker, or a rerun
        outbox.send_pending()
    (digest,) = digests_to(world.aigerim)
    assert digest.subject == "[Open Dialogue] 1 appeal of your office is at risk or overdue."
    assert f"Appeal {at_risk.tracking_number}: the first response deadline is near" in digest.body
    assert f"{SITE}/en/appeals/{at_risk.tracking_number}/" in digest.body
    assert DailyDigest.objects.filter(user=world.aigerim).count() == 1
    # Not to people of other agencies, nor to the operator of the same one.
    assert not digests_to(world.marat) and not digests_to(world.dana)
    assert not digests_to(world.oskar)


def test_the_next_day_brings_a_new_digest_with_the_appeal_now_overdue(world, at_risk):
    world.aigerim.preferred_language = "en"
    world.aigerim.save()
    with time_machine.travel(at("2025-03-13 08:00"), tick=False):
        assert outbox.send_daily_digests() == 1
    with time_machine.travel(at("2025-03-14 08:00"), tick=False):
        assert outbox.send_daily_digests() == 1
        assert outbox.send_daily_digests() == 0
        outbox.send_pending()
    latest = digests_to(world.aigerim)[-1]
    assert "the first response deadline has passed" in latest.body


def test_a_digest_wanted_in_the_page_lists_its_appeals_there(client, world, at_risk):
    do_set_notification_preferences(world.aigerim, chosen={"daily_digest": (True, True)})
    with time_machine.travel(at("2025-03-13 08:00"), tick=False):
        outbox.send_daily_digests()
    client.force_login(world.aigerim)
    page = client.get("/en/notifications/").text
    assert "1 appeal of your office is at risk or overdue." in page
    assert f'href="/appeals/{at_risk.tracking_number}/"' in page


def test_no_digest_without_appeals_at_risk_nor_on_a_day_off(world, at_risk):
    with time_machine.travel(at("2025-03-10 08:00"), tick=False):  # nothing at risk yet
        assert outbox.send_daily_digests() == 0
    with time_machine.travel(at("2025-03-16 08:00"), tick=False):  # a Sunday
        assert outbox.send_daily_digests() == 0
    assert not DailyDigest.objects.exists()


def test_the_digest_is_written_once_even_when_two_runs_pass_the_first_check(world, at_risk):
    """The unique (person, day) row decides, not the quick look for today's rows."""
    day = dt.date(2025, 3, 13)
    params = {"count": 1, "appeals": []}
    assert outbox._write_digest(world.aigerim.pk, day, params) is True
    assert outbox._write_digest(world.aigerim.pk, day, params) is False
    assert Notification.objects.filter(user=world.aigerim, kind="daily_digest").count() == 1


def test_the_digest_follows_the_persons_choice(world, at_risk):
    do_set_notification_preferences(world.aigerim, chosen={"daily_digest": (False, False)})
    with time_machine.travel(at("2025-03-13 08:00"), tick=False):
        assert outbox.send_daily_digests() == 0


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        (dt.datetime(2026, 3, 2, 3, 0), True),  # 08:00 in Almaty (UTC+5)
        (dt.datetime(2026, 3, 2, 8, 0), False),  # 13:00 in Almaty
        (dt.datetime(2026, 3, 2, 3, 1), False),
        (dt.datetime(2024, 2, 1, 2, 0), True),  # 08:00 in Almaty, then UTC+6
        (dt.datetime(2024, 2, 1, 3, 0), False),
    ],
)
def test_the_digest_is_scheduled_at_eight_in_almaty(utc, due):
    assert HUEY.utc  # huey hands the scheduler UTC
    scheduled = {type(task) for task in HUEY.read_periodic(utc)}
    assert (daily_digest.task_class in scheduled) is due
    assert send_notification_emails.task_class in scheduled
