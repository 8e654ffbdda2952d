"""In real Chromium, nothing of the XSS corpus runs once sanitised, with no CSP to help.

The page is served by a Playwright route on a made-up origin, so neither the
platform's server nor its Content-Security-Policy is involved: the sanitiser
alone must hold. Before any script of the page, an init script replaces
``alert``, ``confirm``, ``prompt``, ``print`` and ``eval`` with traps that
record their calls. After load every element receives the events that inline
handlers listen for, the odd links (there should be none) are clicked, and the
DOM is checked again as the browser parsed it.

Playwright's ``page.evaluate`` itself runs through ``window.eval``, so the
eval trap lets through only sources that carry this run's random nonce (the
harness's own scripts); any other eval is recorded and not run.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Error, Request, Route

from moderation.sanitize import clean_html, render_markdown
from tests.moderation.xss_corpus import HTML_PAYLOADS, PAYLOADS

pytestmark = pytest.mark.e2e

ORIGIN = "http://xss.test"
PAGE_URL = f"{ORIGIN}/"
# Requests the browser makes on its own; anything else is a payload loading something.
_EXPECTED_REQUESTS = {PAGE_URL, f"{ORIGIN}/favicon.ico"}

_TRAPS = """
((nonce) => {
  const own = [];
  Object.defineProperty(window, "__xss", { value: own, configurable: false });
  let sink = own;
  try {
    if (window.top !== window && Array.isArray(window.top.__xss)) sink = window.top.__xss;
  } catch (error) {
    // A cross-origin frame: its calls stay in its own list, which is read too.
  }
  const record = (name, args) => {
    const call = `${name}(${args.map(String).join(", ")})`;
    own.push(call);
    if (sink !== own) sink.push(call);
  };
  const realEval = window.eval;
  const traps = {
    eval: (source, ...rest) =>
      typeof source === "string" && source.includes(nonce)
        ? realEval(source)
        : record("eval", [source, ...rest]),
  };
  for (const name of ["alert", "confirm", "prompt", "print"]) {
    traps[name] = (...args) => record(name, args);
  }
  for (const [name, trap] of Object.entries(traps)) {
    Object.defineProperty(window, name, { value: trap, writable: false, configurable: false });
  }
})(NONCE);
"""

# Inline handlers fire on synthetic events too. Links to safe URLs are not
# followed (that would be a request to another origin), but their handlers run.
_PROVOKE = """
() => {
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (link && ["http:", "https:", "mailto:"].includes(link.protocol)) event.preventDefault();
  }, true);
  const types = [
    "mouseover", "mouseenter", "mousemove", "mouseout", "mousedown", "mouseup", "click",
    "dblclick", "contextmenu", "pointerover", "pointerenter", "pointerdown", "pointerup",
    "focus", "focusin", "blur", "keydown", "keyup", "input", "change", "submit", "load",
    "error", "toggle", "start", "begin", "animationstart", "transitionend", "dragstart",
    "scroll", "wheel", "copy", "paste", "pageshow",
  ];
  let count = 0;
  for (const element of document.querySelectorAll("body, body *")) {
    for (const type of types) {
      element.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true }));
      count += 1;
    }
    if (typeof element.focus === "function") element.focus();
  }
  return count;
}
"""

_ODD_LINKS = """
() => {
  const links = [...document.querySelectorAll("a[href]")];
  return links
    .map((link, index) => [index, link.protocol, link.getAttribute("href")])
    .filter(([, protocol]) => !["http:", "https:", "mailto:"].includes(protocol));
}
"""

_DOM_PROBLEMS = """
(allowed) => {
  const allowedTags = new Set(allowed);
  const urlAttributes = new Set([
    "href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "background",
    "poster", "srcset", "dynsrc", "lowsrc", "to", "values", "from",
  ]);
  const problems = [];
  for (const element of document.querySelectorAll(".case *")) {
    const tag = element.localName;
    if (!allowedTags.has(tag)) problems.push(`<${tag}> in ${element.closest(".case").id}`);
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) problems.push(`${tag}[${name}]`);
      const value = attribute.value.replace(/[\\u0000-\\u0020]/g, "").toLowerCase();
      if (urlAttributes.has(name) && /^(javascript|vbscript|data):/.test(value)) {
        problems.push(`${tag}[${name}=${attribute.value}]`);
      }
    }
  }
  for (const link of document.querySelectorAll("a[href]")) {
    if (!["http:", "https:", "mailto:"].includes(link.protocol)) {
      problems.push(`a resolves to ${link.protocol} (${link.getAttribute("href")})`);
    }
  }
  return problems;
}
"""

ALLOWED_TAGS = [
    *("p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote"),
    *("ul", "ol", "li", "a", "h3", "h4", "h5", "h6"),
    *("table", "thead", "tbody", "tr", "th", "td"),
]


@dataclass
class Findings:
    cases: int = 0
    calls: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    odd_links: list[list[Any]] = field(default_factory=list)  # [index, protocol, href]
    dom_problems: list[str] = field(default_factory=list)
    frames: int = 0
    final_url: str = ""

    @property
    def stray_requests(self) -> list[str]:
        return [url for url in self.requests if url not in _EXPECTED_REQUESTS]


def page_of(fragments: list[str]) -> str:
    cases = "\n".join(
        f'<div class="case" id="case-{index}">{fragment}</div>'
        for index, fragment in enumerate(fragments)
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>XSS corpus</title></head>\n<body>\n{cases}\n</body></html>\n"
    )


def run_in_chromium(browser: Browser, fragments: list[str]) -> Findings:
    """Load the fragments in one page, provoke every handler, and report what happened."""
    findings = Findings()
    body = page_of(fragments)
    nonce = f"harness-{secrets.token_hex(16)}"

    def script(source: str) -> str:
        return f"/* {nonce} */ {source.strip()}"

    def serve(route: Route) -> None:
        if route.request.url == PAGE_URL:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=body)
        elif route.request.url.startswith(ORIGIN):
            route.fulfill(status=404, content_type="text/plain", body="")
        else:
            route.abort()

    def on_dialog(dialog: Dialog) -> None:
        findings.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def on_request(request: Request) -> None:
        findings.requests.append(request.url)

    def on_page_error(error: Error) -> None:
        findings.page_errors.append(str(error))

    context = browser.new_context()
    try:
        context.set_default_timeout(10_000)
        context.route("**/*", serve)
        page = context.new_page()
        page.on("dialog", on_dialog)
        page.on("request", on_request)
        page.on("pageerror", on_page_error)
        page.add_init_script(_TRAPS.replace("NONCE", json.dumps(nonce)))
        page.goto(PAGE_URL, wait_until="load")
        findings.cases = page.locator("body > div.case").count()

        page.evaluate(script(_PROVOKE))
        findings.odd_links = page.evaluate(script(_ODD_LINKS))
        links = page.locator("a[href]")
        for index, _protocol, _href in findings.odd_links:
            links.nth(index).click(no_wait_after=True)
        page.wait_for_timeout(500)

        findings.frames = len(page.frames)
        findings.final_url = page.url
        for frame in page.frames:
            findings.calls.extend(frame.evaluate(script("window.__xss || []")))
        findings.dom_problems = page.evaluate(script(_DOM_PROBLEMS), ALLOWED_TAGS)
    finally:
        context.close()
    return findings


def assert_nothing_ran(findings: Findings, expected_cases: int) -> None:
    assert findings.cases == expected_cases, "a fragment escaped its <div>"
    assert findings.calls == [], findings.calls
    assert findings.dialogs == [], findings.dialogs
    assert findings.page_errors == [], findings.page_errors
    assert findings.stray_requests == [], findings.stray_requests
    assert findings.odd_links == [], findings.odd_links
    assert findings.dom_problems == [], findings.dom_problems
    assert findings.frames == 1, "an iframe survived"
    assert findings.final_url == PAGE_URL, "the page navigated away"


def _rendered(sanitise: Callable[[str], str], payloads: list[str]) -> list[str]:
    return [sanitise(payload) for payload in payloads]


def test_nothing_of_the_corpus_runs_after_render_markdown(browser: Browser) -> None:
    """Every payload, as Markdown, renders to HTML that does nothing in Chromium."""
    findings = run_in_chromium(browser, _rendered(render_markdown, PAYLOADS))
    assert_nothing_ran(findings, expected_cases=len(PAYLOADS))


def test_nothing_of_the_raw_html_corpus_runs_after_clean_html(browser: Browser) -> None:
    """Every raw-HTML payload, through the allow-list alone, does nothing in Chromium."""
    findings = run_in_chromium(browser, _rendered(clean_html, HTML_PAYLOADS))
    assert_nothing_ran(findings, expected_cases=len(HTML_PAYLOADS))


def test_the_harness_notices_unsanitised_payloads(browser: Browser) -> None:
    """Without the sanitiser the same checks fail: the traps, the events and the DOM check work."""
    findings = run_in_chromium(
        browser,
        [
            "<img src=x onerror=alert(1)>",
            "<div onmouseover=confirm(2)>hover</div>",
            '<a href="javascript:prompt(3)">click</a>',
            "<script>print()</script>",
            "<img src=y onerror=\"eval('confirm(9)')\">",
            '<img src="https://elsewhere.example/pixel.gif">',
        ],
    )
    assert {"alert(1)", "confirm(2)", "prompt(3)", "print()"} <= set(findings.calls)
    assert "eval(confirm(9))" in findings.calls
    assert "confirm(9)" not in findings.calls
    assert [link[1] for link in findings.odd_links] == ["javascript:"]
    assert any("onerror" in problem for problem in findings.dom_problems)
    assert any("<script>" in problem for problem in findings.dom_problems)
    assert "https://elsewhere.example/pixel.gif" in findings.stray_requests
