"""Commands run in the wrong place say so: outside a site, `fireside inbox` says it found no
site and how to point at one (not "No letters."); `fireside serve` on a busy default port
takes the next free one and says so, and a busy `--port` is an error naming --port.
The real command, real sockets."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import DEFAULT_CONFIG, REPO_ROOT, run_cli, write_tree
from .test_inbox_support import free_port, request, wait_for

SERVE_PORT = 8000  # `fireside serve`'s default, as the README gives it


@pytest.mark.parametrize("words", [("inbox",), ("inbox", "list"), ("inbox", "people"), ("inbox", "show", "abcd")])
def test_inbox_outside_a_site_says_there_is_no_site_and_how_to_point_at_one(
    tmp_path: Path, words: tuple[str, ...]
) -> None:
    done = run_cli(*words, cwd=tmp_path)
    assert done.returncode == 1
    assert "No letters" not in done.stdout
    assert f"error: site.yaml: no site.yaml here ({tmp_path}), so no inbox to read" in done.stderr
    assert "--config path/to/site.yaml" in done.stderr and "--inbox DIR" in done.stderr
    assert not (tmp_path / "inbox").exists()  # nothing made where there was nothing


def test_inside_a_sites_subfolder_it_names_the_site_above(tmp_path: Path) -> None:
    write_tree(tmp_path / "blog", {"site.yaml": DEFAULT_CONFIG, "content/posts/a.md": "# A\n"})
    done = run_cli("inbox", cwd=tmp_path / "blog/content/posts")
    assert done.returncode == 1
    assert f"there is one in {tmp_path / 'blog'}: run this there, or pass --config ../../site.yaml" in done.stderr
    built = run_cli("build", cwd=tmp_path / "blog/content")
    assert built.returncode == 1 and "--config ../site.yaml" in built.stderr
    # Pointing at it works.
    pointed = run_cli("inbox", "--config", "../../site.yaml", cwd=tmp_path / "blog/content/posts")
    assert pointed.returncode == 0 and pointed.stdout.strip() == "No letters."


def test_an_inbox_named_outside_a_site_is_read(tmp_path: Path) -> None:
    (tmp_path / "letters").mkdir()
    done = run_cli("inbox", "--inbox", "letters", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == "No letters."
    here = run_cli("inbox", cwd=tmp_path, env={"FIRESIDE_INBOX_DIR": str(tmp_path / "letters")})
    assert here.returncode == 0 and here.stdout.strip() == "No letters."


@contextlib.contextmanager
def _held(port: int) -> Iterator[bool]:
    """Listen on `port` for the duration (True), or find someone else already does (False)."""
    holder = socket.socket()
    try:
        holder.bind(("127.0.0.1", port))
    except OSError as exc:
        holder.close()
        if exc.errno != errno.EADDRINUSE:
            raise
        yield False  # busy already: just as good
        return
    holder.listen()
    try:
        yield True
    finally:
        holder.close()


def _serve(site: Path, log: Path, *args: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FIRESIDE_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "generator", "serve", *args],
                                cwd=site, env=env, stdout=out, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_serve_on_a_busy_default_port_takes_the_next_free_one_and_says_so(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {"site.yaml": DEFAULT_CONFIG, "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nHi.\n"})
    log = tmp_path / "serve.log"
    with _held(SERVE_PORT):
        process = _serve(site, log)
        try:
            wait_for(lambda: b"Serving" in log.read_bytes() or process.poll() is not None, what="the preview")
            text = log.read_text()
            assert process.poll() is None, text
            said = re.search(rf"Port {SERVE_PORT} is in use, so the preview takes port (\d+)\.", text)
            assert said, text
            serving = re.search(r"Serving http://127\.0\.0\.1:(\d+)/ \(Ctrl-C to stop\)", text)
            assert serving and serving.group(1) == said.group(1)
            port = int(said.group(1))
            assert SERVE_PORT < port < SERVE_PORT + 20
            assert request(port, "GET", "/posts/a/").status == 200
        finally:
            _stop(process)


def test_serve_on_a_busy_port_named_with_port_is_an_error_naming_port(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {"site.yaml": DEFAULT_CONFIG})
    port = free_port()
    with _held(port):
        done = run_cli("serve", "--port", str(port), cwd=site)
    assert done.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}: port {port} is in use; choose a free one with --port" in done.stderr
    assert "Serving" not in done.stdout
