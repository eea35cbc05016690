"""The reader's own words in an email: the quoted mail below them and the signature apart.

A reply carries more than the reader wrote: the mail it answers, quoted (Gmail and Apple
Mail put it below the reply, with an "On ..., X wrote:" line; Outlook below an "-----Original
Message-----" or "From:/Sent:" block), and a signature (after a "-- " line, or a phone's
"Sent from my iPhone"). Only a quote at the end is taken off: a reader who answers point by
point, between quoted lines, keeps those lines, as they are part of what they wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "On <date>, <name> wrote:" as the common mail programs write it, in a few languages.
_ATTRIBUTION = re.compile(
    r"^.*\b(wrote|a écrit|schrieb|escribió|ha scritto|schreef|skrev|kirjoitti|napisał|napsal|написал|"
    r"написала|escreveu|yazdı|έγραψε|wrote the following)\s*:\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*(-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Opprinnelig melding)"
    r"\s*-{2,}|_{20,}|-{5,} ?Forwarded message ?-{5,})\s*$",
    re.IGNORECASE,
)
_HEADER_BLOCK = re.compile(r"^\s*\*?(From|Von|De|Fra|Van)\*?\s*:\s*\S", re.IGNORECASE)
_PHONE_SIGNATURE = re.compile(
    r"^\s*(Sent from my [\w ]{1,40}|Sent from (Mail|Outlook|Yahoo Mail|my mobile)\b.*|Get Outlook for \w+.*"
    r"|Sent with \w+.*"
    r"|Von meinem \w+ gesendet|Envoyé de mon \w+|Sendt fra min \w+|Enviado desde mi \w+)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Words:
    own: str  # what the reader wrote
    signature: str  # below "-- " (or a phone's "Sent from my ..."), without the delimiter
    quoted: str  # the mail they answered, as quoted at the end of theirs


def is_quoted(line: str) -> bool:
    return line.startswith(">")


def split_words(text: str) -> Words:
    lines = text.replace("\r\n", "\n").split("\n")
    quote_at = _trailing_quote(lines)
    quoted = "\n".join(lines[quote_at:]).strip("\n")
    body = lines[:quote_at]
    leading = _leading_quote(body)
    if leading:  # bottom-posted: the quote above, the reader's words below it
        quoted = "\n".join([*body[:leading], quoted]).strip("\n")
        body = body[leading:]
    signature_at = _signature(body)
    signature_lines = body[signature_at:]
    if signature_lines and signature_lines[0].rstrip() == "--":
        signature_lines = signature_lines[1:]
    own = "\n".join(body[:signature_at]).strip("\n")
    return Words(
        own=own + "\n" if own else "",
        signature="\n".join(signature_lines).strip("\n"),
        quoted=quoted,
    )


def _trailing_quote(lines: list[str]) -> int:
    """Where the quote at the end starts (len(lines) when there is none)."""
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    # Outlook-style: the original below a marker line or a From:/Sent: header block, unquoted.
    for i, line in enumerate(lines[:end]):
        original = _ORIGINAL.match(line) or (_HEADER_BLOCK.match(line) and _looks_like_headers(lines, i))
        if original and any(ln.strip() for ln in lines[:i]):
            return i
    at = end
    while at > 0 and (is_quoted(lines[at - 1]) or not lines[at - 1].strip()):
        at -= 1
    if at == end or not any(is_quoted(line) for line in lines[at:end]):
        return len(lines)
    while at < end and not lines[at].strip():
        at += 1
    before = at
    while before > 0 and not lines[before - 1].strip():
        before -= 1
    # The attribution line above it; Gmail and phones wrap a long one over two or three lines.
    if before > 0 and _ATTRIBUTION.match(lines[before - 1].strip()):
        start = before - 1
        while start > 0 and before - start < 3 and _wrapped(lines[start - 1]):
            start -= 1
        return start
    return at


def _wrapped(line: str) -> bool:
    """A line that an attribution wrapped in two would leave above its "wrote:" part."""
    text = line.strip()
    return bool(text) and (text.endswith(("<", ",")) or text.startswith("On ") or "@" in text)


def _leading_quote(lines: list[str]) -> int:
    """Where the reader's words start after a quote at the very top (0 when there is none).

    Only a single quote block counts: quoted lines further down mean the reader answered
    point by point, and then the quotes are part of their letter.
    """
    at = 0
    while at < len(lines) and not lines[at].strip():
        at += 1
    start = at
    for _ in range(3):  # an attribution line, possibly wrapped, above the quote
        if at < len(lines) and lines[at].strip() and not is_quoted(lines[at]):
            at += 1
    if at == start or not _ATTRIBUTION.match(" ".join(ln.strip() for ln in lines[start:at])):
        at = start
    if at >= len(lines) or not is_quoted(lines[at]):
        return 0
    while at < len(lines) and (is_quoted(lines[at]) or not lines[at].strip()):
        at += 1
    rest = lines[at:]
    if not any(ln.strip() for ln in rest) or any(is_quoted(ln) for ln in rest):
        return 0
    return at


def _looks_like_headers(lines: list[str], at: int) -> bool:
    names = ("sent", "to", "subject", "date", "gesendet", "an", "betreff", "envoyé", "objet", "emne", "til")
    following = [ln.strip().lstrip("*").split(":", 1)[0].strip("* ").lower() for ln in lines[at + 1 : at + 5]]
    return sum(name in names for name in following) >= 2


def _signature(lines: list[str]) -> int:
    """Where the signature starts (len(lines) when there is none)."""
    for i, line in enumerate(lines):
        if line in ("-- ", "--") and any(ln.strip() for ln in lines[:i]):
            return i
    end = len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    if end > 0 and _PHONE_SIGNATURE.match(lines[end - 1]):
        return end - 1
    return len(lines)
