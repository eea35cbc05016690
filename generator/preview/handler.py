"""The preview's HTTP side: the server, and the handler that answers each request.

Routes, in order: `/__fireside/…` (the reload script and event stream), the `mounts` (a
path prefix → a WSGI app: the hook for the reader inbox), then the built site's files.
Before any of them, `guard` decides who may be answered: requests naming another host
(DNS rebinding) and writing requests from other sites' pages are refused with 403.
"""

from __future__ import annotations

import contextlib
import io
import logging
import mimetypes
import socket
import socketserver
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote
from wsgiref.handlers import SimpleHandler

from generator.preview.guard import cross_site, host_allowed
from generator.preview.livereload import (
    EVENTS_PATH,
    SCRIPT,
    SCRIPT_PATH,
    EventHub,
    ServedSite,
    inject,
    not_found_page,
    sse_message,
)

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]
HEARTBEAT = 15.0  # seconds between comments on an idle event stream, to notice closed tabs
BODY_TIMEOUT = 30.0  # seconds a request's body may pause before a mounted app's read gives up
DRAIN_SECONDS = 5.0  # reading an unread body after answering, at most
DRAIN_BYTES = 16 * 1024 * 1024
NOT_OUR_HOST = (
    b"fireside serve answers only requests for its own address (127.0.0.1, localhost or the --host\n"
    b"it was given). This request named another host, as a web page using DNS rebinding would.\n"
    b"If you opened the preview through another name, start it with --host and that name.\n"
)
NOT_OUR_PAGE = b"fireside serve takes form posts only from its own pages, not from other sites.\n"

# Explicit, so the answer does not depend on the machine's /etc/mime.types.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".vtt": "text/vtt; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".wasm": "application/wasm",
}


@dataclass(frozen=True)
class Mount:
    """Requests under `prefix` (e.g. "/inbox/") go to a WSGI app instead of the site."""

    prefix: str
    app: WSGIApp


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"  # loopback unless asked: a draft preview is not for the network
    port: int = 8000  # 0 picks a free port
    drafts: bool = True
    poll: bool = False  # scan instead of inotify: network shares, container mounts
    navigate: bool = False  # saving a post sends open tabs to that post
    quiet: float = 0.02  # seconds without events before a batch of changes is built
    max_wait: float = 1.0  # ... but never wait longer than this after its first event
    mounts: tuple[Mount, ...] = ()  # extra routes on the same port (the reader inbox)
    inbox_endpoint: str | None = None  # where the preview's letter forms post (a mount's path)


def content_type(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix == ".xml" and b"<feed" in head:
        return "application/atom+xml; charset=utf-8"
    if suffix == ".xml" and b"<rss" in head:
        return "application/rss+xml; charset=utf-8"
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True  # a tab's open event stream must not delay exit
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], site: ServedSite, hub: EventHub, options: ServeOptions):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.site = site
        self.hub = hub
        self.options = options
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver would print a traceback; a tab closing mid-response is routine.
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("%s went away", client_address)
        else:
            log.exception("serving a request from %s failed", client_address)

    def server_bind(self) -> None:
        # HTTPServer's version looks the host name up (getfqdn), which can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "fireside-serve"

    def do_GET(self) -> None:
        self._route(head=False)

    def do_HEAD(self) -> None:
        self._route(head=True)

    def do_POST(self) -> None:
        self._route(head=False)

    do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    # -- routing -----------------------------------------------------------------------

    def _route(self, *, head: bool) -> None:
        self.body_read = 0
        try:
            refused = self._refusal()
            if refused is not None:
                self._plain(refused[0], refused[1], head=head)
            else:
                self._answer(head=head)
        finally:
            self._discard_body()

    def _refusal(self) -> tuple[HTTPStatus, bytes] | None:
        """Why this request is not answered (see `guard`), or None."""
        host = self.headers.get("Host")
        if not host_allowed(host, self.server.options.host):
            log.warning("refused a request naming another host (a page using DNS rebinding?)")
            return HTTPStatus.FORBIDDEN, NOT_OUR_HOST
        if cross_site(self.command, self.headers.get("Origin"), self.headers.get("Sec-Fetch-Site"), host):
            log.warning("refused a %s from another site's page", self.command)
            return HTTPStatus.FORBIDDEN, NOT_OUR_PAGE
        lengths = self.headers.get_all("Content-Length") or []
        if self.headers.get("Transfer-Encoding") is not None or len(lengths) > 1:
            return HTTPStatus.BAD_REQUEST, b"send a body with one Content-Length, and no Transfer-Encoding\n"
        if lengths and not lengths[0].strip().isdigit():
            return HTTPStatus.BAD_REQUEST, b"a malformed Content-Length\n"
        return None

    def _answer(self, *, head: bool) -> None:
        raw, _, query = self.path.partition("?")
        raw = raw.partition("#")[0]
        for mount in self.server.options.mounts:  # the one place extra routes are added
            if unquote(raw).startswith(mount.prefix):
                self._run_wsgi(mount, unquote(raw), query)
                return
        if self.command not in ("GET", "HEAD"):
            self._plain(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", head=head)
        elif raw == SCRIPT_PATH:
            self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", SCRIPT, head=head)
        elif raw == EVENTS_PATH and not head:
            self._stream_events(query)
        else:
            self._serve_file(raw, query, head=head)

    def _declared_length(self) -> int:
        value = (self.headers.get("Content-Length") or "").strip()
        return int(value) if value.isdigit() else 0

    def _discard_body(self) -> None:
        """Read and drop what the client still sends of a body nobody read, for a while.

        Closing with unread bytes makes the kernel reset the connection, and a client still
        sending (browsers, urllib) then sees the reset instead of the answer (413, 405...).
        """
        remaining = min(self._declared_length() - self.body_read, DRAIN_BYTES)
        if remaining <= 0:
            return
        self.close_connection = True
        deadline = time.monotonic() + DRAIN_SECONDS
        with contextlib.suppress(OSError, ValueError):
            while remaining > 0 and (left := deadline - time.monotonic()) > 0:
                self.connection.settimeout(left)
                chunk = self.rfile.read1(min(65536, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)

    def _serve_file(self, raw: str, query: str, *, head: bool) -> None:
        try:
            decoded = unquote(raw, errors="strict")
        except UnicodeDecodeError:
            decoded = ""
        if not raw.isascii() or "\\" in decoded or "\x00" in decoded or not decoded.startswith("/"):
            self._plain(HTTPStatus.BAD_REQUEST, b"bad request path\n", head=head)
            return
        parts = [part for part in decoded.split("/") if part]
        site = self.server.site
        status, redirect = HTTPStatus.OK, None
        with site.lock.read():  # never a file from a half-written build
            found = _find(site.root, parts, directory_slash=decoded.endswith("/"))
            if found == "directory":
                redirect = "/" + "".join(quote(part) + "/" for part in parts)
            elif isinstance(found, Path):
                body = found.read_bytes()
            else:
                status, found = HTTPStatus.NOT_FOUND, site.root / "404.html"
                body = found.read_bytes() if found.is_file() else not_found_page()
            epoch, errors = site.epoch, site.errors
        if redirect is not None:
            location = redirect + (f"?{query}" if query else "")
            self._send(HTTPStatus.FOUND, "text/plain; charset=utf-8", b"", head=head, location=location)
            return
        assert isinstance(found, Path)
        kind = content_type(found, body[:1024])
        if kind.startswith("text/html"):
            navigate = self.server.options.navigate
            body = inject(body, epoch=epoch, token=self.server.hub.token, navigate=navigate, errors=errors)
        self._send(status, kind, body, head=head)

    def _stream_events(self, query: str) -> None:
        params = parse_qs(query)
        last = self.headers.get("Last-Event-ID") or params.get("epoch", ["0"])[0]
        epoch = int(last) if last.isdigit() else 0
        token = params.get("server", [""])[0]
        hub = self.server.hub
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 1000\n\n")
            self.wfile.flush()
            while (events := hub.events_after(epoch, token, timeout=HEARTBEAT)) is not None:
                token = hub.token
                self.wfile.write(b"".join(sse_message(e) for e in events) if events else b": idle\n\n")
                self.wfile.flush()
                epoch = events[-1].epoch if events else epoch
        except OSError:  # the tab closed or navigated away
            return

    def _run_wsgi(self, mount: Mount, path: str, query: str) -> None:
        script = mount.prefix.rstrip("/")
        environ = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": script,
            # WSGI wants the decoded path as latin-1 code points.
            "PATH_INFO": path[len(script) :].encode("utf-8").decode("latin-1"),
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": self.headers.get("Content-Length", ""),
            "SERVER_NAME": self.server.server_name,
            "SERVER_PORT": str(self.server.server_port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
        }
        for name, value in self.headers.items():
            key = "HTTP_" + name.upper().replace("-", "_")
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH") and "_" not in name:
                environ[key] = value
        # A body that stalls ends the app's read (it answers 408) instead of holding a thread.
        self.connection.settimeout(BODY_TIMEOUT)
        body = _Body(self, self._declared_length())
        handler = SimpleHandler(body, self.wfile, _LogStream(), environ, multithread=True)
        handler.os_environ = {}  # not the server process's own environment
        handler.origin_server = True
        handler.http_version = "1.0"
        handler.server_software = self.server_version
        handler.run(mount.app)
        self.close_connection = True

    # -- responses ---------------------------------------------------------------------

    def _plain(self, status: HTTPStatus, body: bytes, *, head: bool) -> None:
        self._send(status, "text/plain; charset=utf-8", body, head=head)

    def _send(
        self, status: HTTPStatus, kind: str, body: bytes, *, head: bool, location: str | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a preview must never show a stale page
        if location is not None:
            self.send_header("Location", location)
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _find(root: Path, parts: list[str], *, directory_slash: bool) -> Path | str | None:
    """The file a request path names inside `root`, "directory" for a slashless folder, or None.

    Containment is checked on resolved paths (never string prefixes), so `..`, encoded
    dots and symlinks that lead out of the site all end here as None.
    """
    if any(part in (".", "..") for part in parts):
        return None
    try:
        target = root.joinpath(*parts).resolve()
        if target.is_dir():
            if not directory_slash and parts:
                return "directory"
            target = (target / "index.html").resolve()
        elif directory_slash and parts:
            return None  # "style.css/" names a folder, and there is none
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(root) or not target.is_file():
        return None
    return target


class _Body(io.RawIOBase):
    """wsgi.input: the request's body and no further, counting what the app read."""

    def __init__(self, request: PreviewHandler, length: int) -> None:
        self.request = request
        self.remaining = length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.remaining <= 0:
            return 0
        size = min(len(buffer), self.remaining)
        chunk = self.request.rfile.read1(size)
        buffer[: len(chunk)] = chunk
        self.remaining -= len(chunk)
        self.request.body_read += len(chunk)
        return len(chunk)

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        out = bytearray()
        while len(out) < size and (chunk := super().read(size - len(out))):
            out += chunk
        return bytes(out)


class _LogStream(io.TextIOBase):
    """wsgi.errors for mounted apps: their complaints go to logging, not the terminal."""

    def write(self, text: str) -> int:
        if text.strip():
            log.warning("%s", text.rstrip())
        return len(text)


