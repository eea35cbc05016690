"""The author's side of the inbox: list, show, people, reply, archive, forget, publish.

Each function does one command's work and returns what the CLI prints; nothing here
prints. Reader text shown in a terminal goes through `for_terminal` first, so a letter
holding escape sequences can't move the cursor, retitle the window or hide text.
"""

from __future__ import annotations

import copy
import email.policy
import os
import secrets
import shlex
import subprocess
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

import yaml

from generator.build.letters import LETTERS_DIR
from generator.inbox import forgotten, mail
from generator.inbox.store import InboxStore, Stored
from generator.inbox.thought import Answer, Thought, format_time, parse, yaml_quote
from generator.inbox.validation import is_email

CONSENT_WORDS = {
    "private": "keep it private",
    "quote-named": "may quote with my name",
    "quote-anonymous": "may quote without my name",
}
ANONYMOUS = "A reader"


class CommandError(Exception):
    """A command that cannot be done as asked; the message says why and what to do."""


# -- showing --------------------------------------------------------------------------------


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


# -- changing -------------------------------------------------------------------------------


def archive(store: InboxStore, given_id: str) -> Thought:
    thought = store.get(store.resolve(given_id)).thought
    archived = replace(thought, status="archived")
    store.replace(archived)
    return archived


def unspam(store: InboxStore, given_id: str) -> Thought:
    thought = store.get(store.resolve(given_id)).thought
    if thought.status != "spam":
        raise CommandError(f"{thought.id} is not in spam")
    if not thought.post:
        raise CommandError(f"{thought.id} names no post of the site, so it can't be an ordinary letter")
    restored = replace(thought, status="new", spam_reason="")
    store.replace(restored)
    return restored


@dataclass(frozen=True)
class Forgotten:
    letters: tuple[str, ...]  # ids
    files: tuple[Path, ...]  # every file removed
    published: tuple[Path, ...]  # published letters removed: the site must be rebuilt


def forget(store: InboxStore, email: str, site_root: Path | None) -> Forgotten:
    """Delete every letter from `email` (any case), their drafts, and their published letters."""
    key = email.strip().casefold()
    if not key:
        raise CommandError("give the email address to forget")
    ids, files, published = [], [], []
    message_ids: list[str] = []
    for stored in store.thoughts():
        if stored.thought.email.strip().casefold() == key:
            ids.append(stored.thought.id)
            message_ids.extend(stored.thought.message_ids())
    # Their emails are still in the author's mailbox: a later fetch or import must not bring them back.
    forgotten.remember(store.root, message_ids)
    # Temp files are half-written letters or answers being edited: theirs go too.
    for path in sorted(store.folder("tmp").glob("*")) if store.folder("tmp").is_dir() else []:
        try:
            thought = parse(path.read_bytes())
        except (OSError, ValueError):
            # A half-written letter, or an answer being edited: matched by id or by address.
            try:
                raw = path.read_bytes().decode("utf-8", "replace").casefold()
            except OSError:
                continue
            if key in raw or any(path.name.startswith(f"reply-{i}-") for i in ids):
                path.unlink(missing_ok=True)
                files.append(path)
            continue
        if thought.email.strip().casefold() == key:
            path.unlink(missing_ok=True)
            files.append(path)
    for thought_id in ids:
        files.extend(store.delete(thought_id))
        if site_root is not None:
            letter = site_root / "content" / LETTERS_DIR / f"{thought_id}.md"
            if letter.is_file():
                letter.unlink()
                files.append(letter)
                published.append(letter)
    return Forgotten(tuple(ids), tuple(files), tuple(published))


# -- publishing -----------------------------------------------------------------------------


def letter_file(thought: Thought, *, with_answer: bool = True) -> bytes:
    """The published letter, in the format generator.build.letters reads; never the email address."""
    named = thought.consent == "quote-named"
    name = (" ".join(thought.name.split()) if named else "") or ANONYMOUS
    lines = [
        "---",
        f"post: {yaml_quote(thought.post)}",
        f"name: {yaml_quote(name)}",
        f"received: {yaml_quote(format_time(thought.received))}",
    ]
    sent = thought.own_answers  # an answer the reader never got is never published, nor their replies
    if with_answer and sent and sent[0].text.strip():
        lines.append("answer: " + _yaml_text(sent[0].text.strip("\n")))
    return ("\n".join(lines) + "\n---\n" + thought.message).encode("utf-8")


def _yaml_text(text: str) -> str:
    """A literal block (readable, editable) when it reads back exactly; else a quoted string."""
    block = "|-\n" + "\n".join(f"  {line}" if line else "" for line in text.split("\n"))
    try:
        if yaml.safe_load("answer: " + block) == {"answer": text}:
            return block
    except yaml.YAMLError:
        pass
    return yaml_quote(text)


def publish(store: InboxStore, given_id: str, site_root: Path, *, with_answer: bool = True) -> Path:
    thought = store.get(store.resolve(given_id)).thought
    if thought.status == "spam":
        raise CommandError(f"{thought.id} is in spam; `fireside inbox unspam {thought.id}` first")
    if thought.consent == "private":
        raise CommandError(
            f"{thought.id} can't be published: the reader asked to keep it between you (consent: private)"
        )
    target = site_root / "content" / LETTERS_DIR / f"{thought.id}.md"
    if target.exists():
        raise CommandError(f"already published: {target.relative_to(site_root)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("xb") as handle:  # "x": never overwrite an edited letter
        handle.write(letter_file(thought, with_answer=with_answer))
    return target


# -- replying -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sender:
    name: str
    address: str


def reply_sender(env: Mapping[str, str], author_name: str, author_email: str) -> Sender:
    """Who answers: FIRESIDE_SMTP_FROM ("Name <address>") if set, else site.yaml's author."""
    if env.get("FIRESIDE_SMTP_FROM"):
        name, address = parseaddr(env["FIRESIDE_SMTP_FROM"])
        name = name or author_name
    else:
        name, address = author_name, author_email
    if not is_email(address):
        raise CommandError("who is answering? set author.email in site.yaml (or FIRESIDE_SMTP_FROM)")
    return Sender(name, address)


def draft_text(thought: Thought) -> str:
    """What the editor opens with: the unsent draft's words if there is one, then the letter quoted."""
    draft = thought.draft_answer
    own = draft.text.strip("\n") + "\n" if draft is not None else ""
    return own + "\n\n" + mail.attribution(thought) + "\n" + mail.quote(thought.message)


def answer_from(edited: str, thought: Thought) -> str:
    """The author's own words: what precedes the quoted letter (or every unquoted line)."""
    edited = edited.replace("\r\n", "\n")
    head = mail.attribution(thought)
    at = edited.find(head)
    if at >= 0:
        own = edited[:at]
    else:
        own = "\n".join(line for line in edited.split("\n") if not line.startswith(">"))
    return own.strip("\n").rstrip()


def edit(text: str, folder: Path, name: str, editor: str) -> str:
    """Let the author edit `text` in their editor; the file stays in the private inbox."""
    path = folder / f"{name}-{secrets.token_hex(4)}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    try:
        completed = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if completed.returncode != 0:
            raise CommandError(f"the editor exited with {completed.returncode}; nothing was sent")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"cannot run the editor {editor!r}: set $EDITOR") from None
    finally:
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Replied:
    thought: Thought
    message: EmailMessage
    sent: bool  # True: delivered to the SMTP server; False: a draft was written
    draft: Path | None  # the .eml draft written (not sent), or the stale one removed (sent)
    mailto: str


def reply(
    store: InboxStore,
    given_id: str,
    *,
    editor: str,
    sender: Sender,
    smtp: mail.SmtpSettings | None,
    now: datetime | None = None,
) -> Replied:
    """Edit an answer, send it (or draft it), and keep it in the letter's file."""
    thought = store.get(store.resolve(given_id)).thought
    if thought.status == "spam":
        raise CommandError(f"{thought.id} is in spam; `fireside inbox unspam {thought.id}` first")
    if not is_email(thought.email):
        raise CommandError(f"{thought.id} has no usable email address to answer")
    store.ensure()
    edited = edit(draft_text(thought), store.folder("tmp"), f"reply-{thought.id}", editor)
    answer = answer_from(edited, thought)
    if not answer.strip():
        raise CommandError("the answer is empty; nothing was sent")
    now = now or datetime.now(UTC)
    message = mail.build_reply(thought, answer, from_name=sender.name, from_address=sender.address, now=now)
    written = Answer(sent=now, text=answer, message_id=str(message["Message-ID"]))
    if smtp is not None:
        try:
            mail.send(message, smtp)
        except mail.MailError as exc:
            # Nothing is lost: the answer is kept as a draft to send by hand or retry.
            draft = _keep_draft(store, thought, written, message)
            raise CommandError(
                f"{exc}; nothing was sent: your answer is kept as a draft, in {draft} and in the "
                f"letter (`fireside inbox reply {thought.id}` again to retry)"
            ) from None
        answered = thought.answered(written)
        store.replace(answered)
        return Replied(answered, message, True, _drop_draft(store, thought.id), mail.mailto_link(message))
    draft = _keep_draft(store, thought, written, message)
    return Replied(store.get(thought.id).thought, message, False, draft, mail.mailto_link(message))


def confirm_sent(store: InboxStore, given_id: str, *, now: datetime | None = None) -> Replied:
    """The author sent the drafted answer themselves (mail program, mailto: link): answered."""
    thought = store.get(store.resolve(given_id)).thought
    draft = thought.draft_answer
    if draft is None:
        raise CommandError(
            f"{thought.id} has no answer waiting to be sent (write one: fireside inbox reply {thought.id})"
        )
    answered = thought.answered(replace(draft, sent=now or datetime.now(UTC)))
    store.replace(answered)
    removed = _drop_draft(store, thought.id)
    return Replied(answered, EmailMessage(), True, removed, "")


def _keep_draft(store: InboxStore, thought: Thought, written: Answer, message: EmailMessage) -> Path:
    """The unsent answer as an .eml to open in a mail program, and in the letter, marked draft."""
    draft = store.put(_eml(message), "drafts", f"{thought.id}.eml")
    store.replace(thought.drafted(written))
    return draft


def _drop_draft(store: InboxStore, thought_id: str) -> Path | None:
    """Remove the .eml draft an answer now sent makes stale; the path if there was one."""
    draft = store.folder("drafts") / f"{thought_id}.eml"
    try:
        draft.unlink()
    except FileNotFoundError:
        return None
    return draft


def _eml(message: EmailMessage) -> bytes:
    draft = copy.deepcopy(message)
    draft["X-Unsent"] = "1"  # mail programs open it as a message to send, not a received one
    return draft.as_bytes(policy=email.policy.SMTP)
