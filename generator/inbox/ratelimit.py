"""How many letters one address or one network may send in a while (under inbox).

A sliding window per key, in the memory of one receiver process: under gunicorn with N
worker processes each keeps its own counts, so the effective limit is up to N times the
setting (run one worker with threads to keep it exact). Keys are an email address
(case-folded) and a network: IPv4 addresses share a /24 and IPv6 ones a /64, as one
household or one cloud host usually does.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

MAX_KEYS = 100_000  # past this the least recently used keys are forgotten, bounding memory


@dataclass(frozen=True)
class RateLimits:
    per_address: int = 5  # 0: no limit
    per_network: int = 20
    window: float = 3600.0  # seconds


@dataclass(frozen=True)
class Ticket:
    """What `acquire` counted, so that a failure to store can give it back."""

    keys: tuple[str, ...]
    at: float


def network_of(address: str) -> str:
    """The network an address belongs to for limiting: "203.0.113.0/24", "2001:db8::/64"."""
    try:
        ip = ipaddress.ip_address(address.strip().split("%", 1)[0])
    except ValueError:
        return "unknown:" + address[:64]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 24 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


class RateLimiter:
    def __init__(self, limits: RateLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def acquire(self, *, address: str | None, network: str) -> Ticket | float:
        """Count one letter for these keys and return a Ticket, or the seconds to wait."""
        checks: list[tuple[str, int]] = [("net:" + network, self.limits.per_network)]
        if address is not None:
            checks.append(("addr:" + address.casefold(), self.limits.per_address))
        now = self._clock()
        with self._lock:
            wait = 0.0
            for key, limit in checks:
                if limit <= 0:
                    continue
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(wait, times[0] + self.limits.window - now)
            if wait > 0:
                return max(1.0, math.ceil(wait))
            counted = tuple(key for key, limit in checks if limit > 0)
            for key in counted:
                self._recent(key, now).append(now)
                self._seen.move_to_end(key)
            while len(self._seen) > MAX_KEYS:
                self._seen.popitem(last=False)
            return Ticket(counted, now)

    def release(self, ticket: Ticket) -> None:
        """Give back what a ticket counted (the letter could not be stored after all)."""
        with self._lock:
            for key in ticket.keys:
                times = self._seen.get(key)
                if times is not None and ticket.at in times:
                    times.remove(ticket.at)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._seen.get(key)
        if times is None:
            times = self._seen[key] = deque()
        while times and times[0] <= now - self.limits.window:
            times.popleft()
        return times


def client_address(environ: dict[str, object], trust_proxy: bool) -> str:
    """The sender's IP: REMOTE_ADDR, or behind a trusted reverse proxy the address it saw."""
    if trust_proxy:
        forwarded = str(environ.get("HTTP_X_FORWARDED_FOR", ""))
        # The proxy appends the address it saw last; anything before it the client wrote.
        hops: Sequence[str] = [h.strip() for h in forwarded.split(",") if h.strip()]
        if hops:
            return hops[-1]
    return str(environ.get("REMOTE_ADDR", ""))
