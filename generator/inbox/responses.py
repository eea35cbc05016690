"""An HTTP answer as the receiver builds it, before WSGI sends it (under inbox)."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus


@dataclass(frozen=True)
class Response:
    status: HTTPStatus
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()
    form_targets: tuple[str, ...] = ()  # origins an HTML page's form may lead to (CSP)


def not_allowed(allow: str) -> Response:
    return Response(HTTPStatus.METHOD_NOT_ALLOWED, b"method not allowed\n", headers=(("Allow", allow),))
