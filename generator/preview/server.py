"""`fireside serve`: build, serve, watch, rebuild, reload (an edge over the build).

A `Preview` owns a ThreadingHTTPServer, a `ChangeWatcher` and a rebuild thread. The site is
built into a temp folder outside the site, so writing it never wakes the watcher, and the
folder is removed on exit. Nothing here prints: builds go to the `report` callback the CLI
passes in. How a build is swapped in without serving a half-written site, and how tabs
learn about it, is in `livereload`.

Routes, in order: `/__fireside/…` (the reload script and event stream), the `mounts` (a
path prefix → a WSGI app: the hook for the reader inbox), then the built site's files.
"""

from __future__ import annotations

import io
import logging
import mimetypes
import secrets
import shutil
import socket
import socketserver
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote
from wsgiref.handlers import SimpleHandler

from generator.build.pipeline import BuildOptions
from generator.preview.livereload import (
    EVENTS_PATH,
    SCRIPT,
    SCRIPT_PATH,
    EventHub,
    Rebuilder,
    RebuildFailed,
    Rebuilt,
    Report,
    ServedSite,
    ServeEvent,
    inject,
    not_found_page,
    sse_message,
)
from generator.preview.watch import ChangeWatcher
from generator.site.config import SiteLayout

__all__ = ["Mount", "Preview", "RebuildFailed", "Rebuilt", "ServeEvent", "ServeOptions", "start_preview"]

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]
HEARTBEAT = 15.0  # seconds between comments on an idle event stream, to notice closed tabs

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
            if key not in ("HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH"):
                environ[key] = value
        handler = SimpleHandler(self.rfile, self.wfile, _LogStream(), environ, multithread=True)
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


class _LogStream(io.TextIOBase):
    """wsgi.errors for mounted apps: their complaints go to logging, not the terminal."""

    def write(self, text: str) -> int:
        if text.strip():
            log.warning("%s", text.rstrip())
        return len(text)


class Preview:
    """A running `fireside serve`: made by `start_preview`; then `wait()` and `stop()`."""

    def __init__(self, config_file: Path, options: ServeOptions, report: Report) -> None:
        layout = SiteLayout(root=config_file.resolve().parent, config_file=config_file.resolve())
        self.options = options
        self.hub = EventHub(token=secrets.token_hex(8))
        self.output_dir = Path(tempfile.mkdtemp(prefix="fireside-serve-"))
        self.site = ServedSite(self.output_dir.resolve())
        try:
            self.server = PreviewServer((options.host, options.port), self.site, self.hub, options)
        except OSError:
            shutil.rmtree(self.output_dir, ignore_errors=True)
            raise
        host, self.port = str(self.server.server_address[0]), int(self.server.server_address[1])
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{self.port}/"
        # The preview lives at the root of its own origin: the site's base path is dropped.
        build_options = BuildOptions(
            drafts=options.drafts,
            output_dir=self.output_dir,
            base_url=self.url,
            private_output=True,
            fingerprint_assets=False,  # a stylesheet edit is swapped into open tabs by its name
            inbox_endpoint=options.inbox_endpoint,
        )
        self.rebuilder = Rebuilder(
            layout.config_file, build_options, self.site, self.hub, report, navigate=options.navigate
        )
        self.watcher = ChangeWatcher(
            layout, poll=options.poll, quiet=options.quiet, max_wait=options.max_wait
        )
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._serving = False
        self.threads: tuple[threading.Thread, ...] = ()

    def start(self) -> None:
        self.watcher.start()  # before the first build, so a save during it is not lost
        self.rebuilder.build(())
        self.threads = (
            # A short poll interval: shutdown() waits for the loop to notice, and Ctrl-C must be quick.
            threading.Thread(
                target=self.server.serve_forever, args=(0.05,), name="fireside-http", daemon=True
            ),
            threading.Thread(target=self._rebuild_loop, name="fireside-rebuild", daemon=True),
        )
        for thread in self.threads:
            thread.start()
        self._serving = True

    def _rebuild_loop(self) -> None:
        while (batch := self.watcher.next_batch()) is not None:
            self.rebuilder.build(batch)

    def stop(self) -> None:
        """Stop at once; a build still planning is abandoned (it has written nothing)."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            self._stopped.set()
        self.watcher.stop()
        self.hub.close()
        if self._serving:
            self.server.shutdown()
        self.server.server_close()
        with self.site.lock.write():  # not in the middle of a write_site
            self.site.closed = True
            shutil.rmtree(self.output_dir, ignore_errors=True)
        for thread in self.threads:
            thread.join(timeout=1)  # a build still planning finishes on its own; it is a daemon

    def wait(self, timeout: float | None = None) -> bool:
        """Block until stopped (True) or `timeout` passed (False); Ctrl-C interrupts it."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_preview(config_file: Path, options: ServeOptions, report: Report) -> Preview:
    """Bind (OSError if the port is taken), build once, then serve and watch in the background."""
    preview = Preview(config_file, options, report)
    try:
        preview.start()
    except BaseException:
        preview.stop()
        raise
    return preview
