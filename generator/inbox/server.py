"""The embedded server behind `fireside inbox serve`: wsgiref, one thread per request.

Enough for a personal blog's letters (see docs/performance.md); gunicorn or waitress run
the same application in production. Requests are logged through `logging` (at debug
level: `fireside -v inbox serve`) as method, path and status only: never a header, a body
or a query (pull URLs carry none, but the form's fields must not end up in a log).
"""

from __future__ import annotations

import logging
import socket
import socketserver
import sys
import threading
from typing import Any
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 30.0  # seconds a client may take to send its request: slow clients let go


class _Handler(WSGIRequestHandler):
    timeout = REQUEST_TIMEOUT
    server_version = "fireside-inbox"
    sys_version = ""  # no Python version in the Server header

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        path = quote(self.path.partition("?")[0][:200], safe="/%-._~")  # printable, whatever was sent
        log.debug("%s %s %s", self.command, path, code)  # -v; by default one line per letter (receiver.py)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)

    def get_stderr(self) -> Any:
        return _ErrorsToLog()


class _ErrorsToLog:
    def write(self, text: str) -> int:
        if text.strip():
            log.warning("%s", text.rstrip())
        return len(text)

    def flush(self) -> None:
        pass


class EmbeddedServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of letters waits in the queue rather than being refused
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: Any) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        super().__init__(address, _Handler)
        self.set_app(app)

    def server_bind(self) -> None:
        # HTTPServer's version looks the host name up (getfqdn), which can stall for seconds.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = str(self.server_address[0]), int(self.server_address[1])
        self.setup_environ()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            log.debug("a client went away")
        else:
            log.exception("serving a request failed")

    @property
    def url(self) -> str:
        host, port = str(self.server_address[0]), int(self.server_address[1])
        return f"http://{f'[{host}]' if ':' in host else host}:{port}/"


def make_server(app: Any, host: str = "127.0.0.1", port: int = 8025) -> EmbeddedServer:
    """Bind (OSError if the port is taken); serve with `serve_forever()` or `start_in_thread`."""
    return EmbeddedServer((host, port), app)


def start_in_thread(server: EmbeddedServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, args=(0.1,), name="fireside-inbox", daemon=True)
    thread.start()
    return thread
