"""The demo forums load once, through the real actions, and their pages open."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from forums.models import BillParagraph, DraftLaw, Post, Thread

pytestmark = pytest.mark.django_db


def test_the_demo_forums_load_once_and_show() -> None:
    call_command("seed_demo", verbosity=0)
    counts = (Thread.objects.count(), Post.objects.count(), DraftLaw.objects.count())
    call_command("seed_demo", verbosity=0)
    assert (Thread.objects.count(), Post.objects.count(), DraftLaw.objects.count()) == counts
    assert not Post.objects.filter(is_visible=False).exists()
    assert Post.objects.filter(depth__gte=3).exists()  # nested replies
    assert Post.objects.filter(official__isnull=False).exists()
    assert Post.objects.filter(is_committee_answer=True).exists()
    assert Thread.objects.filter(pinned_post__isnull=False).count() == 2
    client = Client()
    assert "Draft law on personal mobility devices" in client.get("/en/forums/").content.decode()
    for thread in Thread.objects.all():
        assert client.get(f"/kk/forums/t/{thread.pk}/").status_code == 200
    html = client.get("/ru/forums/drafts/personal-mobility/").content.decode()
    assert BillParagraph.objects.filter(comment_count__gt=0).count() == 2
    assert "Статья 2" in html
