"""Email: the author's answers and the receiver's notices (under inbox).

Messages are built with the standard library's `EmailMessage`, which encodes and folds
every header and refuses a CR or LF inside one, so reader text (a name) can only ever be
an encoded display name, never a header of its own. The only reader text in a header is
that display name; notices carry the post's title, never the reader's words.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import queue
import smtplib
import ssl
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import quote as url_quote

from generator.inbox.thought import Thought
from generator.inbox.validation import is_email
from generator.site.config import InboxConfig

log = logging.getLogger(__name__)

SECURITY = ("starttls", "tls", "none")
NOTICE_QUEUE = 1000  # notices waiting to be sent; past this they are dropped (and logged)


class MailError(Exception):
    """Mail could not be built or sent; the message never includes a password."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls, tls (implicit TLS, usually port 465) or none
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = ""  # the From address, when it is not the author's own
    timeout: float = 30.0


def smtp_from_env(env: Mapping[str, str], config: InboxConfig | None = None) -> SmtpSettings | None:
    """SMTP settings from FIRESIDE_SMTP_* (which win) and site.yaml's inbox.smtp_*; None if no host."""
    host = env.get("FIRESIDE_SMTP_HOST") or (config.smtp_host if config else "")
    if not host:
        return None
    port_text = env.get("FIRESIDE_SMTP_PORT", "")
    try:
        port = int(port_text) if port_text else (config.smtp_port if config else 587)
    except ValueError:
        raise MailError("FIRESIDE_SMTP_PORT must be a port number") from None
    security = (env.get("FIRESIDE_SMTP_SECURITY") or (config.smtp_security if config else "starttls")).lower()
    if security not in SECURITY:
        raise MailError(f"SMTP security must be one of {', '.join(SECURITY)}, not {security!r}")
    return SmtpSettings(
        host=host,
        port=port,
        security=security,
        user=env.get("FIRESIDE_SMTP_USER") or (config.smtp_user if config else ""),
        password=env.get("FIRESIDE_SMTP_PASSWORD", ""),
        sender=env.get("FIRESIDE_SMTP_FROM", ""),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    """Deliver `message` to its To address through the SMTP server; MailError on failure."""
    if settings.security == "none" and settings.password and not _is_loopback(settings.host):
        raise MailError(
            "refusing to send an SMTP password unencrypted: set FIRESIDE_SMTP_SECURITY to starttls or tls"
        )
    context = ssl.create_default_context()
    try:
        if settings.security == "tls":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with client:
            if settings.security == "starttls":
                client.starttls(context=context)
            if settings.user:
                client.login(settings.user, settings.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # The exception's text is the server's answer or the socket error, never our password.
        raise MailError(f"could not send through {settings.host}:{settings.port}: {exc}") from None


def plain(text: str) -> str:
    """`text` with control characters (but not line breaks or tabs) made into spaces."""
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch not in "\n\t" else ch
        for ch in text
    )


def one_line(text: str) -> str:
    return " ".join(plain(text).split())


def quote(text: str) -> str:
    """The reader's message quoted as email does: "> " before each line."""
    lines = plain(text.replace("\r\n", "\n").replace("\r", "\n")).rstrip("\n").split("\n")
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines) + "\n"


def attribution(thought: Thought) -> str:
    when = thought.received.astimezone(UTC)
    who = one_line(thought.name) or "you"
    return f"On {when.day} {when:%B %Y}, {who} wrote:"


def reply_subject(thought: Thought) -> str:
    title = one_line(thought.post_title)
    return f"Re: {title}" if title else "Re: your letter"


def _address(name: str, email: str) -> Address:
    if not is_email(email):
        raise MailError(f"not a usable email address: {email!r}")
    local, _, domain = email.rpartition("@")
    return Address(display_name=one_line(name), username=local, domain=domain)


def build_reply(
    thought: Thought, answer: str, *, from_name: str, from_address: str, now: datetime | None = None
) -> EmailMessage:
    """The author's answer to a letter, quoting it, threaded under it."""
    message = EmailMessage()
    message["From"] = _address(from_name, from_address)
    message["To"] = _address(thought.name, thought.email)
    message["Subject"] = reply_subject(thought)
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=from_address.rpartition("@")[2])
    earlier = [thought.message_id, *(a.message_id for a in thought.sent_answers)]
    earlier = [mid for mid in earlier if mid]
    if thought.message_id:
        message["In-Reply-To"] = thought.message_id
    if earlier:
        message["References"] = " ".join(earlier)
    body = answer.rstrip() + "\n\n" + attribution(thought) + "\n" + quote(thought.message)
    message.set_content(body)
    return message


def build_notice(thought: Thought, *, to: str, sender: str) -> EmailMessage:
    """A short note to the author that a letter arrived; the letter itself stays on the server."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    title = one_line(thought.post_title) or thought.post
    message["Subject"] = f"A letter on “{title}”"
    message["Date"] = format_datetime(datetime.now(UTC))
    if thought.message_id:
        # The letter's own id, so the author's answer (In-Reply-To it) threads under this note.
        message["Message-ID"] = thought.message_id
    message.set_content(
        f"A reader wrote to you about “{title}”.\n\n"
        f"Letter: {thought.id}\n\n"
        "Fetch it with `fireside inbox pull`, then read it with `fireside inbox show "
        f"{thought.id}`.\n"
    )
    return message


def mailto_link(message: EmailMessage) -> str:
    """A mailto: link that opens the same message in the author's own mail program."""
    to = message["To"].addresses[0].addr_spec
    params = f"subject={url_quote(str(message['Subject']), safe='')}"
    if message["In-Reply-To"]:
        params += f"&In-Reply-To={url_quote(str(message['In-Reply-To']), safe='')}"
    params += f"&body={url_quote(message.get_content(), safe='')}"
    return f"mailto:{url_quote(to, safe='@')}?{params}"


class Notifier:
    """Sends notices from a thread of its own, so no reader waits for an SMTP server."""

    def __init__(self, smtp: SmtpSettings, to: str) -> None:
        self.smtp = smtp
        self.to = to
        self._queue: queue.Queue[Thought | None] = queue.Queue(maxsize=NOTICE_QUEUE)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def notify(self, thought: Thought) -> None:
        with self._lock:
            # Started on first use: under gunicorn that is inside the worker, after the fork.
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="fireside-notices", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait(thought)
        except queue.Full:
            log.warning("notice for %s dropped: too many waiting", thought.id)

    def close(self, timeout: float = 5.0) -> None:
        with self._lock:
            thread = self._thread
        if thread is not None and thread.is_alive():
            with contextlib.suppress(queue.Full):
                self._queue.put(None, timeout=timeout)
            thread.join(timeout)

    def _run(self) -> None:
        while (thought := self._queue.get()) is not None:
            try:
                sender = self.smtp.sender or self.to
                send(build_notice(thought, to=self.to, sender=sender), self.smtp)
                log.info("notice sent for %s", thought.id)
            except MailError as exc:
                log.warning("notice for %s not sent: %s", thought.id, exc)
            except Exception:  # a bug here must not end the thread that sends later notices
                log.exception("notice for %s failed", thought.id)
