"""The one road: what each automatic rule does to a profile text, in kk, ru and en."""

from __future__ import annotations

import pytest

from moderation.models import AuditEntry, ModerationItem, Reason, State
from moderation.pipeline import ContentRefused, moderate
from participation.actions import do_update_profile

pytestmark = pytest.mark.django_db

WORDS = {
    "kk": ("ақымақ", "Әкім ақымақтар туралы не айтты?"),
    "ru": ("мошенник", "Этот чиновник мошенники все до одного"),
    "en": ("crook", "The akim is a crook and everyone knows"),
}


def post(user, text, **kwargs):
    return do_update_profile(user, changes={"bio": text}, **kwargs)


def item_of(user) -> ModerationItem:
    return ModerationItem.objects.get(kind="profile", object_id=user.pk)


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_blocked_word_refuses_the_text_and_saves_nothing(trusted, watch, language):
    word, text = WORDS[language]
    watch(word, "block", language)
    with pytest.raises(ContentRefused) as refused:
        post(trusted.alice, text)
    assert word in refused.value.message
    trusted.alice.refresh_from_db()
    assert trusted.alice.bio == ""
    assert not ModerationItem.objects.exists()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_held_word_holds_the_text_for_a_moderator(trusted, watch, language):
    word, text = WORDS[language]
    watch(word, "hold", language)
    user = post(trusted.alice, text)
    assert user.profile_state == State.HELD
    assert user.bio == text  # nothing rewritten
    item = item_of(user)
    assert (item.state, item.reason) == (State.HELD, Reason.WATCHED_WORDS)
    assert item.in_queue
    assert user.notifications.filter(kind="moderation_held").exists()


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_censored_word_is_masked_and_the_text_published(trusted, watch, language):
    word, text = WORDS[language]
    watch(word, "censor", language)
    user = post(trusted.alice, text)
    assert user.profile_state == State.PUBLISHED
    assert word not in user.bio and word not in user.bio_html
    assert word[0] + "•" * (len(word) - 1) in user.bio  # the word and its ending masked
    original = AuditEntry.objects.get(action="edited").before["texts"]["bio"]
    assert original == text


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_flagged_word_publishes_and_shows_moderators(trusted, watch, language):
    word, text = WORDS[language]
    watch(word, "flag", language)
    user = post(trusted.alice, text)
    assert user.profile_state == State.PUBLISHED
    assert user.bio == text
    item = item_of(user)
    assert item.state == State.PUBLISHED and item.needs_review and item.in_queue


@pytest.mark.parametrize(
    ("word", "disguised"),
    [
        ("мошенник", "МОШЕННИК"),
        ("мошенник", "мoшeнник"),  # Latin o and e among the Cyrillic
        ("мошенник", "мо\u200bшенник"),  # a zero-width space inside
        ("crook", "CRООK"),  # Cyrillic О for Latin O
        ("crook", "cr00k"),  # zeros for o
        ("ақымақ", "акымак"),  # typed without a Kazakh keyboard
    ],
)
def test_disguised_words_still_match(trusted, watch, word, disguised):
    watch(word, "hold")
    assert post(trusted.alice, f"Ол {disguised}!").profile_state == State.HELD


def test_a_whole_word_rule_leaves_longer_words_alone(trusted, watch):
    watch("ass", "hold", "en", whole_word=True)
    assert post(trusted.alice, "I will assess the budget").profile_state == State.PUBLISHED
    assert post(trusted.alice, "What an ass").profile_state == State.HELD


PERSONAL = {
    "kk": "Менің ЖСН {iin}, телефоным {phone}, поштам {email}.",
    "ru": "Мой ИИН {iin}, телефон {phone}, почта {email}.",
    "en": "My IIN is {iin}, phone {phone}, e-mail {email}.",
}


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_a_valid_iin_in_public_text_is_held(trusted, language):
    text = PERSONAL[language].format(iin="850101300005", phone="—", email="—")
    user = post(trusted.alice, text)
    assert user.profile_state == State.HELD
    assert item_of(user).reason == Reason.PERSONAL_DATA


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_twelve_digits_that_are_no_iin_pass(trusted, language):
    text = PERSONAL[language].format(iin="850101300006", phone="—", email="—")
    assert post(trusted.alice, text).profile_state == State.PUBLISHED


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
@pytest.mark.parametrize(
    "phone", ["+7 701 234 56 78", "8 (727) 123-45-67", "87012345678", "+7(777)1234567"]
)
def test_kazakh_phone_numbers_are_redacted(trusted, language, phone):
    user = post(trusted.alice, PERSONAL[language].format(iin="—", phone=phone, email="—"))
    assert user.profile_state == State.PUBLISHED
    assert phone not in user.bio and "[•••]" in user.bio
    assert AuditEntry.objects.get(action="edited").before["texts"]["bio"].count(phone) == 1


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_email_addresses_are_redacted(trusted, language):
    user = post(trusted.alice, PERSONAL[language].format(iin="—", phone="—", email="a.b+x@mail.kz"))
    assert "a.b+x@mail.kz" not in user.bio and "[•••]" in user.bio
    assert "mail.kz" not in user.bio_html


def test_the_personal_data_policy_is_configurable(trusted, settings):
    settings.MODERATION_PERSONAL_DATA = {"iin": "redact", "phone": "hold", "email": "hold"}
    user = post(trusted.alice, "ИИН 850101300005")
    assert user.profile_state == State.PUBLISHED and "850101300005" not in user.bio
    assert post(trusted.alice, "тел. 87012345678").profile_state == State.HELD


def test_a_new_accounts_first_posts_are_held(world, settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 2
    user = post(world.alice, "Сәлем! Алматыдан жазып отырмын.")
    assert user.profile_state == State.HELD
    assert item_of(user).reason == Reason.NEW_ACCOUNT


def test_staff_are_trusted_from_the_start(world, settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 2
    assert post(world.dana, "Office hours: Tuesdays.").profile_state == State.PUBLISHED


def test_young_accounts_may_not_post_links(world, settings):
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    settings.MODERATION_YOUNG_ACCOUNT_DAYS = 7
    user = post(world.alice, "See https://example.kz/offer")
    assert user.profile_state == State.HELD
    assert item_of(user).reason == Reason.LINKS


def test_the_same_text_twice_is_refused_as_a_duplicate(trusted):
    from moderation.limits import is_duplicate

    assert not is_duplicate(user_id=trusted.bob.pk, text="Жол жөндеу  қашан?")
    assert is_duplicate(user_id=trusted.bob.pk, text="жол жөндеу қашан?")


def test_posting_too_fast_is_refused_with_the_wait(trusted, settings):
    settings.MODERATION_RATE_LIMITS = {"user": [(3, 60)], "ip": [(100, 60)]}
    for number in range(3):
        post(trusted.alice, f"Update {number}")
    with pytest.raises(ContentRefused) as refused:
        post(trusted.alice, "Update 4")
    assert 0 < refused.value.retry_after <= 60
    assert "too fast" in refused.value.message


def test_one_address_is_limited_across_accounts(trusted, settings):
    settings.MODERATION_RATE_LIMITS = {"user": [(100, 60)], "ip": [(2, 60)]}
    post(trusted.alice, "one", ip="10.0.0.7")
    post(trusted.bob, "two", ip="10.0.0.7")
    with pytest.raises(ContentRefused):
        post(trusted.alice, "three", ip="10.0.0.7")


def test_too_long_a_text_gets_a_clear_error(trusted):
    from moderation.sanitize import MAX_MARKDOWN_CHARS

    trusted.alice.bio = "x" * (MAX_MARKDOWN_CHARS + 1)
    with pytest.raises(ContentRefused) as refused:
        moderate(trusted.alice, is_edit=True)
    assert "too long" in refused.value.message


def test_markdown_is_rendered_and_sanitised_into_the_stored_html(trusted):
    user = post(trusted.alice, "**Қалалық** жол <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>Қалалық</strong>" in user.bio_html
    assert "<script" not in user.bio_html  # shown as text, never as a tag
    assert 'href="javascript' not in user.bio_html


def test_an_edit_passes_the_pipeline_again(trusted, watch):
    user = post(trusted.alice, "All good here")
    assert user.profile_state == State.PUBLISHED
    watch("crook", "hold")
    user = post(user, "Actually a crook")
    assert user.profile_state == State.HELD
    assert item_of(user).version == 2


def test_held_display_names_show_as_citizen(client, trusted, watch):
    watch("crook", "hold")
    do_update_profile(trusted.alice, changes={"display_name": "Crook Hunter"})
    page = client.get(f"/en/people/{trusted.alice.pk}/").content.decode()
    assert "Crook Hunter" not in page
    assert "Citizen" in page


def test_the_profile_form_shows_a_refusal_and_keeps_the_text(client, trusted, watch):
    watch("crook", "block")
    client.force_login(trusted.alice)
    response = client.post(
        "/en/accounts/profile/",
        {"display_name": "Alice", "bio": "You crook", "preferred_language": "en"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "not allowed here: crook" in page
    assert "You crook" in page  # nothing lost: the text is still in the form


def test_the_profile_form_saves_a_held_text_for_the_signed_in_person(client, world):
    """Through the real view, where request.user is a lazy object."""
    client.force_login(world.alice)
    response = client.post(
        "/en/accounts/profile/",
        {"display_name": "Alice", "bio": "Our yard needs a bench", "preferred_language": "en"},
    )
    assert response.status_code == 302
    world.alice.refresh_from_db()
    assert world.alice.bio == "Our yard needs a bench"
    assert world.alice.profile_state == State.HELD  # her first text
