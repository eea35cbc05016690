"""Getting letters home: the pull API's token, and `fireside inbox pull` for real."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.inbox.pull import PullError, api_base, pull
from generator.inbox.store import InboxStore, read_thought

from .conftest import run_cli
from .test_inbox_support import TOKEN, Receiver, embedded, letter, make_site, request, send, settings_for


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[Receiver]:
    site = make_site(tmp_path / "server")
    with embedded(settings_for(site, inbox_dir=tmp_path / "server-inbox")) as running:
        yield running


def test_the_api_wants_the_right_token(receiver: Receiver) -> None:
    none = request(receiver.port, "GET", "/api/thoughts")
    assert none.status == 401 and none.headers["www-authenticate"].startswith("Bearer")
    wrong = request(receiver.port, "GET", "/api/thoughts", headers={"Authorization": "Bearer " + "x" * 26})
    assert wrong.status == 403
    almost = request(receiver.port, "GET", "/api/thoughts", headers={"Authorization": "Bearer " + TOKEN[:-1]})
    assert almost.status == 403
    right = request(receiver.port, "GET", "/api/thoughts", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status == 200 and right.json() == {"thoughts": []}
    for path in ("/api/thoughts/new/20261126-120000-0123abcd", "/api/thoughts/cur/x"):
        assert request(receiver.port, "DELETE", path).status == 401


def test_without_a_token_on_the_receiver_nobody_pulls(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with embedded(settings_for(site, token="")) as running:
        assert request(running.port, "GET", "/api/thoughts", headers={"Authorization": "Bearer "}).status == 401
        assert request(running.port, "GET", "/api/thoughts",
                       headers={"Authorization": f"Bearer {TOKEN}"}).status == 403


def test_pull_with_no_wrong_and_right_token(receiver: Receiver, tmp_path: Path) -> None:
    assert send(receiver.port, letter(email="one@example.com", message="First")).status == 303
    assert send(receiver.port, letter(email="two@example.com", message="Second")).status == 303
    assert send(receiver.port, letter(website="spam!", message="Buy")).status == 303
    local = InboxStore(tmp_path / "home")
    on_server = sorted(p.name for p in receiver.inbox.rglob("*.md"))

    with pytest.raises(PullError, match="no token"):
        pull(receiver.url, "", local)
    with pytest.raises(PullError, match="403"):
        pull(receiver.url, "not-the-token-at-all", local)
    assert sorted(p.name for p in receiver.inbox.rglob("*.md")) == on_server
    assert not (tmp_path / "home").exists() or list((tmp_path / "home").rglob("*.md")) == []

    done = pull(receiver.url, TOKEN, local)
    assert len(done.fetched) == 3 and done.spam == 1
    assert list(receiver.inbox.rglob("*.md")) == []  # dropped only after they were home
    home = sorted(p.name for p in (tmp_path / "home").rglob("*.md"))
    assert home == on_server
    messages = sorted(read_thought(p).message for p in (tmp_path / "home/new").iterdir())
    assert messages == ["First", "Second"]
    assert [read_thought(p).message for p in (tmp_path / "home/spam").iterdir()] == ["Buy"]
    assert list((tmp_path / "home/tmp").iterdir()) == []


def test_a_pull_interrupted_before_the_drop_is_finished_by_the_next(receiver: Receiver, tmp_path: Path) -> None:
    send(receiver.port, letter(message="Once only"))
    (server_copy,) = receiver.files()
    home = tmp_path / "home"
    InboxStore(home).ensure()
    shutil.copy(server_copy, home / "new" / server_copy.name)  # fetched, but never dropped
    done = pull(receiver.url, TOKEN, InboxStore(home))
    assert done.fetched == () and done.already_home == (server_copy.stem,)
    assert receiver.files() == [] and len(list((home / "new").iterdir())) == 1


def test_the_command_pulls(receiver: Receiver, tmp_path: Path) -> None:
    send(receiver.port, letter(message="By command"))
    home = tmp_path / "home"
    missing = run_cli("inbox", "--inbox", str(home), "pull", receiver.url, cwd=tmp_path,
                      env={"FIRESIDE_INBOX_TOKEN": ""})
    assert missing.returncode == 1 and "FIRESIDE_INBOX_TOKEN" in missing.stderr
    wrong = run_cli("inbox", "pull", receiver.url, "--inbox", str(home), cwd=tmp_path,
                    env={"FIRESIDE_INBOX_TOKEN": "wrong-token-wrong-token"})
    assert wrong.returncode == 1 and "403" in wrong.stderr and "wrong-token" not in wrong.stderr + wrong.stdout
    right = run_cli("inbox", "pull", receiver.url, "--inbox", str(home), cwd=tmp_path,
                    env={"FIRESIDE_INBOX_TOKEN": TOKEN})
    assert right.returncode == 0, right.stderr
    assert right.stdout.strip() == "Pulled 1 new letter."
    assert TOKEN not in right.stdout + right.stderr
    listed = run_cli("inbox", "--inbox", str(home), cwd=tmp_path)
    assert "By command" in listed.stdout


def test_plain_http_elsewhere_is_refused() -> None:
    assert api_base("http://127.0.0.1:8025/") == "http://127.0.0.1:8025/api/thoughts"
    assert api_base("https://letters.example.com/inbox") == "https://letters.example.com/inbox/api/thoughts"
    with pytest.raises(PullError, match="plain http"):
        api_base("http://letters.example.com/")
    assert api_base("http://letters.example.com/", allow_http=True).startswith("http://")
    with pytest.raises(PullError):
        api_base("ftp://letters.example.com/")


def test_redirects_are_not_followed_so_the_token_stays_put(tmp_path: Path) -> None:
    seen: list[str | None] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("Authorization"))
            if self.path.startswith("/elsewhere"):
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b'{"thoughts": []}')
                return
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/elsewhere/")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(PullError, match="redirect"):
            pull(f"http://127.0.0.1:{server.server_address[1]}/", TOKEN, InboxStore(tmp_path / "home"))
    finally:
        server.shutdown()
        server.server_close()
    assert len(seen) == 1  # only the URL given ever saw the token
