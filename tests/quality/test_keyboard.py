"""A reader with a keyboard alone: every control is reached with Tab, in the order of the
page, and shows where the focus is; the skip link and the table of contents work; the
letter form is labelled, and its errors are announced where a screen reader hears them."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from .browsing import LETTER, REFUSED, SCHEMES, close, fill, new_page, open_all_details, open_receiver_page
from .harness import INBOX_PAGES, PUBLISHED_PAGES, TYPICAL_POST, Sample

pytestmark = [pytest.mark.quality, pytest.mark.browser]

PAGES = [("published", name, path) for name, path in PUBLISHED_PAGES] + [
    ("inbox", name, path) for name, path in INBOX_PAGES
]

# Every element a keyboard could reach, numbered in document order. `expected`: shown, not
# disabled, not taken out of the tab order; of a radio group only the checked one is in it
# (arrow keys move within the group).
CONTROLS = """() => {
    const sel = 'a[href], area[href], button, input, select, textarea, summary, iframe, [tabindex], '
              + '[contenteditable=""], [contenteditable="true"], audio[controls], video[controls]';
    return [...document.querySelectorAll(sel)].map((el, i) => {
        el.dataset.kb = String(i);
        const tabindex = el.getAttribute('tabindex');
        const shown = el.checkVisibility({visibilityProperty: true}) && el.getClientRects().length > 0;
        const removed = (tabindex !== null && Number(tabindex) < 0) || el.disabled || el.type === 'hidden'
            || !!el.closest('[inert]') || (el.tagName === 'SUMMARY' && el.parentElement.tagName !== 'DETAILS');
        const otherRadio = el.type === 'radio' && !el.checked
            && !!document.querySelector(`input[type=radio][name="${el.name}"]:checked`);
        return {kb: i, tag: el.tagName.toLowerCase(), tabindex, expected: shown && !removed && !otherRadio,
                text: (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '').trim().slice(0, 50)};
    });
}"""

# How the focused element shows its focus: an outline (or box-shadow) at least 2 px wide
# whose colour stands out 3:1 from what it is drawn on (WCAG 2.2, 1.4.11 and 2.4.13), the
# element inside the viewport and not faded out.
FOCUS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    const rgb = s => { const m = (s.match(/[\\d.]+/g) || ['0', '0', '0', '0']).map(Number);
        return m.length > 3 ? m : [...m, 1]; };
    const lum = c => { const [r, g, b] = c.slice(0, 3).map(v => { v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const behind = node => { for (; node; node = node.parentElement) {
        const c = rgb(getComputedStyle(node).backgroundColor); if (c[3] > 0) return c; } return [255, 255, 255, 1]; };
    const cs = getComputedStyle(el);
    let opacity = 1;
    for (let n = el; n; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity);
    const r = el.getBoundingClientRect();
    const outline = cs.outlineStyle !== 'none' ? parseFloat(cs.outlineWidth) : 0;
    const offset = parseFloat(cs.outlineOffset) || 0;
    // The outline is drawn outside the element when offset, so on the parent's background.
    const ground = behind(offset > 0 ? el.parentElement : el);
    return {
        kb: el.dataset.kb ?? null, tag: el.tagName.toLowerCase(),
        text: (el.getAttribute('aria-label') || el.textContent || el.name || el.id || '').trim().slice(0, 50),
        outline, contrast: outline ? Math.round(ratio(rgb(cs.outlineColor), ground) * 100) / 100 : 0,
        shadow: cs.boxShadow !== 'none', opacity,
        inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth,
        focusVisible: el.matches(':focus-visible'),
        box: [r.x + scrollX, r.y + scrollY, r.width, r.height],
    };
}"""


@pytest.fixture(scope="module")
def tabs(chromium: Any) -> Iterator[dict[str, Any]]:
    # A laptop's window: axe and the other checks see the phone layout.
    pages = {scheme: new_page(chromium, scheme, csp=False, width=1280, height=800) for scheme in SCHEMES}
    yield pages
    for page in pages.values():
        close(page)


def tab_through(page: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Press Tab from the top of the page until focus leaves it: (controls, focus at each stop)."""
    controls = page.evaluate(CONTROLS)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    stops: list[dict[str, Any]] = []
    for _ in range(len(controls) + 5):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS)
        if state is None or (stops and state["kb"] == stops[0]["kb"]):
            break
        stops.append(state)
    return controls, stops


def focus_problems(stops: list[dict[str, Any]]) -> list[str]:
    problems = []
    for s in stops:
        name = f"<{s['tag']}> {s['text']!r}"
        if not s["focusVisible"]:
            problems.append(f"{name}: not :focus-visible after Tab")
        if not s["inView"]:
            problems.append(f"{name}: focused outside the viewport")
        if s["opacity"] < 0.9:
            problems.append(f"{name}: faded out while focused (opacity {s['opacity']})")
        if not s["shadow"] and (s["outline"] < 2 or s["contrast"] < 3):
            problems.append(f"{name}: focus outline {s['outline']}px at contrast {s['contrast']}:1")
    return problems


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize(("variant", "name", "path"), PAGES, ids=[f"{v}:{n}" for v, n, _ in PAGES])
def test_every_control_is_reached_with_tab_and_shows_its_focus(
    tabs: dict[str, Any], sample: Sample, scheme: str, variant: str, name: str, path: str
) -> None:
    site = sample.published if variant == "published" else sample.inbox
    page = tabs[scheme]
    page.goto(site.url(path))
    open_all_details(page)  # opening them from the keyboard is checked below
    controls, stops = tab_through(page)
    expected = [c for c in controls if c["expected"]]
    reached = [s["kb"] for s in stops]
    assert len(expected) >= 7  # skip link, home, the menu, the feed at least
    assert [f"<{c['tag']}> {c['text']!r}" for c in expected if str(c["kb"]) not in reached] == []
    # Tab order is the order of the page: nothing jumps ahead with a positive tabindex.
    assert reached == [str(c["kb"]) for c in expected]
    assert [c for c in controls if c["tabindex"] and int(c["tabindex"]) > 0] == []
    assert focus_problems(stops) == []


@pytest.mark.parametrize("which", ["refused", "too-large"])
def test_the_receivers_error_pages_work_from_the_keyboard(tabs: dict[str, Any], sample: Sample,
                                                          which: str) -> None:
    page = tabs["light"]
    open_receiver_page(page, sample, which)
    controls, stops = tab_through(page)
    expected = [str(c["kb"]) for c in controls if c["expected"]]
    assert [s["kb"] for s in stops] == expected
    if which == "refused":  # the letter kept in a form to send again
        assert len(expected) >= 6  # name, email, letter, consent, send, back to the post
    # The receiver's own page has its own stylesheet: the browser's focus ring is enough there,
    # but it must be shown.
    assert [s for s in stops if not (s["focusVisible"] and s["inView"] and s["opacity"] >= 0.9)] == []


def region_png(page: Any, box: list[float]) -> bytes:
    x, y, w, h = box
    pad = 8
    clip = {"x": max(0, x - pad), "y": max(0, y - pad), "width": w + 2 * pad, "height": h + 2 * pad}
    return page.screenshot(clip=clip, full_page=True, animations="disabled", caret="hide")


# Compares two PNGs of one size in a blank page's canvas: the pixels whose colour moved by
# more than 40 in any channel.
DIFF = """async ([a, b]) => {
    const load = src => new Promise((ok, fail) => { const i = new Image(); i.onload = () => ok(i);
        i.onerror = fail; i.src = 'data:image/png;base64,' + src; });
    const [x, y] = await Promise.all([load(a), load(b)]);
    if (x.width !== y.width || x.height !== y.height) return x.width * x.height;
    const pixels = img => { const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0); return g.getImageData(0, 0, c.width, c.height).data; };
    const [p, q] = [pixels(x), pixels(y)];
    let changed = 0;
    for (let i = 0; i < p.length; i += 4) {
        if (Math.max(Math.abs(p[i] - q[i]), Math.abs(p[i + 1] - q[i + 1]), Math.abs(p[i + 2] - q[i + 2])) > 40) changed++;
    }
    return changed;
}"""


def changed_pixels(scratch: Any, a: bytes, b: bytes) -> int:
    return int(scratch.evaluate(DIFF, [base64.b64encode(a).decode(), base64.b64encode(b).decode()]))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_focus_is_visible_on_screen(tabs: dict[str, Any], sample: Sample, scheme: str) -> None:
    """Pixels, not styles: the area around each control looks clearly different focused."""
    page = tabs[scheme]
    page.goto(sample.inbox.url(TYPICAL_POST))
    open_all_details(page)
    _, stops = tab_through(page)
    focused = {}
    # A fresh page, nothing focused: tab_through may end with focus back on the first stop, and
    # Chromium starts the next Tab from there even after blur().
    page.goto(sample.inbox.url(TYPICAL_POST))
    open_all_details(page)
    page.evaluate(CONTROLS)  # the same numbering
    for stop in stops:
        page.keyboard.press("Tab")
        assert page.evaluate(FOCUS)["kb"] == stop["kb"]
        focused[stop["kb"]] = region_png(page, stop["box"])
    page.goto(sample.inbox.url(TYPICAL_POST))
    open_all_details(page)
    page.evaluate(CONTROLS)  # same numbering, nothing focused
    faint = []
    scratch = page.context.new_page()
    for stop in stops:
        if stop["text"] == "Skip to content":
            continue  # off screen until focused: checked above to be in view when focused
        before = region_png(page, stop["box"])
        if changed_pixels(scratch, before, focused[stop["kb"]]) < 2 * (stop["box"][2] + stop["box"][3]):
            faint.append(f"<{stop['tag']}> {stop['text']!r}")
    scratch.close()
    assert faint == []


def test_skip_link_is_first_and_moves_focus_to_the_content(tabs: dict[str, Any], sample: Sample) -> None:
    page = tabs["light"]
    page.goto(sample.published.url(TYPICAL_POST))
    page.keyboard.press("Tab")
    state = page.evaluate(FOCUS)
    assert state["text"] == "Skip to content" and state["inView"]
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    inside = page.evaluate("() => !!document.activeElement.closest('main') && "
                           "!document.activeElement.closest('.site-header')")
    assert inside


def test_contents_open_from_the_keyboard(tabs: dict[str, Any], sample: Sample) -> None:
    page = tabs["light"]
    page.goto(sample.published.url(TYPICAL_POST))
    page.focus("details.toc summary")
    for key, is_open in (("Enter", True), (" ", False), (" ", True)):
        page.keyboard.press(key)
        assert page.evaluate("() => document.querySelector('details.toc').open") is is_open
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('nav[aria-label=Contents]')")


def test_the_letter_form_is_labelled(tabs: dict[str, Any], sample: Sample) -> None:
    page = tabs["light"]
    page.goto(sample.inbox.url(TYPICAL_POST))
    form = page.locator("form.reply-form")
    for role, name, selector in (
        ("textbox", "Your name (optional)", "#reply-name"),
        ("textbox", "Your email (so I can write back; never shown)", "#reply-email"),
        ("textbox", "Your letter", "#reply-message"),
        ("radio", "Keep it between us", "#consent-private"),
        ("radio", "You may quote me with my name", "#consent-named"),
        ("radio", "You may quote me without my name", "#consent-anonymous"),
        ("button", "Send", "button[type=submit]"),
    ):
        found = form.get_by_role(role, name=name, exact=True)
        assert found.count() == 1, name
        assert found.evaluate("(el, sel) => el.matches(sel)", selector), name
    assert form.get_by_role("group", name="If I’d like to quote your letter").count() == 1
    # The honeypot is neither heard nor reached.
    assert form.get_by_role("textbox").count() == 3
    # Radios move with the arrow keys, as a group.
    page.focus("#consent-private")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.id") == "consent-named"
    assert page.is_checked("#consent-named")


def test_a_missing_field_is_reported_by_the_browser_before_sending(tabs: dict[str, Any], sample: Sample) -> None:
    page = tabs["light"]
    page.goto(sample.inbox.url(TYPICAL_POST))
    page.focus("#reply-name")
    page.keyboard.type("Ada")
    page.focus("form.reply-form button[type=submit]")
    page.keyboard.press("Enter")
    # Nothing sent; focus on the first field that needs the reader, which says why.
    assert page.url == sample.inbox.url(TYPICAL_POST)
    assert page.evaluate("() => document.activeElement.id") == "reply-email"
    assert page.evaluate("() => document.activeElement.validationMessage")
    assert page.text_content(".reply-status") == ""


def test_an_error_from_the_letterbox_is_announced_and_marks_the_field(tabs: dict[str, Any],
                                                                      sample: Sample) -> None:
    page = tabs["light"]
    page.goto(sample.inbox.url(TYPICAL_POST))
    status = page.locator("form.reply-form .reply-status")
    # The live region is in the page, rendered and empty, before anything is said into it:
    # only then do screen readers announce what fills it.
    assert status.get_attribute("aria-live") == "polite" and status.text_content() == ""
    assert status.evaluate("el => getComputedStyle(el).display !== 'none' && getComputedStyle(el).visibility === 'visible'")
    fill(page, REFUSED)
    page.focus("form.reply-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.reply-status').textContent.includes('links')")
    said = status.text_content() or ""
    assert "too many links" in said and "still here" in said
    # Focus goes to the field at fault, which is marked invalid and described by the error,
    # so the reader hears the problem again where they fix it.
    field = page.locator("#reply-message")
    assert page.evaluate("() => document.activeElement.id") == "reply-message"
    assert field.get_attribute("aria-invalid") == "true"
    described = (field.get_attribute("aria-describedby") or "").split()
    assert status.get_attribute("id") in described
    assert field.input_value() == REFUSED["#reply-message"]  # the letter is kept
    # Fixed and sent: the mark goes, the thanks is announced.
    field.fill(LETTER["#reply-message"])
    page.focus("form.reply-form button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.reply-status').classList.contains('is-sent')")
    assert "reached me" in (status.text_content() or "")
    assert field.get_attribute("aria-invalid") is None
    assert field.get_attribute("aria-describedby") is None
