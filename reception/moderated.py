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
from reception.models import Appeal, Clock, LiveMessage, LiveQuestion


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


def _apply_live(obj: LiveMessage | LiveQuestion, state: State, hidden: bool) -> None:
    was_public = obj.pk is not None and obj.is_public
    obj.is_visible = state == State.PUBLISHED and not hidden
    if hidden and was_public:
        # Hidden by users' reports: no verdict follows (no after_verdict), so the
        # room is told here. A moderator's later decision publishes it again.
        from reception.live_actions import hide_from_room

        hide_from_room(obj)


def _live_after_verdict(obj: LiveMessage | LiveQuestion, state: State) -> None:
    # The room hears of every change of visibility, whoever decided it.
    from reception.live_actions import publish_if_public

    publish_if_public(obj)


def register_live() -> None:
    """Live questions and chat messages: first in the moderators' queue (priority 0)."""
    for kind, model in (("live_question", LiveQuestion), ("live_message", LiveMessage)):
        register(
            ModeratedType(
                kind=kind,
                model=model,
                text_fields=("text",),
                author=lambda obj: obj.author,
                is_public=lambda obj: True,
                url=lambda obj: obj.get_absolute_url(),
                apply=_apply_live,
                visibility_fields=("is_visible",),
                priority=0,
                agency=lambda obj: obj.session.agency,
                after_verdict=_live_after_verdict,
            )
        )
