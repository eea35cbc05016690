"""The pull API: how `fireside inbox pull` takes letters off the receiver.

    GET    /api/thoughts          letters waiting (new/ and spam/): id, folder, sha256, size
    GET    /api/thoughts/F/ID     one of them, as its file's bytes (F: new or spam)
    DELETE /api/thoughts/F/ID     drop it once the author has it safe; with If-Match naming
                                  the digest fetched, only that exact file is dropped

Every request needs `Authorization: Bearer <FIRESIDE_INBOX_TOKEN>`: none gets 401, a wrong
one 403 (and a receiver without a token refuses everyone). Ids and folders are checked
against their patterns before any path is made from them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from http import HTTPStatus
from typing import Any

from generator.inbox import pages
from generator.inbox.ratelimit import client_address, network_of
from generator.inbox.responses import Response, not_allowed
from generator.inbox.store import InboxStore
from generator.inbox.thought import is_id

log = logging.getLogger(__name__)

PULL_FOLDERS = ("new", "spam")


class PullApi:
    def __init__(self, store: InboxStore, token: str, trust_proxy: bool) -> None:
        self.store = store
        self.token = token
        self.trust_proxy = trust_proxy

    def handle(self, environ: dict[str, Any], method: str, path: str) -> Response:
        denied = self._check_token(environ)
        if denied is not None:
            return denied
        if path == "/api/thoughts":
            if method not in ("GET", "HEAD"):
                return not_allowed("GET, HEAD")
            listing = []
            for stored_path in self.store.paths(PULL_FOLDERS):
                try:
                    data = stored_path.read_bytes()
                except OSError:
                    continue  # pulled by another client a moment ago
                listing.append({
                    "id": stored_path.stem,
                    "folder": stored_path.parent.name,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                })
            return Response(HTTPStatus.OK, pages.json_body({"thoughts": listing}), pages.JSON_TYPE)
        folder, _, thought_id = path[len("/api/thoughts/") :].partition("/")
        if folder not in PULL_FOLDERS or not is_id(thought_id):
            return Response(HTTPStatus.NOT_FOUND, b"no such letter\n")
        target = self.store.folder(folder) / f"{thought_id}.md"
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            return Response(HTTPStatus.NOT_FOUND, b"no such letter\n")
        digest = hashlib.sha256(data).hexdigest()
        if method in ("GET", "HEAD"):
            return Response(HTTPStatus.OK, data, "text/markdown; charset=utf-8", (("ETag", f'"{digest}"'),))
        if method == "DELETE":
            expected = environ.get("HTTP_IF_MATCH", "").strip().strip('"')
            if expected and not hmac.compare_digest(expected, digest):
                return Response(HTTPStatus.PRECONDITION_FAILED, b"the letter changed since it was fetched\n")
            try:
                target.unlink()
            except FileNotFoundError:
                return Response(HTTPStatus.NOT_FOUND, b"no such letter\n")
            log.info("letter %s pulled and dropped", thought_id)
            return Response(HTTPStatus.NO_CONTENT)
        return not_allowed("GET, HEAD, DELETE")

    def _check_token(self, environ: dict[str, Any]) -> Response | None:
        scheme, _, given = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return Response(
                HTTPStatus.UNAUTHORIZED,
                b"a bearer token is needed (FIRESIDE_INBOX_TOKEN)\n",
                headers=(("WWW-Authenticate", 'Bearer realm="fireside-inbox"'),),
            )
        expected = self.token.encode("utf-8")
        # compare_digest takes as long whatever the first wrong byte: the token can't be guessed
        # byte by byte from response times.
        if not expected or not hmac.compare_digest(given.strip().encode("utf-8", "replace"), expected):
            network = network_of(client_address(environ, self.trust_proxy))
            log.warning("pull refused: wrong token from %s", network)
            return Response(HTTPStatus.FORBIDDEN, b"wrong token\n")
        return None
