"""The registry of moderated content types: the contract every content type signs.

A content type registers once (in its app's ``ready()``) and then calls
``moderation.pipeline.moderate(obj, ...)`` from the action that creates or
edits it. The registration says:

- which fields hold user text in Markdown (each renders into ``<field>_html``)
  and which hold plain text (names, titles: checked and rewritten by the rules,
  shown escaped, never rendered),
- who the author is, whether the text is public, where it is shown,
- what a verdict does to it (``apply``: set the fields that make it visible
  or not; the pipeline saves them),
- whether it may be refused at all (appeals may not: Kazakh law forbids
  refusing to accept an appeal, so their verdict decides publication only),
- how urgent it is (live chat first; a clock the content already runs),
- what else follows a verdict (``after_verdict``).

See docs/moderation.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Model

from moderation.models import State


@dataclass(frozen=True)
class ModeratedType:
    kind: str
    model: type[Model]
    text_fields: tuple[str, ...]
    author: Callable[[Any], Any]
    is_public: Callable[[Any], bool]
    url: Callable[[Any], str]
    apply: Callable[[Any, State, bool], None]  # (obj, state, hidden) → sets visibility fields
    visibility_fields: tuple[str, ...]
    plain_fields: tuple[str, ...] = ()
    may_refuse: bool = True
    priority: int = 1  # 0: live chat
    agency: Callable[[Any], Any] = field(default=lambda obj: None)
    clock_due: Callable[[Any], datetime | None] = field(default=lambda obj: None)
    # Called after a verdict is saved (automatic or a moderator's), e.g. to stop a
    # moderation clock the content runs. Runs in the verdict's transaction.
    after_verdict: Callable[[Any, State], None] = field(default=lambda obj, state: None)

    def html_field(self, text_field: str) -> str:
        return f"{text_field}_html"

    @property
    def all_fields(self) -> tuple[str, ...]:
        return (*self.plain_fields, *self.text_fields)


_REGISTRY: dict[type[Model], ModeratedType] = {}
_BY_KIND: dict[str, ModeratedType] = {}


def register(moderated: ModeratedType) -> None:
    if moderated.kind in _BY_KIND and _BY_KIND[moderated.kind].model is not moderated.model:
        raise ValueError(f"moderated kind {moderated.kind!r} is already registered")
    _REGISTRY[moderated.model] = moderated
    _BY_KIND[moderated.kind] = moderated


def for_model(model: type[Model]) -> ModeratedType:
    try:
        return _REGISTRY[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not registered for moderation") from None


def for_kind(kind: str) -> ModeratedType:
    return _BY_KIND[kind]


def registered() -> list[ModeratedType]:
    return list(_BY_KIND.values())
