"""The receiver reads the published site's manifest from its URL (FIRESIDE_MANIFEST=https://...),
re-read when a deploy changes it: a real `fireside inbox serve` and a real static host."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from .conftest import run_cli, write_tree
from .test_inbox_support import (
    BuiltSite,
    free_port,
    letter,
    make_site,
    rebuild,
    send,
    start_process,
    wait_for,
)


class _Recording(SimpleHTTPRequestHandler):
    asked: list[dict[str, str]]

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.asked.append(dict(self.headers))
        super().do_GET()


@pytest.fixture
def published(tmp_path: Path) -> Iterator[tuple[BuiltSite, str, list[dict[str, str]], ThreadingHTTPServer]]:
    site = make_site(tmp_path / "site")
    asked: list[dict[str, str]] = []
    handler = type("Handler", (_Recording,), {"asked": asked})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), functools.partial(handler, directory=str(site.output)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/fireside-manifest.json"
    try:
        yield site, url, asked, server
    finally:
        server.shutdown()
        server.server_close()


def test_the_receiver_reads_the_manifest_from_the_published_site(
    published: tuple[BuiltSite, str, list[dict[str, str]], ThreadingHTTPServer], tmp_path: Path
) -> None:
    site, url, asked, server = published
    elsewhere = tmp_path / "receiver"  # another machine: no site, no output folder, only the URL
    elsewhere.mkdir()
    receiver = start_process("embedded", site, elsewhere, FIRESIDE_MANIFEST=url, FIRESIDE_MANIFEST_REFRESH="0")
    try:
        assert send(receiver.port, letter(), json=True).json()["ok"] is True
        refused = send(receiver.port, letter(post="fresh", email="b@example.com"), json=True)
        assert refused.status == 400 and refused.json()["field"] == "post"
        # A deploy: a new post, the site built again where the host serves it from, within
        # the same second as the last (its Last-Modified is the same: only a validator that
        # can tell them apart sees it).
        manifest = site.output / "fireside-manifest.json"
        first = manifest.stat()
        write_tree(site.root, {"content/posts/fresh.md": "---\ntitle: Fresh\ndate: 2026-10-10\n---\nNew.\n"})
        rebuild(site.root)
        os.utime(manifest, ns=(first.st_atime_ns, first.st_mtime_ns))
        taken = wait_for(lambda: send(receiver.port, letter(post="fresh", email="c@example.com"),
                                      json=True).status == 200, what="the new post known")
        assert taken
        # Once the manifest's time is old enough to tell versions apart, it is sent back, and
        # an unchanged manifest costs a 304, not the file.
        os.utime(manifest, ns=(first.st_atime_ns, first.st_mtime_ns - 10**10))
        send(receiver.port, letter(email="e@example.com"), json=True)
        send(receiver.port, letter(email="f@example.com"), json=True)
        assert any("If-Modified-Since" in headers for headers in asked)
        server.shutdown()  # the site can't be reached: the last manifest read is kept
        assert send(receiver.port, letter(email="d@example.com"), json=True).json()["ok"] is True
    finally:
        receiver.stop()
    assert len(receiver.files()) == 5
    log = receiver.log.read_text() if receiver.log else ""
    assert "cannot read the posts manifest" in log and "the last one read is kept" in log


def test_a_manifest_url_must_be_https_except_on_this_machine(tmp_path: Path) -> None:
    done = run_cli("inbox", "serve", "--manifest", "http://example.com/fireside-manifest.json", cwd=tmp_path,
                   env={"FIRESIDE_INBOX_DIR": str(tmp_path / "inbox")})
    assert done.returncode == 1 and "must be an https URL" in done.stderr
