"""Official voices, thread management, edits with history, reactions."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.db import IntegrityError, transaction
from django.test import Client

from forums import actions
from forums.models import Category, Post, PostRevision, Reaction, Thread, ThreadEvent
from participation.access import AccessDenied
from tests.base import World
from tests.factories import UserFactory
from tests.forums.conftest import reply, root_of, start


def test_an_officials_post_carries_the_badge(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    answer = reply(root_of(thread), world.marat, "The ministry will publish the new routes.")
    citizen = reply(root_of(thread), world.bob)
    assert answer.official == world.marat_official
    assert citizen.official is None
    html = Client().get(f"/en/forums/t/{thread.pk}/").content.decode()
    assert "Official · Deputy of the Mazhilis" in html


def test_an_official_without_a_second_factor_writes_without_the_badge(
    world: World, category: Category
) -> None:
    Authenticator.objects.filter(user=world.marat).delete()
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.marat)
    assert post.official is None


def test_an_official_response_is_pinned_above_the_thread(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    answer = reply(root_of(thread), world.marat, "Routes 32 and 45 get more buses in March.")
    actions.do_pin_response(answer, actor=world.marat)
    thread.refresh_from_db()
    assert thread.pinned_post == answer
    assert ThreadEvent.objects.filter(thread=thread, action="response_pinned").exists()
    html = Client().get(f"/en/forums/t/{thread.pk}/").content.decode()
    pinned = html.index("Official response")
    assert pinned < html.index(f'id="post-{root_of(thread).pk}"')
    assert "Routes 32 and 45 get more buses in March." in html[pinned : pinned + 2000]


def test_only_an_officials_post_can_be_pinned_and_not_by_anyone(
    world: World, category: Category
) -> None:
    thread = start(category, world.alice)
    citizen = reply(root_of(thread), world.bob)
    answer = reply(root_of(thread), world.marat)
    with pytest.raises(actions.ForumError):
        actions.do_pin_response(citizen, actor=world.moira)
    with pytest.raises(AccessDenied):
        actions.do_pin_response(answer, actor=world.alice)
    actions.do_pin_response(answer, actor=world.moira)  # a moderator may


@pytest.mark.parametrize(
    ("change", "field", "value"),
    [("lock", "is_locked", True), ("pin", "is_pinned", True), ("archive", "is_archived", True)],
)
def test_moderators_lock_pin_and_archive(
    world: World, category: Category, change: str, field: str, value: bool
) -> None:
    thread = start(category, world.alice)
    client = Client()
    client.force_login(world.moira)
    response = client.post(f"/en/forums/t/{thread.pk}/manage/", {"change": change})
    assert response.status_code == 302
    thread.refresh_from_db()
    assert getattr(thread, field) is value
    assert ThreadEvent.objects.filter(thread=thread, actor=world.moira).count() == 1
    with pytest.raises(actions.ForumError, match="already"):
        actions.do_change_thread(thread, actor=world.moira, change=change)


def test_a_citizen_cannot_manage_a_thread(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    with pytest.raises(AccessDenied):
        actions.do_change_thread(thread, actor=world.alice, change="lock")
    client = Client()
    client.force_login(world.alice)
    assert client.post(f"/en/forums/t/{thread.pk}/manage/", {"change": "lock"}).status_code == 404
    assert not Thread.objects.get(pk=thread.pk).is_locked


def test_pinned_threads_come_first_in_their_category(world: World, category: Category) -> None:
    older = start(category, world.alice, title="Older but pinned")
    start(category, world.bob, title="Newer")
    actions.do_change_thread(older, actor=world.moira, change="pin")
    html = Client().get(f"/en/forums/c/{category.slug}/").content.decode()
    assert html.index("Older but pinned") < html.index("Newer")


def test_an_archived_thread_is_read_only(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob)
    actions.do_change_thread(thread, actor=world.moira, change="archive")
    with pytest.raises(actions.ForumError, match="archived"):
        reply(post, world.alice)
    with pytest.raises(actions.ForumError, match="archived"):
        actions.do_react(post, user=world.alice, kind=Reaction.Kind.AGREE)
    with pytest.raises(actions.ForumError):
        actions.do_edit_post(post, editor=world.bob, body="Changed my mind.")


def test_an_edit_keeps_the_text_before_it(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob, "Buses come every **40** minutes.")
    client = Client()
    client.force_login(world.bob)
    response = client.post(
        f"/en/forums/posts/{post.pk}/edit/", {"body": "Buses come every **25** minutes."}
    )
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.body == "Buses come every **25** minutes."
    assert post.edited_at is not None
    revision = PostRevision.objects.get(post=post)
    assert revision.body == "Buses come every **40** minutes."
    history = Client().get(f"/en/forums/posts/{post.pk}/history/").content.decode()
    assert "<strong>40</strong>" in history and "<strong>25</strong>" in history


def test_only_the_author_edits(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob)
    client = Client()
    client.force_login(world.alice)
    assert client.get(f"/en/forums/posts/{post.pk}/edit/").status_code == 404
    with pytest.raises(AccessDenied):
        actions.do_edit_post(post, editor=world.alice, body="Not mine to change.")


def test_one_reaction_per_person_per_post(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob)
    actions.do_react(post, user=world.alice, kind=Reaction.Kind.AGREE)
    actions.do_react(post, user=world.alice, kind=Reaction.Kind.DISAGREE)  # changes her mind
    post.refresh_from_db()
    assert (post.agree_count, post.disagree_count) == (0, 1)
    actions.do_react(post, user=world.alice, kind=Reaction.Kind.DISAGREE)  # takes it back
    post.refresh_from_db()
    assert (post.agree_count, post.disagree_count) == (0, 0)
    Reaction.objects.create(post=post, user=world.alice, kind="agree")
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(post=post, user=world.alice, kind="disagree")


def test_nobody_reacts_to_their_own_post(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob)
    with pytest.raises(actions.ForumError):
        actions.do_react(post, user=world.bob, kind=Reaction.Kind.AGREE)


def test_reacting_through_the_page_shows_the_count(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob, "More bike lanes please.")
    client = Client()
    client.force_login(world.alice)
    page = f"/en/forums/t/{thread.pk}/"
    response = client.post(
        f"/en/forums/posts/{post.pk}/react/", {"kind": "agree", "next": page}, follow=True
    )
    html = response.content.decode()
    assert 'aria-pressed="true">Agree (1)' in html
    assert Post.objects.get(pk=post.pk).agree_count == 1


def test_a_quote_starts_the_reply(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob, "Trams are faster.")
    client = Client()
    client.force_login(world.alice)
    html = client.get(f"/en/forums/posts/{post.pk}/reply/?quote=1").content.decode()
    assert "&gt; **Bob:**\n&gt; Trams are faster." in html
    response = client.post(
        f"/en/forums/posts/{post.pk}/reply/", {"body": "> Trams are faster.\n\nBut cost more."}
    )
    assert response.status_code == 302
    created = Post.objects.get(parent=post)
    assert "<blockquote>" in created.body_html


def test_a_held_thread_is_a_404_for_others(world: World, category: Category, settings) -> None:
    settings.MODERATION_TRUSTED_AFTER_POSTS = 5
    thread = start(category, world.alice)
    assert not thread.is_visible
    assert Client().get(f"/en/forums/t/{thread.pk}/").status_code == 404
    client = Client()
    client.force_login(world.alice)
    html = client.get(f"/en/forums/t/{thread.pk}/").content.decode()
    assert "Waiting for a moderator" in html


def test_a_post_reported_by_three_people_is_hidden_until_reviewed(
    world: World, category: Category
) -> None:
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob, "Something people find rude.")
    for person in (world.alice, *UserFactory.create_batch(2)):
        client = Client()
        client.force_login(person)
        form = client.get(f"/en/forums/posts/{post.pk}/report/").content.decode()
        assert 'action="/en/moderation/report/"' in form
        client.post(
            "/en/moderation/report/",
            {"kind": "forum_post", "object_id": post.pk, "reason": "insult", "next": "/"},
        )
    post.refresh_from_db()
    assert not post.is_visible
    html = Client().get(f"/en/forums/t/{thread.pk}/").content.decode()
    assert "Something people find rude." not in html
    assert "This post is not shown" in html


def test_a_null_character_gets_a_clear_error_not_a_crash(world: World, category: Category) -> None:
    thread = start(category, world.alice)
    client = Client()
    client.force_login(world.bob)
    response = client.post(f"/en/forums/posts/{root_of(thread).pk}/reply/", {"body": "a\x00b"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    with pytest.raises(actions.ForumError, match="null character"):
        reply(root_of(thread), world.bob, "a\x00b")


def test_the_history_never_shows_a_text_that_moderation_did_not_publish(
    world: World, category: Category
) -> None:
    """A post held for an IIN, then edited without it and published: the IIN stays private."""
    thread = start(category, world.alice)
    post = reply(root_of(thread), world.bob, "My IIN is 850101300005, call me.")
    assert not post.is_visible
    actions.do_edit_post(post, editor=world.bob, body="Please call the office instead.")
    post.refresh_from_db()
    assert post.is_visible
    anyone = Client().get(f"/en/forums/posts/{post.pk}/history/").content.decode()
    assert "850101300005" not in anyone
    author = Client()
    author.force_login(world.bob)
    assert "850101300005" in author.get(f"/en/forums/posts/{post.pk}/history/").content.decode()
