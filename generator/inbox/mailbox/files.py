"""Emails from files for `fireside inbox import`: .eml files, mbox files, Maildir folders.

Only read, never changed: an mbox is not locked or rewritten, a Maildir's messages are
not moved from new/ to cur/ nor flagged. A folder named like a spam folder (Junk, Spam,
a Maildir++ `.Junk`) is read as one, so its letters go to spam/.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from pathlib import Path

from generator.inbox.mailbox.letters import Found, Place
from generator.inbox.mailbox.mime import read_email

_JUNK_NAMES = {"junk", "spam", "junk e-mail", "junk email", "bulk mail", "bulk"}
_SENT_NAMES = {"sent", "sent items", "sent mail", "sent messages", "gesendet", "envoyés", "sendt"}
MAX_MESSAGE = 64 * 1024 * 1024  # a file larger than this is no letter (and is not read whole)


class MailFileError(Exception):
    """A file that cannot be read as mail; the message names it."""


def _place(path: Path) -> Place:
    name = path.name.lstrip(".").lower()
    if name in ("cur", "new") and path.parent.name:
        name = path.parent.name.lstrip(".").lower()
    tail = name.rsplit(".", 1)[-1]  # Maildir++ "INBOX.Junk"
    if name in _JUNK_NAMES or tail in _JUNK_NAMES:
        return "junk"
    if name in _SENT_NAMES or tail in _SENT_NAMES:
        return "sent"
    return "inbox"


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def emails_in(path: Path) -> Iterator[Found]:
    """Every email in `path` (an .eml file, an mbox, a Maildir, or a folder of .eml files)."""
    if not path.exists():
        raise MailFileError(f"{path}: no such file or folder")
    if is_maildir(path):
        yield from _maildir(path)
    elif path.is_dir():
        names = sorted(p for p in path.iterdir() if p.suffix.lower() == ".eml" and p.is_file())
        if not names:
            raise MailFileError(f"{path}: not a Maildir (no cur/ and new/) and no .eml files in it")
        for name in names:
            yield Found(read_email(_read(name)), _place(path), str(name))
    else:
        with path.open("rb") as handle:
            start = handle.read(5)
        if start == b"From ":
            yield from _mbox(path)
        else:
            yield Found(read_email(_read(path)), _place(path.parent), str(path))


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_MESSAGE:
            raise MailFileError(f"{path}: larger than {MAX_MESSAGE // 1024 // 1024} MB, not a letter")
        return path.read_bytes()
    except OSError as exc:
        raise MailFileError(f"{path}: {exc.strerror}") from None


def _mbox(path: Path) -> Iterator[Found]:
    box = mailbox.mbox(path, create=False)
    place = _place(Path(path.stem)) if path.suffix.lower() == ".mbox" else _place(path)
    try:
        for key in box.iterkeys():
            yield Found(read_email(box.get_bytes(key)), place, f"{path}#{key}")
    finally:
        box.close()


def _maildir(path: Path) -> Iterator[Found]:
    box = mailbox.Maildir(path, factory=None, create=False)
    place = _place(path)
    for key in sorted(box.iterkeys()):
        try:
            data = box.get_bytes(key)
        except (OSError, KeyError):  # a message moved or deleted by the mail program meanwhile
            continue
        yield Found(read_email(data), place, f"{path}#{key}")
