"""`fireside inbox pull URL`: bring letters home from the receiver (under inbox).

For each letter waiting on the receiver: fetch its file, check it (its digest, that it
parses, that its id is an id), write it into the local inbox with the same crash-safe
discipline as the receiver, and only once it is safely on disk ask the receiver to drop
it, naming the digest it fetched so that nothing else is dropped. A pull interrupted at
any point loses nothing; one run again fetches what is left, skipping letters already
home.

The token goes only to the URL given: redirects are not followed (they could carry the
Authorization header elsewhere), and plain http is refused except to this machine.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from generator.inbox.store import InboxStore
from generator.inbox.thought import ThoughtFormatError, is_id, parse

log = logging.getLogger(__name__)

TIMEOUT = 30.0
MAX_FILE = 4 * 1024 * 1024  # far more than any letter the receiver accepts


class PullError(Exception):
    """The pull could not go on; the message never contains the token."""


@dataclass(frozen=True)
class PullResult:
    fetched: tuple[str, ...]  # ids written into the local inbox
    already_home: tuple[str, ...]  # ids that were here already (an earlier pull was interrupted)
    spam: int  # how many of `fetched` went to spam/


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # urllib then raises HTTPError for the 3xx


def _is_local(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def api_base(url: str, *, allow_http: bool = False) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PullError(f"not an http(s) URL: {url!r}")
    if parts.scheme == "http" and not allow_http and not _is_local(parts.hostname):
        raise PullError("refusing to send the token over plain http: use https (or --allow-http)")
    base = url.split("?", 1)[0].split("#", 1)[0]
    return (base if base.endswith("/") else base + "/") + "api/thoughts"


class _Client:
    def __init__(self, base: str, token: str, timeout: float) -> None:
        self.base = base
        self.token = token
        self.timeout = timeout
        self.opener = urllib.request.build_opener(_NoRedirects())

    def request(self, method: str, path: str = "", headers: dict[str, str] | None = None) -> bytes:
        request = urllib.request.Request(
            self.base + path,
            method=method,
            headers={
                "Authorization": f"Bearer {self.token}",
                "Accept": "application/json",
                **(headers or {}),
            },
        )
        try:
            with self.opener.open(request, timeout=self.timeout) as reply:
                return reply.read(MAX_FILE + 1)
        except urllib.error.HTTPError as exc:
            raise PullError(_explain(exc.code)) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PullError(f"cannot reach the receiver: {reason}") from None


def _explain(code: int) -> str:
    if code == 401:
        return "the receiver wants a token: set FIRESIDE_INBOX_TOKEN (401)"
    if code == 403:
        return "the receiver refused the token: FIRESIDE_INBOX_TOKEN differs from the receiver's (403)"
    if 300 <= code < 400:
        return f"the receiver answered with a redirect ({code}): give its final URL"
    if code == 404:
        return "no Fireside receiver at that URL (404)"
    return f"the receiver answered {code}"


def pull(url: str, token: str, store: InboxStore, *, allow_http: bool = False, include_spam: bool = True,
         timeout: float = TIMEOUT) -> PullResult:
    """Fetch every waiting letter into `store`; PullError if the receiver can't be used."""
    if not token:
        raise PullError("no token: set FIRESIDE_INBOX_TOKEN to the receiver's token")
    client = _Client(api_base(url, allow_http=allow_http), token, timeout)
    try:
        listing = json.loads(client.request("GET"))
        entries = listing["thoughts"]
        assert isinstance(entries, list)
    except (ValueError, KeyError, TypeError, AssertionError):
        raise PullError("the receiver's answer is not a list of letters") from None
    store.ensure()
    fetched, home, spam = [], [], 0
    for entry in entries:
        thought_id, folder, digest = entry.get("id"), entry.get("folder"), entry.get("sha256")
        if not (isinstance(thought_id, str) and is_id(thought_id)) or folder not in ("new", "spam"):
            log.warning("skipping a listing entry that is not a letter")
            continue
        if folder == "spam" and not include_spam:
            continue
        data = client.request("GET", f"/{folder}/{thought_id}")
        actual = hashlib.sha256(data).hexdigest()
        if len(data) > MAX_FILE or actual != digest:
            log.warning("letter %s changed while being fetched; left on the receiver", thought_id)
            continue
        try:
            thought = parse(data)
        except ThoughtFormatError as exc:
            log.warning("letter %s is not readable (%s); left on the receiver", thought_id, exc)
            continue
        if thought.id != thought_id:
            log.warning("letter %s holds another id; left on the receiver", thought_id)
            continue
        existing = store.locate(thought_id)
        if existing is None:
            store.write_new(data, folder, thought.file_name)  # fsynced before we go on
            fetched.append(thought_id)
            spam += folder == "spam"
        else:
            home.append(thought_id)  # an earlier pull stopped before the drop: ours may be newer
        client.request("DELETE", f"/{folder}/{thought_id}", {"If-Match": f'"{actual}"'})
        log.info("letter %s is home", thought_id)
    return PullResult(tuple(fetched), tuple(home), spam)
