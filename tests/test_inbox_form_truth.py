"""The letter form tells the reader what really happened (issue 14, item 7), in a real Chromium.

The built page is served by a plain static host on 127.0.0.1 while the site's base_url is
https://example.com/blog/, as on a staging host, a `www.` name, http instead of https, or
`public/` opened from any other static server. The receiver runs for real on its own port.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.build import mailto
from generator.inbox.store import read_thought
from generator.inbox.validation import Limits

from . import mail_shapes as shapes
from .conftest import run_cli
from .test_inbox_browser import TYPED, _Quiet, fill
from .test_inbox_support import (
    BuiltSite,
    Receiver,
    embedded,
    free_port,
    letter,
    make_site,
    send,
    settings_for,
    wait_for,
)

pytestmark = pytest.mark.browser

POST = "posts/inch-wide/"


@pytest.fixture
def elsewhere(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, BuiltSite, Receiver]]:
    """The page from a static host's origin; the site built for https://example.com/blog/.

    Yields the page's folder URL on the static host (which serves the output under /blog/).
    """
    host = tmp_path / "host"
    host.mkdir()
    output = tmp_path / "site" / "public"
    output.mkdir(parents=True)
    (host / "blog").symlink_to(output)
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(_Quiet, directory=str(host)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origins = getattr(request, "param", ())
    planned = BuiltSite(tmp_path / "site", output)
    try:
        with embedded(settings_for(planned, limits=Limits(min_seconds=0), allowed_origins=origins)) as receiver:
            site = make_site(planned.root, endpoint=receiver.url)  # base_url: https://example.com/blog/
            yield f"http://127.0.0.1:{server.server_address[1]}/blog/", site, receiver
    finally:
        server.shutdown()
        server.server_close()


def open_page(chromium_browser: Any, url: str) -> tuple[Any, Any]:
    context = chromium_browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10000)
    page.goto(url)
    return context, page


def status_of(page: Any) -> str:
    page.wait_for_selector(".reply-status.is-sent, .reply-status.is-error")
    return page.text_content(".reply-status") or ""


def test_a_page_from_another_origin_is_told_its_letter_arrived(
    chromium_browser: Any, elsewhere: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, _, receiver = elsewhere
    context, page = open_page(chromium_browser, static_url + POST)
    try:
        fill(page)
        page.click("form.reply-form button[type=submit]")
        said = status_of(page)
        assert page.get_attribute(".reply-status", "class") == "reply-status is-sent", said
        assert "Thank you" in said
    finally:
        context.close()
    (path,) = receiver.files()
    assert read_thought(path).message == TYPED


def test_a_letter_whose_answer_was_lost_is_sent_again_and_stored_once(
    chromium_browser: Any, elsewhere: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, _, receiver = elsewhere
    context, page = open_page(chromium_browser, static_url + POST)
    calls: list[str] = []

    def lose_the_first_answer(route: Any) -> None:
        calls.append(route.request.method)
        if len(calls) == 1:
            route.fetch()  # the letter reaches the receiver, which stores it...
            route.abort("connectionreset")  # ...and its answer never reaches the page
        else:
            route.continue_()

    try:
        page.route(receiver.url, lose_the_first_answer)
        fill(page)
        page.click("form.reply-form button[type=submit]")
        said = status_of(page)
        assert "is-error" in (page.get_attribute(".reply-status", "class") or "")
        assert "No answer came" in said and "can’t arrive twice" in said
        assert "couldn’t be sent" not in said  # it was stored: the page must not say otherwise
        assert page.input_value("#reply-message") == TYPED
        assert len(receiver.files()) == 1
        page.click("form.reply-form button[type=submit]")
        page.wait_for_selector(".reply-status.is-sent")
        # A second, different letter is not taken for the first one.
        fill(page, "And one more thing.")
        page.click("form.reply-form button[type=submit]")
        page.wait_for_function("() => document.querySelector('#reply-message').value === ''")
        page.wait_for_selector(".reply-status.is-sent")
    finally:
        context.close()
    assert calls == ["POST", "POST", "POST"]
    messages = sorted(read_thought(path).message for path in wait_for(
        lambda: len(receiver.files()) == 2 and receiver.files(), what="two letters"))
    assert messages == sorted([TYPED, "And one more thing."])


def test_when_the_receiver_is_down_the_letter_is_kept_and_offered_by_email(
    chromium_browser: Any, elsewhere: tuple[str, BuiltSite, Receiver]
) -> None:
    static_url, site, receiver = elsewhere
    receiver.stop()
    context, page = open_page(chromium_browser, static_url + POST)
    try:
        fill(page)  # consent: without my name
        page.click("form.reply-form button[type=submit]")
        said = status_of(page)
        assert "No answer came from the letterbox" in said and "still here" in said
        assert page.input_value("#reply-message") == TYPED
        href = page.get_attribute(".reply-status a.reply-mailto", "href")
        assert page.text_content(".reply-status a.reply-mailto") == "Send it by email instead"
    finally:
        context.close()
    assert href is not None and href.startswith("mailto:%")
    parts = urlsplit(href)
    assert unquote(parts.path) == "maren@example.com"
    query = parse_qs(parts.query)
    assert query["subject"] == ["Re: An Inch Wide and a Mile Deep [inch-wide]"]
    body = query["body"][0].replace("\r\n", "\n")
    assert body.startswith(TYPED + "\n\n")
    assert mailto.about_line("An Inch Wide and a Mile Deep", "https://example.com/blog/" + POST) in body
    assert body.rstrip("\n").endswith(mailto.QUESTION + "\n" + mailto.CONSENT_LABELS["quote-anonymous"])
    assert receiver.files() == []
    # Sent from the reader's mail program, it comes home by `fireside inbox import` as their letter.
    sent = shapes.apple_mail(body, sender=("Ada", "ada@example.org"), subject=query["subject"][0],
                             date=datetime(2026, 11, 26, 12, 0, tzinfo=UTC), message_id="<fallback@example.org>")
    (site.root / "sent.eml").write_bytes(sent.as_bytes())
    done = run_cli("inbox", "import", "sent.eml", cwd=site.root)
    assert done.returncode == 0 and "1 new letter" in done.stdout, done.stderr
    (path,) = receiver.files()
    letter = read_thought(path)
    assert (letter.post, letter.consent, letter.message) == ("inch-wide", "quote-anonymous", TYPED + "\n")


@pytest.mark.parametrize("elsewhere", [("https://example.com",)], indirect=True)
def test_a_refused_origin_is_told_so_and_logged(
    chromium_browser: Any, elsewhere: tuple[str, BuiltSite, Receiver], caplog: pytest.LogCaptureFixture
) -> None:
    static_url, _, receiver = elsewhere
    caplog.set_level(logging.INFO, logger="generator.inbox")
    context, page = open_page(chromium_browser, static_url + POST)
    try:
        fill(page)
        page.click("form.reply-form button[type=submit]")
        said = status_of(page)
        assert "only takes letters from its own site" in said
        assert page.get_attribute(".reply-status a.reply-mailto", "href", timeout=1000).startswith("mailto:%")
    finally:
        context.close()
    assert receiver.files() == []
    refused = [r for r in caplog.records if "refused a letter from origin" in r.getMessage()]
    assert refused and refused[0].levelno == logging.WARNING
    assert urlsplit(static_url)._replace(path="").geturl() in refused[0].getMessage()


def test_the_same_key_twice_stores_one_letter_and_the_error_page_keeps_the_key(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with embedded(settings_for(site)) as receiver:
        key = "0123456789abcdef0123456789abcdef"
        first = send(receiver.port, letter(key=key), json=True)
        again = send(receiver.port, letter(key=key), json=True)
        assert first.json()["ok"] is True and again.json()["ok"] is True
        assert len(receiver.files()) == 1
        other = send(receiver.port, letter(key="f" * 32, message="Another letter."), json=True)
        assert other.json()["ok"] is True and len(receiver.files()) == 2
        refused = send(receiver.port, letter(key="a" * 32, email="not an address"))
        assert refused.status == 400
        assert f'<input type="hidden" name="key" value="{"a" * 32}">' in refused.text
        odd = send(receiver.port, letter(key='"><script>', email="not an address"))
        assert 'name="key"' not in odd.text  # only keys letter.js could have made go back
