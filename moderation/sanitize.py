"""Markdown to safe HTML: the last step of the moderation pipeline before anything is shown.

1. ``render_markdown`` refuses texts over the length cap (Markdown parsers
   have quadratic cases), normalises line endings and strips control
   characters.
2. markdown-it-py renders with the ``js-default`` preset: raw HTML is
   escaped, never passed through; linkify turns bare addresses into links.
   Images are switched off, headings move two levels down (``#`` becomes
   ``<h3>``: user text never outranks the page's own headings) and table
   alignment becomes ``align`` instead of a ``style`` attribute.
3. nh3 (ammonia) cleans the result against the allow-list below. This step
   alone is the security boundary: the output is safe even if step 2 let
   something through, and ``clean_html`` applies the same step to HTML that
   came from anywhere else.

Allowed:

* tags: p br hr strong em del s code pre blockquote ul ol li a h3 h4 h5 h6
  table thead tbody tr th td. Everything else is dropped with its text kept
  (the text of script and style is dropped too). No img: images would be
  tracking pixels and layout abuse, so Markdown images are not even parsed
  (``![alt](url)`` renders as "!" and a link to the picture).
* attributes: ``a[href]``, ``ol[start]``, ``th[align]`` and ``td[align]``
  (left, right, center). No class, style, id, title, target or ``on*``
  anywhere.
* links: http, https and mailto only. Every ``<a>`` gets
  ``rel="nofollow ugc noopener noreferrer"``.
* relative URLs are dropped (the link text stays), for three reasons.
  Rendered posts are shown in more places than this site's pages (the
  notification e-mails, the moderation queue, exports), where a relative path
  points somewhere else or nowhere. "Relative" to a URL parser includes
  ``//evil.example`` and ``/\\evil.example``, which browsers resolve to
  another host: links that look local but leave the site. And nothing is
  lost: the full address of a page on the platform works, and linkify makes
  it a link without any Markdown.

Thread safety: nh3's ``Cleaner`` is immutable and shared. Each thread builds
its own ``MarkdownIt`` once, on first use (``_markdown``), because
markdown-it-py compiles its rule chains lazily on first use and older
linkify-it-py releases keep match state on the instance between calls.
"""

from __future__ import annotations

import re
import threading
from html import unescape

import nh3
from linkify_it import LinkifyIt
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

MAX_MARKDOWN_CHARS: int = 50_000

ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote"),
        *("ul", "ol", "li", "a", "h3", "h4", "h5", "h6"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    }
)
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    # Without "*", ammonia allows its default generic attributes (lang, title) everywhere.
    "*": frozenset(),
    "a": frozenset({"href"}),
    "ol": frozenset({"start"}),
}
ALIGNMENTS = frozenset({"left", "right", "center"})
ALLOWED_ATTRIBUTE_VALUES: dict[str, dict[str, frozenset[str]]] = {
    "th": {"align": ALIGNMENTS},
    "td": {"align": ALIGNMENTS},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener noreferrer"

# Needs nh3 >= 0.3.6 (url_relative). An older nh3 fails here, at import, not silently.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    tag_attribute_values=ALLOWED_ATTRIBUTE_VALUES,
    url_schemes=URL_SCHEMES,
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)

# CR and CRLF become LF first; then every C0 control but tab and LF goes, with
# DEL and the C1 controls (invisible, and parse errors in HTML).
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Anything linkify-it can find contains "//" (http, https, ftp and
# protocol-relative links), "@" (mailto and bare e-mail addresses) or a dot
# followed by a letter (the top-level domain of a bare host name: "gov.kz",
# "www.example.com", "пример.рф"). linkify-it's own pretest is a 1.5 kB
# Unicode regex that costs about 0.7 ms on 2 kB of prose; this one is
# nearly free, and a text that fails it cannot hold a link.
_MAY_HOLD_LINK = re.compile(r"//|@|\.[^\W\d_]")


class TextTooLong(ValueError):
    """The text is longer than the cap that ``render_markdown`` accepts."""

    def __init__(self, limit: int, length: int) -> None:
        self.limit = limit
        self.length = length
        super().__init__(
            f"The text is {length:,} characters long; at most {limit:,} characters are allowed."
        )

    def __reduce__(self) -> tuple[type[TextTooLong], tuple[int, int]]:
        # Survives pickling (task queues) with both numbers, not just the message.
        return type(self), (self.limit, self.length)


class _QuickLinkify(LinkifyIt):
    """linkify-it with a cheap first check in front of its expensive ones."""

    def pretest(self, text: str) -> bool:
        return _MAY_HOLD_LINK.search(text) is not None

    def test(self, text: str) -> bool:
        return _MAY_HOLD_LINK.search(text) is not None and bool(super().test(text))


def _adjust_tokens(state: StateCore) -> None:
    """Shift headings down two levels; table alignment as ``align``, not ``style``."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 2, 6)}"
        elif token.type in ("th_open", "td_open") and token.attrs:
            style = str(token.attrs.get("style", ""))
            alignment = style.removeprefix("text-align:")
            token.attrs = {"align": alignment} if alignment in ALIGNMENTS else {}


def _build_markdown() -> MarkdownIt:
    # maxNesting 20 instead of 100: lists still nest 8 deep, and "[[[[…" (each
    # "[" re-scans up to maxNesting levels ahead) costs 0.5 s per 50,000
    # characters instead of 2-4 s.
    md = MarkdownIt("js-default", {"linkify": True, "typographer": False, "maxNesting": 20})
    md.linkify = _QuickLinkify()
    md.enable("linkify")
    # No images; the rest are no-ops with html and typographer off, skipped for speed.
    md.disable(["image", "html_block", "html_inline", "replacements", "smartquotes"])
    md.core.ruler.push("moderation_adjust", _adjust_tokens)
    return md


_local = threading.local()


def _markdown() -> MarkdownIt:
    md: MarkdownIt | None = getattr(_local, "markdown", None)
    if md is None:
        md = _local.markdown = _build_markdown()
    return md


def render_markdown(text: str, *, max_chars: int = MAX_MARKDOWN_CHARS) -> str:
    """Render user Markdown to HTML that is safe to mark safe in a template.

    Raises ``TextTooLong`` when ``text`` has more than ``max_chars`` characters.
    """
    if len(text) > max_chars:
        raise TextTooLong(limit=max_chars, length=len(text))
    text = _CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return clean_html(_markdown().render(text))


def clean_html(html: str) -> str:
    """The allow-list step alone, for anything that is already HTML."""
    return _CLEANER.clean(html)


# --------------------------------------------------------------------------- plain text

_BLOCK_TAGS = frozenset(
    {
        *("p", "br", "hr", "pre", "blockquote", "ul", "ol", "li", "table", "thead", "tbody"),
        *("tr", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "header"),
        *("footer", "aside", "nav", "main", "figure", "figcaption", "address", "details"),
        *("summary", "dl", "dt", "dd", "caption", "tfoot"),
    }
)
_CELL_TAGS = frozenset({"th", "td"})
# Keeps only the tags that separate words, with no attributes at all: what is
# left between "<" and ">" in its output is a tag name (text has its "<"
# escaped), so a regex can split it safely. Script and style lose their
# content, as in clean_html.
_STRUCTURE = nh3.Cleaner(
    tags=_BLOCK_TAGS | _CELL_TAGS, attributes={"*": set()}, link_rel=None, strip_comments=True
)
_TAG = re.compile(r"<(/?)([a-z0-9]+)[^>]*>")
_WHITESPACE = re.compile(r"\s+")
_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r" ?\n[\n ]*")


def plain_text(html: str) -> str:
    """The visible text of ``html``: no tags, entities decoded, whitespace tidied.

    Blocks (paragraphs, list items, headings, table rows) and the lines of
    preformatted code stand on lines of their own; table cells are separated
    by a space; any other run of whitespace is one space, as a browser shows it.
    """
    # split() gives the text before the first tag, then (slash, name, text) per tag.
    pieces = _TAG.split(_STRUCTURE.clean(html))
    parts = [_visible(pieces[0], preformatted=False)]
    in_pre = 0
    for index in range(1, len(pieces), 3):
        closing, name, text = pieces[index : index + 3]
        if name == "pre":
            in_pre = max(in_pre - 1, 0) if closing else in_pre + 1
        parts.append(" " if name in _CELL_TAGS else "\n")
        parts.append(_visible(text, preformatted=in_pre > 0))
    return _LINE_BREAKS.sub("\n", _SPACES.sub(" ", "".join(parts))).strip()


def _visible(escaped: str, *, preformatted: bool) -> str:
    text = unescape(escaped)
    return text if preformatted else _WHITESPACE.sub(" ", text)


__all__ = [
    "MAX_MARKDOWN_CHARS",
    "TextTooLong",
    "clean_html",
    "plain_text",
    "render_markdown",
]
