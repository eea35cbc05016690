"""Letters sent twice are stored once: the keys the letter form sends (under inbox).

letter.js makes a random key when the reader starts writing and sends it with the letter.
When no answer reaches the page (a dropped connection, a proxy's timeout after the letter
was stored) the reader sends the same letter again, with the same key: the receiver
finds the key and answers as it did the first time, storing nothing.

A key is kept as an empty file `inbox/keys/<digest>`, named by a digest of the key (so no
reader text names a file) and holding the letter's id. It is written after the letter
is stored: a crash in between can at worst store a retried letter twice, never lose
one. The files are small and expire after `KEEP_SECONDS`; they survive restarts and are
shared by every worker process, as the letters are.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import time
from pathlib import Path

from generator.inbox.thought import is_id

log = logging.getLogger(__name__)

FOLDER = "keys"
KEEP_SECONDS = 30 * 86400  # a page left open for weeks and sent again still finds its key
_KEY = re.compile(r"\A[A-Za-z0-9_-]{16,128}\Z")


def usable(key: str) -> bool:
    """A key letter.js could have made; anything else is ignored (the letter is still taken)."""
    return bool(_KEY.match(key))


class SeenKeys:
    def __init__(self, inbox_dir: Path) -> None:
        self.folder = inbox_dir / FOLDER

    def _path(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode("ascii")).hexdigest()[:40]

    def find(self, key: str) -> str | None:
        """The id of the letter stored under `key`, or None."""
        if not usable(key):
            return None
        try:
            text = self._path(key).read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if is_id(text) else None

    def remember(self, key: str, letter_id: str) -> str | None:
        """Record `key` for `letter_id`; if another request recorded it first, its letter's id."""
        if not usable(key):
            return None
        path = self._path(key)
        try:
            self.folder.mkdir(mode=0o700, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return self.find(key) or letter_id
        except OSError as exc:
            # The letter is stored; only a later retry could bring a second copy.
            log.warning("could not keep the key of letter %s: %s", letter_id, exc.strerror)
            return None
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(letter_id + "\n")
        return None

    def clean(self, now: float | None = None) -> int:
        """Forget keys older than KEEP_SECONDS."""
        cutoff = (now if now is not None else time.time()) - KEEP_SECONDS
        removed = 0
        with contextlib.suppress(OSError):
            for path in self.folder.iterdir():
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
        return removed
