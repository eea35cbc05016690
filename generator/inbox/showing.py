"""What the author reads of the inbox: the list of letters, one letter, who wrote.

Each function returns what the CLI prints; nothing here prints. Reader text shown in a
terminal goes through `for_terminal` first, so a letter holding escape sequences can't move
the cursor, retitle the window or hide text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from generator.inbox.store import InboxStore, Stored
from generator.inbox.thought import Thought

CONSENT_WORDS = {
    "private": "keep it private",
    "quote-named": "may quote with my name",
    "quote-anonymous": "may quote without my name",
}


def for_terminal(text: str, *, keep_newlines: bool = True) -> str:
    """Control and format characters made visible (\\x1b), so they do nothing to a terminal."""
    out = []
    for ch in text:
        if (ch == "\n" and keep_newlines) or ch == "\t":
            out.append(ch)
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co") and ch not in "\u200c\u200d":
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def age(received: datetime, now: datetime) -> str:
    seconds = max(0, int((now - received).total_seconds()))
    for size, unit in ((365 * 86400, "y"), (30 * 86400, "mo"), (86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return "now"


def _ago(moment: datetime, now: datetime) -> str:
    text = age(moment, now)
    return "just now" if text == "now" else f"{text} ago"


def _clip(text: str, width: int) -> str:
    text = for_terminal(" ".join(text.split()), keep_newlines=False)
    return text if len(text) <= width else text[: width - 1] + "…"


def sorted_for_listing(thoughts: list[Stored]) -> list[Stored]:
    """New letters first, then the rest; newest first within each."""
    return sorted(thoughts, key=lambda s: (s.thought.status != "new", -s.thought.received.timestamp()))


def listing(store: InboxStore, *, everything: bool = False, spam: bool = False,
            now: datetime | None = None) -> list[str]:
    folders = ("spam",) if spam else (("new", "cur", "archive") if everything else ("new", "cur"))
    thoughts = sorted_for_listing(store.thoughts(folders))
    if not thoughts:
        return []
    now = now or datetime.now(UTC)
    lines = [f"{'ID':<24}  {'AGE':>4}  {'STATUS':<8}  {'POST':<20}  {'NAME':<18}  FIRST LINE"]
    for stored in thoughts:
        t = stored.thought
        lines.append(
            f"{t.id:<24}  {age(t.received, now):>4}  {t.shown_status:<8}  {_clip(t.post or '-', 20):<20}  "
            f"{_clip(t.name or '(no name)', 18):<18}  {_clip(t.first_line, 60)}"
        )
    return lines


def ambiguous(store: InboxStore, given: str, candidates: list[str], *, shown: int = 10) -> str:
    """Why a part of an id named no single letter, with the letters it could mean."""
    lines = [f"{len(candidates)} letters have {given!r} in their id; give more of the one you mean:"]
    found = {stored.thought.id: stored.thought for stored in store.thoughts()}
    for thought_id in candidates[:shown]:
        t = found.get(thought_id)
        about = ""
        if t is not None:
            about = f"  {t.shown_status}, {_clip(t.name or '(no name)', 18)}: {_clip(t.first_line, 50)}"
        lines.append(f"  {thought_id}{about}")
    if len(candidates) > shown:
        lines.append(f"  ... and {len(candidates) - shown} more")
    return "\n".join(lines)


def show(store: InboxStore, given_id: str) -> str:
    stored = store.get(store.resolve(given_id))
    t = stored.thought
    who = for_terminal(t.name, keep_newlines=False) or "(no name)"
    status = "drafted: your answer is not sent yet" if t.shown_status == "drafted" else t.status
    lines = [
        f"Letter {t.id} ({status}{', ' + t.spam_reason if t.spam_reason else ''})",
        f"Post:     {for_terminal(t.post_title, keep_newlines=False)} ({for_terminal(t.post)})",
        f"From:     {who} <{for_terminal(t.email, keep_newlines=False)}>",
        f"Received: {t.received:%Y-%m-%d %H:%M} UTC",
        f"Consent:  {CONSENT_WORDS[t.consent]}",
        f"File:     {stored.path}",
        "",
        for_terminal(t.message).rstrip("\n"),
    ]
    if t.signature:
        lines += ["", "── signature ──", for_terminal(t.signature).rstrip("\n")]
    if t.attachments:
        lines += ["", f"Attached (not kept): {for_terminal(t.attachments, keep_newlines=False)}"]
    for answer in t.answers:
        if answer.by == "reader":
            heading = f"── {who} wrote again, {answer.sent:%Y-%m-%d %H:%M} UTC ──"
        elif answer.draft:
            draft = store.folder("drafts") / f"{t.id}.eml"
            heading = f"── your draft, {answer.sent:%Y-%m-%d %H:%M} UTC, not sent ({draft}) ──"
        else:
            heading = f"── you answered, {answer.sent:%Y-%m-%d %H:%M} UTC ──"
        lines += ["", heading, for_terminal(answer.text).rstrip("\n")]
    return "\n".join(lines)


@dataclass(frozen=True)
class Person:
    email: str
    names: tuple[str, ...]
    letters: int
    posts: tuple[str, ...]
    latest: datetime


def people(store: InboxStore) -> list[Person]:
    """Everyone who wrote (spam aside), most recent first, grouped by address across posts."""
    groups: dict[str, list[Thought]] = {}
    for stored in store.thoughts(("new", "cur", "archive")):
        groups.setdefault(stored.thought.email.casefold(), []).append(stored.thought)
    found = []
    for thoughts in groups.values():
        thoughts.sort(key=lambda t: t.received)
        found.append(Person(
            email=thoughts[-1].email,
            names=tuple(dict.fromkeys(t.name for t in reversed(thoughts) if t.name)),
            letters=len(thoughts),
            posts=tuple(dict.fromkeys(t.post for t in thoughts if t.post)),
            latest=thoughts[-1].received,
        ))
    return sorted(found, key=lambda p: p.latest, reverse=True)


def people_lines(found: list[Person], now: datetime | None = None) -> list[str]:
    now = now or datetime.now(UTC)
    lines = []
    for person in found:
        name = for_terminal(person.names[0], keep_newlines=False) if person.names else "(no name)"
        noun = "letter" if person.letters == 1 else "letters"
        posts = ", ".join(for_terminal(p, keep_newlines=False) for p in person.posts)
        lines.append(
            f"{name} <{for_terminal(person.email, keep_newlines=False)}>  {person.letters} {noun}, "
            f"last {_ago(person.latest, now)}, on: {posts}"
        )
    return lines
