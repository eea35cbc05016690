"""The embedded server behind `fireside inbox serve`: one event loop reads every request
whole, and a few threads run the WSGI application on what arrived.

A client costs a socket and its buffered bytes while it sends, never a thread, so clients
that trickle a byte at a time cannot take the application away from anyone else:

- a whole-request deadline: the head within `head_timeout` of connecting, the body within
  `request_timeout`, however the bytes trickle (not a timeout that each byte restarts);
- a cap on open connections (`max_connections`, fitted to the process's open-file
  limit): from seven eighths of it on, the connection that has been sending its request
  longest is dropped to make room for each newcomer; at the cap, when none can be
  dropped, the newcomer is answered 503 at once;
- a cap on buffered body bytes (`max_buffered`), kept the same way;
- answers given before a body was read (413, 400) are followed by reading and discarding
  what the client still sends, for a bounded time, so that it reads its answer instead of
  a connection reset.

One request per connection. Requests are logged through `logging` (at debug level:
`fireside -v inbox serve`) as method, path and status only: never a header, a body or a
query (pull URLs carry none, but the form's fields must not end up in a log). A request
the server answers itself (408, 400, 411) is one line at info level; connections closed
without an answer (dropped, gone, silent) are summed up in one line every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import socket
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

from generator.inbox.capacity import Conn, ServerLimits, droppable, fit_to_open_files
from generator.inbox.wire import (
    MAX_HEAD,
    BadRequest,
    ErrorsToLog,
    head_end,
    parse_head,
    plain_response,
    run_wsgi,
    wsgi_environ,
)

log = logging.getLogger(__name__)

SERVER = "fireside-inbox"
DEFAULT_MAX_BODY = 1024 * 1024  # for an application that does not say what it reads
SUMMARY_SECONDS = 10.0
LISTEN_QUEUE = 1024  # connections waiting to be accepted (a burst, or one while files are short)


class _Dropped(Exception):
    """This connection was dropped to make room, or the buffer budget has no room for it."""


class EmbeddedServer:
    """Bound on creation (OSError if the address is taken); `serve_forever()` in a thread."""

    def __init__(self, address: tuple[str, int], app: Any, limits: ServerLimits | None = None) -> None:
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(LISTEN_QUEUE)
            sock.setblocking(False)
        except OSError:
            sock.close()
            raise
        self.socket = sock
        self.server_address = (str(sock.getsockname()[0]), int(sock.getsockname()[1]))
        self.app = app
        limits = limits or ServerLimits()
        if limits.max_body is None:
            limits = replace(limits, max_body=int(getattr(app, "max_request_body", DEFAULT_MAX_BODY)))
        connections, self._max_refusing = fit_to_open_files(limits.max_connections)
        self.limits = replace(limits, max_connections=connections)
        # Sockets at most: requests, refusals lingering, dropped ones still closing.
        self._files = connections + 2 * self._max_refusing
        self._open = 0  # sockets accepted and not yet closed
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = asyncio.Event()
        self._conns: dict[int, Conn] = {}  # requests being read or answered, oldest first
        self._refusing = 0
        self._buffered = 0
        self._unanswered: Counter[str] = Counter()  # since the last summary line
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._stop = threading.Event()
        self._started = threading.Event()
        self._done = threading.Event()

    @property
    def url(self) -> str:
        host, port = self.server_address
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"

    # -- running -------------------------------------------------------------------------

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until `shutdown()` (poll_interval is accepted for socketserver's callers)."""
        self._done.clear()
        self._started.set()
        try:
            if not self._stop.is_set():
                asyncio.run(self._main())
        finally:
            self._done.set()

    def shutdown(self) -> None:
        """Stop serving and wait until `serve_forever` has returned (from another thread)."""
        self._stop.set()
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(wake.set)
        if self._started.is_set():
            self._done.wait()

    def wait_started(self, timeout: float = 5.0) -> None:
        self._started.wait(timeout)

    def server_close(self) -> None:
        self.socket.close()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._stop.is_set():
            return
        self._pool = ThreadPoolExecutor(self.limits.threads, thread_name_prefix="fireside-inbox")
        tasks = {asyncio.create_task(self._accept()), asyncio.create_task(self._summaries())}
        try:
            await self._wake.wait()
        finally:
            for task in tasks:
                task.cancel()
            for conn in list(self._conns.values()):
                conn.writer.transport.abort()
            self._pool.shutdown(wait=False, cancel_futures=True)

    async def _accept(self) -> None:
        """Accept one connection at a time, never past the open files this process may use:
        each socket is counted from its accept to its close, so none is accepted only to
        fail (a longer listen queue lets a burst wait its turn instead)."""
        loop = asyncio.get_running_loop()
        while True:
            while self._open >= self._files:
                self._closed.clear()
                await self._closed.wait()
            try:
                sock, _ = await loop.sock_accept(self.socket)
            except OSError as exc:  # out of files after all (another thread's), or a reset
                log.warning("could not accept a connection: %s", exc.strerror or exc)
                await asyncio.sleep(0.1)
                continue
            self._open += 1
            task = asyncio.create_task(self._connected(sock))
            self._tasks.add(task)  # a reference, so the task is not collected while it runs
            task.add_done_callback(self._tasks.discard)
            # sock_accept returns without yielding while connections wait: let the others run
            # (and read what arrived) between two accepts, or a flood starves every reader.
            await asyncio.sleep(0)

    async def _connected(self, sock: socket.socket) -> None:
        try:
            reader, writer = await asyncio.open_connection(sock=sock)
        except OSError:
            sock.close()
            self._socket_closed()
            return
        try:
            await self._admit(reader, writer)
        finally:
            if not writer.is_closing():
                writer.transport.abort()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), self.limits.write_timeout)
            self._socket_closed()

    def _socket_closed(self) -> None:
        self._open -= 1
        self._closed.set()

    async def _summaries(self) -> None:
        while True:
            await asyncio.sleep(SUMMARY_SECONDS)
            self._log_summary()

    def _log_summary(self) -> None:
        if self._unanswered:
            said = ", ".join(f"{count} {what}" for what, count in sorted(self._unanswered.items()))
            log.info("connections closed without an answer in the last %.0f s: %s", SUMMARY_SECONDS, said)
            self._unanswered.clear()

    # -- one connection ------------------------------------------------------------------

    async def _admit(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = Conn(writer, asyncio.get_running_loop().time())
        # Room is made from seven eighths of the cap on, so a burst of new connections that
        # cannot be dropped yet still finds places; only at the cap itself is one refused.
        # The cap counts requests; dropped ones hold their socket a moment longer as they
        # close, and refusals a second: fit_to_open_files leaves room for both.
        count, cap = len(self._conns), self.limits.max_connections
        if count >= cap - max(1, cap // 8) and not self._evict(conn.started) and count >= cap:
            await self._refuse(reader, writer)
            return
        self._conns[id(conn)] = conn
        try:
            await self._serve(conn, reader, writer)
        except _Dropped:
            self._unanswered["dropped to make room"] += 1
        except (ConnectionError, asyncio.IncompleteReadError):
            self._unanswered["gone before their request was whole"] += 1
        except Exception:
            log.exception("serving a request failed")
        finally:
            self._conns.pop(id(conn), None)
            self._buffered -= conn.buffered
            conn.buffered = 0

    async def _serve(self, conn: Conn, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        limits = self.limits
        buffer = bytearray()
        try:
            async with asyncio.timeout_at(conn.started + min(limits.head_timeout, limits.request_timeout)):
                while (end := head_end(buffer)) < 0:
                    if len(buffer) > MAX_HEAD:
                        await self._error(conn, reader, HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                                          "The request's head is too large.", unread=True)
                        return
                    chunk = await reader.read(8192)
                    if not chunk:
                        if writer.transport.is_closing():
                            raise _Dropped()
                        self._gone(conn, "gone before their request was whole" if buffer else "closed unused")
                        return
                    buffer += chunk
                    conn.phase = "head"
        except TimeoutError:
            if not buffer:
                self._unanswered["silent until the deadline"] += 1
                writer.close()
                return
            await self._error(conn, reader, HTTPStatus.REQUEST_TIMEOUT,
                              "The request did not arrive in time.", unread=True, method="-")
            return
        try:
            head = parse_head(bytes(buffer[:end]))
        except BadRequest as bad:
            await self._error(conn, reader, bad.status, f"Bad request: {bad.reason}.", unread=True)
            return
        assert limits.max_body is not None
        length, rest = head.content_length, bytes(buffer[end:])
        body, unread = b"", False
        if length <= limits.max_body:
            conn.phase = "body"
            if head.expects_continue and len(rest) < length:
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            try:
                async with asyncio.timeout_at(conn.started + limits.request_timeout):
                    body = await self._read_body(conn, reader, rest, length)
            except TimeoutError:
                await self._error(conn, reader, HTTPStatus.REQUEST_TIMEOUT,
                                  "The request's body did not arrive in time.", unread=True,
                                  method=head.method, path=head.path)
                return
        else:
            unread = True  # the application sees the length and answers without reading
        conn.phase = "app"
        environ = wsgi_environ(head, self.server_address, self._client(writer))
        environ["wsgi.input"] = io.BytesIO(body)
        environ["wsgi.errors"] = ErrorsToLog(log)
        assert self._pool is not None
        status, answer = await asyncio.get_running_loop().run_in_executor(
            self._pool, run_wsgi, self.app, environ, SERVER
        )
        _log_request(head.method, head.path, status)
        await self._answer(conn, reader, answer, unread=unread)

    async def _read_body(self, conn: Conn, reader: asyncio.StreamReader, rest: bytes, length: int) -> bytes:
        body = bytearray(rest[:length])
        self._take(conn, len(body))
        while len(body) < length:
            chunk = await reader.read(min(65536, length - len(body)))
            if not chunk:
                raise (_Dropped() if conn.writer.transport.is_closing() else ConnectionResetError())
            body += chunk
            self._take(conn, len(chunk))
        return bytes(body)

    def _take(self, conn: Conn, size: int) -> None:
        """Count `size` more buffered bytes; over the budget, the oldest senders make room."""
        conn.buffered += size
        self._buffered += size
        while self._buffered > self.limits.max_buffered:
            if not self._evict(conn.started, sparing=conn):
                raise _Dropped()

    def _evict(self, now: float, sparing: Conn | None = None) -> bool:
        """Drop the connection whose request has been arriving longest (see `droppable`)."""
        conn = next((c for c in self._conns.values() if c is not sparing and droppable(c, now, self.limits)),
                    None)
        if conn is None:
            return False
        self._conns.pop(id(conn), None)
        self._buffered -= conn.buffered
        conn.buffered = 0
        conn.writer.write(plain_response(HTTPStatus.SERVICE_UNAVAILABLE, "Too slow: dropped to make room.",
                                         SERVER, (("Retry-After", "5"),)))
        conn.writer.close()
        return True

    async def _refuse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Every connection is busy and none may yield: 503 now, not a wait in a queue."""
        self._unanswered["refused while full (503)"] += 1
        if self._refusing >= self._max_refusing:
            writer.transport.abort()
            return
        self._refusing += 1
        try:
            writer.write(plain_response(HTTPStatus.SERVICE_UNAVAILABLE, "Busy: please try again shortly.",
                                        SERVER, (("Retry-After", "5"),)))
            await self._linger(reader, writer, seconds=1.0)
        finally:
            self._refusing -= 1
            writer.close()

    # -- answering -----------------------------------------------------------------------

    async def _error(self, conn: Conn, reader: asyncio.StreamReader, status: HTTPStatus, text: str, *,
                     unread: bool, method: str = "-", path: str = "-") -> None:
        shown = quote(path[:200], safe="/%-._~")
        log.info("answered %s %s with %d: %s", method, shown, status.value, text)
        await self._answer(conn, reader, plain_response(status, text, SERVER), unread=unread)

    async def _answer(self, conn: Conn, reader: asyncio.StreamReader, data: bytes, *, unread: bool) -> None:
        conn.phase = "write"
        writer = conn.writer
        writer.write(data)
        try:
            async with asyncio.timeout(self.limits.write_timeout):
                await writer.drain()
        except (TimeoutError, ConnectionError):
            writer.transport.abort()
            return
        if unread:
            conn.phase = "linger"
            self._buffered -= conn.buffered
            conn.buffered = 0
            await self._linger(reader, writer, seconds=self.limits.linger_seconds)
        writer.close()

    async def _linger(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, seconds: float
    ) -> None:
        """Say we are done, then read and discard what the client still sends, for a while.

        Closing with unread bytes makes the kernel reset the connection, and a client still
        sending (as browsers and urllib do) then sees the reset instead of our answer.
        """
        with contextlib.suppress(OSError, RuntimeError):
            writer.write_eof()
        drained = 0
        with contextlib.suppress(TimeoutError, ConnectionError):
            async with asyncio.timeout(seconds):
                while drained < self.limits.linger_bytes and (chunk := await reader.read(65536)):
                    drained += len(chunk)

    def _gone(self, conn: Conn, what: str) -> None:
        self._unanswered[what] += 1
        conn.writer.close()

    @staticmethod
    def _client(writer: asyncio.StreamWriter) -> tuple[str, int]:
        peer = writer.get_extra_info("peername") or ("", 0)
        return str(peer[0]), int(peer[1])


def _log_request(method: str, path: str, status: int) -> None:
    shown = quote(path[:200], safe="/%-._~")  # printable, whatever was sent
    log.debug("%s %s %s", method, shown, status)  # -v; by default one line per letter (receiver.py)


def make_server(app: Any, host: str = "127.0.0.1", port: int = 8025,
                limits: ServerLimits | None = None) -> EmbeddedServer:
    """Bind (OSError if the port is taken); serve with `serve_forever()` or `start_in_thread`."""
    return EmbeddedServer((host, port), app, limits)


def start_in_thread(server: EmbeddedServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="fireside-inbox", daemon=True)
    thread.start()
    server.wait_started()
    return thread
