"""Appeals in the moderation pipeline: a verdict decides publication only (SPEC §1).

Kazakh law forbids refusing to accept an appeal, so an appeal is never
refused by the pipeline (``may_refuse=False``): what a rule would block, it
holds. Whatever the verdict, the appeal is delivered, its clocks run and it is
answered; only its place in the public reception room depends on moderation.
"""

from __future__ import annotations

from moderation.models import State
from moderation.registry import ModeratedType, register
from reception import clocks
from reception.models import Appeal, Clock


def _apply(appeal: Appeal, state: State, hidden: bool) -> None:
    appeal.is_visible = appeal.is_public and state == State.PUBLISHED and not hidden


def _after_verdict(appeal: Appeal, state: State) -> None:
    clocks.stop(appeal, [Clock.Kind.MODERATION], met=True)


def _first_response_due(appeal: Appeal) -> object:
    clock = appeal.clocks.filter(kind=Clock.Kind.FIRST_RESPONSE, state=Clock.State.RUNNING).first()
    return clock.due_at if clock else None


def register_appeals() -> None:
    register(
        ModeratedType(
            kind="appeal",
            model=Appeal,
            text_fields=("text",),
            plain_fields=("subject",),
            author=lambda appeal: appeal.citizen,
            is_public=lambda appeal: appeal.is_public,
            url=lambda appeal: appeal.get_absolute_url(),
            apply=_apply,
            visibility_fields=("is_visible",),
            may_refuse=False,
            agency=lambda appeal: appeal.agency,
            clock_due=_first_response_due,  # type: ignore[arg-type]
            after_verdict=_after_verdict,
        )
    )
