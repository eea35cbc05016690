"""How many connections the embedded server holds, and which one makes room (under inbox).

The server counts requests (not threads: a request costs a socket and its buffered bytes
while it arrives). `fit_to_open_files` sizes the cap to what the process may open,
raising its limit where it may; `droppable` says which request may be dropped to make
room for a newcomer: the longest-arriving one, unless it has not yet had a chance to be
read at all.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_REFUSING = 512  # connections being answered 503 at once; past this they are just closed
NEW_GRACE = 0.25  # seconds a connection that has sent nothing yet is safe from being dropped
_SPARE_FILES = 64  # open files kept for the application (letters, the manifest, logs)


@dataclass(frozen=True)
class ServerLimits:
    max_connections: int = 8192  # requests at once; room is made from 7,168 on
    head_timeout: float = 10.0  # seconds from connecting to the end of the request's head
    request_timeout: float = 30.0  # seconds from connecting to the end of its body
    write_timeout: float = 10.0  # seconds for the client to take its answer
    linger_seconds: float = 5.0  # reading and discarding an unread body after answering
    linger_bytes: int = 16 * 1024 * 1024
    max_body: int | None = None  # bytes buffered for the app; None: its `max_request_body`
    max_buffered: int = 64 * 1024 * 1024  # body bytes buffered across all connections
    evict_age: float = 0.0  # seconds a request must have been arriving before it may be dropped
    threads: int = 8  # running the application


class Conn:
    __slots__ = ("buffered", "phase", "started", "writer")

    def __init__(self, writer: asyncio.StreamWriter, started: float) -> None:
        self.writer = writer
        self.started = started
        # new (nothing read yet: not dropped before NEW_GRACE, it has not had its chance),
        # head, body, app, write, linger
        self.phase = "new"
        self.buffered = 0


def droppable(conn: Conn, now: float, limits: ServerLimits) -> bool:
    """May `conn` be dropped to make room? Requests still arriving (after `evict_age`),
    answers lingering; one that has sent nothing only after NEW_GRACE, so that a request
    is never dropped before it could be read."""
    if conn.writer.transport.is_closing():
        return False
    age = now - conn.started
    return (conn.phase == "linger" or (conn.phase in ("head", "body") and age >= limits.evict_age)
            or (conn.phase == "new" and age >= NEW_GRACE))


def fit_to_open_files(wanted: int) -> tuple[int, int]:
    """(requests, refusals) at once: `wanted`, raising the process's open-file limit for them.

    Where the limit cannot be raised enough, fewer: a server out of files cannot even accept
    a connection to refuse it, while one at its cap still makes room.
    """
    refusing = min(MAX_REFUSING, max(64, wanted // 8))
    try:
        import resource
    except ImportError:  # not a Unix
        return wanted, refusing
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # Beside the requests: refusals lingering, as many dropped ones still closing, and the
    # application's own files.
    need = wanted + 2 * refusing + _SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < need:
        raised = need if hard == resource.RLIM_INFINITY else min(need, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
    if soft == resource.RLIM_INFINITY or soft >= need:
        return wanted, refusing
    room = max(48, soft - _SPARE_FILES)
    refusing = max(8, min(64, room // 8))
    log.warning("this process may open %d files: at most %d requests at once (ulimit -n)",
                soft, room - 2 * refusing)
    return room - 2 * refusing, refusing
