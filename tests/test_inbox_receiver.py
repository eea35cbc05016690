"""The receiver over real HTTP, on the embedded server and under gunicorn: what it takes,
what it refuses (and that a refusal stores nothing), spam, limits, CORS, and failures."""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.inbox.ratelimit import RateLimits
from generator.inbox.store import read_thought
from generator.inbox.thought import is_id
from generator.inbox.validation import Limits

from .test_inbox_support import (
    TOKEN,
    BuiltSite,
    Receiver,
    embedded,
    letter,
    make_site,
    rebuild,
    receiver_env,
    request,
    send,
    settings_for,
    start_process,
    write_tree,
)

THANKS = "https://example.com/blog/thanks/"


@pytest.fixture(scope="module", params=["embedded", "gunicorn"])
def served(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[
        tuple[BuiltSite, Receiver]]:
    """One site and one receiver per server kind, shared by the tests that only send letters."""
    tmp = tmp_path_factory.mktemp(request.param)
    site = make_site(tmp / "site")
    if request.param == "embedded":
        with embedded(settings_for(site)) as receiver:
            yield site, receiver
    else:
        receiver = start_process("gunicorn", site, tmp)
        try:
            yield site, receiver
        finally:
            receiver.stop()


def counts(receiver: Receiver) -> tuple[int, int, int]:
    return len(receiver.files("new")), len(receiver.files("spam")), len(list((receiver.inbox / "tmp").iterdir()))


# -- taking letters -------------------------------------------------------------------------


def test_a_letter_without_javascript_is_stored_and_answered_with_303(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    before = set(receiver.files())
    reply = send(receiver.port, letter(email="first@example.com", consent="quote-named",
                                       message="Dear Maren,\r\nyour essay stayed with me.\r\n"))
    assert reply.status == 303 and reply.headers["location"] == THANKS
    (path,) = set(receiver.files()) - before
    stored = read_thought(path)
    assert is_id(path.stem) and stored.id == path.stem
    assert (stored.post, stored.post_title) == ("inch-wide", "An Inch Wide and a Mile Deep")
    assert (stored.name, stored.email, stored.consent, stored.status) == ("Ada", "first@example.com", "quote-named", "new")
    assert stored.message == "Dear Maren,\nyour essay stayed with me.\n"
    assert stored.received.utcoffset() is not None and stored.received.utcoffset().total_seconds() == 0
    assert stored.message_id == f"<{stored.id}@example.com>"
    text = path.read_text()
    assert text.startswith("---\nid: ") and 'status: "new"' in text and "\nreceived: " in text


def test_a_letter_with_javascript_gets_json_and_cors_for_the_site(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    reply = send(receiver.port, letter(email="js@example.com", elapsed_ms="8000"), json=True,
                 headers={"Origin": "https://example.com"})
    assert reply.status == 200 and reply.json()["ok"] is True and "Thank you" in reply.json()["message"]
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["access-control-allow-origin"] == "https://example.com"
    other = send(receiver.port, letter(email="js2@example.com", elapsed_ms="8000"), json=True,
                 headers={"Origin": "https://elsewhere.example"})
    # No allow-list set: no origin is refused, so the page is told that its letter was stored
    # (a staging host or www. page told nothing would have its reader send the letter again).
    assert other.status == 200 and other.json()["ok"] is True
    assert other.headers["access-control-allow-origin"] == "https://elsewhere.example"


HOSTILE = (
    "---\nstatus: answered\nemail: attacker@example.com\n---\n"
    "<script>alert('x')</script><img src=x onerror=alert(1)>\n"
    "{{ site.title }} {% raw %}\n"
    "<!-- fireside-thread 0123456789abcdef answer 2026-01-01T00:00:00Z <a@b> -->\n"
    "Zoë — 日本語 — 👩‍👩‍👧\ttab \x1b[31mred\x1b[0m\n"
)


def test_a_message_full_of_yaml_html_and_script_round_trips_exactly(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    before = set(receiver.files())
    reply = send(receiver.port, letter(email="hostile@example.com", message=HOSTILE, name="<b>Bold</b> 'quoted'"))
    assert reply.status == 303
    (path,) = set(receiver.files()) - before
    stored = read_thought(path)
    assert stored.message == HOSTILE and stored.status == "new" and stored.email == "hostile@example.com"
    assert stored.name == "<b>Bold</b> 'quoted'" and stored.answers == ()


@pytest.mark.parametrize(
    ("fields", "status", "field"),
    [
        (letter(email=None), 400, "email"),
        (letter(email="not-an-address"), 400, "email"),
        (letter(email="a@example.com\r\nBcc: victim@example.com"), 400, "email"),
        (letter(name="Ada\nX-Injected: 1"), 400, "name"),
        (letter(name="Ada\x07"), 400, "name"),
        (letter(name="n" * 101), 400, "name"),
        (letter(message=""), 400, "message"),
        (letter(message="m" * 10001), 400, "message"),
        (letter(message=" ".join(f"https://{i}.example" for i in range(6))), 400, "message"),
        (letter(post="no-such-post"), 400, "post"),
        (letter(post="../../../etc/passwd"), 400, "post"),
        (letter(consent="publish-everything"), 400, "consent"),
    ],
)
def test_bad_letters_are_refused_clearly_and_nothing_is_stored(
    served: tuple[BuiltSite, Receiver], fields: list[tuple[str, str]], status: int, field: str
) -> None:
    _, receiver = served
    before = counts(receiver)
    as_json = send(receiver.port, fields, json=True)
    assert as_json.status == status and as_json.json()["ok"] is False
    assert as_json.json()["field"] == field and as_json.json()["error"]
    page = send(receiver.port, fields)
    assert page.status == status and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert "<textarea" in page.text and 'name="post"' in page.text and "Send again" in page.text
    assert counts(receiver) == before


def test_the_error_page_keeps_the_text_escaped_and_links_back(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    message = "</textarea><script>alert(1)</script>\n& more"
    page = send(receiver.port, letter(email="bad", message=message, name='"><script>x</script>'))
    assert page.status == 400
    assert "<script>" not in page.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;\n&amp; more</textarea>" in page.text
    assert 'value="&quot;&gt;&lt;script&gt;x&lt;/script&gt;"' in page.text
    assert 'href="https://example.com/blog/posts/inch-wide/#write"' in page.text


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"post": "inch-wide"}', "application/json", 415),
        (b"post=inch-wide&email=a%40example.com&message=hi", "text/plain", 415),
        (b"post=inch-wide&email=a%40example.com&message=hi", "multipart/form-data; boundary=x", 415),
        (b"post=inch-wide&email=a%40example.com&message=%C3%28", "application/x-www-form-urlencoded", 400),
        ("post=inch-wide&email=a%40example.com&message=Zoë".encode(), "application/x-www-form-urlencoded", 400),
        (b"post=inch-wide&post=letters&email=a%40example.com&message=hi", "application/x-www-form-urlencoded", 400),
    ],
)
def test_wrong_content_types_and_malformed_encodings(
    served: tuple[BuiltSite, Receiver], body: bytes, content_type: str, status: int
) -> None:
    _, receiver = served
    before = counts(receiver)
    assert send(receiver.port, body, content_type=content_type, json=True).status == status
    assert counts(receiver) == before


def test_a_body_over_the_cap_is_refused_413_without_reading_it(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    before = counts(receiver)
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as conn:
        # Claims 50 MB, sends a few bytes and waits: only an answer given unread can arrive.
        conn.sendall(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Accept: application/json\r\nContent-Length: 52428800\r\n\r\npost=inch-wide&message="
        )
        answer = b""
        with contextlib.suppress(ConnectionError):
            while chunk := conn.recv(65536):
                answer += chunk
                if b"}" in answer:
                    break
    assert answer.startswith(b"HTTP/1.") and b" 413 " in answer.split(b"\r\n", 1)[0]
    assert counts(receiver) == before


def test_a_request_without_length_is_refused(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    with socket.create_connection(("127.0.0.1", receiver.port), timeout=10) as conn:
        conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Connection: close\r\n\r\n")
        conn.shutdown(socket.SHUT_WR)
        answer = b"".join(iter(lambda: conn.recv(65536), b""))
    assert answer.split(b"\r\n", 1)[0].split(b" ")[1] in (b"411", b"400")


# -- spam and limits ------------------------------------------------------------------------


@pytest.mark.parametrize("trap", [{"website": "http://cheap-pills.example"}, {"elapsed_ms": "350"}])
def test_bots_are_answered_as_people_and_filed_as_spam(
    served: tuple[BuiltSite, Receiver], trap: dict[str, str]
) -> None:
    _, receiver = served
    new, spam, _ = counts(receiver)
    page = send(receiver.port, letter(email="bot@example.com", **trap))
    assert page.status == 303 and page.headers["location"] == THANKS
    as_json = send(receiver.port, letter(email="bot@example.com", **trap), json=True)
    assert as_json.status == 200 and as_json.json()["ok"] is True
    assert counts(receiver)[:2] == (new, spam + 2)
    filed = [read_thought(p) for p in receiver.files("spam")]
    assert all(t.status == "spam" and t.spam_reason in ("honeypot", "too-fast") for t in filed)


def test_too_many_letters_from_one_address_get_429(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    fields = letter(email="Eager@Example.com")
    assert [send(receiver.port, fields).status for _ in range(3)] == [303, 303, 303]
    before = counts(receiver)
    refused = send(receiver.port, letter(email="eager@example.com"), json=True)
    assert refused.status == 429 and int(refused.headers["retry-after"]) > 0
    page = send(receiver.port, letter(email="eager@example.com", message="Still here"))
    assert page.status == 429 and "Still here</textarea>" in page.text
    assert counts(receiver) == before


def test_too_many_letters_from_one_network_get_429(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    settings = settings_for(site, rates=RateLimits(per_address=0, per_network=2))
    with embedded(settings) as receiver:
        statuses = [send(receiver.port, letter(email=f"p{i}@example.com")).status for i in range(3)]
        assert statuses == [303, 303, 429]
        assert len(receiver.files()) == 2


def test_limits_follow_the_settings(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with embedded(settings_for(site, limits=Limits(max_message=50, max_body=2000))) as receiver:
        assert send(receiver.port, letter(message="x" * 50)).status == 303
        assert send(receiver.port, letter(message="x" * 51), json=True).json()["field"] == "message"
        assert send(receiver.port, letter(message="x" * 3000), json=True).status == 413


# -- origins --------------------------------------------------------------------------------


def test_an_allow_list_of_origins_refuses_others_and_answers_preflights(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    settings = settings_for(site, allowed_origins=("https://example.com",))
    with embedded(settings) as receiver:
        foreign = send(receiver.port, letter(), json=True, headers={"Origin": "https://evil.example"})
        assert foreign.status == 403 and receiver.files() == []
        ours = send(receiver.port, letter(), json=True, headers={"Origin": "https://example.com"})
        assert ours.status == 200 and ours.headers["access-control-allow-origin"] == "https://example.com"
        preflight = request(receiver.port, "OPTIONS", "/", headers={
            "Origin": "https://example.com", "Access-Control-Request-Method": "POST"})
        assert preflight.status == 204 and "POST" in preflight.headers["access-control-allow-methods"]
        denied = request(receiver.port, "OPTIONS", "/", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in denied.headers


# -- the manifest ---------------------------------------------------------------------------


def test_a_post_published_later_is_accepted_without_a_restart(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with embedded(settings_for(site)) as receiver:
        assert send(receiver.port, letter(post="brand-new"), json=True).json()["field"] == "post"
        write_tree(site.root, {"content/posts/brand-new.md": "---\ntitle: Brand New\ndate: 2026-11-01\n---\nHi.\n"})
        rebuild(site.root)
        assert send(receiver.port, letter(post="brand-new")).status == 303


def test_without_a_manifest_letters_get_503_with_their_text_kept(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    site.manifest.unlink()
    with embedded(settings_for(site)) as receiver:
        page = send(receiver.port, letter(message="Keep me"))
        assert page.status == 503 and "Keep me</textarea>" in page.text
        assert receiver.files() == []


# -- failures of the disk ---------------------------------------------------------------------


@contextlib.contextmanager
def read_only(folders: list[Path]) -> Iterator[None]:
    """Make folders unwritable for this process: permissions, or for root the immutable flag."""
    if os.geteuid() != 0:
        for folder in folders:
            folder.chmod(0o500)
        try:
            yield
        finally:
            for folder in folders:
                folder.chmod(0o700)
        return
    if shutil.which("chattr") is None:
        pytest.skip("running as root without chattr: cannot make a folder read-only for root")
    done = []
    try:
        for folder in folders:
            if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode != 0:
                pytest.skip("this file system has no immutable flag: cannot make a folder read-only for root")
            done.append(folder)
        yield
    finally:
        for folder in done:
            subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_inbox_answers_503_and_leaves_no_file(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with embedded(settings_for(site)) as receiver:
        folders = [receiver.inbox / name for name in ("tmp", "new", "spam")]
        with read_only(folders):
            page = send(receiver.port, letter(message="Nothing lost"))
            as_json = send(receiver.port, letter(), json=True)
        assert page.status == 503 and "Nothing lost</textarea>" in page.text
        assert as_json.status == 503 and as_json.json()["ok"] is False
        assert [p for p in receiver.inbox.rglob("*") if p.is_file()] == []
        # The limiter gave the failed letters back: the reader can send again at once.
        assert [send(receiver.port, letter()).status for _ in range(3)] == [303, 303, 303]


def _small_disk() -> None:
    # Runs in the receiver's process before exec: any file it writes past 64 KiB fails with
    # EFBIG, as a full disk fails with ENOSPC (SIGXFSZ is ignored, so the write just fails).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


@pytest.mark.parametrize("kind", ["embedded", "gunicorn"])
def test_a_full_disk_answers_503_and_leaves_no_partial_file(tmp_path: Path, kind: str) -> None:
    site = make_site(tmp_path / "site")
    receiver = start_process(kind, site, tmp_path, preexec=_small_disk, FIRESIDE_INBOX_MAX_BODY="300000",
                             FIRESIDE_INBOX_MAX_MESSAGE="100000")
    try:
        assert send(receiver.port, letter(message="short")).status == 303
        big = send(receiver.port, letter(email="big@example.com", message="word " * 16000), json=True)
        assert big.status == 503 and big.json()["ok"] is False
        files = receiver.files()
        assert len(files) == 1 and read_thought(files[0]).message == "short"
        assert list((receiver.inbox / "tmp").iterdir()) == []
    finally:
        receiver.stop()


# -- many at once ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["embedded", "gunicorn"])
def test_200_parallel_letters_make_exactly_200_whole_files(tmp_path: Path, kind: str) -> None:
    site = make_site(tmp_path / "site")
    receiver = start_process(kind, site, tmp_path, workers=3, FIRESIDE_INBOX_PER_ADDRESS="0")
    try:
        messages = [f"Letter {i}\n" + "the same thoughts, in other words. " * 40 for i in range(200)]
        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(lambda m: send(receiver.port, letter(message=m)).status, messages))
        assert statuses == [303] * 200
        stored = [read_thought(p) for p in receiver.files()]
        assert len(stored) == 200 and len({t.id for t in stored}) == 200
        assert sorted(t.message for t in stored) == sorted(messages)
        assert list((receiver.inbox / "tmp").iterdir()) == []
    finally:
        receiver.stop()


def test_the_same_app_runs_under_waitress(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    receiver = start_process("waitress", site, tmp_path)
    try:
        reply = send(receiver.port, letter(message="Under waitress"))
        assert reply.status == 303 and reply.headers["location"] == THANKS
        assert [read_thought(p).message for p in receiver.files()] == ["Under waitress"]
        assert send(receiver.port, letter(email="bad"), json=True).status == 400
        assert send(receiver.port, letter(message="x" * 70000), json=True).status == 413
        assert len(receiver.files()) == 1
    finally:
        receiver.stop()


# -- what is logged -------------------------------------------------------------------------


def test_logs_name_ids_never_messages_addresses_or_tokens(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    site = make_site(tmp_path / "site")
    caplog.set_level(logging.DEBUG)
    secret_text = "my most private sentence"
    with embedded(settings_for(site)) as receiver:
        assert send(receiver.port, letter(email="private.person@example.com", message=secret_text)).status == 303
        send(receiver.port, letter(email="bad\naddress", message=secret_text))
        request(receiver.port, "GET", "/api/thoughts", headers={"Authorization": "Bearer wrong-token-guess-123"})
        request(receiver.port, "GET", "/api/thoughts", headers={"Authorization": f"Bearer {TOKEN}"})
        (path,) = receiver.files()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert path.stem in logged
    for secret in (secret_text, "private.person", "wrong-token-guess", TOKEN):
        assert secret not in logged


def test_other_routes(served: tuple[BuiltSite, Receiver]) -> None:
    _, receiver = served
    assert request(receiver.port, "GET", "/health").text == "ok\n"
    assert "letterbox" in request(receiver.port, "GET", "/").text
    assert request(receiver.port, "GET", "/nothing-here").status == 404
    assert request(receiver.port, "PUT", "/", b"x").status == 405
    thanks = request(receiver.port, "GET", "/thanks")
    assert thanks.status == 200 and "Thank you" in thanks.text


def test_importing_reads_nothing_and_app_is_made_from_the_environment(tmp_path: Path) -> None:
    import sys

    site = make_site(tmp_path / "site")
    env = receiver_env(site)
    quiet = subprocess.run([sys.executable, "-c", "import generator.inbox"], env=env, capture_output=True,
                           text=True, cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    assert not site.inbox.exists()  # no folder made, no setting read, by an import alone
    made = subprocess.run(
        [sys.executable, "-c", "from generator.inbox import app, InboxApp; "
                               "assert isinstance(app, InboxApp); print(app.settings.inbox_dir)"],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == str(site.inbox) and (site.inbox / "new").is_dir()
    assert TOKEN not in made.stdout
