"""Markdown rendering and HTML sanitising: what users may show, and nothing more."""

from __future__ import annotations

import pickle
import random
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser

import pytest
from linkify_it import LinkifyIt

from moderation import sanitize
from moderation.sanitize import (
    MAX_MARKDOWN_CHARS,
    TextTooLong,
    clean_html,
    plain_text,
    render_markdown,
)
from tests.moderation.xss_corpus import HTML_PAYLOADS, MARKDOWN_PAYLOADS, PAYLOADS

REL = 'rel="nofollow ugc noopener noreferrer"'

ALLOWED_TAGS = {
    *("p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote"),
    *("ul", "ol", "li", "a", "h3", "h4", "h5", "h6"),
    *("table", "thead", "tbody", "tr", "th", "td"),
}
ALLOWED_ATTRIBUTES = {"a": {"href", "rel"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")


def browser_scheme(url: str) -> str | None:
    """The scheme a browser would see (WHATWG URL parsing), or None for a relative URL."""
    url = url.strip("".join(map(chr, range(0x21))))
    url = re.sub("[\t\n\r]", "", url)
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else None


class AllowListCheck(HTMLParser):
    """Collects every way a piece of HTML strays from the allow-list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        names = [name for name, _ in attrs]
        if len(names) != len(set(names)):
            self.problems.append(f"repeated attribute on <{tag}>: {names}")
        for name, value in attrs:
            if name not in ALLOWED_ATTRIBUTES.get(tag, set()):
                self.problems.append(f"attribute {name}={value!r} on <{tag}>")
            elif name == "href" and browser_scheme(value or "") not in SCHEMES:
                self.problems.append(f"href {value!r}")
            elif name == "align" and value not in ("left", "right", "center"):
                self.problems.append(f"align {value!r}")
            elif name == "start" and not (value or "").isdigit():
                self.problems.append(f"start {value!r}")
        if tag == "a" and ("rel", "nofollow ugc noopener noreferrer") not in attrs:
            self.problems.append(f"<a> without the rel: {attrs}")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"end tag </{tag}>")

    def handle_comment(self, data: str) -> None:
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl: str) -> None:
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data: str) -> None:
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data: str) -> None:
        self.problems.append(f"unknown declaration {data!r}")


def problems_in(html: str) -> list[str]:
    check = AllowListCheck()
    check.feed(html)
    check.close()
    if re.search(r"<\s*/?\s*script", html, re.IGNORECASE):
        check.problems.append("<script")
    if re.search(r"<[^>]*\son\w+\s*=", html, re.IGNORECASE):
        check.problems.append("on*= inside a tag")
    return check.problems


# --------------------------------------------------------------------------- the XSS corpus


def test_the_corpus_is_large_and_has_no_duplicates():
    """At least 120 payloads, each one only once."""
    assert len(PAYLOADS) >= 120
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"{i:03}" for i in range(len(PAYLOADS))])
def test_it_renders_every_payload_inside_the_allow_list(payload):
    """render_markdown: only allowed tags and attributes, safe hrefs, the rel on every link."""
    html = render_markdown(payload)
    assert problems_in(html) == [], html


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"{i:03}" for i in range(len(PAYLOADS))])
def test_it_cleans_every_payload_inside_the_allow_list(payload):
    """clean_html alone holds the same line for raw HTML."""
    html = clean_html(payload)
    assert problems_in(html) == [], html


@pytest.mark.parametrize("payload", PAYLOADS, ids=[f"{i:03}" for i in range(len(PAYLOADS))])
def test_its_output_is_already_clean(payload):
    """Rendered output passes through clean_html unchanged, and renders the same twice."""
    html = render_markdown(payload)
    assert clean_html(html) == html
    assert render_markdown(payload) == html


def test_the_checker_notices_what_it_is_meant_to_notice():
    """The allow-list check itself fails on the things it guards against."""
    assert problems_in('<a href="http://a.kz" rel="nofollow ugc noopener noreferrer">x</a>') == []
    assert problems_in('<img src="x" onerror="alert(1)">')
    assert problems_in('<a href="jav&#x09;ascript:alert(1)" ' + REL + ">x</a>")
    assert problems_in('<a href="/relative" ' + REL + ">x</a>")
    assert problems_in('<a href="http://a.kz">no rel</a>')
    assert problems_in('<p title="x">title</p>')
    assert problems_in("<!-- comment -->")
    assert problems_in("<h1>heading</h1>")


# --------------------------------------------------------------------------- Markdown


def test_it_renders_emphasis():
    assert render_markdown("*a* _b_ **c** ~~d~~") == (
        "<p><em>a</em> <em>b</em> <strong>c</strong> <s>d</s></p>\n"
    )


def test_it_renders_lists():
    """Bullets, numbers, and a numbered list that starts elsewhere keeps its start."""
    assert render_markdown("- one\n- two") == "<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n"
    assert render_markdown("3. three\n4. four") == (
        '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'
    )


def test_it_renders_links_with_the_rel_and_no_target():
    assert render_markdown("[akimat](https://almaty.gov.kz/)") == (
        f'<p><a href="https://almaty.gov.kz/" {REL}>akimat</a></p>\n'
    )


def test_it_renders_code_without_the_language_class():
    assert render_markdown("`x < y`") == "<p><code>x &lt; y</code></p>\n"
    assert render_markdown("```python\nprint('<b>')\n```") == (
        "<pre><code>print('&lt;b&gt;')\n</code></pre>\n"
    )


def test_it_renders_quotes():
    assert render_markdown("> cited") == "<blockquote>\n<p>cited</p>\n</blockquote>\n"


def test_it_renders_tables_with_align_and_no_style():
    html = render_markdown("| a | b | c |\n|:--|--:|:-:|\n| 1 | 2 | 3 |")
    assert '<th align="left">a</th>' in html
    assert '<td align="right">2</td>' in html
    assert '<td align="center">3</td>' in html
    assert "style" not in html
    assert problems_in(html) == []


def test_it_moves_headings_two_levels_down():
    """User text never outranks the page's own h1 and h2."""
    assert render_markdown("# one\n\n## two\n\n### three\n\n#### four\n\n###### six") == (
        "<h3>one</h3>\n<h4>two</h4>\n<h5>three</h5>\n<h6>four</h6>\n<h6>six</h6>\n"
    )
    assert render_markdown("Setext\n======") == "<h3>Setext</h3>\n"


def test_it_renders_no_images():
    """An image becomes a plain link to the picture; nothing is loaded."""
    html = render_markdown("![pixel](https://tracker.example/p.gif)")
    assert "<img" not in html
    assert html == f'<p>!<a href="https://tracker.example/p.gif" {REL}>pixel</a></p>\n'


def test_it_keeps_nesting_eight_levels_deep():
    """The lowered maxNesting still leaves room for any sensible outline."""
    outline = "".join("  " * depth + f"- level{depth}\n" for depth in range(8))
    assert "level7" in render_markdown(outline)


def test_it_escapes_raw_html_instead_of_passing_it_through():
    assert render_markdown("<b>bold</b>") == "<p>&lt;b&gt;bold&lt;/b&gt;</p>\n"


# --------------------------------------------------------------------------- links


def test_it_links_plain_urls():
    assert render_markdown("See https://egov.kz/cms/ru today") == (
        f'<p>See <a href="https://egov.kz/cms/ru" {REL}>https://egov.kz/cms/ru</a> today</p>\n'
    )
    assert render_markdown("www.gov.kz") == (
        f'<p><a href="http://www.gov.kz" {REL}>www.gov.kz</a></p>\n'
    )


def test_it_links_bare_email_addresses():
    assert render_markdown("akimat@almaty.kz") == (
        f'<p><a href="mailto:akimat@almaty.kz" {REL}>akimat@almaty.kz</a></p>\n'
    )


def test_a_mailto_link_survives():
    assert render_markdown("[write](mailto:akimat@almaty.kz)") == (
        f'<p><a href="mailto:akimat@almaty.kz" {REL}>write</a></p>\n'
    )


def test_an_ftp_link_loses_its_href():
    """The text stays; the href goes."""
    assert (
        render_markdown("[files](ftp://files.example.kz/a.pdf)") == f"<p><a {REL}>files</a></p>\n"
    )


@pytest.mark.parametrize(
    "url", ["/kk/forums/", "forums/1/", "#top", "?page=2", "//evil.example/", "/\\evil.example/"]
)
def test_a_relative_link_loses_its_href(url):
    """Relative URLs are dropped: they mean something else in e-mails, and // leaves the site."""
    assert render_markdown(f"[x]({url})") == f"<p><a {REL}>x</a></p>\n"


def test_clean_html_strips_what_render_markdown_strips():
    """The same allow-list, whichever way the HTML came."""
    html = (
        '<h1 id="t" class="big">Title</h1><p style="color:red" onclick="alert(1)">text</p>'
        '<img src="https://tracker.example/p.gif"><script>alert(1)</script>'
        '<a href="javascript:alert(1)" target="_blank">js</a>'
        '<a href="ftp://a.kz/f">ftp</a><a href="/x">relative</a>'
        '<a href="https://a.kz/" title="t" rel="opener">ok</a><!-- note -->'
    )
    assert clean_html(html) == (
        f"Title<p>text</p><a {REL}>js</a><a {REL}>ftp</a><a {REL}>relative</a>"
        f'<a href="https://a.kz/" {REL}>ok</a>'
    )


# --------------------------------------------------------------------------- text


def test_kazakh_and_russian_survive_byte_for_byte():
    for text in ("Әкімдікке өтініш", "Обращение в акимат", "Қазақстан Республикасы, ңғүұөһі"):
        html = render_markdown(text)
        assert html == f"<p>{text}</p>\n"
        assert text.encode() in html.encode()
        assert clean_html(text) == text
        assert plain_text(html) == text


def test_it_refuses_a_text_one_character_over_the_limit():
    with pytest.raises(TextTooLong) as caught:
        render_markdown("a" * 11, max_chars=10)
    assert caught.value.limit == 10
    assert caught.value.length == 11
    assert str(caught.value) == "The text is 11 characters long; at most 10 characters are allowed."


def test_it_accepts_a_text_exactly_at_the_limit():
    assert render_markdown("a" * 10, max_chars=10) == f"<p>{'a' * 10}</p>\n"


def test_the_default_limit_is_fifty_thousand_characters():
    assert MAX_MARKDOWN_CHARS == 50_000
    assert render_markdown("a" * MAX_MARKDOWN_CHARS).startswith("<p>aaa")
    with pytest.raises(TextTooLong):
        render_markdown("a" * (MAX_MARKDOWN_CHARS + 1))


def test_text_too_long_is_a_value_error_that_survives_pickling():
    """Task queues pickle exceptions; both numbers come back."""
    error = pickle.loads(pickle.dumps(TextTooLong(limit=10, length=11)))  # noqa: S301
    assert isinstance(error, TextTooLong)
    assert isinstance(error, ValueError)
    assert (error.limit, error.length) == (10, 11)


def test_it_removes_control_characters_and_normalises_line_endings():
    """C0 controls but tab and newline go, with DEL and C1; CR and CRLF become LF."""
    text = "a\x00b\x07c\x1bd\x7fe\x85f\x9fg\r\nh\ri\tj"
    assert render_markdown(text) == "<p>abcdefg\nh\ni\tj</p>\n"


def test_plain_text_gives_the_visible_text():
    """No tags, entities decoded, one line per block, cells apart, whitespace tidied."""
    html = render_markdown(
        "# Title\n\n*Hello*   [world](https://a.kz) &amp; `<b>`\nsame paragraph\n\n"
        "- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nline 1\nline 2\n```"
    )
    assert plain_text(html) == (
        "Title\nHello world & <b> same paragraph\none\ntwo\na b\n1 2\nline 1\nline 2"
    )


def test_plain_text_leaves_out_what_is_not_shown():
    """Script and style contents, comments and images are not visible text."""
    html = "<p>a<script>alert(1)</script>b<style>p{}</style><!-- c --><img alt=d>e</p>"
    assert plain_text(html) == "abe"
    assert plain_text('<p title="x>y" class="z">text</p>') == "text"


def test_plain_text_of_nothing_is_nothing():
    assert plain_text("") == ""
    assert plain_text(render_markdown("")) == ""


def test_it_renders_the_same_in_every_thread():
    """Each thread has its own parser; the output does not depend on which one ran."""
    texts = [f"Post {n}: **bold** https://a.kz/{n} and a@b.kz\n\n- item {n}" for n in range(40)]
    expected = [render_markdown(text) for text in texts]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render_markdown, texts * 5)) == expected * 5


# --------------------------------------------------------------------------- quick linkify

_LINKY_TEXTS = [
    "https://a.kz http://a.kz/x?y=1#z ftp://files.kz //cdn.kz/x mailto:a@b.kz",
    "www.gov.kz egov.kz пример.рф ПРИМЕР.РФ xn--80ak6aa92e.com a.co.uk/path",
    "a@b.kz, first.last+tag@sub.example.org; not@an@email",
    "192.168.0.1 127.0.0.1:8000 http://127.0.0.1:8000/ 3.5 млн т.е. Dr.Smith e.g.",
    "see gov.kz. Or egov.kz, (www.a.kz) «https://b.kz» “c.kz”",
    "Обращение: https://almaty.gov.kz/ru/page?id=5 и akimat@almaty.kz",
    "localhost:8000/x www.gov www.x a.xn--p1ai a.ӘK a@b http:x",
]


def test_the_quick_linkify_check_finds_every_link_that_linkify_it_finds():
    """The speed-up only skips texts that cannot hold a link: output is unchanged."""
    stock = sanitize._build_markdown()
    stock.linkify = LinkifyIt()
    quick = sanitize._markdown()
    for text in [*_LINKY_TEXTS, *PAYLOADS]:
        assert quick.render(text) == stock.render(text), text


def test_the_quick_linkify_check_agrees_with_linkify_it_on_random_text():
    """Random strings of link-ish pieces: it never misses a link that linkify-it finds."""
    stock = LinkifyIt()
    quick = sanitize._QuickLinkify()
    pieces = [
        *("a", "b", "w", "x", "1", "_", "-", ".", ".", ":", "/", "//", "@", " ", "(", ")"),
        *("<", ">", '"', "«", "www.", "kz", "com", "ru", "рф", "xn--p1ai", "ӘК"),
        *("http:", "mailto:"),
    ]
    rng = random.Random(20260605)
    found = 0
    for _ in range(5000):
        text = "".join(rng.choices(pieces, k=rng.randint(1, 16)))
        if stock.test(text):
            found += 1
            assert quick.pretest(text), text
        assert bool(quick.test(text)) == bool(stock.test(text)), text
    assert found > 100  # the pieces do make links


def test_the_corpus_covers_raw_html_and_markdown():
    assert len(HTML_PAYLOADS) >= 100
    assert len(MARKDOWN_PAYLOADS) >= 20
