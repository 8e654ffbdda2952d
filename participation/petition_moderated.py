"""Petition texts in the moderation pipeline.

The pipeline checks and renders the title and text on creation and on every
edit of a draft. Its verdict decides whether the text may be shown
(``text_visible``); listing is the petition moderator's separate decision
(``petition_actions.do_decide_petition``), which also publishes a held text.
"""

from __future__ import annotations

from moderation.models import State
from moderation.registry import ModeratedType, register
from participation.petition_models import Petition


def _apply(petition: Petition, state: State, hidden: bool) -> None:
    petition.text_visible = state == State.PUBLISHED and not hidden


def register_petitions() -> None:
    register(
        ModeratedType(
            kind="petition",
            model=Petition,
            text_fields=("text",),
            plain_fields=("title",),
            author=lambda petition: petition.author,
            is_public=lambda petition: True,
            url=lambda petition: petition.get_absolute_url(),
            apply=_apply,
            visibility_fields=("text_visible",),
            agency=lambda petition: petition.agency,
        )
    )
