"""Helpers for the reader inbox tests (no tests here): real sites, real receivers, real HTTP.

Receivers run for real on loopback ports: in this process on the embedded wsgiref server,
or as subprocesses (`fireside inbox serve`, gunicorn) when a test must kill or restrict
them. Nothing of ours is mocked.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from generator.build.incremental import build_site
from generator.build.manifest import MANIFEST_PATH
from generator.build.options import BuildOptions
from generator.inbox import InboxApp, create_app
from generator.inbox.ratelimit import RateLimits
from generator.inbox.server import EmbeddedServer, ServerLimits, make_server, start_in_thread
from generator.inbox.settings import ReceiverSettings
from generator.inbox.store import InboxStore
from generator.inbox.validation import Limits

from .conftest import NOW, REPO_ROOT, write_tree

TOKEN = "test-token-0123456789abcdef"

SITE_FILES = {
    "content/posts/inch-wide.md": """\
        ---
        title: An Inch Wide and a Mile Deep
        date: 2026-09-14
        ---

        Networking is nothing. It's about building relationships.
        """,
    "content/posts/letters.md": """\
        ---
        title: "On Letters: \\"slow\\" ones"
        date: 2026-10-01
        ---

        These are my thoughts. I'd love to hear yours.
        """,
}


def site_config(endpoint: str = "", extra: str = "") -> str:
    return (
        "title: Letters Test\n"
        "base_url: https://example.com/blog/\n"
        "author:\n  name: Maren Holt\n  email: maren@example.com\n"
        + (f"inbox:\n  endpoint: {endpoint}\n{extra}" if endpoint or extra else "")
    )


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    output: Path

    @property
    def manifest(self) -> Path:
        return self.output / MANIFEST_PATH

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"


def make_site(root: Path, *, endpoint: str = "", base_url: str | None = None, extra: str = "",
              files: dict[str, str] | None = None) -> BuiltSite:
    """A small site built for real into root/public (the manifest the receiver reads)."""
    root.mkdir(parents=True, exist_ok=True)
    write_tree(root, {"site.yaml": site_config(endpoint, extra), **SITE_FILES, **(files or {})})
    return rebuild(root, base_url=base_url, endpoint=endpoint or None)


def rebuild(root: Path, *, base_url: str | None = None, endpoint: str | None = None) -> BuiltSite:
    output = root / "public"
    build_site(root / "site.yaml", BuildOptions(output_dir=output, base_url=base_url,
                                                inbox_endpoint=endpoint, now=NOW))
    return BuiltSite(root, output)


def settings_for(site: BuiltSite, **changes: Any) -> ReceiverSettings:
    values: dict[str, Any] = dict(
        inbox_dir=site.inbox,
        manifest=site.manifest,
        token=TOKEN,
        limits=Limits(),
        rates=RateLimits(per_address=3, per_network=0),
    )
    values.update(changes)
    return ReceiverSettings(**values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Receiver:
    """A running receiver: `url`, `port`, its inbox; `stop()` ends it."""

    url: str
    port: int
    inbox: Path
    stop: Callable[[], None]
    process: subprocess.Popen[bytes] | None = None
    app: InboxApp | None = None
    log: Path | None = None

    @property
    def store(self) -> InboxStore:
        return InboxStore(self.inbox)

    def files(self, folder: str = "new") -> list[Path]:
        place = self.inbox / folder
        return sorted(place.glob("*.md")) if place.is_dir() else []


@contextlib.contextmanager
def embedded(settings: ReceiverSettings, limits: ServerLimits | None = None) -> Iterator[Receiver]:
    """The embedded server in this process, on a free loopback port."""
    app = create_app(settings)
    server: EmbeddedServer = make_server(app, "127.0.0.1", 0, limits)
    start_in_thread(server)
    port = int(server.server_address[1])

    def stop() -> None:
        server.shutdown()
        server.server_close()
        app.close()

    try:
        yield Receiver(server.url, port, settings.inbox_dir, stop, app=app)
    finally:
        stop()


def receiver_env(site: BuiltSite, **extra: str) -> dict[str, str]:
    env = {
        key: value for key, value in os.environ.items()
        if not key.startswith("FIRESIDE_")  # the developer's own settings must not leak in
    }
    env.update({
        "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
        "FIRESIDE_INBOX_DIR": str(site.inbox),
        "FIRESIDE_MANIFEST": str(site.manifest),
        "FIRESIDE_INBOX_TOKEN": TOKEN,
        "FIRESIDE_INBOX_PER_ADDRESS": "3",
        "FIRESIDE_INBOX_PER_NETWORK": "0",
    })
    env.update(extra)
    return env


def start_process(kind: str, site: BuiltSite, tmp: Path, *, workers: int = 1, threads: int = 4,
                  preexec: Callable[[], None] | None = None, **env: str) -> Receiver:
    """`fireside inbox serve` ("embedded"), gunicorn or waitress as a subprocess."""
    port = free_port()
    if kind == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
                   "--threads", str(threads), "--backlog", "512", "--graceful-timeout", "1", "generator.inbox:app"]
    elif kind == "waitress":
        # waitress reads a whole body before the app sees it; past its own cap it answers 413
        # itself (the README's value: above the receiver's 4 x 126,296 bytes with default limits).
        command = [sys.executable, "-m", "waitress", f"--listen=127.0.0.1:{port}", "--threads=8",
                   "--max-request-body-size=524288",
                   "generator.inbox:app"]
    else:
        command = [sys.executable, "-m", "generator", "inbox", "serve", "--port", str(port)]
    log = tmp / f"{kind}-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=tmp, env=receiver_env(site, **env), stdout=out,
                                   stderr=subprocess.STDOUT, preexec_fn=preexec, start_new_session=True)

    def stop() -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)

    receiver = Receiver(f"http://127.0.0.1:{port}/", port, site.inbox, stop, process=process, log=log)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise AssertionError(f"{kind} exited: {log.read_text(errors='replace')}")
        with contextlib.suppress(OSError):
            if request(port, "GET", "/health").status == 200:
                return receiver
        if time.monotonic() > deadline:
            stop()
            raise AssertionError(f"{kind} did not start: {log.read_text(errors='replace')}")
        time.sleep(0.05)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self) -> Any:
        import json

        return json.loads(self.body)


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 15) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        answer = conn.getresponse()
        return Reply(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
    finally:
        conn.close()


FORM = "application/x-www-form-urlencoded"


def letter(**fields: str) -> list[tuple[str, str]]:
    values = {"post": "inch-wide", "name": "Ada", "email": "ada@example.com",
              "message": "Dear Maren,\nthank you.", "consent": "private"}
    values.update(fields)
    return [(k, v) for k, v in values.items() if v is not None]


def send(port: int, fields: Sequence[tuple[str, str]] | bytes, *, json: bool = False,
         content_type: str = FORM, path: str = "/", headers: dict[str, str] | None = None,
         timeout: float = 15) -> Reply:
    body = fields if isinstance(fields, bytes) else urlencode(list(fields)).encode("ascii")
    sent = {"Content-Type": content_type, **(headers or {})}
    if json:
        sent["Accept"] = "application/json"
    return request(port, "POST", path, body, sent, timeout)


def wait_for(check: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout} s")
        time.sleep(0.02)


@dataclass
class Collected:
    """Messages a local aiosmtpd server received."""

    messages: list[bytes] = field(default_factory=list)
    envelopes: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[int, Collected]]:
    """A real SMTP server (aiosmtpd) on a free loopback port, collecting what it is sent."""
    from aiosmtpd.controller import Controller

    collected = Collected()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            collected.messages.append(envelope.original_content or envelope.content)
            collected.envelopes.append((envelope.mail_from, tuple(envelope.rcpt_tos)))
            return "250 OK"

    port = free_port()
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, collected
    finally:
        controller.stop()
