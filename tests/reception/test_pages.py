"""Reception pages: writing, the office inbox, the operator desk, files, private appeals."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from participation.models import Membership, Role, User
from reception import actions
from reception.models import Appeal, Attachment
from tests.base import enrol_mfa

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def write(client, world, **extra):
    data = {
        "kind": "question",
        "subject": "Bus 32 is always late",
        "text": "Every morning the bus is 20 minutes late.",
        "is_public": "public",
        **extra,
    }
    return client.post(f"/en/reception/{world.aigerim_official.slug}/write/", data)


def test_a_citizen_writes_and_gets_a_tracking_number(client, world):
    client.force_login(world.alice)
    response = write(client, world)
    appeal = Appeal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/appeals/{appeal.tracking_number}/"
    page = client.get(response["Location"]).content.decode()
    assert appeal.tracking_number in page
    assert "Bus 32 is always late" in page


def test_writing_needs_an_account(client, world):
    response = write(client, world)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Appeal.objects.exists()


def test_attachments_are_checked_by_their_content_not_their_name(client, world):
    client.force_login(world.alice)
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    response = write(client, world, attachments=fake)
    assert response.status_code == 200
    assert "is not a PDF, PNG or JPEG file" in response.content.decode()
    assert not Appeal.objects.exists()


def test_an_attachment_is_served_only_to_those_who_see_the_whole_appeal(
    client, world, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.alice)
    write(
        client,
        world,
        attachments=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
    )
    appeal = Appeal.objects.get()
    attachment = Attachment.objects.get()
    url = f"/en/appeals/{appeal.tracking_number}/files/{attachment.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Disposition"].startswith("attachment")
    client.force_login(world.bob)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 404


def test_the_office_inbox_filters_and_forwards_in_bulk(client, world):
    first = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.QUESTION,
        subject="One",
        text="One",
        is_public=True,
        official=world.aigerim_official,
    )
    second = actions.do_submit_appeal(
        citizen=world.bob,
        kind=Appeal.Kind.COMPLAINT,
        subject="Two",
        text="Two",
        is_public=True,
        official=world.aigerim_official,
    )
    client.force_login(world.aigerim)
    page = client.get("/en/office/").content.decode()
    assert first.tracking_number in page and second.tracking_number in page
    page = client.get("/en/office/", {"kind": "complaint"}).content.decode()
    assert first.tracking_number not in page and second.tracking_number in page
    response = client.post(
        "/en/office/",
        {
            "appeals": [first.pk, second.pk],
            "to_agency": world.bostandyk.pk,
            "reason": "District matter",
        },
    )
    assert response.status_code == 302
    assert set(Appeal.objects.values_list("agency", flat=True)) == {world.bostandyk.pk}


def test_the_inbox_is_closed_to_citizens(client, world):
    client.force_login(world.alice)
    assert client.get("/en/office/").status_code == 404


def test_the_office_acts_from_the_appeal_page(client, world):
    appeal = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.QUESTION,
        subject="Lights",
        text="Off",
        is_public=True,
        official=world.aigerim_official,
    )
    client.force_login(world.aigerim)
    url = f"/en/appeals/{appeal.tracking_number}/"
    assert client.post(url, {"step": "accept"}).status_code == 302
    response = client.post(url, {"step": "answer", "outcome": "resolved", "text": "Fixed today."})
    assert response.status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.ANSWERED
    again = client.post(url, {"step": "accept"})
    assert again.status_code == 409  # a clear refusal, not a silent no-op
    client.force_login(world.alice)
    assert client.post(url, {"step": "rate", "rating": "satisfied"}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.state == Appeal.State.CLOSED


def test_an_operator_submits_for_a_visitor_and_prints_a_slip(client, world):
    client.force_login(world.oskar)
    response = client.post(
        "/en/operator/",
        {
            "iin": "850101 300005",
            "full_name": "Сәуле Жұмабаева",
            "email": "saule@example.kz",
            "agency": world.bostandyk.pk,
            "kind": "request",
            "subject": "A ramp at the clinic",
            "text": "The clinic entrance has no ramp for wheelchairs.",
            "is_public": "private",
        },
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get()
    assert appeal.submitted_by == world.oskar
    assert appeal.citizen.iin == "850101300005"
    slip = client.get(response["Location"]).content.decode()
    assert appeal.tracking_number in slip
    assert any(appeal.tracking_number in message.body for message in mail.outbox)
    assert mail.outbox[-1].to == ["saule@example.kz"]


def test_a_visitor_without_e_mail_is_found_again_by_iin(client, world):
    client.force_login(world.oskar)
    data = {
        "iin": "850101300005",
        "full_name": "Сәуле",
        "agency": world.almaty.pk,
        "kind": "question",
        "subject": "First",
        "text": "First visit",
        "is_public": "public",
    }
    client.post("/en/operator/", data)
    client.post("/en/operator/", {**data, "subject": "Second", "text": "Second visit"})
    assert User.objects.filter(iin="850101300005").count() == 1
    assert Appeal.objects.filter(citizen__iin="850101300005").count() == 2


def test_the_operator_desk_is_for_operators_with_mfa(client, world):
    client.force_login(world.alice)
    assert client.get("/en/operator/").status_code == 404
    operator = User.objects.create_user("op2@example.kz", "x")
    Membership.objects.create(user=operator, role=Role.OPERATOR, agency=world.almaty)
    client.force_login(operator)
    response = client.get("/en/operator/")
    assert response.status_code == 302 and response["Location"].endswith("/accounts/2fa/")
    enrol_mfa(operator)
    assert client.get("/en/operator/").status_code == 200


def test_the_sms_text_fits_one_message(world):
    from reception.views import sms_text

    appeal = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.QUESTION,
        subject="S",
        text="T",
        is_public=True,
        official=world.aigerim_official,
    )
    text = sms_text(appeal)
    assert appeal.tracking_number in text and len(text) <= 160


def test_the_reception_room_lists_published_appeals_only(client, world, settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    public = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.QUESTION,
        subject="Open question",
        text="Q",
        is_public=True,
        official=world.aigerim_official,
    )
    actions.do_submit_appeal(
        citizen=world.bob,
        kind=Appeal.Kind.QUESTION,
        subject="Private question",
        text="Q",
        is_public=False,
        official=world.aigerim_official,
    )
    page = client.get(f"/en/reception/{world.aigerim_official.slug}/").content.decode()
    assert "Open question" in page and public.tracking_number in page
    assert "Private question" not in page


def test_the_room_shows_the_offices_record(client, world):
    import datetime as dt
    from zoneinfo import ZoneInfo

    import time_machine

    almaty = ZoneInfo("Asia/Almaty")
    with time_machine.travel(dt.datetime(2025, 3, 7, 17, 0, tzinfo=almaty), tick=False):
        late = actions.do_submit_appeal(
            citizen=world.alice,
            kind=Appeal.Kind.QUESTION,
            subject="Late",
            text="T",
            is_public=True,
            official=world.aigerim_official,
        )
        quick = actions.do_submit_appeal(
            citizen=world.bob,
            kind=Appeal.Kind.QUESTION,
            subject="Quick",
            text="T",
            is_public=True,
            official=world.aigerim_official,
        )
    with time_machine.travel(dt.datetime(2025, 3, 10, 10, 0, tzinfo=almaty), tick=False):
        actions.do_answer(quick, actor=world.aigerim, text="Done", outcome=Appeal.Outcome.RESOLVED)
        actions.do_rate(quick, citizen=world.bob, rating=Appeal.Rating.SATISFIED)
    with time_machine.travel(dt.datetime(2025, 3, 20, 10, 0, tzinfo=almaty), tick=False):
        actions.do_answer(late, actor=world.aigerim, text="Done", outcome=Appeal.Outcome.RESOLVED)
        from reception.stats import record

        shown = record(official=world.aigerim_official)
    rates = {row.kind.value: row.rate for row in shown.clocks}
    # T3 (5 working days, due 17 March): one on time (10 March), one late (20 March).
    assert rates["t3"] == 50
    assert rates["t4"] == 100  # both within 15 working days
    # 0 working days (8 March moved to Monday 10 March: no working day passed) and 8
    # (11–14, 17–20 March): the median is 4.
    assert shown.median_days_to_answer == 4
    assert shown.satisfaction == 100
    assert shown.overdue_now == 0


def test_the_office_assigns_an_appeal_to_a_colleague(client, world):
    from participation.models import Membership, Role

    Membership.objects.create(user=world.dana, role=Role.DELEGATE, agency=world.almaty)
    appeal = actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.QUESTION,
        subject="S",
        text="T",
        is_public=True,
        official=world.aigerim_official,
    )
    client.force_login(world.aigerim)
    url = f"/en/appeals/{appeal.tracking_number}/"
    assert client.post(url, {"step": "assign", "assignee": world.dana.pk}).status_code == 302
    appeal.refresh_from_db()
    assert appeal.assignee == world.dana
    assert client.post(url, {"step": "assign", "assignee": world.bob.pk}).status_code == 400
