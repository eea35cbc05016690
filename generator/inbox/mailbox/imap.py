"""An IMAP session for `fireside inbox fetch` (stdlib imaplib), read-only unless asked.

Folders are opened with EXAMINE and messages read with BODY.PEEK, so nothing on the server
changes, not even the \\Seen flag; only `mark_seen` and `move` change anything, and only
for the messages they are given. A move uses MOVE, or COPY then STORE \\Deleted then UID
EXPUNGE of exactly those messages (UIDPLUS); a server with neither is refused rather than
expunging anything else marked deleted.

TLS: implicit TLS (port 993) by default, STARTTLS on request; plaintext only to this
machine (see `account`). Certificates are verified against the system's (or the given
`cafile`). Every failure becomes a MailboxError that says what happened and what to do.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import re
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass

from generator.inbox.mailbox.account import ImapAccount, MailboxError

BATCH = 100  # messages asked for in one FETCH
_LIST = re.compile(rb'^\((?P<flags>[^)]*)\)\s+(?P<delim>"(?:[^"\\]|\\.)*"|NIL)\s+(?P<name>.+)$')
_UID = re.compile(rb"\bUID (\d+)")


def utf7_encode(name: str) -> str:
    """A folder name in IMAP's modified UTF-7 (RFC 3501 5.1.3)."""
    out, pending = [], []

    def flush() -> None:
        if pending:
            data = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(data).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending.append(ch)
    flush()
    return "".join(out)


def utf7_decode(name: str) -> str:
    def one(match: re.Match[str]) -> str:
        chunk = match.group(1)
        if not chunk:
            return "&"
        data = chunk.replace(",", "/")
        return base64.b64decode(data + "=" * (-len(data) % 4)).decode("utf-16-be", "replace")

    return re.sub(r"&([A-Za-z0-9+,]*)-", one, name)


def quoted(name: str) -> str:
    encoded = utf7_encode(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class Folder:
    name: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Opened:
    name: str
    uidvalidity: int


class ImapSession:
    """One logged-in connection. Use as a context manager; it logs out on leaving."""

    def __init__(self, account: ImapAccount) -> None:
        self.account = account
        self.client = self._connect()
        self._folders: list[Folder] | None = None
        self.opened: Opened | None = None

    # -- connecting -----------------------------------------------------------------------

    def _context(self) -> ssl.SSLContext:
        cafile = str(self.account.cafile) if self.account.cafile else None
        return ssl.create_default_context(cafile=cafile)

    def _connect(self) -> imaplib.IMAP4:
        account = self.account
        where = f"{account.host}:{account.port}"
        try:
            if account.security == "tls":
                client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    account.host, account.port, ssl_context=self._context(), timeout=account.timeout
                )
            else:
                client = imaplib.IMAP4(account.host, account.port, timeout=account.timeout)
                if account.security == "starttls":
                    if "STARTTLS" not in client.capabilities:
                        client.shutdown()
                        raise MailboxError(f"{where} does not offer STARTTLS: use security: tls (port 993)")
                    client.starttls(ssl_context=self._context())
        except MailboxError:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise MailboxError(
                f"the certificate of {where} does not verify ({exc.verify_message}): if the server uses "
                "a certificate of its own, set inbox.imap.cafile to it; never turn verification off"
            ) from None
        except ssl.SSLError as exc:
            raise MailboxError(
                f"the TLS handshake with {where} failed ({exc.reason or exc}): is it the right port? "
                "(993 for security: tls, 143 for starttls)"
            ) from None
        except (socket.gaierror, ConnectionRefusedError, TimeoutError, OSError, imaplib.IMAP4.error) as exc:
            raise MailboxError(f"cannot reach the mail server {where}: {_reason(exc)}") from None
        try:
            client.login(account.user, account.password)
        except imaplib.IMAP4.abort as exc:
            raise self._dropped(exc) from None
        except imaplib.IMAP4.error as exc:
            raise MailboxError(
                f"{account.host} refused the login of {account.user!r}: wrong user or password? "
                f"(the server said: {_server_text(exc)}; the password comes from FIRESIDE_IMAP_PASSWORD "
                "or the keyring)"
            ) from None
        except OSError as exc:
            raise self._dropped(exc) from None
        return client

    def _dropped(self, exc: BaseException) -> MailboxError:
        return MailboxError(
            f"the mail server {self.account.host} dropped the connection ({_reason(exc)}); "
            "nothing is lost: letters already fetched are home, run `fireside inbox fetch` again"
        )

    def __enter__(self) -> ImapSession:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            if self.opened is not None:
                self.client.close()
        with contextlib.suppress(Exception):
            self.client.logout()

    def _run(self, what: str, call: object, *args: object) -> list[object]:
        try:
            kind, data = call(*args)  # type: ignore[operator]
        except imaplib.IMAP4.abort as exc:
            raise self._dropped(exc) from None
        except (OSError, EOFError) as exc:
            raise self._dropped(exc) from None
        except imaplib.IMAP4.error as exc:
            raise MailboxError(f"{self.account.host} refused to {what}: {_server_text(exc)}") from None
        if kind != "OK":
            text = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
            raise MailboxError(f"{self.account.host} refused to {what}: {text or kind}")
        return list(data)

    # -- folders --------------------------------------------------------------------------

    def folders(self) -> list[Folder]:
        if self._folders is None:
            found = []
            for line in self._run("list its folders", self.client.list):
                if isinstance(line, tuple):  # a name sent as a literal: (b'(...) "/" {12}', b'name')
                    name = line[1].replace(b"\\", b"\\\\").replace(b'"', b'\\"')
                    raw = re.sub(rb"\{\d+\}\s*$", b"", line[0]) + b'"' + name + b'"'
                else:
                    raw = line
                match = _LIST.match(raw) if isinstance(raw, bytes) else None  # type: ignore[arg-type]
                if not match:
                    continue
                name = match.group("name").strip()
                if name.startswith(b'"') and name.endswith(b'"'):
                    name = re.sub(rb"\\(.)", rb"\1", name[1:-1])
                flags = tuple(f.decode("ascii", "replace").lower() for f in match.group("flags").split())
                found.append(Folder(utf7_decode(name.decode("utf-8", "replace")), flags))
            self._folders = found
        return self._folders

    def special(self, flag: str) -> str | None:
        """The folder the server marks with `flag` (\\Sent, \\Junk), if any."""
        return next((f.name for f in self.folders() if flag.lower() in f.flags), None)

    def open(self, name: str, *, writable: bool = False) -> Opened:
        if self.opened is not None:
            with contextlib.suppress(Exception):
                self.client.close()
            self.opened = None
        try:
            kind, data = self.client.select(quoted(name), readonly=not writable)
        except imaplib.IMAP4.abort as exc:
            raise self._dropped(exc) from None
        except (OSError, EOFError) as exc:
            raise self._dropped(exc) from None
        except imaplib.IMAP4.error as exc:
            kind, data = "NO", [str(exc).encode()]
        if kind != "OK":
            names = ", ".join(f.name for f in self.folders() if "\\noselect" not in f.flags)
            said = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
            raise MailboxError(
                f"no folder {name!r} on {self.account.host} ({said.strip()}); its folders: {names}"
            )
        validity = self.client.response("UIDVALIDITY")[1]
        value = int(validity[0]) if validity and validity[0] else 0
        self.opened = Opened(name, value)
        return self.opened

    # -- messages -------------------------------------------------------------------------

    def uids_after(self, last: int) -> list[int]:
        data = self._run("search the folder", self.client.uid, "SEARCH", None, f"UID {last + 1}:*")
        uids = [int(u) for u in b" ".join(d for d in data if isinstance(d, bytes)).split()]
        return sorted(u for u in uids if u > last)  # "n:*" always holds the last message

    def search(self, uids: list[int], *criteria: str) -> set[int]:
        if not uids:
            return set()
        found: set[int] = set()
        for batch in _batches(uids, 500):
            data = self._run(
                "search the folder", self.client.uid, "SEARCH", None, "UID", _set(batch), *criteria
            )
            found.update(int(u) for u in b" ".join(d for d in data if isinstance(d, bytes)).split())
        return found

    def fetch(self, uids: list[int], part: str = "BODY.PEEK[]") -> Iterator[tuple[int, bytes]]:
        """(uid, bytes) for each message still there; HEADER for headers only."""
        for batch in _batches(uids, BATCH):
            data = self._run("fetch messages", self.client.uid, "FETCH", _set(batch), f"(UID {part})")
            for item in data:
                if isinstance(item, tuple) and len(item) >= 2:
                    uid = _UID.search(item[0])
                    if uid and isinstance(item[1], bytes):
                        yield int(uid.group(1)), item[1]

    def capabilities(self) -> set[str]:
        with contextlib.suppress(Exception):
            kind, data = self.client.capability()
            if kind == "OK" and data and isinstance(data[0], bytes):
                return {c.upper() for c in data[0].decode("ascii", "replace").split()}
        return {c.upper() for c in self.client.capabilities}

    def mark_seen(self, uids: list[int]) -> None:
        for batch in _batches(uids, 500):
            self._run(
                "mark letters as read", self.client.uid, "STORE", _set(batch), "+FLAGS.SILENT", r"(\Seen)"
            )

    def can_move(self) -> bool:
        caps = self.capabilities()
        return "MOVE" in caps or "UIDPLUS" in caps

    def move(self, uids: list[int], target: str) -> None:
        """Move exactly these messages of the open folder to `target` (which must exist)."""
        caps = self.capabilities()
        for batch in _batches(uids, 500):
            if "MOVE" in caps:
                self._run(
                    f"move letters to {target!r}", self.client.uid, "MOVE", _set(batch), quoted(target)
                )
            elif "UIDPLUS" in caps:
                self._run(
                    f"copy letters to {target!r}", self.client.uid, "COPY", _set(batch), quoted(target)
                )
                self._run(
                    "flag moved letters", self.client.uid, "STORE", _set(batch), "+FLAGS.SILENT",
                    r"(\Deleted)",
                )
                self._run("expunge moved letters", self.client.uid, "EXPUNGE", _set(batch))
            else:
                raise MailboxError(f"{self.account.host} can't move single messages (no MOVE or UIDPLUS)")


def _batches(items: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _set(uids: list[int]) -> str:
    return ",".join(str(u) for u in uids)


def _server_text(exc: BaseException) -> str:
    text = exc.args[0] if exc.args else exc
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return str(text).strip() or type(exc).__name__


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"unknown host ({exc.strerror})"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return _server_text(exc)
