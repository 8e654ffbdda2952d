from __future__ import annotations

import pytest

from moderation.models import WatchedWord
from moderation.rules import bump_watched_words_version


@pytest.fixture
def trusted(world, settings):
    """Alice's posts skip the new-account hold, so each test sees one rule at a time."""
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0
    settings.MODERATION_YOUNG_ACCOUNT_DAYS = 0
    return world


@pytest.fixture
def watch(db):
    def add(
        phrase: str, action: str, language: str = "en", whole_word: bool = False
    ) -> WatchedWord:
        word = WatchedWord.objects.create(
            phrase=phrase, action=action, language=language, whole_word=whole_word
        )
        bump_watched_words_version()
        return word

    return add


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; pages choose their language by URL anyway."""
    from django.utils import translation

    with translation.override("en"):
        yield
