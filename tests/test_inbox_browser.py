"""A real headless Chromium sends the letter form of a built post page, with and without
JavaScript, to a real receiver on another port; the letter must land as a file."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from generator.inbox.store import read_thought
from generator.inbox.validation import Limits

from .test_inbox_support import BuiltSite, Receiver, embedded, free_port, make_site, settings_for, wait_for

pytestmark = pytest.mark.browser

TYPED = "Dear Maren,\nyour essay <b>stayed</b> with me.\n\n— Ada"




class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def static_host(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Any static host: serves the built output folder as files."""
    output = tmp_path / "site" / "public"
    output.mkdir(parents=True)
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(_Quiet, directory=str(output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", output
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site_and_receiver(request: pytest.FixtureRequest, static_host: tuple[str, Path],
                      tmp_path: Path) -> Iterator[tuple[str, BuiltSite, Receiver]]:
    static_url, _ = static_host
    limits = getattr(request, "param", Limits(min_seconds=0))
    planned = BuiltSite(tmp_path / "site", tmp_path / "site" / "public")  # where make_site will build
    with embedded(settings_for(planned, limits=limits)) as receiver:
        # Built once the receiver has its port: the site's forms post to it, across origins.
        site = make_site(planned.root, base_url=static_url, endpoint=receiver.url)
        yield static_url, site, receiver


def fill(page: Any, message: str = TYPED) -> None:
    page.fill("#reply-name", "Ada")
    page.fill("#reply-email", "ada@example.org")
    page.fill("#reply-message", message)
    page.check("#consent-anonymous")


def record_requests(page: Any) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


def test_without_javascript_the_form_posts_and_lands_on_the_thank_you_page(
    chromium_browser: Any, site_and_receiver: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, _, receiver = site_and_receiver
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(static_url + "posts/inch-wide/")
        fill(page)
        with page.expect_navigation():
            page.click("form.reply-form button[type=submit]")
        assert page.url == static_url + "thanks/"
        assert page.text_content("h1") == "Thank you for writing"
    finally:
        context.close()
    (path,) = receiver.files()
    stored = read_thought(path)
    assert stored.message == TYPED and stored.consent == "quote-anonymous" and stored.post == "inch-wide"
    assert (stored.name, stored.email) == ("Ada", "ada@example.org")


def test_without_javascript_an_error_page_keeps_the_letter_and_sends_it_again(
    chromium_browser: Any, site_and_receiver: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, _, receiver = site_and_receiver
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(static_url + "posts/inch-wide/")
        fill(page)
        page.fill("#reply-email", "ada at example dot org")
        page.eval_on_selector("form.reply-form", "f => f.noValidate = true")  # as an old browser would
        with page.expect_navigation():
            page.click("form.reply-form button[type=submit]")
        assert page.url == receiver.url
        assert "doesn’t look like an email address" in page.text_content(".problems")
        assert page.input_value("#message") == TYPED  # nothing lost, and shown as text
        assert page.locator("#message b").count() == 0
        assert page.is_checked("#c-quote-anonymous")
        assert page.get_attribute("a[href$='#write']", "href") == static_url + "posts/inch-wide/#write"
        assert receiver.files() == []
        page.fill("#email", "ada@example.org")
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert page.url == static_url + "thanks/"  # the redirect to the site is allowed by the page's CSP
    finally:
        context.close()
    (path,) = receiver.files()
    assert read_thought(path).message == TYPED


def test_with_javascript_the_letter_is_sent_in_place(
    chromium_browser: Any, site_and_receiver: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, _, receiver = site_and_receiver
    context = chromium_browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10000)
    seen = record_requests(page)
    try:
        page.goto(static_url + "posts/inch-wide/")
        fill(page)
        page.click("form.reply-form button[type=submit]")
        page.wait_for_selector(".reply-status.is-sent")
        assert "Thank you" in page.text_content(".reply-status")
        assert page.get_attribute(".reply-status", "aria-live") == "polite"
        assert page.url == static_url + "posts/inch-wide/"  # never left the post
        assert page.input_value("#reply-message") == ""
    finally:
        context.close()
    (path,) = wait_for(receiver.files, what="the letter stored")
    assert read_thought(path).message == TYPED
    assert all(url.startswith((static_url, receiver.url)) for url in seen), seen  # nothing third-party


@pytest.mark.parametrize("site_and_receiver", [Limits(min_seconds=0, max_links=0)], indirect=True)
def test_with_javascript_an_error_is_announced_and_the_text_kept(
    chromium_browser: Any, site_and_receiver: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, _, receiver = site_and_receiver
    context = chromium_browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10000)
    message = "Have you read https://example.net/essay ?"
    try:
        page.goto(static_url + "posts/inch-wide/")
        fill(page, message)
        page.click("form.reply-form button[type=submit]")
        page.wait_for_selector(".reply-status.is-error")
        assert "too many links" in page.text_content(".reply-status")
        assert page.input_value("#reply-message") == message
        assert page.evaluate("document.activeElement.id") == "reply-message"
        assert not page.is_disabled("form.reply-form button[type=submit]")
    finally:
        context.close()
    assert receiver.files() == [] and receiver.files("spam") == []


@pytest.mark.parametrize("site_and_receiver", [Limits(min_seconds=3600)], indirect=True)
def test_with_javascript_a_too_quick_letter_looks_sent_but_is_filed_as_spam(
    chromium_browser: Any, site_and_receiver: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, _, receiver = site_and_receiver
    context = chromium_browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        page.goto(static_url + "posts/inch-wide/")
        fill(page)
        page.click("form.reply-form button[type=submit]")
        page.wait_for_selector(".reply-status.is-sent")
    finally:
        context.close()
    assert receiver.files() == []
    (path,) = receiver.files("spam")
    assert read_thought(path).spam_reason == "too-fast"
