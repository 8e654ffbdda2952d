"""The automatic rules: watched words, personal data, links, trust.

Everything here is pure text work except ``watched_words`` (which reads the
admin-edited list, cached per process and invalidated through a version
number in the shared cache) and ``trust_level`` (one count query).
"""

from __future__ import annotations

import re
import time
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from participation.iin import is_valid_iin

# Letters that look alike in Latin and Cyrillic, Kazakh letters typed with a
# Russian keyboard (ә → а, қ → к, ...), and digits or signs used as letters, all
# reduced to one "skeleton" letter, so that "иdiот", "идиот" and "IDIOT" compare
# equal, and so do "ақымақ" and "акымак".
_LOOKALIKES = {
    "а": "a", "ә": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "і": "i", "ј": "j",
    "к": "k", "қ": "k", "м": "m", "н": "h", "ң": "h", "һ": "h", "о": "o", "ө": "o",
    "р": "p", "с": "c", "т": "t", "у": "y", "ү": "y", "ұ": "y", "х": "x", "ѕ": "s",
    "ӏ": "l", "ғ": "г", "0": "o", "1": "l", "@": "a", "$": "s",
}  # fmt: skip
# Characters inserted to break a word apart without being seen.
_INVISIBLE = {"\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


def skeleton_char(char: str) -> str:
    """One character reduced for matching; "" for invisible ones."""
    if char in _INVISIBLE or unicodedata.category(char) == "Mn":
        return ""
    folded = char.casefold()
    if len(folded) != 1:  # ß → ss: keep one character per character, for the index map
        folded = char.lower()
    if folded in _LOOKALIKES:
        return _LOOKALIKES[folded]
    base = unicodedata.normalize("NFKD", folded)[:1] or folded  # é → e, ё → е
    return _LOOKALIKES.get(base, base)


class _SkeletonTable(dict[int, str]):
    """A ``str.translate`` table that works out each character the first time it sees it."""

    def __missing__(self, codepoint: int) -> str:
        reduced = skeleton_char(chr(codepoint))
        self[codepoint] = reduced
        return reduced


_TABLE = _SkeletonTable()


def skeleton(text: str) -> tuple[str, list[int] | None]:
    """The text reduced for matching, and for each of its characters the index it came from
    (None when no character was dropped, so every index is its own)."""
    reduced = text.translate(_TABLE)
    if len(reduced) == len(text):
        return reduced, None
    origin = [index for index, char in enumerate(text) if _TABLE[ord(char)]]
    return reduced, origin


@dataclass(frozen=True)
class Hit:
    rule: str  # "watched_word", "iin", "phone", "email", "links", "duplicate", "trust"
    action: str  # "block", "hold", "censor", "flag", "redact"
    detail: str = ""
    start: int = -1
    end: int = -1

    def as_json(self) -> dict[str, str]:
        return {"rule": self.rule, "action": self.action, "detail": self.detail}


# --- Watched words -----------------------------------------------------------

_VERSION_KEY = "moderation:watched-words-version"


def bump_watched_words_version() -> None:
    """Tell every process to recompile the watched words (called by the actions that edit them).

    Versions are nanosecond stamps, not counters, so that a cache that lost the
    key (a Redis restart) never hands out a version some process compiled before.
    """
    cache.set(_VERSION_KEY, time.time_ns(), timeout=None)


@dataclass(frozen=True)
class _Matcher:
    """Watched words, ready for a scan in time linear in the text.

    Single words (nearly all of them) are looked up per word of the text: as a
    whole word, or as a prefix (any ending) for each prefix length in use.
    Phrases of several words, rare, go through one regular expression.
    """

    whole: dict[str, tuple[str, str]]  # skeleton → (action, phrase)
    prefixes: dict[str, tuple[str, str]]
    prefix_lengths: tuple[int, ...]
    # The first two letters of every watched word: most words of a text fail here, at once.
    heads: frozenset[str] | None  # None when a one-letter word is watched
    phrases: re.Pattern[str] | None
    phrase_rules: dict[str, tuple[str, str]]  # group name → (action, phrase)


_WORD = re.compile(r"\w+")


@lru_cache(maxsize=4)
def _compiled(version: int) -> _Matcher:
    from moderation.models import WatchedWord

    whole: dict[str, tuple[str, str]] = {}
    prefixes: dict[str, tuple[str, str]] = {}
    parts: list[str] = []
    phrase_rules: dict[str, tuple[str, str]] = {}
    # Stronger actions first, so that a word listed twice keeps its strongest.
    strength = {"block": 0, "hold": 1, "censor": 2, "flag": 3}
    words = sorted(WatchedWord.objects.all(), key=lambda word: strength[word.action])
    for word in words:
        reduced = skeleton(word.phrase.strip())[0]
        if not reduced:
            continue
        rule = (word.action, word.phrase)
        if _WORD.fullmatch(reduced):
            (whole if word.whole_word else prefixes).setdefault(reduced, rule)
        else:
            key = f"p{len(parts)}"
            tail = r"(?!\w)" if word.whole_word else r"\w*"
            parts.append(f"(?P<{key}>(?<!\\w){re.escape(reduced)}{tail})")
            phrase_rules[key] = rule
    return _Matcher(
        whole=whole,
        prefixes=prefixes,
        prefix_lengths=tuple(sorted({len(prefix) for prefix in prefixes})),
        heads=None
        if any(len(word) < 2 for word in (*whole, *prefixes))
        else frozenset(word[:2] for word in (*whole, *prefixes)),
        phrases=re.compile("|".join(parts)) if parts else None,
        phrase_rules=phrase_rules,
    )


def watched_words(text: str) -> list[Hit]:
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(_VERSION_KEY)
    matcher = _compiled(int(version))
    if not (matcher.whole or matcher.prefixes or matcher.phrases):
        return []
    reduced, origin = skeleton(text)
    found: list[tuple[int, int, tuple[str, str]]] = []
    heads = matcher.heads
    for match in _WORD.finditer(reduced):
        token = match.group()
        if heads is not None and token[:2] not in heads:
            continue
        rule = matcher.whole.get(token)
        if rule is None:
            for length in matcher.prefix_lengths:
                if length > len(token):
                    break
                rule = matcher.prefixes.get(token[:length])
                if rule is not None:
                    break
        if rule is not None:
            found.append((match.start(), match.end(), rule))
    if matcher.phrases is not None:
        for match in matcher.phrases.finditer(reduced):
            assert match.lastgroup is not None
            found.append((match.start(), match.end(), matcher.phrase_rules[match.lastgroup]))
    if origin is None:
        return [Hit("watched_word", a, phrase, start, end) for start, end, (a, phrase) in found]
    return [
        Hit("watched_word", action, phrase, origin[start], origin[end - 1] + 1)
        for start, end, (action, phrase) in found
    ]


# --- Personal data -------------------------------------------------------------

_IIN = re.compile(r"(?<!\d)(\d{6})[ \-]?(\d{6})(?!\d)")
# Kazakh numbers: +7 or 8, then a code starting with 7 (mobile 70x/74x/75x/76x/77x,
# landlines 71xx/72xx), ten digits in all, with the usual separators.
_PHONE = re.compile(
    r"(?<![\d+])(?:\+\s?7|8|7)[\s\-.]?\(?7\d{2}\)?[\s\-.]?\d{3}[\s\-.]?\d{2}[\s\-.]?\d{2}(?!\d)"
)
# An IIN or a phone number has at least three digits in a row somewhere.
_SOME_DIGITS = re.compile(r"\d{3}")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-zA-Zа-яА-Я]{2,}(?![\w])")


def personal_data(text: str) -> list[Hit]:
    """A valid IIN, a Kazakh phone number or an e-mail address in the text."""
    policy = settings.MODERATION_PERSONAL_DATA
    hits = []
    if "@" in text:
        for match in _EMAIL.finditer(text):
            hits.append(Hit("email", policy["email"], "", match.start(), match.end()))
    if not _SOME_DIGITS.search(text):  # most texts: no run of digits, nothing more to look for
        return hits
    for match in _IIN.finditer(text):
        if is_valid_iin(match.group(1) + match.group(2)):
            hits.append(Hit("iin", policy["iin"], "", match.start(), match.end()))
    for match in _PHONE.finditer(text):
        hits.append(Hit("phone", policy["phone"], "", match.start(), match.end()))
    return hits


# --- Links and trust ---------------------------------------------------------------

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[\w-]+\.(?:kz|ru|com|org|net|info|io)\b")


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


class Trust:
    NEW = 0  # first posts are held
    BASIC = 1  # a young account: links are limited
    MEMBER = 2
    STAFF = 3


def trust_level(user: Any) -> int:
    """How far the platform trusts a person, from account age and history."""
    from moderation.models import ModerationItem, State
    from participation.access import memberships

    if getattr(user, "is_staff", False) or memberships(user):
        return Trust.STAFF
    # Trust only grows (published texts stay counted), so MEMBER is remembered a while.
    member_key = f"moderation:member:{user.pk}"
    if cache.get(member_key):
        return Trust.MEMBER
    published = ModerationItem.objects.filter(
        author=user, state=State.PUBLISHED, hidden_by_reports=False
    ).count()
    if published < settings.MODERATION_TRUSTED_AFTER_POSTS:
        return Trust.NEW
    joined = getattr(user, "date_joined", None)
    if joined and timezone.now() - joined < timedelta(days=settings.MODERATION_YOUNG_ACCOUNT_DAYS):
        return Trust.BASIC
    cache.set(member_key, 1, timeout=600)
    return Trust.MEMBER


# --- Rewriting -----------------------------------------------------------------------

CENSOR_MARK = "•"
REDACTED = "[•••]"


def rewrite(text: str, hits: list[Hit]) -> str:
    """Mask censored words and replace redacted personal data, keeping the rest."""
    spans = sorted(
        (hit for hit in hits if hit.action in ("censor", "redact") and hit.start >= 0),
        key=lambda hit: hit.start,
    )
    out: list[str] = []
    position = 0
    for hit in spans:
        if hit.start < position:  # overlaps one already rewritten
            continue
        out.append(text[position : hit.start])
        word = text[hit.start : hit.end]
        out.append(word[:1] + CENSOR_MARK * (len(word) - 1) if hit.action == "censor" else REDACTED)
        position = hit.end
    out.append(text[position:])
    return "".join(out)
