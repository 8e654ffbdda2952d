"""Watching threads and categories: each person hears of a post exactly once, never of their own."""

from __future__ import annotations

from django.test import Client

from forums import actions
from forums.models import Category, Watch
from moderation.actions import do_decide
from moderation.models import ModerationItem, Reason, State
from participation.models import Notification
from tests.base import World
from tests.factories import UserFactory
from tests.forums.conftest import reply, root_of, start


def _heard(user_id: int) -> list[str]:
    return list(
        Notification.objects.filter(user_id=user_id, kind__startswith="forum_")
        .order_by("id")
        .values_list("kind", flat=True)
    )


def test_the_thread_author_hears_of_each_reply_once(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    reply(root_of(thread), world.bob)
    assert _heard(world.alice.pk) == ["forum_reply_to_you"]
    assert _heard(world.bob.pk) == []


def test_a_person_watching_thread_and_category_and_answered_hears_once(
    world: World, category: Category
) -> None:
    thread = start(category, world.alice)
    actions.do_watch(user=world.alice, watching=True, category=category)
    actions.do_watch(user=world.alice, watching=True, thread=thread)  # already, as its author
    alices = reply(root_of(thread), world.alice)
    assert _heard(world.alice.pk) == []  # never of one's own
    reply(alices, world.bob)
    assert _heard(world.alice.pk) == ["forum_reply_to_you"]


def test_watchers_of_a_category_hear_of_new_threads_and_replies(
    world: World, category: Category
) -> None:
    actions.do_watch(user=world.bob, watching=True, category=category)
    thread = start(category, world.alice)
    reply(root_of(thread), world.marat)
    assert _heard(world.bob.pk) == ["forum_thread_new", "forum_reply"]
    note = Notification.objects.filter(user=world.bob, kind="forum_reply").get()
    assert note.params["thread"] == thread.title
    assert note.url.startswith("/forums/posts/")


def test_stopping_watching_stops_the_notifications(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    client = Client()
    client.force_login(world.bob)
    client.post(f"/en/forums/t/{thread.pk}/watch/", {"watch": "1"})
    reply(root_of(thread), world.marat)
    client.post(f"/en/forums/t/{thread.pk}/watch/", {"watch": "0"})
    reply(root_of(thread), world.marat)
    assert _heard(world.bob.pk) == ["forum_reply"]
    assert not Watch.objects.filter(user=world.bob).exists()


def test_a_held_reply_is_heard_of_once_when_a_moderator_publishes_it(
    world: World,
    category: Category,
    settings,
) -> None:
    thread = start(category, world.alice)
    newcomer = UserFactory.create()
    settings.MODERATION_TRUSTED_AFTER_POSTS = 3
    post = reply(root_of(thread), newcomer)
    assert not post.is_visible
    assert _heard(world.alice.pk) == []  # nothing to see yet
    item = ModerationItem.objects.get(kind="forum_post", object_id=post.pk)
    do_decide(
        item, moderator=world.moira, state=State.PUBLISHED, reason=Reason.MEETS_RULES,
        version=item.version,
    )  # fmt: skip
    item.refresh_from_db()
    do_decide(  # held again, then published again: nobody hears of it twice
        item, moderator=world.moira, state=State.HELD, reason=Reason.OFF_TOPIC,
        version=item.version,
    )  # fmt: skip
    item.refresh_from_db()
    do_decide(
        item, moderator=world.moira, state=State.PUBLISHED, reason=Reason.MEETS_RULES,
        version=item.version,
    )  # fmt: skip
    assert _heard(world.alice.pk) == ["forum_reply_to_you"]
    thread.refresh_from_db()
    assert thread.reply_count == 1


def test_an_edit_does_not_notify_again(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob, "First words.")
    actions.do_edit_post(post, editor=world.bob, body="Better words.")
    assert _heard(world.alice.pk) == ["forum_reply_to_you"]


def test_a_category_watcher_can_mute_one_thread(world: World, category: Category) -> None:
    actions.do_watch(user=world.bob, watching=True, category=category)
    noisy = start(category, world.alice, title="Noisy")
    quiet = start(category, world.alice, title="Quiet")
    actions.do_watch(user=world.bob, watching=False, thread=noisy)
    bobs = reply(root_of(noisy), world.bob)
    Notification.objects.filter(user=world.bob).delete()
    reply(root_of(noisy), world.marat)
    reply(root_of(quiet), world.marat)
    reply(bobs, world.marat)  # a reply to his own post still reaches him
    assert _heard(world.bob.pk) == ["forum_reply", "forum_reply_to_you"]
    client = Client()
    client.force_login(world.bob)
    assert "Watch this thread" in client.get(f"/en/forums/t/{noisy.pk}/").content.decode()
    actions.do_watch(user=world.bob, watching=True, thread=noisy)  # unmuted
    reply(root_of(noisy), world.marat)
    assert _heard(world.bob.pk)[-1] == "forum_reply"


def _publish(kind: str, object_id: int, moderator: object) -> None:
    item = ModerationItem.objects.get(kind=kind, object_id=object_id)
    do_decide(
        item, moderator=moderator, state=State.PUBLISHED, reason=Reason.MEETS_RULES,  # type: ignore[arg-type]
        version=item.version,
    )  # fmt: skip


def test_a_new_thread_is_announced_once_both_title_and_text_are_published(
    world: World, category: Category, settings
) -> None:
    actions.do_watch(user=world.bob, watching=True, category=category)
    newcomer = UserFactory.create(display_name="Newcomer")
    settings.MODERATION_TRUSTED_AFTER_POSTS = 3
    thread = start(category, newcomer, title="A title a moderator must see first")
    assert not thread.is_visible
    _publish("forum_post", root_of(thread).pk, world.moira)
    assert _heard(world.bob.pk) == []  # the title is not public yet
    _publish("forum_thread", thread.pk, world.moira)
    assert _heard(world.bob.pk) == ["forum_thread_new"]
    note = Notification.objects.get(user=world.bob)
    assert note.params["thread"] == "A title a moderator must see first"
    assert note.params["author"]["en"] == "Newcomer"


def test_a_held_post_waits_in_the_moderation_queue_with_its_text(
    world: World, category: Category, settings
) -> None:
    thread = start(category, world.alice)
    settings.MODERATION_TRUSTED_AFTER_POSTS = 3
    post = reply(root_of(thread), UserFactory.create(), "Please look at this first post of mine.")
    item = ModerationItem.objects.get(kind="forum_post", object_id=post.pk)
    client = Client()
    client.force_login(world.moira)
    assert "Please look at this first post" in client.get("/en/moderation/").content.decode()
    page = client.get(f"/en/moderation/items/{item.pk}/")
    assert page.status_code == 200
    assert "Please look at this first post of mine." in page.content.decode()
