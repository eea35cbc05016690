"""Outbound links, checked over the network for `fireside check --external` (stdlib only).

Each distinct URL is asked once: HEAD first (cheap), then GET for servers that refuse or
mishandle HEAD. Work is bounded three ways so a big site neither hangs nor hammers
anyone: a pool of workers, a timeout per request, and a limit of requests in flight per
host. 2xx and 3xx answers are fine; anything else is reported with its reason.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from generator import __version__

if TYPE_CHECKING:  # the network's modules are imported only when links are asked (see check_urls)
    import urllib.request

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExternalSettings:
    timeout: float = 10.0  # seconds per request
    workers: int = 8  # requests in flight in all
    per_host: int = 2  # requests in flight to one host
    user_agent: str = f"Fireside/{__version__} (link check)"


@dataclass(frozen=True)
class ExternalResult:
    url: str
    status: int | None  # the final HTTP status, None when no answer came
    problem: str | None  # None: the link works


def is_outbound(url: str, base_url: str) -> bool:
    """An http(s) link to anything but this site (same host, other path counts as outbound)."""
    try:
        parts, base = urlsplit(url), urlsplit(base_url)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return False
    same_site = (parts.scheme.lower(), parts.netloc.lower()) == (base.scheme.lower(), base.netloc.lower())
    base_path = base.path if base.path.endswith("/") else base.path + "/"
    return not (same_site and (parts.path + "/").startswith(base_path))


def check_urls(urls: Iterable[str], settings: ExternalSettings) -> dict[str, ExternalResult]:
    """Ask every distinct URL (fragments dropped); results keyed by the URL as given."""
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    wanted = {url: url.split("#", 1)[0] for url in urls}
    distinct = _interleaved(set(wanted.values()))
    if not distinct:
        return {}
    # One semaphore per host, made before any worker starts, so no lock is needed to share them.
    limits = {
        host: threading.BoundedSemaphore(max(1, settings.per_host))
        for host in {urlsplit(url).netloc.lower() for url in distinct}
    }
    opener = urllib.request.build_opener()

    def run(url: str) -> ExternalResult:
        with limits[urlsplit(url).netloc.lower()]:
            return _probe(opener, url, settings)

    with ThreadPoolExecutor(max_workers=max(1, settings.workers), thread_name_prefix="linkcheck") as pool:
        results = dict(zip(distinct, pool.map(run, distinct), strict=True))
    return {url: results[asked] for url, asked in wanted.items()}


def receiver_problem(endpoint: str, base_url: str, settings: ExternalSettings) -> str | None:
    """Why `inbox.endpoint` does not answer like a Fireside receiver, or None when it does.

    Its `health` route must answer 200 "ok": a static host's 404 page, a login wall or a
    mistyped path would otherwise swallow every letter sent from the form.
    """
    import urllib.error
    import urllib.request
    from http.client import HTTPException

    url = urljoin(base_url, endpoint)
    health = url.split("?", 1)[0].split("#", 1)[0].rstrip("/") + "/health"
    request = urllib.request.Request(health, headers={"User-Agent": settings.user_agent})
    try:
        with urllib.request.build_opener().open(request, timeout=settings.timeout) as response:
            body = response.read(64)
            status = response.status
    except urllib.error.HTTPError as err:
        err.close()
        return f"inbox.endpoint {url} does not answer like a Fireside receiver (GET {health}: {err.code})"
    except (urllib.error.URLError, OSError, HTTPException, ValueError) as err:
        reason = getattr(err, "reason", err)
        return f"inbox.endpoint {url} cannot be reached: {reason}"
    if status != 200 or body.strip() != b"ok":
        return (f"inbox.endpoint {url} does not answer like a Fireside receiver "
                f"(GET {health}: {status}, not its \"ok\")")
    return None


def _interleaved(urls: set[str]) -> list[str]:
    """URLs in turns by host, so workers waiting on a busy host's limit are few."""
    by_host: dict[str, list[str]] = {}
    for url in sorted(urls):
        by_host.setdefault(urlsplit(url).netloc.lower(), []).append(url)
    turns = itertools.zip_longest(*by_host.values())
    return [url for turn in turns for url in turn if url is not None]


def _probe(opener: urllib.request.OpenerDirector, url: str, settings: ExternalSettings) -> ExternalResult:
    head = _request(opener, url, "HEAD", settings)
    if head.problem is None:
        return head
    if head.status is None and "timed out" in head.problem:
        return head  # a second request would only wait as long again
    # Many servers answer HEAD with 403, 404 or 405 and GET with the page: GET decides.
    return _request(opener, url, "GET", settings)


def _request(
    opener: urllib.request.OpenerDirector, url: str, method: str, settings: ExternalSettings
) -> ExternalResult:
    import urllib.error
    import urllib.request
    from http.client import HTTPException

    request = urllib.request.Request(url, method=method, headers={"User-Agent": settings.user_agent})
    try:
        with opener.open(request, timeout=settings.timeout) as response:
            if method == "GET":
                response.read(1024)  # enough to know the body comes; the rest is not needed
            status = response.status
    except urllib.error.HTTPError as err:
        err.close()
        if 300 <= err.code < 400:  # e.g. a redirect loop or one we may not follow: not broken
            return ExternalResult(url, err.code, None)
        return ExternalResult(url, err.code, f"HTTP {err.code} {err.reason}".rstrip())
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError):
            return ExternalResult(url, None, f"timed out after {settings.timeout:g} s")
        return ExternalResult(url, None, f"cannot connect: {reason}")
    except TimeoutError:
        return ExternalResult(url, None, f"timed out after {settings.timeout:g} s")
    except (OSError, HTTPException, ValueError) as err:
        return ExternalResult(url, None, f"failed: {err or type(err).__name__}")
    log.debug("%s %s: %s", method, url, status)
    return ExternalResult(url, status, None)
