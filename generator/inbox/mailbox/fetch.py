"""`fireside inbox fetch`: readers' letters from an IMAP mailbox into the inbox folder.

Each run reads the messages that arrived since the last run in the letter folders
(INBOX by default), the spam folder and the Sent folder. Only messages that can be
letters are downloaded whole: those whose headers name a post or a thread, and those the
server finds the link's question or the site's address in. `letters` decides what each
one is and writes the files; then, and only if asked, the letters are marked as read or
moved on the server.

What was read is remembered per folder in `inbox/fetched.json` (the folder's UIDVALIDITY
and the last UID read), written only once the letters are safely on disk: a run stopped
at any point reads the same messages again next time, and finds them home.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from generator.build.mailto import QUESTION_START
from generator.inbox.mailbox.about import SitePosts, post_of
from generator.inbox.mailbox.account import ImapAccount, MailboxError
from generator.inbox.mailbox.imap import ImapSession
from generator.inbox.mailbox.letters import Found, Letters, Outcome, Place
from generator.inbox.mailbox.mime import read_email

log = logging.getLogger(__name__)

STATE_FILE = "fetched.json"
# The headers that say whether a message may be a letter: far less to download than whole ones.
HEADER_FIELDS = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID IN-REPLY-TO REFERENCES SUBJECT FROM DATE)]"


@dataclass(frozen=True)
class FetchOptions:
    move_to: str = ""  # move letters (and readers' replies) there once they are home
    mark_seen: bool = False  # mark them as read once they are home
    again: bool = False  # read every message again, not only those since the last run


@dataclass
class FetchResult:
    outcome: Outcome
    read: dict[str, int] = field(default_factory=dict)  # folder → messages looked at
    sent_folder: str | None = None
    junk_folder: str | None = None
    changed: int = 0  # messages marked or moved on the server


def fetch(account: ImapAccount, letters: Letters, posts: SitePosts, options: FetchOptions) -> FetchResult:
    state_path = letters.store.root / STATE_FILE
    state = {} if options.again else _load(state_path)
    with ImapSession(account) as session:
        names = {f.name for f in session.folders()}
        for folder in account.folders:
            if folder not in names and folder.upper() != "INBOX":
                session.open(folder)  # raises the error that lists the folders there are
        if options.move_to:
            if options.move_to not in names:
                raise MailboxError(f"--move-to: no folder {options.move_to!r} on {account.host} "
                                   f"(its folders: {', '.join(sorted(names))})")
            if not session.can_move():
                raise MailboxError(
                    f"{account.host} can't move single messages (no MOVE or UIDPLUS): nothing was fetched"
                )
        sent = account.sent or session.special("\\Sent") or ("Sent" if "Sent" in names else None)
        junk = account.junk or session.special("\\Junk")
        if account.sent and account.sent not in names:
            session.open(account.sent)
        places: list[tuple[str, Place]] = [(f, "inbox") for f in account.folders]
        if junk and junk not in account.folders:
            places.append((junk, "junk"))
        if sent and sent not in account.folders:
            places.append((sent, "sent"))
        result = FetchResult(Outcome(), sent_folder=sent, junk_folder=junk)
        found: list[Found] = []
        seen: dict[str, dict[str, int]] = {}
        known = set(letters.threads)  # Message-IDs of letters' threads, and of letters found on the way
        for folder, place in places:
            opened = session.open(folder)
            key = f"{account.user}@{account.host}/{folder}"
            before = state.get(key, {})
            last = before.get("last", 0) if before.get("uidvalidity") == opened.uidvalidity else 0
            uids = session.uids_after(last)
            result.read[folder] = len(uids)
            found += _candidates(session, folder, place, uids, posts, known)
            seen[key] = {"uidvalidity": opened.uidvalidity, "last": max(uids, default=last)}
        result.outcome = letters.take(found)
        result.outcome.ignored += sum(result.read.values()) - len(found)  # not even downloaded
        _save(state_path, {**state, **seen})  # only now: the letters are on disk
        result.changed = _change_on_server(session, result.outcome.taken, options)
    return result


def _candidates(
    session: ImapSession, folder: str, place: Place, uids: list[int], posts: SitePosts, known: set[str]
) -> list[Found]:
    """The messages of `uids` that may be letters (or answers, or replies), read whole.

    Letters are known by their subject, or by the link's question or the site's host in
    their text (the server searches); answers and replies by naming a Message-ID of a
    letter's thread, including letters found in this very run. `known` grows with them.
    """
    if not uids:
        return []
    facts = {uid: read_email(header) for uid, header in session.fetch(uids, HEADER_FIELDS)}
    wanted: set[int] = set()
    if place != "sent":
        wanted = {uid for uid, fact in facts.items() if post_of(fact.subject, "", posts) is not None}
        wanted |= session.search(uids, "BODY", f'"{QUESTION_START}"')
        if posts.host:
            wanted |= session.search(uids, "BODY", f'"{posts.host}/"')
    known.update(facts[uid].key for uid in wanted if uid in facts)
    grown = True
    while grown:  # a reply to a reply to a letter: follow the thread as far as it goes
        grown = False
        for uid, fact in facts.items():
            if uid not in wanted and any(ref in known for ref in fact.refers_to):
                wanted.add(uid)
                known.add(fact.key)
                grown = True
    log.info("%s: %d new messages, %d may be letters", folder, len(uids), len(wanted))
    return [
        Found(read_email(data), place, f"{folder}\x00{uid}")
        for uid, data in session.fetch(sorted(wanted))
    ]


def _change_on_server(session: ImapSession, taken: list[Found], options: FetchOptions) -> int:
    if not (options.move_to or options.mark_seen):
        return 0
    by_folder: dict[str, list[int]] = {}
    for item in taken:
        if item.place == "sent":
            continue  # the author's own answers stay where their mail program put them
        folder, _, uid = item.ref.partition("\x00")
        by_folder.setdefault(folder, []).append(int(uid))
    changed = 0
    for folder, uids in by_folder.items():
        if folder == options.move_to:
            continue
        session.open(folder, writable=True)
        if options.mark_seen:
            session.mark_seen(uids)
        if options.move_to:
            session.move(uids, options.move_to)
        changed += len(uids)
    return changed


def _load(path: Path) -> dict[str, dict[str, int]]:
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    folders = document.get("folders") if isinstance(document, dict) else None
    if not isinstance(folders, dict):
        return {}
    return {k: v for k, v in folders.items() if isinstance(v, dict)}


def _save(path: Path, folders: dict[str, dict[str, int]]) -> None:
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    data = json.dumps({"fireside_fetch": 1, "folders": folders}, indent=1, sort_keys=True) + "\n"
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        log.warning("could not remember what was fetched (%s): the next fetch reads it again", exc.strerror)
