"""Live rooms hear of moderation that happens outside them."""

from __future__ import annotations

import pytest

from moderation.models import ModerationItem
from reception import live_actions
from reception.models import LiveEvent
from tests.base import World
from tests.reception.live_helpers import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _trusted(settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0


def test_a_message_hidden_by_three_reports_leaves_the_room(world: World) -> None:
    from moderation.actions import do_report
    from moderation.models import Reason
    from tests.factories import UserFactory

    session = make_session(world)
    message = live_actions.do_post_message(session, author=world.alice, text="Spam spam")
    item = ModerationItem.objects.get(kind="live_message", object_id=message.pk)
    for reporter in (world.bob, UserFactory.create(), UserFactory.create()):
        do_report(item, reporter=reporter, reason=Reason.SPAM)
    kinds = list(LiveEvent.objects.order_by("seq").values_list("kind", "data"))
    assert kinds == [("message", {"id": message.pk, "hidden": True}),
                     ("message.hidden", {"id": message.pk})]  # fmt: skip
    message.refresh_from_db()
    assert not message.is_public
