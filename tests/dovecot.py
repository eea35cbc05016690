"""A real IMAP server for the tests (no tests here): Debian's Dovecot, started from a config
in a temp folder on free 127.0.0.1 ports, with TLS from a self-signed certificate the
tests make. Mail is put in with IMAP APPEND, as a mail server would hold it.

Skips with the reason when Dovecot or openssl is missing, unless CI is set (`.ci/run`
installs dovecot-imapd), in which case it fails.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest

from .test_inbox_support import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
DOVEADM = shutil.which("doveadm") or "/usr/bin/doveadm"
USER = "maren"
PASSWORD = "hearth-and-7-letters"

CONFIG = """\
base_dir = {tmp}/run
state_dir = {tmp}/state
log_path = {tmp}/dovecot.log
protocols = imap
listen = 127.0.0.1
default_internal_user = dovecot
default_internal_group = dovecot
default_login_user = dovenull
ssl = yes
ssl_cert = <{tmp}/cert.pem
ssl_key = <{tmp}/key.pem
auth_mechanisms = plain login
disable_plaintext_auth = no
passdb {{
  driver = static
  args = password={password}
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={tmp}/mail/%u
}}
mail_location = maildir:{tmp}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    auto = create
    special_use = \\Sent
  }}
  mailbox Junk {{
    auto = create
    special_use = \\Junk
  }}
  mailbox Letters {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {plain}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls}
    ssl = yes
  }}
}}
"""


def require_dovecot() -> None:
    if Path(DOVECOT).exists() and shutil.which("openssl"):
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but Dovecot is missing; .ci/run must install dovecot-imapd")
    pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")


@dataclass
class Dovecot:
    folder: Path
    plain_port: int
    tls_port: int
    cafile: Path

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=str(self.cafile))
        client = imaplib.IMAP4_SSL("127.0.0.1", self.tls_port, ssl_context=context, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, folder: str, message: EmailMessage | bytes, flags: str = "") -> None:
        data = message if isinstance(message, bytes) else message.as_bytes()
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        client = self.client()
        try:
            kind, said = client.append(folder, flags or None, None, data)
            assert kind == "OK", said
        finally:
            client.logout()

    def state(self, folder: str = "INBOX") -> list[tuple[int, str, bytes]]:
        """(uid, flags, bytes) of every message: to prove what fetch did not change."""
        client = self.client()
        try:
            client.select(folder, readonly=True)
            _, data = client.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[])")
            found = []
            for item in data:
                if isinstance(item, tuple):
                    head = item[0].decode()
                    uid = int(head.split("UID ")[1].split()[0])
                    flags = head.split("FLAGS (")[1].split(")")[0]
                    found.append((uid, flags, item[1]))
            return sorted(found)
        finally:
            client.logout()

    def count(self, folder: str) -> int:
        return len(self.state(folder))


@contextlib.contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    require_dovecot()
    # A folder of its own in the system's temp folder: Dovecot's mail processes run as
    # `nobody` and must reach it, which pytest's private (0700) temp folders don't allow.
    tmp = Path(tempfile.mkdtemp(prefix="fireside-dovecot-"))
    tmp.chmod(0o755)
    for name in ("run", "state", "mail"):
        (tmp / name).mkdir(exist_ok=True)
    (tmp / "mail").chmod(0o777)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(tmp / "key.pem"),
         "-out", str(tmp / "cert.pem"), "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    plain, tls = free_port(), free_port()
    config = tmp / "dovecot.conf"
    config.write_text(CONFIG.format(tmp=tmp, password=PASSWORD, plain=plain, tls=tls))
    # It daemonizes: its output goes to a file, or the pipe would stay open behind it.
    with (tmp / "start.log").open("wb") as out:
        subprocess.run([DOVECOT, "-c", str(config)], check=True, stdin=subprocess.DEVNULL, stdout=out,
                       stderr=subprocess.STDOUT, timeout=30)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", tls), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    log = (tmp / "dovecot.log").read_text(errors="replace") if (tmp / "dovecot.log").exists() else ""
                    raise AssertionError(f"Dovecot did not start: {log}") from None
                time.sleep(0.05)
        yield Dovecot(tmp, plain, tls, tmp / "cert.pem")
    finally:
        subprocess.run([DOVEADM, "-c", str(config), "stop"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=30, check=False)
        time.sleep(0.2)  # its processes let go of the folder
        shutil.rmtree(tmp, ignore_errors=True)


class CuttingProxy:
    """A TCP proxy to a server that cuts the connection once `limit` bytes came back from it,
    or slows every chunk down by `delay` seconds: a server that drops the line, or a slow one."""

    def __init__(self, target: int, *, limit: int | None = None, delay: float = 0.0) -> None:
        self.target, self.limit, self.delay = target, limit, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        # Accept with a timeout and stop from this thread: a thread left blocked in accept()
        # on a closed socket retries it (after a signal) on whatever socket takes its number.
        self.listener.settimeout(0.1)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            client.settimeout(None)
            server = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, counted: bool) -> None:
        sent = 0
        try:
            while chunk := source.recv(4096):
                if counted and self.delay:
                    time.sleep(self.delay)
                if counted and self.limit is not None and sent + len(chunk) > self.limit:
                    sink.sendall(chunk[: max(0, self.limit - sent)])
                    break
                sink.sendall(chunk)
                sent += len(chunk)
        except OSError:
            pass
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            end.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.listener.close()
