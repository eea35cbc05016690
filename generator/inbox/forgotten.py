"""Letters the author forgot stay forgotten (under inbox).

`fireside inbox forget` deletes a person's letters, but the emails they came in are still
in the author's mailbox (or an export of it): a later `fetch --again` or `import` must not
bring them back. The Message-IDs of forgotten letters and of their threads are kept in
`inbox/forgotten`, one line each, as digests: nothing in the file names the person.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

FILE = "forgotten"


def digest(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().encode("utf-8", "surrogatepass")).hexdigest()[:32]


def remember(inbox_dir: Path, message_ids: Iterable[str]) -> None:
    """Add these Message-IDs to the forgotten ones (appended, fsynced)."""
    lines = "".join(f"{digest(mid)}\n" for mid in message_ids if mid.strip())
    if not lines:
        return
    inbox_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(inbox_dir / FILE, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, lines.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def forgotten(inbox_dir: Path) -> frozenset[str]:
    """The digests of every forgotten Message-ID."""
    try:
        text = (inbox_dir / FILE).read_text("ascii", errors="replace")
    except OSError:
        return frozenset()
    return frozenset(line.strip() for line in text.splitlines() if line.strip())
