"""One email, as bytes from a server or a file, read into plain facts (stdlib only).

Real mail is untidy: MIME multipart in any nesting, quoted-printable and base64, any
charset (and charsets that lie: "iso-8859-1" holding Windows-1252, "us-ascii" holding
UTF-8, 8-bit bytes in headers), RFC 2047 encoded words, format=flowed, HTML-only bodies.
Everything here is read defensively: a part that cannot be decoded is read as well as it
can be, never an exception for the caller. Attachments are listed by name and size, and
their bytes are dropped.
"""

from __future__ import annotations

import codecs
import contextlib
import email
import email.header
import email.policy
import email.utils
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import Message

from generator.inbox.mailbox.htmltext import html_to_text

_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# What browsers do (WHATWG Encoding): the labels mail programs get wrong most often.
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252",
    "iso-8859-9": "cp1254", "iso-8859-11": "cp874", "tis-620": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030",
    "ks_c_5601-1987": "cp949", "euc-kr": "cp949", "x-mac-roman": "mac-roman", "macintosh": "mac-roman",
    "unicode-1-1-utf-7": "utf-7", "x-unknown": "utf-8", "unknown-8bit": "utf-8", "8bit": "utf-8",
}  # fmt: skip
_SPAM_FLAGS = ("x-spam-flag", "x-spam-status")


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int  # bytes, decoded

    def __str__(self) -> str:
        return f"{self.name} ({readable_size(self.size)})"


@dataclass(frozen=True)
class ReadEmail:
    key: str  # its Message-ID, or one made from a digest of what it says: the same mail, the same key
    message_id: str  # as sent; "" without one
    refers_to: tuple[str, ...]  # In-Reply-To and References, nearest first
    subject: str
    from_name: str
    from_address: str
    date: datetime | None  # UTC
    text: str  # the readable body (plain text; HTML turned into text)
    attachments: tuple[Attachment, ...]
    marked_spam: bool  # a spam filter said so (X-Spam-Flag: YES)
    automatic: bool  # an auto-reply, a bounce or a list mail: never a reader's letter


def readable_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Text from bytes labelled `charset`, the way a forgiving mail program reads them."""
    label = (charset or "").strip().strip('"').lower()
    if label in ("", "us-ascii", "ascii", "x-unknown", "unknown-8bit", "8bit"):
        try:
            return data.decode("utf-8")  # unlabelled 8-bit text today is nearly always UTF-8
        except UnicodeDecodeError:
            return data.decode("cp1252", "replace")
    name = _CHARSET_ALIASES.get(label, label)
    try:
        codecs.lookup(name)
    except LookupError:
        name = "utf-8"
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode(name if name != "utf-8" else "cp1252", "replace")


def decode_header(value: str | None) -> str:
    """A header's text: encoded words decoded (any charset), raw 8-bit bytes read as UTF-8."""
    if not value:
        return ""
    raw = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in raw):  # 8-bit bytes the parser kept as surrogates
        raw = decode_bytes(raw.encode("ascii", "surrogateescape"), "utf-8")
    try:
        parts = email.header.decode_header(raw)
    except (ValueError, LookupError, AssertionError):
        return " ".join(raw.split())
    out = []
    for chunk, charset in parts:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    # decode_header keeps the whitespace between plain and encoded parts only in some cases.
    text = "".join(out) if len(parts) > 1 else out[0] if out else ""
    return " ".join(text.split())


def _raw(message: Message, name: str) -> str:
    """A header as it came (8-bit bytes kept as surrogates, which `decode_header` reads as
    UTF-8); the library's own reading turns them into U+FFFD."""
    wanted = name.lower()
    return next((str(value) for key, value in message.raw_items() if key.lower() == wanted), "")


def _header(message: Message, name: str) -> str:
    try:
        return decode_header(_raw(message, name))
    except Exception:  # a header the library chokes on reads as empty, not as a failure
        return ""


def _sender(message: Message) -> tuple[str, str]:
    raw = _raw(message, "From") or _raw(message, "Sender")
    if any("\udc80" <= ch <= "\udcff" for ch in str(raw)):
        raw = decode_bytes(str(raw).encode("ascii", "surrogateescape"), "utf-8")
    pairs = email.utils.getaddresses([str(raw)])
    name, address = pairs[0] if pairs else ("", "")
    return decode_header(name), address.strip().strip("<>")


def _date(message: Message) -> datetime | None:
    value = message.get("Date")
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return decode_header(name) if name else ""


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def unflow(text: str, delsp: bool) -> str:
    """RFC 3676 format=flowed: soft line breaks (a space before the break) joined again."""
    out: list[str] = []
    pending: str | None = None
    pending_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:]
        if content.startswith(" "):
            content = content[1:]  # space-stuffing
        flowed = content.endswith(" ") and content != "-- "
        if flowed and delsp:
            content = content[:-1]
        if pending is not None and depth == pending_depth:
            pending += content
        else:
            if pending is not None:
                out.append(_requote(pending, pending_depth))
            pending, pending_depth = content, depth
        if not flowed:
            out.append(_requote(pending, pending_depth))
            pending, pending_depth = None, -1
    if pending is not None:
        out.append(_requote(pending, pending_depth))
    return "\n".join(out)


def _requote(text: str, depth: int) -> str:
    return ("> " * depth + text) if depth > 0 else text


def _text_of(part: Message) -> str:
    data = _payload(part)
    text = decode_bytes(data, part.get_content_charset()).replace("\r\n", "\n").replace("\r", "\n")
    if part.get_content_type() == "text/html":
        return html_to_text(text)
    if part.get_param("format", "").lower() == "flowed":
        text = unflow(text, str(part.get_param("delsp", "no")).lower() == "yes")
    return text


def _is_attachment(part: Message) -> bool:
    disposition = (part.get("Content-Disposition") or "").split(";", 1)[0].strip().lower()
    if disposition == "attachment":
        return True
    kind = part.get_content_maintype()
    return kind not in ("text", "multipart") or (bool(_filename(part)) and disposition != "inline")


class _Body:
    def __init__(self) -> None:
        self.texts: list[str] = []
        self.attachments: list[Attachment] = []

    def read(self, part: Message) -> None:
        kind = part.get_content_type()
        if part.is_multipart() and kind != "message/rfc822":
            subparts = [p for p in (part.get_payload() or []) if isinstance(p, Message)]
            if kind == "multipart/alternative":
                self._alternative(subparts)
            elif kind == "multipart/related" and subparts:
                self.read(subparts[0])
                for other in subparts[1:]:
                    self._attach(other)
            else:
                for sub in subparts:
                    self.read(sub)
        elif _is_attachment(part) or kind == "message/rfc822":
            self._attach(part)
        elif kind in ("text/plain", "text/html") or part.get_content_maintype() == "text":
            self.texts.append(_text_of(part))

    def _alternative(self, parts: list[Message]) -> None:
        # The plain version when it has words (some programs send an empty one), else the richest.
        plain = [p for p in parts if p.get_content_type() == "text/plain" and not _is_attachment(p)]
        for part in plain:
            text = _text_of(part)
            if text.strip():
                self.texts.append(text)
                return
        for part in reversed(parts):
            before = len(self.texts)
            self.read(part)
            if len(self.texts) > before:
                return

    def _attach(self, part: Message) -> None:
        if part.is_multipart() and part.get_content_type() != "message/rfc822":
            for sub in part.get_payload() or []:
                if isinstance(sub, Message):
                    self._attach(sub)
            return
        name = _filename(part)
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload()
            first = inner[0] if isinstance(inner, list) and inner else None
            subject = _header(first, "Subject") if isinstance(first, Message) else ""
            name = name or f"forwarded message “{subject}”" if subject else name or "forwarded message"
            size = len(first.as_bytes()) if isinstance(first, Message) else 0
        else:
            size = len(_payload(part))
            name = name or part.get_content_type()
        self.attachments.append(Attachment(name, size))


def read_email(data: bytes) -> ReadEmail:
    """The facts of one email in its raw form (as a server or a .eml file holds it)."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    body = _Body()
    with contextlib.suppress(Exception):  # a part too broken to walk: what was read is what there is
        body.read(message)
    text = "\n\n".join(t.strip("\n") for t in body.texts if t.strip())
    text = text + "\n" if text else ""
    name, address = _sender(message)
    subject = _header(message, "Subject")
    date = _date(message)
    ids = _MESSAGE_ID.findall(_header(message, "Message-ID"))
    message_id = ids[0] if ids else ""
    refers = _MESSAGE_ID.findall(_header(message, "In-Reply-To"))
    refers += reversed(_MESSAGE_ID.findall(_header(message, "References")))
    key = message_id or _digest_key(address, date, subject, text)
    return ReadEmail(
        key=key,
        message_id=message_id,
        refers_to=tuple(dict.fromkeys(refers)),
        subject=subject,
        from_name=name,
        from_address=address,
        date=date,
        text=text,
        attachments=tuple(body.attachments),
        marked_spam=_marked_spam(message),
        automatic=_automatic(message, address),
    )


def _digest_key(address: str, date: datetime | None, subject: str, text: str) -> str:
    # What the mail says, not its bytes: the same mail from IMAP, an mbox or a .eml file (each
    # adding headers and line endings of its own) gets the same key.
    digest = hashlib.sha256()
    for part in (address.lower(), date.isoformat() if date else "", subject, text.strip()):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\x00")
    return f"<{digest.hexdigest()[:32]}@digest.fireside.invalid>"


def _marked_spam(message: Message) -> bool:
    for name in _SPAM_FLAGS:
        value = str(message.get(name, "")).strip().lower()
        if value.startswith("yes"):
            return True
    return False


def _automatic(message: Message, address: str) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    local = address.partition("@")[0].lower()
    return (
        auto not in ("", "no")
        or precedence in ("bulk", "junk", "list", "auto_reply")
        or message.get("X-Autoreply") is not None
        or message.get("X-Autorespond") is not None
        or message.get("List-Id") is not None
        or message.get_content_type() == "multipart/report"
        or local in ("mailer-daemon", "postmaster")
    )
