"""Emails into letter files: the one place that decides what an email is to the inbox.

For each email, in the order they were written:

- one already home (its Message-ID, or the digest key of one without, is in a letter file)
  is skipped: importing or fetching the same mail twice adds nothing;
- auto-replies, bounces and list mail are left alone;
- one that refers to a letter's thread (In-Reply-To/References) joins that letter: from
  the author (their Sent folder, or their own address) it is an answer, and the letter is
  answered; from anyone else it is the reader's reply, and the letter is new again;
- one from a reader that is about a post (see `about`) becomes a new letter, with the
  consent read from the reader's own words, or goes to spam/ when a spam filter said so;
- anything else is not a letter and is left alone.

Letters are written with the store's crash-safe discipline (whole or not at all), so an
import stopped at any point is completed by running it again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from generator.inbox.forgotten import digest, forgotten
from generator.inbox.mailbox.about import SitePosts, post_of
from generator.inbox.mailbox.consent import read_consent
from generator.inbox.mailbox.mime import ReadEmail
from generator.inbox.mailbox.words import split_words
from generator.inbox.store import InboxStore
from generator.inbox.thought import Answer, Thought, new_id

log = logging.getLogger(__name__)

Place = Literal["inbox", "junk", "sent"]  # where the email was found


@dataclass(frozen=True)
class Found:
    """An email and where it was found; `ref` says where to find it again (a UID, a file)."""

    email: ReadEmail
    place: Place = "inbox"
    ref: str = ""


@dataclass
class Outcome:
    letters: list[str] = field(default_factory=list)  # ids of new letters (spam included)
    spam: list[str] = field(default_factory=list)  # ids of new letters filed as spam
    answers: list[str] = field(default_factory=list)  # ids of letters an answer was found for
    replies: list[str] = field(default_factory=list)  # ids of letters a reader's reply joined
    already: int = 0  # emails that were home already
    ignored: int = 0  # emails that are not letters: left alone
    taken: list[Found] = field(default_factory=list)  # the emails that are letters (for --move-to)


class Letters:
    """The inbox seen as a set of threads keyed by Message-ID, updated as emails join it."""

    def __init__(self, store: InboxStore, posts: SitePosts, me: Iterable[str]) -> None:
        self.store = store
        self.posts = posts
        self.me = {address.strip().lower() for address in me if address.strip()}
        self.threads: dict[str, str] = {}  # Message-ID → letter id
        self.forgotten = forgotten(store.root)
        for stored in store.thoughts():
            for mid in stored.thought.message_ids():
                self.threads.setdefault(mid, stored.thought.id)

    def take(self, found: Iterable[Found]) -> Outcome:
        outcome = Outcome()
        pending = sorted(found, key=lambda f: f.email.date or datetime.min.replace(tzinfo=UTC))
        # A reply read before its letter (dates can lie) is tried again once the rest is in.
        for attempt in range(2):
            later = []
            for item in pending:
                if not self._one(item, outcome, last_try=attempt == 1):
                    later.append(item)
            pending = later
        return outcome

    def _one(self, found: Found, outcome: Outcome, *, last_try: bool) -> bool:
        """Apply one email; False to try it again after the others."""
        mail = found.email
        from_me = found.place == "sent" or mail.from_address.lower() in self.me
        if mail.key in self.threads:
            if from_me and self._draft_sent(self.threads[mail.key], found):
                outcome.answers.append(self.threads[mail.key])
            else:
                outcome.already += 1
            return True
        if digest(mail.key) in self.forgotten or any(digest(m) in self.forgotten for m in mail.refers_to):
            outcome.ignored += 1  # the author forgot this person's letters: they stay forgotten
            return True
        if mail.automatic:
            outcome.ignored += 1
            return True
        letter_id = next((self.threads[mid] for mid in mail.refers_to if mid in self.threads), None)
        if letter_id is not None:
            self._join(letter_id, found, from_me, outcome)
            return True
        if mail.refers_to and not last_try:
            return False
        post = None if from_me else post_of(mail.subject, mail.text, self.posts)
        if post is None:
            outcome.ignored += 1
            return True
        words = split_words(mail.text)
        read = read_consent(words.own)
        spam = "junk-folder" if found.place == "junk" else "spam-flag" if mail.marked_spam else ""
        received = mail.date or datetime.now(UTC)

        def make() -> Thought:
            return Thought(
                id=new_id(received),
                post=post.id,
                post_title=post.title,
                name=mail.from_name,
                email=mail.from_address,
                consent=read.consent,
                received=received,
                message=read.letter or words.own,
                status="spam" if spam else "new",
                message_id=mail.key,
                spam_reason=spam,
                signature=words.signature,
                attachments=", ".join(str(a) for a in mail.attachments),
            )

        self.store.ensure()
        thought = self.store.add(make)
        self.threads[mail.key] = thought.id
        outcome.letters.append(thought.id)
        if spam:
            outcome.spam.append(thought.id)
        outcome.taken.append(found)
        log.info("letter %s from an email about %s", thought.id, post.id)
        return True

    def _draft_sent(self, letter_id: str, found: Found) -> bool:
        """The author sent the answer `fireside inbox reply` drafted (from their mail program):
        the Sent copy carries the draft's Message-ID. The letter is answered, with the words
        as sent, and the stale .eml draft goes."""
        thought = self.store.get(letter_id).thought
        draft = thought.draft_answer
        if draft is None or draft.message_id != found.email.key:
            return False
        words = split_words(found.email.text)
        sent = replace(draft, sent=found.email.date or datetime.now(UTC), text=words.own or draft.text)
        self.store.replace(thought.answered(sent))
        (self.store.folder("drafts") / f"{letter_id}.eml").unlink(missing_ok=True)
        log.info("the drafted answer to %s was sent", letter_id)
        return True

    def _join(self, letter_id: str, found: Found, from_me: bool, outcome: Outcome) -> None:
        mail = found.email
        stored = self.store.get(letter_id)
        words = split_words(mail.text)
        text = read_consent(words.own).letter or words.own
        entry = Answer(
            sent=mail.date or datetime.now(UTC),
            text=text,
            message_id=mail.key,
            by="author" if from_me else "reader",
        )
        self.store.replace(stored.thought.joined(entry))
        self.threads[mail.key] = letter_id
        (outcome.answers if from_me else outcome.replies).append(letter_id)
        outcome.taken.append(found)
        log.info("%s joined letter %s", "an answer" if from_me else "a reply", letter_id)
