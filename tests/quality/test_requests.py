"""Private and light: a page asks nothing of any origin but the site's own, sets no cookie
and stores nothing, weighs under 50 KB before images, and reads the same without
JavaScript."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from .browsing import LETTER, close, new_page, send_with_javascript
from .harness import INBOX_PAGES, PUBLISHED_PAGES, TYPICAL_POST, Sample, ServedSite

pytestmark = [pytest.mark.quality, pytest.mark.browser]

PAGES = [("published", name, path) for name, path in PUBLISHED_PAGES] + [
    ("inbox", name, path) for name, path in INBOX_PAGES
]
IDS = [f"{v}:{n}" for v, n, _ in PAGES]
BUDGET = 50_000  # bytes on the wire for a page and everything it loads, images aside


def site_of(sample: Sample, variant: str) -> ServedSite:
    return sample.published if variant == "published" else sample.inbox


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


STORAGE = """async () => ({
    cookie: document.cookie,
    local: localStorage.length,
    session: sessionStorage.length,
    workers: navigator.serviceWorker ? (await navigator.serviceWorker.getRegistrations()).length : 0,
})"""


@dataclass
class Visit:
    """What one reader's first visit to a page cost and left behind."""

    requests: list[str] = field(default_factory=list)  # every URL asked for, the letter sent included
    cookies_set: list[str] = field(default_factory=list)  # Set-Cookie headers seen
    sizes: dict[str, int] = field(default_factory=dict)  # path → bytes on the wire, images aside
    cookies: list[Any] = field(default_factory=list)
    stored: dict[str, Any] = field(default_factory=dict)

    @property
    def weight(self) -> int:
        return sum(self.sizes.values())


def unhashed(path: str) -> str:
    """`/css/style.96e27101cb.css` → `/css/style.css`: assets may be fingerprinted."""
    return re.sub(r"\.[0-9a-f]{8,}(\.[a-z]+)$", r"\1", path)


def visit(chromium: Any, url: str) -> Visit:
    """Open `url` in a fresh context (empty cache), scroll to its end so lazy images load, let
    the network rest, and send a letter where there is a form."""
    seen = Visit()
    finished: list[Any] = []
    page = new_page(chromium)
    page.on("request", lambda r: seen.requests.append(r.url))
    page.on("requestfinished", lambda r: finished.append(r))
    page.on("response", lambda r: seen.cookies_set.extend(
        f"{r.url}: {v}" for k, v in r.headers_array() if k.lower() == "set-cookie"))
    try:
        page.goto(url, wait_until="load")
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_load_state("networkidle")
        for request in finished:
            if request.resource_type != "image":
                size = request.sizes()
                seen.sizes[unhashed(urlsplit(request.url).path)] = (
                    size["responseBodySize"] + size["responseHeadersSize"])
        if page.locator("form.reply-form").count():
            assert "reached me" in send_with_javascript(page, LETTER)  # sending asks only the site too
        seen.stored = page.evaluate(STORAGE)
        seen.cookies = page.context.cookies()
    finally:
        close(page)
    return seen


@pytest.fixture(scope="module")
def visits(chromium: Any, sample: Sample) -> dict[str, Visit]:
    return {f"{v}:{n}": visit(chromium, site_of(sample, v).url(p)) for v, n, p in PAGES}


@pytest.mark.parametrize(("variant", "name", "path"), PAGES, ids=IDS)
def test_no_request_elsewhere_no_cookie_nothing_stored(visits: dict[str, Visit], sample: Sample,
                                                       variant: str, name: str, path: str) -> None:
    seen = visits[f"{variant}:{name}"]
    assert len(seen.requests) >= 3  # the page and its two stylesheets at least
    assert [u for u in seen.requests if origin(u) != site_of(sample, variant).origin] == []
    assert (seen.cookies, seen.cookies_set) == ([], [])
    assert seen.stored == {"cookie": "", "local": 0, "session": 0, "workers": 0}


@pytest.mark.parametrize(("variant", "name", "path"), PAGES, ids=IDS)
def test_every_page_weighs_under_50_kb_before_images(visits: dict[str, Visit], variant: str, name: str,
                                                      path: str) -> None:
    seen = visits[f"{variant}:{name}"]
    assert "/css/style.css" in seen.sizes  # measured for real
    assert seen.weight < BUDGET, seen.sizes


def test_the_typical_post_with_its_form_weighs_under_50_kb(visits: dict[str, Visit]) -> None:
    seen = visits["inbox:post-form-letters"]
    assert {"/js/letter.js", "/css/style.css", "/css/highlight.css"} <= set(seen.sizes)
    assert seen.weight < BUDGET, seen.sizes


def css_urls(text: str) -> list[str]:
    return [a or b for a, b in re.findall(r"url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)", text)]


class _Resources(HTMLParser):
    """Every URL in a page that a browser would load by itself (not links a reader follows)."""

    LOADED = frozenset({("img", "src"), ("img", "srcset"), ("source", "src"), ("source", "srcset"), ("script", "src"),
              ("iframe", "src"), ("embed", "src"), ("object", "data"), ("video", "src"), ("video", "poster"),
              ("audio", "src"), ("track", "src"), ("input", "src"), ("image", "href"), ("use", "href"),
              ("form", "action"), ("button", "formaction")})
    LINK_LOADS = frozenset({"stylesheet", "icon", "preload", "prefetch", "modulepreload", "manifest", "preconnect",
                  "dns-prefetch", "apple-touch-icon", "mask-icon"})

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for key, value in values.items():
            if (tag, key) in self.LOADED and key == "srcset":
                self.urls.extend(part.strip().split(" ")[0] for part in value.split(","))
            elif (tag, key) in self.LOADED:
                self.urls.append(value)
            if key == "style":
                self.urls.extend(css_urls(value))
        if tag == "link" and set(values.get("rel", "").lower().split()) & self.LINK_LOADS:
            self.urls.append(values.get("href", ""))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.urls.append(values.get("content", "").partition("url=")[2])

    def handle_data(self, data: str) -> None:
        if self.lasttag == "style":
            self.urls.extend(css_urls(data))


@pytest.mark.parametrize("variant", ["published", "inbox"])
def test_nothing_in_the_output_loads_from_another_origin(sample: Sample, variant: str) -> None:
    """What no visit happened to trigger: every resource any page, stylesheet or script names."""
    site = site_of(sample, variant)
    found = []
    for path in sorted(site.output.rglob("*")):
        rel = path.relative_to(site.output).as_posix()
        page_url = site.url("/" + rel)
        if path.suffix == ".html":
            parser = _Resources()
            parser.feed(path.read_text("utf-8"))
            urls = parser.urls
        elif path.suffix in (".css", ".svg"):
            text = path.read_text("utf-8")
            urls = css_urls(text)
            urls += re.findall(r"(?:href|src)=\"([^\"]+)\"", text) if path.suffix == ".svg" else []
        elif path.suffix == ".js":
            text = path.read_text("utf-8")
            urls = re.findall(r"['\"](https?:)?//[^'\"]+['\"]", text)
            calls = re.findall(r"\b(XMLHttpRequest|sendBeacon|WebSocket|EventSource|importScripts|"
                               r"serviceWorker|document\.cookie|localStorage|sessionStorage|indexedDB)\b", text)
            found += [f"{rel}: uses {c}" for c in calls]
        else:
            continue
        for url in urls:
            if url.startswith(("data:", "#")) or not url.strip():
                continue
            if origin(urljoin(page_url, url)) != site.origin:
                found.append(f"{rel}: {url}")
    assert found == []


READABLE = """() => ({
    text: document.body.innerText.replace(/\\s+/g, ' ').trim(),
    hidden: [...document.querySelectorAll('main *')].filter(el => el.checkVisibility()
        && getComputedStyle(el).opacity === '0' && el.textContent.trim() && !el.matches('.heading-anchor'))
        .map(el => el.tagName),
})"""


@pytest.fixture(scope="module")
def with_and_without_javascript(chromium: Any) -> Iterator[dict[bool, Any]]:
    pages = {javascript: new_page(chromium, javascript=javascript) for javascript in (True, False)}
    yield pages
    for page in pages.values():
        close(page)


@pytest.mark.parametrize(("variant", "name", "path"), PAGES, ids=IDS)
def test_every_page_reads_the_same_without_javascript(with_and_without_javascript: dict[bool, Any],
                                                      sample: Sample, variant: str, name: str, path: str) -> None:
    url = site_of(sample, variant).url(path)
    seen = {}
    for javascript, page in with_and_without_javascript.items():
        page.goto(url)
        seen[javascript] = page.evaluate(READABLE)
    assert seen[False]["text"] == seen[True]["text"]
    assert len(seen[False]["text"]) > 100 and seen[False]["hidden"] == []


def test_the_letter_form_sends_without_javascript(chromium: Any, sample: Sample) -> None:
    page = new_page(chromium, javascript=False)
    try:
        page.goto(sample.inbox.url(TYPICAL_POST))
        for selector, value in LETTER.items():
            page.fill(selector, value)
        with page.expect_navigation():
            page.click("form.reply-form button[type=submit]")
        assert page.url == sample.inbox.url("/thanks/")
        assert page.text_content("h1") == "Thank you for writing"
    finally:
        close(page)
    assert sample.inbox.inbox_dir is not None
    assert any(Path(sample.inbox.inbox_dir).rglob("*.md"))
