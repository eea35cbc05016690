"""The receiver: a WSGI application that takes letters and hands them to `pull`.

Routes (relative to wherever it is mounted):

    POST /                       a letter from the form: 303 to the thank-you page, or JSON
                                 when the request accepts application/json (letter.js)
    OPTIONS /                    CORS preflight
    GET  /                       a line saying what this is
    GET  /thanks                 a plain thank-you page, when the site has none to go to
    GET  /health                 "ok", for monitors
    /api/thoughts...             the pull API, with a bearer token (see `api`)

One `InboxApp` holds all its state (store, known posts, rate limiter, notifier, API): make as
many as you like; nothing is shared through the module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

from generator.build.manifest import ManifestPost
from generator.inbox import pages
from generator.inbox.api import PullApi
from generator.inbox.idempotency import SeenKeys
from generator.inbox.mail import Notifier
from generator.inbox.posts import KnownPosts, host_of, origin_of, site_base, thanks_url
from generator.inbox.ratelimit import RateLimiter, Ticket, client_address, network_of
from generator.inbox.responses import Response, not_allowed
from generator.inbox.settings import ReceiverSettings
from generator.inbox.store import InboxStore, StoreUnavailable
from generator.inbox.thought import CONSENTS, Thought, new_id
from generator.inbox.validation import (
    FORM_TYPE,
    Problem,
    Refused,
    normalise_newlines,
    parse_content_type,
    parse_form,
    spam_reason,
    validate,
)

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
THANK_YOU = "Thank you. Your letter reached me; I read every one, and I’ll answer you by email."
KEPT_FIELDS = ("post", "name", "email", "message", "consent", "key")


class InboxApp:
    """The WSGI application; see the module's docstring for its routes."""

    def __init__(self, settings: ReceiverSettings) -> None:
        self.settings = settings
        self.store = InboxStore(settings.inbox_dir)
        try:
            self.store.ensure()
            self.store.clean_tmp()
        except StoreUnavailable as exc:
            # Keep running: letters are answered 503 (their text kept) until the folder works.
            log.error("the inbox folder is not usable: %s", exc.strerror)
        self.keys = SeenKeys(settings.inbox_dir)
        self.keys.clean()
        self.posts = KnownPosts(settings.manifest, settings.manifest_refresh)
        self.limiter = RateLimiter(settings.rates)
        self.notifier = Notifier(settings.notice.smtp, settings.notice.to) if settings.notice else None
        self.api = PullApi(self.store, settings.token, settings.trust_proxy)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        try:
            response = self._route(environ)
        except Exception:  # the reader gets an answer, the log gets the traceback
            log.exception("the receiver failed on a request")
            response = Response(HTTPStatus.INTERNAL_SERVER_ERROR, b"internal error\n")
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            ("Cache-Control", "no-store"),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
            *response.headers,
        ]
        if response.content_type.startswith("text/html"):
            headers.append(("Content-Security-Policy", pages.csp(response.form_targets)))
        start_response(f"{response.status.value} {response.status.phrase}", headers)
        return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else response.body]

    def close(self) -> None:
        if self.notifier is not None:
            self.notifier.close()

    # -- routing --------------------------------------------------------------------------

    def _route(self, environ: dict[str, Any]) -> Response:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET")
        reading = method in ("GET", "HEAD")
        if path == "/":
            if method == "POST":
                return self._submit(environ)
            if method == "OPTIONS":
                return self._preflight(environ)
            if reading:
                return Response(HTTPStatus.OK, pages.landing_page(), pages.HTML_TYPE)
            return not_allowed("GET, HEAD, POST, OPTIONS")
        if path == "/thanks" and reading:
            return Response(HTTPStatus.OK, pages.thanks_page(None), pages.HTML_TYPE)
        if path == "/health" and reading:
            return Response(HTTPStatus.OK, b"ok\n")
        if path == "/api/thoughts" or path.startswith("/api/thoughts/"):
            return self.api.handle(environ, method, path)
        return Response(HTTPStatus.NOT_FOUND, b"not found\n")

    # -- letters --------------------------------------------------------------------------

    def _submit(self, environ: dict[str, Any]) -> Response:
        wants_json = "application/json" in environ.get("HTTP_ACCEPT", "")
        cors = self._cors(environ)
        origin = environ.get("HTTP_ORIGIN", "")
        if origin and self.settings.allowed_origins and not cors:
            # %r: a logged origin is printable, whatever was sent.
            log.warning("refused a letter from origin %r: not in allowed_origins", origin[:100])
            problem = Problem("", "This letterbox only takes letters from its own site.")
            # The refusal itself is readable by the page, so the reader is told the truth.
            readable = (("Access-Control-Allow-Origin", origin), ("Vary", "Origin"))
            return self._refused(Refused(HTTPStatus.FORBIDDEN, problem), None, None, wants_json, readable)
        try:
            fields = self._read_form(environ)
        except Refused as refused:
            log.info("refused a request: %d", refused.status.value)
            return self._refused(refused, None, None, wants_json, cors)
        kept = {key: fields.get(key, "") for key in KEPT_FIELDS}
        kept["message"] = normalise_newlines(kept["message"])
        posts = self.posts.get()
        post = posts.get(kept["post"]) if posts else None
        if self.keys.find(kept["key"]):
            # The same letter again (no answer reached the page the first time): stored once.
            log.info("letter %s sent again; kept once", self.keys.find(kept["key"]))
            return self._accepted(environ, post, wants_json, cors)
        reason = spam_reason(fields, self.settings.limits)
        if reason:
            return self._file_spam(environ, kept, post, reason, wants_json, cors)
        if posts is None:
            log.error("a letter arrived but no posts manifest is readable")
            problem = Problem("", "The letterbox isn’t ready (it doesn’t know the site’s posts yet). "
                                  "Please try again later.")
            refused = Refused(HTTPStatus.SERVICE_UNAVAILABLE, problem)
            return self._refused(refused, kept, None, wants_json, cors)
        try:
            submission = validate(fields, self.settings.limits, posts)
        except Refused as refused:
            log.info("refused a letter: %s", ", ".join(p.field or "-" for p in refused.problems))
            return self._refused(refused, kept, self._back(post, posts), wants_json, cors)
        network = network_of(client_address(environ, self.settings.trust_proxy))
        ticket = self.limiter.acquire(address=submission.email, network=network)
        if not isinstance(ticket, Ticket):
            log.info("rate limit reached for a sender in %s", network)
            problem = Problem("", "You’ve sent several letters in a short while. Please wait a little and "
                                  "send this one again.")
            refused = Refused(HTTPStatus.TOO_MANY_REQUESTS, problem)
            extra = (("Retry-After", str(int(ticket))),)
            return self._refused(refused, kept, self._back(submission.post, posts), wants_json, cors, extra)
        domain = host_of(posts)

        def make() -> Thought:
            thought_id = new_id(datetime.now(UTC))
            return Thought(
                id=thought_id,
                post=submission.post.id,
                post_title=submission.post.title,
                name=submission.name,
                email=submission.email,
                consent=submission.consent,
                received=datetime.now(UTC),
                message=submission.message,
                message_id=f"<{thought_id}@{domain}>",
            )

        try:
            thought = self.store.add(make)
        except StoreUnavailable as exc:
            self.limiter.release(ticket)
            log.error("could not store a letter: %s", exc.strerror)
            problem = Problem("", "Your letter couldn’t be stored just now. Nothing was kept, so please "
                                  "send it again later.")
            refused = Refused(HTTPStatus.SERVICE_UNAVAILABLE, problem)
            return self._refused(refused, kept, self._back(submission.post, posts), wants_json, cors)
        if self._stored_twice(kept["key"], thought):
            return self._accepted(environ, submission.post, wants_json, cors)
        log.info("letter %s stored for post %s", thought.id, thought.post)
        if self.notifier is not None:
            self.notifier.notify(thought)
        return self._accepted(environ, submission.post, wants_json, cors)

    def _file_spam(
        self,
        environ: dict[str, Any],
        kept: Mapping[str, str],
        post: ManifestPost | None,
        reason: str,
        wants_json: bool,
        cors: tuple[tuple[str, str], ...],
    ) -> Response:
        """Keep a suspected bot's letter for review, and answer exactly as for a real one."""
        network = network_of(client_address(environ, self.settings.trust_proxy))
        ticket = self.limiter.acquire(address=None, network=network)
        if isinstance(ticket, Ticket):
            consent = kept["consent"] if kept["consent"] in CONSENTS else "private"

            def make() -> Thought:
                return Thought(
                    id=new_id(datetime.now(UTC)),
                    # Only a known post's id is kept: no reader-chosen slug goes anywhere.
                    post=post.id if post else "",
                    post_title=post.title if post else "",
                    name=kept["name"],
                    email=kept["email"],
                    consent=consent,  # type: ignore[arg-type]
                    received=datetime.now(UTC),
                    message=kept["message"],
                    status="spam",
                    spam_reason=reason,
                )

            try:
                thought = self.store.add(make)
                if not self._stored_twice(kept["key"], thought):
                    log.info("suspected spam %s filed (%s)", thought.id, reason)
            except StoreUnavailable as exc:
                self.limiter.release(ticket)
                log.warning("could not file suspected spam: %s", exc.strerror)
        else:
            log.info("suspected spam from %s dropped: over the network's limit", network)
        return self._accepted(environ, post, wants_json, cors)

    def _stored_twice(self, key: str, thought: Thought) -> bool:
        """Keep `key` for the letter; if a simultaneous request with it won, drop ours (just made)."""
        earlier = self.keys.remember(key, thought.id)
        if earlier is None or earlier == thought.id:
            return False
        self.store.delete(thought.id)
        log.info("letter %s sent twice at once; kept once", earlier)
        return True

    def _read_form(self, environ: dict[str, Any]) -> dict[str, str]:
        content_type = environ.get("CONTENT_TYPE", "")
        if parse_content_type(content_type)[0] != FORM_TYPE:
            return parse_form(b"", content_type)  # raises the 415 with its explanation
        length_text = environ.get("CONTENT_LENGTH", "").strip()
        if not length_text:
            raise Refused(HTTPStatus.LENGTH_REQUIRED, Problem("", "The letter arrived without its length."))
        if not length_text.isdigit():
            raise Refused(HTTPStatus.BAD_REQUEST, Problem("", "The letter’s length is garbled."))
        length = int(length_text)
        if length > self.settings.limits.max_body:
            # Answered before reading a byte of it: a huge body costs us nothing.
            raise Refused(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                Problem("", f"Your letter is longer than this letterbox takes "
                            f"({self.settings.limits.max_body // 1024} KB at most)."),
            )
        body = _read_exactly(environ["wsgi.input"], length)
        if len(body) < length:
            raise Refused(HTTPStatus.BAD_REQUEST, Problem("", "The letter arrived incomplete."))
        return parse_form(body, content_type)

    def _accepted(
        self,
        environ: dict[str, Any],
        post: ManifestPost | None,
        wants_json: bool,
        cors: tuple[tuple[str, str], ...],
    ) -> Response:
        if wants_json:
            body = pages.json_body({"ok": True, "message": THANK_YOU})
            return Response(HTTPStatus.OK, body, pages.JSON_TYPE, cors)
        # The site's own thank-you page; else ours, wherever we are mounted.
        own = environ.get("SCRIPT_NAME", "").rstrip("/") + "/thanks"
        target = self.settings.thanks_url or (thanks_url(post) if post else None) or own
        return Response(HTTPStatus.SEE_OTHER, b"", pages.HTML_TYPE, (("Location", target), *cors))

    def _refused(
        self,
        refused: Refused,
        kept: Mapping[str, str] | None,
        back: pages.BackLink | None,
        wants_json: bool,
        cors: tuple[tuple[str, str], ...],
        extra: tuple[tuple[str, str], ...] = (),
    ) -> Response:
        headers = (*cors, *extra)
        if wants_json:
            document: dict[str, object] = {
                "ok": False,
                "error": " ".join(p.message for p in refused.problems),
                "field": refused.problems[0].field if refused.problems else "",
                "errors": [{"field": p.field, "message": p.message} for p in refused.problems],
            }
            return Response(refused.status, pages.json_body(document), pages.JSON_TYPE, headers)
        body = pages.error_page(refused.status, refused.problems, kept, back)
        # Sent again from this page, the letter is answered with a redirect to the site.
        targets = tuple(sorted({o for p in (self.posts.get() or {}).values() if (o := origin_of(p.url))}))
        if self.settings.thanks_url and (thanks_origin := origin_of(self.settings.thanks_url)):
            targets = (*targets, thanks_origin)
        return Response(refused.status, body, pages.HTML_TYPE, headers, targets)

    @staticmethod
    def _back(post: ManifestPost | None, posts: Mapping[str, ManifestPost]) -> pages.BackLink | None:
        if post is not None:
            return pages.BackLink(post.url + "#write", f"Back to “{post.title}”")
        base = next((b for p in posts.values() if (b := site_base(p))), None)
        return pages.BackLink(base, "Back to the site") if base else None

    # -- CORS -----------------------------------------------------------------------------

    def _cors(self, environ: dict[str, Any]) -> tuple[tuple[str, str], ...]:
        """Headers letting the page's script read our answer, when its origin is allowed."""
        origin = environ.get("HTTP_ORIGIN", "").rstrip("/")
        if not origin or origin == "null":
            return ()
        own = f"{environ.get('wsgi.url_scheme', 'http')}://{environ.get('HTTP_HOST', '')}".lower()
        if self.settings.allowed_origins:
            allowed = {o.lower() for o in self.settings.allowed_origins}
            if origin.lower() not in allowed and origin.lower() != own:
                return ()
        # Without allowed_origins no origin is refused, so every page may read the answer: a
        # page served from another origin than base_url's (a staging host, www., http) would
        # otherwise be told nothing and its reader would send a stored letter again.
        return (("Access-Control-Allow-Origin", origin), ("Vary", "Origin"))

    def _preflight(self, environ: dict[str, Any]) -> Response:
        cors = self._cors(environ)
        if cors:
            cors = (
                *cors,
                ("Access-Control-Allow-Methods", "POST"),
                ("Access-Control-Allow-Headers", "Content-Type, Accept"),
                ("Access-Control-Max-Age", "600"),
            )
        return Response(HTTPStatus.NO_CONTENT, b"", headers=cors)


def _read_exactly(stream: Any, length: int) -> bytes:
    chunks, remaining = [], length
    while remaining > 0:
        chunk = stream.read(min(remaining, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)
