"""Petitions at each step of their life, made through the actions themselves."""

from __future__ import annotations

from django.test import override_settings

from participation.models import Agency, User
from participation.petition_actions import (
    do_create_petition,
    do_decide_petition,
    do_start_collecting,
    do_support,
)
from participation.petition_models import Petition, PetitionDecision
from tests.base import World
from tests.factories import UserFactory


def draft(
    world: World,
    *,
    agency: Agency | None = None,
    author: User | None = None,
    text: str = "Мектеп жанындағы көшеге бағдаршам орнатуды сұраймыз.",
) -> Petition:
    return do_create_petition(
        author=author or world.alice,
        agency=agency or world.bostandyk,
        title="Жаяу жүргіншілер өткелі керек",
        text=text,
    )


def open_petition(
    world: World,
    *,
    threshold: int = 3,
    supporters: int = 2,
    agency: Agency | None = None,
    text: str = "Мектеп жанындағы көшеге бағдаршам орнатуды сұраймыз.",
) -> Petition:
    """A petition open for signatures, through draft, supporters and moderation."""
    with override_settings(
        PETITION_SUPPORTERS=supporters,
        PETITION_THRESHOLDS={"republic": threshold, "region": threshold, "city": threshold},
    ):
        petition = draft(world, agency=agency, text=text)
    do_start_collecting(petition, author=world.alice)
    for _n in range(supporters):
        do_support(petition, user=UserFactory.create())
    petition.refresh_from_db()
    assert petition.state == Petition.State.MODERATION
    return do_decide_petition(
        petition, moderator=world.moira, decision=PetitionDecision.MEETS_RULES
    )
