from __future__ import annotations

import pytest
from django.test import Client

from participation.actions import do_create_api_token
from participation.models import User


def token_for(user: User, name: str = "test") -> str:
    return do_create_api_token(user, name=name)[1]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def published(settings):
    """Appeals are published by the automatic rules at once (no trust period)."""
    settings.MODERATION_TRUSTED_AFTER_POSTS = 0


@pytest.fixture
def api_client() -> Client:
    return Client(enforce_csrf_checks=True)
