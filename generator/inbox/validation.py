"""What a letter form may send, and what is refused (under inbox).

Pure functions over bytes and strings: no I/O, so every rule is testable on its own. A
refusal is a `Refused` with the HTTP status to answer and, for each problem, the field
it is about and a sentence for the reader. Nothing a reader sent is ever put into those
sentences: they are shown back as text, but need not be trusted to be.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import cast
from urllib.parse import parse_qsl

from generator.build.manifest import ManifestPost
from generator.inbox.thought import CONSENTS, Consent

FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FIELDS = 16  # the form has eight; a flood of fields is not a letter
HONEYPOT = "website"  # hidden from people by the theme; bots fill in every field
ELAPSED = "elapsed_ms"  # added by letter.js: how long the page was open before sending

_LINK = re.compile(r"(?i)\b(?:https?://|www\.)")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"\A{_ATEXT}(?:\.{_ATEXT})*\Z")
_LABEL = re.compile(r"\A[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
# Zero-width (non-)joiners are part of how many names and emoji are written; every other
# format character (bidi overrides, invisible marks) only serves to disguise text.
_ALLOWED_FORMAT = {"\u200c", "\u200d"}


# A character URL-encodes to at most 12 bytes: four UTF-8 bytes (emoji, rarer CJK), each
# sent as %XX; a line break, counted as one character, is sent as %0D%0A (6 bytes).
BYTES_PER_CHARACTER = 12
BODY_OVERHEAD = 2048  # field names, separators, the post's slug, consent, the form's other fields


@dataclass(frozen=True)
class Limits:
    max_name: int = 100
    max_email: int = 254
    max_message: int = 10000
    max_links: int = 5
    max_body: int = 0  # bytes of a request; 0: what the field limits need (see body_limit)
    min_seconds: int = 3

    @property
    def body_limit(self) -> int:
        """The bytes of a request taken: `max_body`, else what any letter within the limits needs."""
        return self.max_body or needed_body(self.max_name, self.max_email, self.max_message)


def needed_body(max_name: int, max_email: int, max_message: int) -> int:
    """The largest form body a letter within these limits can make, in any script.

    A limit in bytes below this would refuse letters the limits in characters allow, and
    first those written in Chinese, Japanese or with emoji (about 9 and 12 bytes a character).
    """
    return BYTES_PER_CHARACTER * (max_name + max_email + max_message) + BODY_OVERHEAD


@dataclass(frozen=True)
class Problem:
    field: str  # the form field, or "" for the request as a whole
    message: str


class Refused(Exception):
    """A request answered with an error and nothing stored."""

    def __init__(self, status: HTTPStatus, *problems: Problem) -> None:
        self.status = status
        self.problems = problems
        super().__init__("; ".join(p.message for p in problems))


@dataclass(frozen=True)
class Submission:
    """A letter that passed every check, ready to store."""

    post: ManifestPost
    name: str
    email: str
    consent: Consent
    message: str


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    media, _, rest = value.partition(";")
    params = {}
    for part in rest.split(";"):
        key, eq, val = part.strip().partition("=")
        if eq:
            params[key.strip().lower()] = val.strip().strip('"')
    return media.strip().lower(), params


def parse_form(body: bytes, content_type: str) -> dict[str, str]:
    """The fields of a URL-encoded UTF-8 form body; Refused (415 or 400) otherwise."""
    media, params = parse_content_type(content_type)
    if media != FORM_TYPE:
        raise Refused(
            HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            Problem("", f"The letter must be sent as a web form ({FORM_TYPE})."),
        )
    if params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        raise Refused(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, Problem("", "The letter must be sent as UTF-8."))
    try:
        text = body.decode("ascii")  # URL encoding is ASCII; raw bytes mean a broken client
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=MAX_FIELDS
        )
    except UnicodeDecodeError:
        raise Refused(
            HTTPStatus.BAD_REQUEST, Problem("", "The letter arrived garbled (it is not valid UTF-8).")
        ) from None
    except ValueError:
        raise Refused(HTTPStatus.BAD_REQUEST, Problem("", "The form sent too many fields.")) from None
    fields: dict[str, str] = {}
    for key, value in pairs:
        if key in fields:
            raise Refused(HTTPStatus.BAD_REQUEST, Problem(key, "A field of the form was sent twice."))
        fields[key] = value
    return fields


def normalise_newlines(text: str) -> str:
    # Browsers send every line break of a textarea as CRLF; the reader typed one break.
    return text.replace("\r\n", "\n")


def spam_reason(fields: Mapping[str, str], limits: Limits) -> str:
    """Why a submission looks automated ("" when it does not)."""
    if fields.get(HONEYPOT, "").strip():
        return "honeypot"
    elapsed = fields.get(ELAPSED)
    if elapsed is not None:  # only the JavaScript path sends it
        if not elapsed.isascii() or not elapsed.strip().isdigit():
            return "too-fast"
        if int(elapsed) < limits.min_seconds * 1000:
            return "too-fast"
    return ""


def has_control(text: str) -> bool:
    """True if `text` holds a line break, control, format or unassigned character."""
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co", "Cn", "Zl", "Zp"):
            return True
        if category == "Cf" and ch not in _ALLOWED_FORMAT:
            return True
    return False


def is_email(address: str) -> bool:
    local, at, domain = address.rpartition("@")
    if not at or not local or len(local) > 64 or len(domain) > 253 or not _LOCAL.match(local):
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(_LABEL.match(label) for label in labels) and not labels[-1].isdigit()


def count_links(text: str) -> int:
    return len(_LINK.findall(text))


def validate(fields: Mapping[str, str], limits: Limits, posts: Mapping[str, ManifestPost]) -> Submission:
    """A Submission, or Refused (400) listing every problem found."""
    problems: list[Problem] = []
    post = posts.get(fields.get("post", ""))
    if post is None:
        problems.append(Problem("post", "This letter is for a post that isn’t on the site (any more)."))

    raw_name = fields.get("name", "")
    name = raw_name.strip(" ")
    if has_control(raw_name):
        problems.append(Problem("name", "Your name can’t contain line breaks or control characters."))
    elif len(name) > limits.max_name:
        problems.append(Problem("name", f"Your name is too long (at most {limits.max_name} characters)."))

    raw_email = fields.get("email", "")
    email = raw_email.strip(" ")
    if not email:
        problems.append(Problem("email", "Please give your email address, so that I can write back."))
    elif has_control(raw_email):
        problems.append(
            Problem("email", "Your email address can’t contain line breaks or control characters.")
        )
    elif len(email) > limits.max_email:
        problems.append(
            Problem("email", f"Your email address is too long (at most {limits.max_email} characters).")
        )
    elif not is_email(email):
        problems.append(Problem("email", "That doesn’t look like an email address (name@example.com)."))

    message = normalise_newlines(fields.get("message", ""))
    if not message.strip():
        problems.append(Problem("message", "Your letter is empty."))
    elif len(message) > limits.max_message:
        problems.append(
            Problem(
                "message",
                f"Your letter is longer than I can take here ({len(message)} characters; "
                f"at most {limits.max_message}). Please shorten it, or send it by email.",
            )
        )
    elif count_links(message) + count_links(name) > limits.max_links:
        problems.append(Problem("message", f"Your letter has too many links (at most {limits.max_links})."))

    consent = fields.get("consent", "private")
    if consent not in CONSENTS:
        problems.append(Problem("consent", "Please choose whether I may quote your letter."))

    if problems:
        raise Refused(HTTPStatus.BAD_REQUEST, *problems)
    assert post is not None
    return Submission(post=post, name=name, email=email, consent=cast(Consent, consent), message=message)
