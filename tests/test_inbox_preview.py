"""`fireside serve` answers its own letter forms: the preview shows the form even where
site.yaml names no endpoint, and letters sent from it land in the site's inbox."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.inbox.store import read_thought

from .conftest import REPO_ROOT
from .test_inbox_support import BuiltSite, free_port, letter, make_site, request, send, wait_for


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[BuiltSite, int]]:
    site = make_site(tmp_path / "site")  # no inbox endpoint in site.yaml
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIRESIDE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--port", str(port)],
                                   cwd=site.root, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: b"Serving" in log.read_bytes() or process.poll() is not None, what="the preview")
        assert process.poll() is None, log.read_text()
        yield site, port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_the_preview_shows_the_form_and_takes_its_letters(preview: tuple[BuiltSite, int]) -> None:
    site, port = preview
    page = request(port, "GET", "/posts/inch-wide/")
    assert page.status == 200
    assert 'action="/__inbox/"' in page.text and "Reply by email" not in page.text
    assert '<script src="/js/letter.js" defer>' in page.text
    reply = send(port, letter(message="From the preview"), path="/__inbox/")
    assert reply.status == 303
    assert reply.headers["location"] == f"http://127.0.0.1:{port}/thanks/"
    assert request(port, "GET", "/thanks/").status == 200
    (path,) = wait_for(lambda: sorted((site.inbox / "new").glob("*.md")), what="the letter stored")
    assert read_thought(path).message == "From the preview"
    as_json = send(port, letter(post="nope"), path="/__inbox/", json=True)
    assert as_json.status == 400 and as_json.json()["field"] == "post"
    # No pull API on a preview, even with a token in the author's environment.
    assert request(port, "GET", "/__inbox/api/thoughts", headers={"Authorization": "Bearer x"}).status == 403
