"""Authentication backends that read the signed-in user with one prepared statement.

Django's ``ModelBackend.get_user`` compiles ``User.objects.get(pk=…)`` on every
signed-in request; under a petition spike that, with the session's own read
(``participation.sessions``), was a third of a signature's server time. These
backends read the same row through ``rows.get_row`` and keep everything else
(logging in, permissions, the active check) as Django and allauth define it.
"""

from __future__ import annotations

from typing import Any

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from participation.rows import get_row


class _PreparedGetUser:
    def get_user(self, user_id: Any) -> Any:
        user = get_row(get_user_model(), user_id)
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class PasswordBackend(_PreparedGetUser, ModelBackend):
    """Django's username (here: e-mail) and password backend."""


class AccountBackend(_PreparedGetUser, AuthenticationBackend):
    """allauth's backend: login by e-mail, by code, and after sign-up."""
