"""The author's commands that change letters: archive, unspam, forget, publish; and
`CommandError`, which every command of the author's side raises (see also `showing` and
`replying`).

Each function does one command's work and returns what the CLI prints; nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from generator.build.letters import LETTERS_DIR
from generator.inbox import forgotten
from generator.inbox.store import InboxStore
from generator.inbox.thought import Thought, format_time, parse, yaml_quote

ANONYMOUS = "A reader"


class CommandError(Exception):
    """A command that cannot be done as asked; the message says why and what to do."""


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
    # What a crash left in tmp/ goes first, whoever it is from: a part of a letter may stop
    # before its address, and nothing will ever finish it.
    store.clean_tmp()
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

