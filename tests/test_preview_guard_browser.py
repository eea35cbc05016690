"""A real headless Chromium attacks `fireside serve` as a web page the author visits would:
by DNS rebinding (its name resolved to 127.0.0.1: here Chromium's own host mapping) and
by posting a form to the preview's inbox from another origin. Neither gets through."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM, require_chromium
from .test_inbox_preview import preview  # noqa: F401 (a fixture)
from .test_inbox_support import BuiltSite, free_port

pytestmark = pytest.mark.browser

ATTACK_FORM = """<!doctype html><html lang="en"><title>Free recipes</title>
<form method="post" action="http://127.0.0.1:{port}/__inbox/">
<input name="post" value="inch-wide"><input name="email" value="planted@attacker.example">
<input name="message" value="Planted by another site"><input name="consent" value="private">
</form><script>document.forms[0].submit()</script></html>"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # attacker.test resolves to this machine, as a rebound name would.
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--host-resolver-rules=MAP attacker.test 127.0.0.1"])
        yield launched
        launched.close()


@pytest.fixture
def attacker_site(tmp_path: Path, preview: tuple[BuiltSite, int]) -> Iterator[str]:  # noqa: F811
    folder = tmp_path / "attacker"
    folder.mkdir()
    (folder / "index.html").write_text(ATTACK_FORM.format(port=preview[1]), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://attacker.test:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_a_rebound_name_cannot_read_the_preview(browser: Any, preview: tuple[BuiltSite, int]) -> None:  # noqa: F811
    _, port = preview
    page = browser.new_page()
    answer = page.goto(f"http://attacker.test:{port}/posts/inch-wide/")
    assert answer is not None and answer.status == 403
    assert "Inch Wide" not in page.content()
    own = page.goto(f"http://127.0.0.1:{port}/posts/inch-wide/")
    assert own is not None and own.status == 200 and "Inch Wide" in page.content()


def test_another_sites_page_cannot_post_into_the_inbox(browser: Any, preview: tuple[BuiltSite, int],  # noqa: F811
                                                       attacker_site: str) -> None:
    site, port = preview
    page = browser.new_page()
    with page.expect_navigation(url=f"http://127.0.0.1:{port}/__inbox/"):
        page.goto(attacker_site)
    assert "only from its own pages" in page.content()
    stored = [p for folder in ("new", "preview/new", "preview/spam") for p in (site.inbox / folder).glob("*.md")]
    assert stored == []
