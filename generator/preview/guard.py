"""Who may talk to the preview: it runs on the author's machine, with drafts and the inbox.

Two attacks from a web page the author happens to visit, and the answers to them:

- DNS rebinding: the page's own name is made to resolve to 127.0.0.1, and its scripts then
  read the preview (drafts included) as their own origin. The browser still sends the
  page's name in `Host`, so only requests naming the address the preview listens on (or
  `localhost`, or an IP address, which no DNS answer can stand for) are answered.
- Cross-site form posts into `/__inbox/`: a POST (or any other writing method) is refused
  when the browser says it comes from another origin (`Origin`, else `Sec-Fetch-Site`).

Pure functions over header values, so each rule is testable on its own.
"""

from __future__ import annotations

import ipaddress
import socket

READING_METHODS = ("GET", "HEAD", "OPTIONS")
_WILDCARDS = ("", "0.0.0.0", "::")


def host_name(header: str) -> str:
    """The host of a `Host` header without its port: "[::1]:8000" → "::1", "Localhost." → "localhost"."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].partition("]")[0]
    if value.count(":") == 1:
        value = value.partition(":")[0]
    return value.rstrip(".")


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_allowed(header: str | None, listen_host: str) -> bool:
    """May a request with this `Host` be answered by a preview listening on `listen_host`?"""
    if header is None:
        return True  # HTTP/1.0 tools send none; every browser does
    name = host_name(header)
    if not name or is_ip(name) or name == "localhost" or name.endswith(".localhost"):
        return True  # an address, or a name browsers resolve to loopback themselves
    listen = host_name(listen_host)
    if name == listen:
        return True  # `fireside serve --host mybox.lan`
    if listen in _WILDCARDS:  # listening on every address: this machine's own names too
        own = socket.gethostname().lower().rstrip(".")
        return name in (own, own.partition(".")[0], f"{own.partition('.')[0]}.local")
    return False


def cross_site(method: str, origin: str | None, fetch_site: str | None, host: str | None) -> bool:
    """True for a writing request a browser sent from a page of another origin."""
    if method.upper() in READING_METHODS:
        return False
    if origin is not None:  # "null" from sandboxed frames and privacy redirects: not ours either
        return host is None or origin.strip().lower().rstrip("/") != f"http://{host.strip().lower()}"
    if fetch_site is not None:
        return fetch_site.strip().lower() not in ("same-origin", "none")
    return False  # not a browser (curl, a script): it could send any header it liked anyway
