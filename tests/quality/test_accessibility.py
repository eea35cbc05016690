"""axe-core in a real headless Chromium finds no violation on any page type of the sample
site, in the light and the dark color scheme, nor in the letter form's states or on the
receiver's own pages. axe runs with its default rules (WCAG 2.0-2.2 A and AA plus best
practices); nothing is turned off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .browsing import (
    LETTER,
    REFUSED,
    SCHEMES,
    close,
    new_page,
    open_all_details,
    open_receiver_page,
    run_axe,
    send_with_javascript,
)
from .harness import INBOX_PAGES, PUBLISHED_PAGES, TYPICAL_POST, Sample

pytestmark = [pytest.mark.quality, pytest.mark.browser]

PAGES = [("published", name, path) for name, path in PUBLISHED_PAGES] + [
    ("inbox", name, path) for name, path in INBOX_PAGES
]


@pytest.fixture(scope="module")
def tabs(chromium: Any) -> Iterator[dict[str, Any]]:
    """One page per color scheme, reused from test to test (a fresh context per page would
    cost axe's half-second start each time). The receiver's pages forbid every script
    (CSP); axe is let in by bypassing it."""
    pages = {scheme: new_page(chromium, scheme, csp=False) for scheme in SCHEMES}
    yield pages
    for page in pages.values():
        close(page)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("variant", "name", "path"), PAGES, ids=[f"{v}:{n}" for v, n, _ in PAGES])
def test_no_axe_violation_on_any_page_type(tabs: dict[str, Any], axe_source: str, sample: Sample,
                                           scheme: str, variant: str, name: str, path: str) -> None:
    site = sample.published if variant == "published" else sample.inbox
    page = tabs[scheme]
    page.goto(site.url(path))
    open_all_details(page)  # the table of contents, opened: its links are checked too
    assert run_axe(page, axe_source) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_no_axe_violation_in_the_letter_forms_states(tabs: dict[str, Any], axe_source: str, sample: Sample,
                                                      scheme: str) -> None:
    page = tabs[scheme]
    page.goto(sample.inbox.url(TYPICAL_POST))
    assert "too many links" in send_with_javascript(page, REFUSED)
    assert run_axe(page, axe_source) == []  # the error announced, the field marked
    assert "reached me" in send_with_javascript(page, LETTER)
    assert run_axe(page, axe_source) == []  # the thanks announced


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("which", ["refused", "too-large", "landing", "thanks"])
def test_no_axe_violation_on_the_receivers_pages(tabs: dict[str, Any], axe_source: str, sample: Sample,
                                                 scheme: str, which: str) -> None:
    page = tabs[scheme]
    open_receiver_page(page, sample, which)
    assert run_axe(page, axe_source) == []


# axe leaves the contrast of highlighted code undecided where a line scrolls out of its
# box ("partially obscured"), so every token is measured here against the code's background.
CONTRAST = """() => {
    const rgb = s => { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; };
    const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const background = el => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
        if (c[3] > 0) return c; } return [255, 255, 255, 1]; };
    const out = [];
    document.querySelectorAll('pre code, pre code *').forEach(el => {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own) return;
        const r = ratio(rgb(getComputedStyle(el).color), background(el));
        out.push([el.className || el.tagName, el.textContent.trim().slice(0, 30), Math.round(r * 100) / 100]);
    });
    return out;
}"""


@pytest.mark.parametrize("scheme", SCHEMES)
def test_highlighted_code_has_enough_contrast(tabs: dict[str, Any], sample: Sample, scheme: str) -> None:
    page = tabs[scheme]
    page.goto(sample.published.url("/posts/a-small-web-of-my-own/"))
    tokens = page.evaluate(CONTRAST)
    assert len(tokens) > 20
    assert [t for t in tokens if t[2] < 4.5] == []


def test_axe_does_find_violations(tabs: dict[str, Any], axe_source: str, sample: Sample) -> None:
    """The checks above can fail: a page with an unlabelled field and faint text is reported."""
    page = tabs["light"]
    page.goto(sample.published.url("/about/"))
    page.evaluate("""() => { const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<input type="text"><p style="color:#ccc">faint</p>'); }""")
    found = {line.split(" ", 1)[0] for line in run_axe(page, axe_source)}
    assert {"label", "color-contrast"} <= found
