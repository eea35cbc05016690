"""Browser steps the quality tests share (no tests here): axe, and reaching the form's states
and the receiver's pages the way a reader does."""

from __future__ import annotations

from typing import Any

from .harness import INBOX_PREFIX, TYPICAL_POST, Sample

SCHEMES = ("light", "dark")

# A letter every browser lets through, which the receiver refuses (too many links): the
# error comes back from the server, as it would for a real reader.
LINKS = " ".join(f"https://example.org/{n}" for n in range(6))
LETTER = {"#reply-name": "Ada", "#reply-email": "ada@example.org",
          "#reply-message": "Dear Maren,\nyour essay stayed with me.\n— Ada"}
REFUSED = {**LETTER, "#reply-message": "Dear Maren, some reading: " + LINKS}


def new_page(chromium: Any, scheme: str = "light", *, javascript: bool = True, csp: bool = True,
             width: int = 412, height: int = 823) -> Any:
    """A page in a fresh context (a phone-sized viewport by default); close its context after."""
    context = chromium.new_context(color_scheme=scheme, java_script_enabled=javascript, bypass_csp=not csp,
                                   viewport={"width": width, "height": height}, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def close(page: Any) -> None:
    page.context.close()


def open_all_details(page: Any) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")


def run_axe(page: Any, axe_source: str) -> list[str]:
    """axe-core's violations on the page as it is now, one readable line per node."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=axe_source)
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.flatMap(v => v.nodes.map(n =>
                `${v.id} (${v.impact}): ${n.target.join(' ')}: ${n.failureSummary.replace(/\\s+/g, ' ')}`));
        }"""
    )
    return list(violations)


def fill(page: Any, values: dict[str, str]) -> None:
    for selector, value in values.items():
        page.fill(selector, value)


def send_with_javascript(page: Any, values: dict[str, str]) -> str:
    """Fill the form, send it with letter.js, and return the text it announced."""
    fill(page, values)
    page.click("form.reply-form button[type=submit]")
    page.wait_for_function(
        "() => /is-(sent|error)/.test(document.querySelector('.reply-status').className)")
    return page.text_content(".reply-status") or ""


def open_receiver_page(page: Any, sample: Sample, which: str) -> None:
    """Bring `page` to one of the receiver's own pages as a reader without JavaScript would.

    "refused": the form sent with an address the receiver refuses (the error page, the
    letter kept); "too-large": a letter over the request size limit; "landing", "thanks":
    the receiver's plain pages.
    """
    if which in ("landing", "thanks"):
        page.goto(sample.inbox.url(INBOX_PREFIX + ("thanks" if which == "thanks" else "")))
        return
    page.goto(sample.inbox.url(TYPICAL_POST))
    fill(page, {**LETTER, "#reply-email": "ada at example dot org"} if which == "refused"
         else {**LETTER, "#reply-message": "x" * 70_000})
    # form.submit() sends the form as a browser without JavaScript would: no submit event,
    # so letter.js stays out of it, and no constraint validation.
    with page.expect_navigation():
        page.evaluate("() => document.querySelector('form.reply-form').submit()")
