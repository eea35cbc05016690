"""HTTP/1.1 requests as they arrive on the wire, read strictly, and answers as they leave
(under inbox), for the embedded server.

The head of a request (request line and header fields) is parsed into a `RequestHead`, or
refused with the status to answer; a WSGI application is run on a request read whole.
Where two programs could read one request in two ways (a length given twice, a length
beside chunked transfer coding, whitespace before a colon, folded lines), the request is
refused: nothing in front of us (a proxy, a cache) can then disagree with us about where
a request ends.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes

log = logging.getLogger(__name__)

MAX_HEAD = 16 * 1024  # bytes of request line and header fields
MAX_FIELDS = 100
_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_METHOD = re.compile(r"[A-Z]{1,20}")
_VERSIONS = ("HTTP/1.1", "HTTP/1.0")


class BadRequest(Exception):
    """A request that cannot be served as sent; `status` is the answer."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class RequestHead:
    method: str
    path: str  # still percent-encoded, as sent
    query: str
    version: str
    fields: tuple[tuple[str, str], ...]  # (lower-case name, value), in the order sent
    content_length: int  # 0 without a body
    expects_continue: bool  # "Expect: 100-continue": the client waits before sending the body

    def field(self, name: str) -> str:
        return ", ".join(value for key, value in self.fields if key == name)


def head_end(buffer: bytes | bytearray) -> int:
    """The offset just past the blank line that ends a request's head, or -1."""
    crlf = buffer.find(b"\r\n\r\n")
    lf = buffer.find(b"\n\n")
    ends = [at + size for at, size in ((crlf, 4), (lf, 2)) if at >= 0]
    return min(ends) if ends else -1


def parse_head(data: bytes) -> RequestHead:
    """The head of one request (up to and including its blank line); BadRequest otherwise."""
    lines = data.decode("latin-1").replace("\r\n", "\n").split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "empty request")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not _METHOD.fullmatch(parts[0]) or not parts[1]:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "malformed request line")
    method, target, version = parts
    if version not in _VERSIONS:
        raise BadRequest(HTTPStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1 are spoken here")
    fields = []
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or not _TOKEN.fullmatch(name.encode("latin-1")):
            # Also a folded line (leading space) and "Name : value": read differently elsewhere.
            raise BadRequest(HTTPStatus.BAD_REQUEST, "malformed header field")
        if "\r" in value or "\0" in value:
            raise BadRequest(HTTPStatus.BAD_REQUEST, "control characters in a header field")
        fields.append((name.lower(), value.strip(" \t")))
    if len(fields) > MAX_FIELDS:
        raise BadRequest(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "too many header fields")
    lengths = [value for name, value in fields if name == "content-length"]
    if any(name == "transfer-encoding" for name, _ in fields):
        if lengths:
            raise BadRequest(HTTPStatus.BAD_REQUEST, "both a length and a transfer coding")
        raise BadRequest(HTTPStatus.LENGTH_REQUIRED, "a body must be sent with its length")
    if len(lengths) > 1:
        raise BadRequest(HTTPStatus.BAD_REQUEST, "more than one length")
    if lengths and not (lengths[0].isascii() and lengths[0].isdigit() and len(lengths[0]) <= 15):
        raise BadRequest(HTTPStatus.BAD_REQUEST, "a malformed length")
    if target.startswith(("http://", "https://")):  # absolute form, as sent to proxies
        target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
    path, _, query = target.partition("?")
    expects = any(name == "expect" and value.lower() == "100-continue" for name, value in fields)
    return RequestHead(
        method=method,
        path=path.partition("#")[0],
        query=query,
        version=version,
        fields=tuple(fields),
        content_length=int(lengths[0]) if lengths else 0,
        expects_continue=expects and version == "HTTP/1.1",
    )


def wsgi_environ(head: RequestHead, server: tuple[str, int], client: tuple[str, int]) -> dict[str, Any]:
    """The WSGI environ of a request (without wsgi.input and wsgi.errors)."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": head.method,
        "SCRIPT_NAME": "",
        # WSGI wants the decoded path as latin-1 code points.
        "PATH_INFO": unquote_to_bytes(head.path).decode("latin-1"),
        "QUERY_STRING": head.query,
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": head.version,
        "REMOTE_ADDR": client[0],
        "REMOTE_PORT": str(client[1]),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, _ in head.fields:
        if "_" in name:
            # X_Forwarded_For would become HTTP_X_FORWARDED_FOR too: a header smuggled
            # past a proxy that only rewrites X-Forwarded-For. Such names are dropped.
            continue
        if name == "content-type":
            environ["CONTENT_TYPE"] = head.field(name)
        elif name == "content-length":
            environ["CONTENT_LENGTH"] = str(head.content_length)
        else:
            environ["HTTP_" + name.upper().replace("-", "_")] = head.field(name)
    return environ


def response_head(status: str, headers: list[tuple[str, str]], server: str) -> bytes:
    """A response's head; the connection always closes after it (one request per connection)."""
    names = {name.lower() for name, _ in headers}
    lines = [f"HTTP/1.1 {status}"]
    lines += [f"{name}: {value}" for name, value in headers if name.lower() != "connection"]
    if "date" not in names:
        lines.append(f"Date: {formatdate(usegmt=True)}")
    lines += [f"Server: {server}", "Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def plain_response(
    status: HTTPStatus, text: str, server: str, extra: tuple[tuple[str, str], ...] = ()
) -> bytes:
    body = (text + "\n").encode("utf-8")
    headers = [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *extra,
    ]
    return response_head(f"{status.value} {status.phrase}", headers, server) + body


def run_wsgi(app: Any, environ: dict[str, Any], server: str) -> tuple[int, bytes]:
    """Run a WSGI application on one request: its status, and its whole answer as bytes."""
    started: list[tuple[str, list[tuple[str, str]]]] = []
    chunks: list[bytes] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        if exc_info and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [(status, list(headers))]
        return chunks.append

    try:
        result = app(environ, start_response)
        try:
            chunks.extend(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        status, headers = started[0]
    except Exception:
        log.exception("the application failed on a request")
        return 500, plain_response(HTTPStatus.INTERNAL_SERVER_ERROR, "internal error", server)
    body = b"".join(chunks)
    if not any(name.lower() == "content-length" for name, _ in headers):
        headers.append(("Content-Length", str(len(body))))
    code = int(status[:3]) if status[:3].isdigit() else 500
    return code, response_head(status, headers, server) + body


class ErrorsToLog:
    """wsgi.errors: what an application writes there goes to `logger` as warnings."""

    def __init__(self, logger: logging.Logger) -> None:
        self.logger = logger

    def write(self, text: str) -> int:
        if text.strip():
            self.logger.warning("%s", text.rstrip())
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass
