"""Slow clients (the "slowloris" attack) against a real server on loopback, and nginx set up
as docs/inbox-nginx.conf says: for the inbox tests and bench/inbox_bench.py (no tests here).

`SlowClients(port, n)` keeps n connections open from a loopback address of their own
(127.0.0.2 by default, so that the good letters from 127.0.0.1 are told apart), each
sending a request a byte at a time, and opens a new one whenever the server drops one, as
an attacker would. They run on one event loop in a thread of their own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = REPO_ROOT / "docs" / "inbox-nginx.conf"

HEAD = (
    "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    "Content-Length: 5000\r\n\r\n"
)


def allow_open_files(count: int) -> None:
    """Raise this process's open-file limit to `count` if the hard limit allows."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < count:
        wanted = count if hard == resource.RLIM_INFINITY else min(count, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@dataclass
class SlowClients:
    port: int
    count: int
    every: float = 1.0  # seconds between two bytes of one connection; 0: send nothing more
    stage: str = "body"  # "body": the whole head, then the body a byte at a time; "head": the head so
    sources: tuple[str, ...] = ("127.0.0.2",)  # loopback addresses the connections come from, in turn
    host: str = "127.0.0.1"
    reconnect: bool = True
    path: str = "/"
    opened: int = 0
    dropped: int = 0  # connections the server ended (answered or closed)
    open_now: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> SlowClients:
        allow_open_files(self.count * 2 + 512)
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 60
        while self.opened < self.count and time.monotonic() < deadline:  # each has connected once
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    async def _main(self) -> None:
        tasks = []
        for index in range(self.count):
            tasks.append(asyncio.create_task(self._one(self.sources[index % len(self.sources)])))
            if index % 100 == 99:
                await asyncio.sleep(0.01)  # not all at once: the listen queue is finite
        while not self._stop.is_set():
            await asyncio.sleep(0.05)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _one(self, source: str) -> None:
        while not self._stop.is_set():
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(self.host, self.port, local_addr=(source, 0)), 10
                )
            except (OSError, TimeoutError):
                await asyncio.sleep(0.2)
                continue
            self.opened += 1
            self.open_now += 1
            try:
                await self._trickle(reader, writer)
            except OSError:
                pass
            finally:
                self.open_now -= 1
                writer.transport.abort()
            if self._stop.is_set():
                return
            self.dropped += 1
            if not self.reconnect:
                return
            await asyncio.sleep(0.05)

    async def _trickle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Send a byte every `every` seconds until the server answers or closes."""
        head = HEAD.format(path=self.path).encode("ascii")
        writer.write(head if self.stage == "body" else head[:40])
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.every or 1.0):
                    await reader.read(1024)
                    return  # an answer or the end of the connection: either way, it's over
            if self.every:
                writer.write(b"x")
                await writer.drain()


def nginx_command() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)


def nginx_config(folder: Path, port: int, upstream: int) -> str:
    """A whole nginx.conf around docs/inbox-nginx.conf, listening on 127.0.0.1:port."""
    text = NGINX_CONF.read_text(encoding="utf-8")
    http_part, _, server_part = text.partition("# -- In the server { } block")
    assert server_part, "docs/inbox-nginx.conf has lost its server block marker"
    server_part = server_part.split("\n", 1)[1].replace("127.0.0.1:8025", f"127.0.0.1:{upstream}")
    temp = " ".join(f"{kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                          "uwsgi", "scgi"))
    return f"""
daemon off;
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
worker_rlimit_nofile 20000;
pid {folder / "nginx.pid"};
error_log {folder / "error.log"} warn;
events {{ worker_connections 8192; }}
http {{
    access_log off;
    {temp}
    {http_part}
    server {{
        listen 127.0.0.1:{port};
        {server_part}
    }}
}}
"""


@contextlib.contextmanager
def nginx_in_front(upstream: int, folder: Path) -> Iterator[int]:
    """nginx on a free loopback port, proxying /inbox/ to the receiver on `upstream`."""
    command = nginx_command()
    assert command is not None
    folder.mkdir(parents=True, exist_ok=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    conf = folder / "nginx.conf"
    conf.write_text(nginx_config(folder, port, upstream), encoding="utf-8")
    log = folder / "nginx.out"
    with log.open("wb") as out:
        process = subprocess.Popen([command, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(conf)],
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                raise AssertionError(f"nginx exited: {log.read_text()} {(folder / 'error.log').read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise AssertionError("nginx did not start")
            time.sleep(0.05)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
