"""No private appeal, attachment or personal field reaches anyone it does not concern."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from participation.models import Notification, User
from reception import actions
from reception.models import Appeal

pytestmark = pytest.mark.django_db

SECRETS = ("Neighbour Ivanov beats his dog", "Alice Smithova", "850101300005", "alice@example.kz")


@pytest.fixture
def private(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    User.objects.filter(pk=world.alice.pk).update(real_name="Alice Smithova", iin="850101300005")
    world.alice.refresh_from_db()
    return actions.do_submit_appeal(
        citizen=world.alice,
        kind=Appeal.Kind.COMPLAINT,
        subject="Neighbour Ivanov beats his dog",
        text="Neighbour Ivanov beats his dog every night at Abai 150, flat 12.",
        is_public=False,
        official=world.aigerim_official,
        attachments=[
            SimpleUploadedFile("proof.pdf", b"%PDF-1.4 proof", content_type="application/pdf")
        ],
    )


def pages(appeal: Appeal, world) -> list[str]:
    attachment = appeal.attachments.get()
    return [
        f"/en/appeals/{appeal.tracking_number}/",
        f"/en/appeals/{appeal.tracking_number}/slip/",
        f"/en/appeals/{appeal.tracking_number}/files/{attachment.pk}/",
        f"/en/appeals/track/?number={appeal.tracking_number}",
        f"/en/reception/{world.aigerim_official.slug}/",
        f"/en/agencies/{world.almaty.slug}/",
        f"/en/people/{world.alice.pk}/",
        "/en/",
        "/en/office/",
        "/en/moderation/register/",
    ]


@pytest.mark.parametrize("viewer", [None, "bob", "marat", "dana", "oskar"])
def test_a_private_appeal_is_invisible_to_others_on_every_page(client, world, private, viewer):
    """Bob (a citizen), Marat and Dana (another office) and Oskar (an operator who did not
    submit it) see nothing of it; neither does an anonymous visitor."""
    if viewer:
        client.force_login(getattr(world, viewer))
    for url in pages(private, world):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode(errors="replace")
        for secret in SECRETS:
            assert secret not in text, (viewer, url, secret)
        assert b"%PDF" not in body, (viewer, url)


def test_those_it_concerns_see_it(client, world, private):
    for person in (world.alice, world.aigerim):
        client.force_login(person)
        page = client.get(f"/en/appeals/{private.tracking_number}/").content.decode()
        assert "Neighbour Ivanov beats his dog" in page


def test_notifications_carry_no_appeal_text_or_personal_data(world, private):
    for notification in Notification.objects.exclude(user=world.alice):
        payload = json.dumps(notification.params, ensure_ascii=False) + notification.url
        for secret in SECRETS:
            assert secret not in payload, (notification.kind, secret)
