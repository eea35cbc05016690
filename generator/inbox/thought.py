"""One reader's letter (a "thought") and its file format (under inbox).

A thought is one Markdown file: YAML front matter, then the reader's message, verbatim.
The author's answers follow the message, each after a marker line that carries a random
token chosen when the letter arrived, so no message can contain (and so fake or split)
a marker, and the message reads back exactly, whatever it holds:

    ---
    id: "20261126-120000-3f9a2b7c"
    post: "inch-wide"
    ...
    thread: "9c1d3e5f7a2b4c6d"
    ---
    The reader's message, exactly as sent.
    <!-- fireside-thread 9c1d3e5f7a2b4c6d answer 2026-11-27T09:00:00Z <...@example.com> -->
    The author's answer.
    <!-- fireside-thread 9c1d3e5f7a2b4c6d reply 2026-11-28T10:00:00Z <...@example.org> -->
    The reader's reply to it, when it came by email (`fireside inbox fetch`).

An answer written but not (yet) known to be sent, with no SMTP server or before a failed
send, is marked `draft` instead of `answer`: the letter stays unanswered until a send is
confirmed, and only sent answers are ever published or threaded under.

Every front matter value is written as a YAML double-quoted string with anything that
is not plainly printable escaped, so reader text never becomes a key, a second line or
a YAML construct. Reading uses YAML's BaseLoader (strings only), so hand edits such as
`status: answered` without quotes still read.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal, get_args

import yaml

Consent = Literal["private", "quote-named", "quote-anonymous"]
Status = Literal["new", "answered", "archived", "spam"]
CONSENTS: tuple[str, ...] = get_args(Consent)
STATUSES: tuple[str, ...] = get_args(Status)

# The id is the file name: a UTC time (so names sort by arrival) and 32 random bits.
ID_PATTERN = re.compile(r"\A\d{8}-\d{6}-[0-9a-f]{8}\Z")
_THREAD_PATTERN = re.compile(r"\A[0-9a-f]{16}\Z")
_KEYS = (
    "id", "post", "post_title", "name", "email", "consent", "received", "status",
    "message_id", "thread", "spam_reason", "signature", "attachments",
)  # fmt: skip
By = Literal["author", "reader"]


class ThoughtFormatError(ValueError):
    """A file that is not a thought this version can read."""


@dataclass(frozen=True)
class Answer:
    """The author's answer as sent (or drafted) by `fireside inbox reply`, or found in the
    author's Sent folder; with `by="reader"`, the reader's reply to it that came by email."""

    sent: datetime  # when it was sent, or written if a draft
    text: str
    message_id: str
    draft: bool = False  # written, not known to be sent (no SMTP server, or a failed send)
    by: By = "author"


@dataclass(frozen=True)
class Thought:
    id: str
    post: str  # the post's id (slug) from the manifest; "" for spam naming no known post
    post_title: str
    name: str
    email: str
    consent: Consent
    received: datetime  # UTC
    message: str
    status: Status = "new"
    message_id: str = ""  # a Message-ID for the letter, so email answers thread under it
    thread: str = field(default_factory=lambda: secrets.token_hex(8))
    answers: tuple[Answer, ...] = ()  # the thread after the letter, in time order
    spam_reason: str = ""
    signature: str = ""  # a letter by email: the reader's signature, kept apart from the letter
    attachments: str = ""  # a letter by email: what was attached, by name and size (not stored)

    @property
    def file_name(self) -> str:
        return f"{self.id}.md"

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.message.splitlines() if line.strip()), "")

    @property
    def sent_answers(self) -> tuple[Answer, ...]:
        return tuple(answer for answer in self.answers if not answer.draft)

    @property
    def draft_answer(self) -> Answer | None:
        """The answer written but not sent yet, if there is one."""
        return next((answer for answer in reversed(self.answers) if answer.draft), None)

    @property
    def shown_status(self) -> str:
        """The status as the author is told it: "drafted" while an answer waits to be sent."""
        if self.draft_answer is not None and self.status in ("new", "answered"):
            return "drafted"
        return self.status

    def answered(self, answer: Answer) -> Thought:
        """`answer` was sent: the letter is answered, and any draft it replaces is gone."""
        sent = replace(answer, draft=False)
        return replace(self, answers=(*self.sent_answers, sent), status="answered")

    def drafted(self, answer: Answer) -> Thought:
        """`answer` is written but not sent: kept (replacing an earlier draft), status unchanged."""
        return replace(self, answers=(*self.sent_answers, replace(answer, draft=True)))

    @property
    def own_answers(self) -> tuple[Answer, ...]:
        """The author's sent answers (the thread without drafts and the reader's replies)."""
        return tuple(a for a in self.answers if a.by == "author" and not a.draft)

    def message_ids(self) -> set[str]:
        """Every Message-ID of the thread: a mail naming one of them belongs to it."""
        return {mid for mid in (self.message_id, *(a.message_id for a in self.answers)) if mid}

    def joined(self, entry: Answer) -> Thought:
        """The thread with `entry` in its place by time; a reader's reply makes the letter new
        again (unless it was put away as spam), an answer makes it answered unless a reply
        of the reader's came after it."""
        entries = tuple(sorted((*self.answers, entry), key=lambda a: a.sent))
        status = self.status
        if status != "spam":
            last = entries[-1].by
            if last == "reader":
                status = "new"
            elif status == "new":
                status = "answered"
        return replace(self, answers=entries, status=status)


def new_id(now: datetime) -> str:
    return f"{now.astimezone(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(4)}"


def is_id(text: str) -> bool:
    return bool(ID_PATTERN.match(text))


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    value = text.strip()
    moment = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# -- YAML double-quoted strings -------------------------------------------------------------


def _needs_escape(ch: str) -> bool:
    code = ord(ch)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F  # DEL and C1 controls; YAML also reads U+0085 as a line break
        or code in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)  # YAML line breaks, BOM, non-characters
        or 0xD800 <= code <= 0xDFFF
    )


def yaml_quote(text: str) -> str:
    """`text` as a YAML double-quoted scalar on one line, reading back exactly."""
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _needs_escape(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# -- the file -------------------------------------------------------------------------------


def serialize(thought: Thought) -> bytes:
    values = {
        "id": thought.id,
        "post": thought.post,
        "post_title": thought.post_title,
        "name": thought.name,
        "email": thought.email,
        "consent": thought.consent,
        "received": format_time(thought.received),
        "status": thought.status,
        "message_id": thought.message_id,
        "thread": thought.thread,
    }
    for key in ("spam_reason", "signature", "attachments"):
        if getattr(thought, key):
            values[key] = getattr(thought, key)
    front = "".join(f"{key}: {yaml_quote(value)}\n" for key, value in values.items())
    parts = ["---\n", front, "---\n", thought.message]
    for answer in thought.answers:
        kind = "reply" if answer.by == "reader" else "draft" if answer.draft else "answer"
        parts.append(
            f"\n<!-- fireside-thread {thought.thread} {kind} {format_time(answer.sent)} "
            f"{answer.message_id} -->\n"
        )
        parts.append(answer.text)
    return "".join(parts).encode("utf-8")


def parse(data: bytes) -> Thought:
    """Read a thought file; ThoughtFormatError if it is not one."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ThoughtFormatError(f"not UTF-8: {exc}") from None
    if not text.startswith("---\n"):
        raise ThoughtFormatError("no front matter")
    end = text.find("\n---\n", 3)
    if end < 0:
        raise ThoughtFormatError("front matter is never closed")
    front_text, body = text[4 : end + 1], text[end + 5 :]
    try:
        meta = yaml.load(front_text, Loader=yaml.BaseLoader)  # strings only: nothing converted
    except yaml.YAMLError as exc:
        raise ThoughtFormatError(f"invalid front matter: {exc}") from None
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise ThoughtFormatError("front matter must be keys with text values")
    thought_id, thread = meta.get("id", ""), meta.get("thread", "")
    consent, status = meta.get("consent", "private"), meta.get("status", "new")
    if not is_id(thought_id):
        raise ThoughtFormatError(f"bad id {thought_id!r}")
    if not _THREAD_PATTERN.match(thread):
        raise ThoughtFormatError("bad thread token")
    if consent not in CONSENTS or status not in STATUSES:
        raise ThoughtFormatError(f"unknown consent {consent!r} or status {status!r}")
    try:
        received = parse_time(meta.get("received", ""))
    except ValueError:
        raise ThoughtFormatError("bad received time") from None
    message, answers = _split_thread(body, thread)
    return Thought(
        id=thought_id,
        post=meta.get("post", ""),
        post_title=meta.get("post_title", ""),
        name=meta.get("name", ""),
        email=meta.get("email", ""),
        consent=consent,  # type: ignore[arg-type]
        received=received,
        message=message,
        status=status,  # type: ignore[arg-type]
        message_id=meta.get("message_id", ""),
        thread=thread,
        answers=answers,
        spam_reason=meta.get("spam_reason", ""),
        signature=meta.get("signature", ""),
        attachments=meta.get("attachments", ""),
    )


def _split_thread(body: str, thread: str) -> tuple[str, tuple[Answer, ...]]:
    # Only this thread's own token is searched for: a look-alike line in the message with
    # another token is message text, and cannot swallow the newline a real marker starts with.
    pattern = re.compile(
        rf"\n<!-- fireside-thread {thread} (?P<kind>answer|draft|reply) (?P<sent>\S+) "
        rf"(?P<mid><[^<>\s]*>) -->\n"
    )
    markers = list(pattern.finditer(body))
    if not markers:
        return body, ()
    answers = []
    for i, marker in enumerate(markers):
        end = markers[i + 1].start() if i + 1 < len(markers) else len(body)
        try:
            sent = parse_time(marker["sent"])
        except ValueError:
            raise ThoughtFormatError("bad time in an answer marker") from None
        text, draft = body[marker.end() : end], marker["kind"] == "draft"
        by: By = "reader" if marker["kind"] == "reply" else "author"
        answers.append(Answer(sent=sent, text=text, message_id=marker["mid"], draft=draft, by=by))
    return body[: markers[0].start()], tuple(answers)
