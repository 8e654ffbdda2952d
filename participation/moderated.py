"""Profile texts, the moderation pipeline's first client.

A person's public display name and "about you" are one moderated item of
kind ``profile``. Until it is published they appear as "Citizen" with no
text; a held or rejected profile changes nothing else about the account.
"""

from __future__ import annotations

from django.urls import reverse

from moderation.models import State
from moderation.registry import ModeratedType, register
from participation.models import User


def _apply(user: User, state: State, hidden: bool) -> None:
    user.profile_state = "hidden" if hidden else str(state.value)


def register_profile() -> None:
    register(
        ModeratedType(
            kind="profile",
            model=User,
            text_fields=("bio",),
            plain_fields=("display_name",),
            author=lambda user: user,
            is_public=lambda user: True,
            url=lambda user: reverse("person", args=[user.pk]),
            apply=_apply,
            visibility_fields=("profile_state",),
        )
    )
