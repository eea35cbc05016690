"""The receiver under slow and odd clients, over real sockets on loopback: clients that send
a byte at a time never stop good letters (on the embedded server, and in the production
setup of docs/inbox-nginx.conf), a request has a deadline as a whole, a full server refuses
at once, refusals are read by ordinary clients, and ambiguous lengths are refused."""

from __future__ import annotations

import contextlib
import logging
import os
import resource
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from generator.inbox.ratelimit import RateLimits
from generator.inbox.server import ServerLimits

from .slow_helpers import SlowClients, nginx_command, nginx_in_front
from .test_inbox_support import embedded, letter, make_site, send, settings_for, start_process

FORM = b"post=inch-wide&name=Ada&email=ada%40example.com&message=Dear+Maren&consent=private"
ATTACKERS = tuple(f"127.0.0.{i}" for i in range(2, 42))  # 40 loopback addresses of their own


def read_answer(conn: socket.socket, timeout: float) -> bytes:
    """Everything the server sends until it closes (or `timeout` passes)."""
    conn.settimeout(timeout)
    answer = b""
    with contextlib.suppress(OSError):
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def status_of(answer: bytes) -> int:
    parts = answer.split(b"\r\n", 1)[0].split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


# -- slow clients ---------------------------------------------------------------------------


def status_or_error(port: int, message: str, path: str = "/") -> int | str:
    try:
        return send(port, letter(message=message), path=path, timeout=10).status
    except OSError as error:
        return type(error).__name__


def _few_open_files() -> None:
    # What a login shell or a systemd service gets by default: 1024 open files, not raisable.
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def test_1500_slow_clients_do_not_stop_letters_and_it_recovers_at_once(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    receiver = start_process("embedded", site, tmp_path, preexec=_few_open_files, FIRESIDE_INBOX_PER_ADDRESS="0")
    try:
        with SlowClients(receiver.port, 1500, every=1.0, sources=ATTACKERS) as slow:
            during = [status_or_error(receiver.port, f"Amid the slow ones {i}") for i in range(10)]
            still_on = slow.open_now
        assert during == [303] * 10
        assert slow.opened >= 1500 and still_on > 100  # the attack was on all along
        # Once they are gone, letters go through at once (the first try, within its timeout).
        assert send(receiver.port, letter(message="After them")).status == 303
        assert len(receiver.files()) == 11
    finally:
        receiver.stop()


@pytest.mark.parametrize("stage", ["head", "body"])
def test_a_request_trickled_a_byte_at_a_time_is_cut_off_at_its_deadline(tmp_path: Path, stage: str) -> None:
    site = make_site(tmp_path / "site")
    with embedded(settings_for(site), ServerLimits(head_timeout=1.0, request_timeout=2.0)) as receiver:
        conn = socket.create_connection(("127.0.0.1", receiver.port), timeout=5)
        with conn:
            head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    b"Content-Length: 5000\r\n\r\n")
            conn.sendall(head if stage == "body" else head[:30])
            started = time.monotonic()
            conn.setblocking(False)
            answer = b""
            # A byte every 0.2 s: a timeout restarted by every byte would never end this.
            while time.monotonic() - started < 6:
                with contextlib.suppress(BlockingIOError):
                    chunk = conn.recv(65536)
                    answer += chunk
                    if not chunk:
                        break
                with contextlib.suppress(OSError):
                    conn.send(b"x")
                time.sleep(0.2)
        assert status_of(answer) == 408
        assert receiver.files() == []


def test_a_full_server_refuses_at_once_when_no_one_can_make_room(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    # Nothing may be dropped for the first minute: the 20 slow ones keep every place.
    limits = ServerLimits(max_connections=20, evict_age=60.0)
    with embedded(settings_for(site), limits) as receiver, SlowClients(receiver.port, 20, every=0.5):
        started = time.monotonic()
        refused = send(receiver.port, letter())
        assert refused.status == 503 and int(refused.headers["retry-after"]) > 0
        assert time.monotonic() - started < 5  # an answer, not a wait in a queue
    assert receiver.files() == []


def test_at_its_cap_the_slowest_request_makes_room_for_a_letter(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    settings = settings_for(site, rates=RateLimits(per_address=0, per_network=0))
    # Twice as many slow clients as places, each coming back at once when it is dropped.
    # Places change hands so fast that, now and then, every request held has only just
    # connected and none may be dropped yet: the letter is then answered 503 "busy" at once,
    # by design (a prompt refusal, not a wait in a queue), and the reader sends it again.
    first_tries, busy = [], []
    with embedded(settings, ServerLimits(max_connections=100)) as receiver, \
            SlowClients(receiver.port, 200, every=0.5, sources=ATTACKERS) as slow:
        for i in range(10):
            answer = send(receiver.port, letter(message=f"Letter {i}"))
            first_tries.append(answer.status)
            for _ in range(5):  # sending again, as the form's "try again shortly" asks
                if answer.status != 503:
                    break
                busy.append(answer)
                time.sleep(0.3)
                answer = send(receiver.port, letter(message=f"Letter {i}"))
            assert answer.status == 303, (i, answer.status, answer.text)
        assert slow.dropped > 0
    assert len(receiver.files()) == 10
    assert first_tries.count(303) >= 5, first_tries  # most go through at the first try
    assert all("busy" in reply.text.lower() and int(reply.headers["retry-after"]) > 0 for reply in busy)


# -- a body that stops, a body too large ------------------------------------------------------


def test_a_body_that_stops_half_way_gets_408_and_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site(tmp_path / "site")
    caplog.set_level(logging.INFO)
    with embedded(settings_for(site), ServerLimits(request_timeout=1.5)) as receiver:
        with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as conn:
            conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 1000\r\n\r\n" + FORM[:40])
            answer = read_answer(conn, 5)
        assert status_of(answer) == 408
        # Then it serves the next letter as ever.
        assert send(receiver.port, letter()).status == 303
    about = [r for r in caplog.records if "408" in r.getMessage()]
    assert len(about) == 1 and about[0].levelno == logging.INFO
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_an_oversize_body_is_answered_413_not_reset_to_urllib(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    body = b"post=inch-wide&message=" + b"x" * (5 * 1024 * 1024)
    with embedded(settings_for(site)) as receiver:
        statuses = []
        for _ in range(20):
            request = urllib.request.Request(receiver.url, data=body, method="POST", headers={
                "Content-Type": "application/x-www-form-urlencoded"})
            try:
                urllib.request.urlopen(request, timeout=20)
                statuses.append(200)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
            except OSError as error:  # a connection reset instead of the answer
                statuses.append(type(error).__name__)
        assert statuses == [413] * 20
        assert receiver.files() == []


# -- lengths two programs could read in two ways ----------------------------------------------


AMBIGUOUS = [
    (b"Content-Length: 83\r\nContent-Length: 5\r\n", FORM, 400),
    (b"Content-Length: 83\r\nContent-Length: 83\r\n", FORM, 400),
    # Read by its length this is a letter; read as chunks (as a proxy in front may) it is not.
    (b"Transfer-Encoding: chunked\r\nContent-Length: 83\r\n", FORM, 400),
    (b"Transfer-Encoding: chunked\r\n", b"53\r\n" + FORM + b"\r\n0\r\n\r\n", 411),
    (b"Content-Length : 83\r\n", FORM, 400),
    (b"Content-Length: +83\r\n", FORM, 400),
]


@pytest.mark.parametrize(("headers", "body", "status"), AMBIGUOUS)
def test_ambiguous_lengths_are_refused_and_nothing_is_stored(
    tmp_path: Path, headers: bytes, body: bytes, status: int
) -> None:
    site = make_site(tmp_path / "site")
    with embedded(settings_for(site)) as receiver:
        with socket.create_connection(("127.0.0.1", receiver.port), timeout=5) as conn:
            conn.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                         + headers + b"\r\n" + body)
            answer = read_answer(conn, 5)
        assert status_of(answer) == status
        assert receiver.files() == [] and receiver.files("spam") == []


# -- the production setup -----------------------------------------------------------------


def test_nginx_in_front_of_gunicorn_holds_slow_clients(tmp_path: Path) -> None:
    if nginx_command() is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but nginx is not installed; .ci/run must install it")
        pytest.skip("nginx is not installed (Debian's nginx package)")
    site = make_site(tmp_path / "site")
    # As the README runs it: one worker with eight threads, behind the proxy.
    receiver = start_process("gunicorn", site, tmp_path, threads=8, FIRESIDE_TRUST_PROXY="1",
                             FIRESIDE_INBOX_PER_ADDRESS="0")
    try:
        # Alone, eight half-sent bodies take every thread: a letter waits, and waits.
        with SlowClients(receiver.port, 8, every=0, reconnect=False), pytest.raises(TimeoutError):
            send(receiver.port, letter(message="Never read"), timeout=3)
        with nginx_in_front(receiver.port, tmp_path / "nginx") as port, \
                SlowClients(port, 800, every=1.0, sources=ATTACKERS, path="/inbox/") as slow:
            during = [status_or_error(port, f"Through nginx {i}", "/inbox/") for i in range(10)]
            held = slow.open_now
        assert during == [303] * 10
        assert held >= 600  # 40 addresses, at most 20 connections each, were held by nginx
        through = [p for p in receiver.files() if "Through nginx" in p.read_text(encoding="utf-8")]
        assert len(through) == 10
    finally:
        receiver.stop()
