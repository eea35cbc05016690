"""The footer of a "Reply by email" letter taken off, and the reader's answer to its question.

The link (generator/build/mailto.py) ends the letter with the post's name and the question
"May I quote your letter under the essay? Keep one answer and delete the others:" followed
by the three answers of the letter form. What the reader left there is their answer:

- exactly one of the three answers kept, or one marked ("[x]", "x", "✓", "<-") among them;
- else their own words, read for yes/no and with/without their name ("yes, but without
  my name", "please don't quote me", "sure, use my name");
- anything else, or anything contradictory, is "private". So is a letter without the
  question, or where the question is only in quoted mail: consent is never guessed.

A bare "yes" is taken as "quote me without my name": the reader agreed to be quoted and
said nothing about their name, and that is the least exposure that still honours the yes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from generator.build.mailto import CLOSING, CONSENT_LABELS, QUESTION_START, SEPARATOR
from generator.inbox.thought import Consent

_MARK = re.compile(r"^\s*(?:[-*•]\s*)?(?:\[\s*[xX✓✔*]\s*\]|\(\s*[xX✓✔*]\s*\)|[xX✓✔☑☒](?=\s))\s*|"
                   r"\s*(?:<-+|←|⇐|\[\s*[xX✓✔]\s*\]|[✓✔☑]|\s[xX])\s*$")
_UNMARKED = re.compile(r"^\s*(?:[-*•]\s*)?(?:\[\s*\]|\(\s*\)|☐)?\s*")
_NO = re.compile(r"\b(no|nope|don'?t|do not|not|never|private|privately|between us|rather not|please keep)\b")
_YES = re.compile(r"\b(yes|yeah|yep|sure|of course|ok|okay|fine|you may|you can|feel free|go ahead|"
                  r"quote me|happy to be quoted|gladly)\b")
_ANONYMOUS = re.compile(r"\b(without (?:my |a )?name|anonymous(?:ly)?|no names?|not (?:with )?my name|"
                        r"don'?t (?:use|mention|include|give|print) my name|leave (?:out )?my name(?: out)?|"
                        r"initials only|just my initials|nameless)\b")
_NAMED = re.compile(r"\b(with my (?:full |real |first )?name|use my (?:full |real |first )?name|"
                    r"my name is fine|name is (?:fine|ok|okay)|by name|named|credit me|mention my name)\b")


@dataclass(frozen=True)
class Read:
    letter: str  # the reader's letter without the footer
    consent: Consent
    answered: bool  # the footer's question was found in the reader's own words


def _plain(line: str) -> str:
    text = unicodedata.normalize("NFKC", line).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


_OPTIONS = {_plain(label): value for value, label in CONSENT_LABELS.items()}


def read_consent(own_words: str) -> Read:
    """The letter without the footer, and the consent the reader gave in it."""
    lines = own_words.split("\n")
    question = next((i for i, line in enumerate(lines) if line.strip().startswith(QUESTION_START)), None)
    if question is None:
        return Read(own_words, "private", False)
    start = question
    # The separator and the "About ..." line above the question belong to the footer too.
    for back in range(question - 1, max(-1, question - 4), -1):
        stripped = lines[back].strip()
        if stripped == SEPARATOR or stripped.startswith("About “") or stripped.startswith('About "'):
            start = back
        elif stripped:
            break
    zone = []
    for line in lines[question + 1 :]:
        if line.strip() == CLOSING or line.rstrip() in ("--", "-- "):
            break
        zone.append(line)
    letter = "\n".join(lines[:start]).rstrip() + "\n"
    return Read(letter if letter.strip() else "", consent_in(zone), True)


def consent_in(zone: list[str]) -> Consent:
    """The consent in the lines the reader left under the question."""
    kept: dict[str, bool] = {}  # the answers left there, and whether each is marked
    free: list[str] = []
    for line in zone:
        if not line.strip():
            continue
        marked = bool(_MARK.search(line))
        bare = _plain(_MARK.sub("", _UNMARKED.sub("", line, count=1)))
        if bare in _OPTIONS:
            kept[_OPTIONS[bare]] = kept.get(_OPTIONS[bare], False) or marked
        elif bare:
            free.append(bare)
    marked = [value for value, is_marked in kept.items() if is_marked]
    if len(marked) == 1:
        return marked[0]  # type: ignore[return-value]
    if len(kept) == 1 and not marked and not free:
        return next(iter(kept))  # type: ignore[return-value]
    if free and not marked:
        return consent_in_words(" ".join(free))
    return "private"


def consent_in_words(text: str) -> Consent:
    """Yes or no, with or without a name, in the reader's own words; private when in doubt."""
    text = _plain(text)
    anonymous = bool(_ANONYMOUS.search(text))
    rest = _ANONYMOUS.sub(" ", text)  # "don't use my name" is not "use my name"
    named = bool(_NAMED.search(rest))
    rest = _NAMED.sub(" ", rest)
    no, yes = bool(_NO.search(rest)), bool(_YES.search(rest))
    if no or (anonymous and named):
        return "private"
    if anonymous:
        return "quote-anonymous"
    if named:
        return "quote-named"
    if yes:
        return "quote-anonymous"
    return "private"
