"""`fireside serve` answers its own letter forms: the preview shows the form even where
site.yaml names no endpoint, and letters sent from it land in inbox/preview/, apart from
readers' letters. It answers only requests for its own address, and form posts only from
its own pages."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.inbox.store import read_thought

from .conftest import REPO_ROOT, run_cli
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
    # The author's tries go to an inbox of their own, never among readers' letters.
    (path,) = wait_for(lambda: sorted((site.inbox / "preview/new").glob("*.md")), what="the letter stored")
    assert read_thought(path).message == "From the preview"
    assert list((site.inbox / "new").glob("*.md")) == []
    as_json = send(port, letter(post="nope"), path="/__inbox/", json=True)
    assert as_json.status == 400 and as_json.json()["field"] == "post"
    # No pull API on a preview, even with a token in the author's environment.
    assert request(port, "GET", "/__inbox/api/thoughts", headers={"Authorization": "Bearer x"}).status == 403


def test_the_inbox_list_says_where_the_previews_letters_are(preview: tuple[BuiltSite, int]) -> None:
    site, port = preview
    assert send(port, letter(message="A try"), path="/__inbox/").status == 303
    listed = run_cli("inbox", "list", cwd=site.root)
    assert listed.returncode == 0
    assert "No letters." in listed.stdout and "1 letter sent from the preview" in listed.stdout
    assert "inbox/preview list" in listed.stdout
    tries = run_cli("inbox", "--inbox", "inbox/preview", "list", cwd=site.root)
    assert "A try" in tries.stdout


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:{port}", "127.0.0.1.nip.io:{port}"])
def test_a_request_naming_another_host_is_refused(preview: tuple[BuiltSite, int], host: str) -> None:
    # What a page whose name was rebound to 127.0.0.1 sends: its own name in Host.
    _, port = preview
    for path in ("/posts/inch-wide/", "/", "/__fireside/reload.js"):
        refused = request(port, "GET", path, headers={"Host": host.format(port=port)})
        assert refused.status == 403 and "Inch Wide" not in refused.text and "--host" in refused.text
    refused = send(port, letter(), path="/__inbox/", headers={"Host": host.format(port=port)})
    assert refused.status == 403


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LOCALHOST.:{port}", "[::1]:{port}",
                                  "preview.localhost:{port}"])
def test_its_own_names_are_answered(preview: tuple[BuiltSite, int], host: str) -> None:
    _, port = preview
    page = request(port, "GET", "/posts/inch-wide/", headers={"Host": host.format(port=port)})
    assert page.status == 200 and "Inch Wide" in page.text


@pytest.mark.parametrize("headers", [
    {"Origin": "https://attacker.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:1"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_a_form_post_from_another_sites_page_is_refused(preview: tuple[BuiltSite, int],
                                                        headers: dict[str, str]) -> None:
    site, port = preview
    refused = send(port, letter(message="Planted"), path="/__inbox/", headers=headers)
    assert refused.status == 403
    assert not (site.inbox / "preview/new").exists() or list((site.inbox / "preview/new").iterdir()) == []
    assert not (site.inbox / "new").exists() or list((site.inbox / "new").iterdir()) == []


def test_a_form_post_from_its_own_page_is_taken(preview: tuple[BuiltSite, int]) -> None:
    site, port = preview
    own = {"Origin": f"http://127.0.0.1:{port}", "Sec-Fetch-Site": "same-origin"}
    assert send(port, letter(message="Mine"), path="/__inbox/", headers=own).status == 303
    (path,) = wait_for(lambda: sorted((site.inbox / "preview/new").glob("*.md")), what="the letter stored")
    assert read_thought(path).message == "Mine"


def test_an_oversize_body_is_answered_413_not_reset(preview: tuple[BuiltSite, int]) -> None:
    _, port = preview
    body = b"post=inch-wide&message=" + b"x" * (5 * 1024 * 1024)
    statuses = []
    for _ in range(10):
        sent = urllib.request.Request(f"http://127.0.0.1:{port}/__inbox/", data=body, method="POST",
                                      headers={"Content-Type": "application/x-www-form-urlencoded"})
        try:
            urllib.request.urlopen(sent, timeout=20)
            statuses.append(200)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
        except OSError as error:  # a connection reset instead of the answer
            statuses.append(type(error).__name__)
    assert statuses == [413] * 10
