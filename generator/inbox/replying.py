"""Answering a letter: the author's words written in their editor, sent over SMTP or kept
as a draft (an .eml to send from a mail program), and a draft marked sent once it is.

Each function does one command's work and returns what the CLI prints; nothing here prints.
"""

from __future__ import annotations

import copy
import email.policy
import os
import secrets
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path

from generator.inbox import mail
from generator.inbox.commands import CommandError
from generator.inbox.store import InboxStore
from generator.inbox.thought import Answer, Thought
from generator.inbox.validation import is_email


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
