"""Emails shaped as real mail programs send them (no tests here), built with Python's
`email` package. Each shape reproduces what was read in real mail of that program:

- Thunderbird: HTML only (its default composition when the text has any formatting),
  `<div class="moz-signature">`, `<blockquote type="cite">` under a `moz-cite-prefix` line;
  or plain text with format=flowed.
- Gmail: multipart/alternative, text/plain in quoted-printable with the "On ..., X <address>
  wrote:" line wrapped in two, HTML with `gmail_signature` and `gmail_quote`, a
  `<CA...@mail.gmail.com>` Message-ID.
- Apple Mail: multipart/alternative with an `Apple-Mail=_` boundary, the attribution inside
  the quote ("> On 14 Sep 2026, at 10:00, X wrote:"), `<blockquote type="cite">`, and an
  iPhone's "Sent from my iPhone".
- An older client in Latin-1: ISO-8859-1 text in quoted-printable (holding Windows-1252's
  curly quotes, as they really do), encoded-word subject and name, Outlook's quote below an
  "-----Original Message-----" line.
"""

from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from generator.build import mailto

POST_TITLE = "An Inch Wide and a Mile Deep"
POST_SLUG = "inch-wide"
POST_URL = "https://example.com/blog/posts/inch-wide/"
AUTHOR = ("Maren Holt", "maren@example.com")


def link_body(letter: str, keep: str | None) -> str:
    """What the reader leaves of the "Reply by email" body: their letter above the footer, and
    of the three answers only `keep` (or all three when None)."""
    return mailto.body(POST_TITLE, POST_URL, letter, keep)


def link_subject(title: str = POST_TITLE, slug: str = POST_SLUG) -> str:
    return mailto.subject(title, slug)


def _headers(message: EmailMessage, *, sender: tuple[str, str], subject: str, date: datetime,
             message_id: str, to: tuple[str, str] = AUTHOR, refers: tuple[str, ...] = ()) -> None:
    message["From"] = f'"{sender[0]}" <{sender[1]}>' if sender[0] else sender[1]
    message["To"] = f"{to[0]} <{to[1]}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    if refers:
        message["In-Reply-To"] = refers[-1]
        message["References"] = " ".join(refers)


def _html_paragraphs(text: str) -> str:
    return "".join(f"<div>{html.escape(line) if line else '<br>'}</div>" for line in text.split("\n"))


def thunderbird_html(text: str, *, sender: tuple[str, str], subject: str, date: datetime, message_id: str,
                     signature: str = "", quoted: str = "", refers: tuple[str, ...] = ()) -> EmailMessage:
    message = EmailMessage()
    _headers(message, sender=sender, subject=subject, date=date, message_id=message_id, refers=refers)
    message["User-Agent"] = "Mozilla Thunderbird"
    message["Content-Language"] = "en-GB"
    parts = ['<html><head><meta http-equiv="content-type" content="text/html; charset=UTF-8"></head><body>']
    parts += [f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.strip("\n").split("\n\n")]
    if quoted:
        parts.append(f'<div class="moz-cite-prefix">On {date:%d/%m/%Y} 09:12, Maren Holt wrote:<br></div>')
        parts.append(f'<blockquote type="cite" cite="mid:{refers[-1][1:-1] if refers else "x@y"}">'
                     f"{_html_paragraphs(quoted)}</blockquote>")
    if signature:
        parts.append(f'<pre class="moz-signature" cols="72">-- \n{html.escape(signature)}</pre>')
    parts.append("</body></html>")
    message.set_content("".join(parts), subtype="html", charset="utf-8", cte="8bit")
    return message


def thunderbird_flowed(text: str, *, sender: tuple[str, str], subject: str, date: datetime,
                       message_id: str) -> EmailMessage:
    """Plain text, format=flowed: long lines broken with a trailing space, as Thunderbird sends."""
    flowed = []
    for line in text.split("\n"):
        while len(line) > 72:
            cut = line.rfind(" ", 0, 72)
            if cut <= 0:
                break
            flowed.append(line[: cut + 1])  # the space stays at the end: a soft break
            line = line[cut + 1 :]
        flowed.append(line)
    message = EmailMessage()
    _headers(message, sender=sender, subject=subject, date=date, message_id=message_id)
    message["User-Agent"] = "Mozilla Thunderbird"
    message.set_content("\n".join(flowed) + "\n", charset="utf-8", cte="8bit")
    message.set_param("format", "flowed")
    return message


def gmail(text: str, *, sender: tuple[str, str], subject: str, date: datetime, message_id: str,
          signature: str = "", quoted: str = "", refers: tuple[str, ...] = ()) -> EmailMessage:
    message = EmailMessage()
    _headers(message, sender=sender, subject=subject, date=date, message_id=message_id, refers=refers)
    plain = text.rstrip("\n") + "\n"
    if signature:
        plain += "\n-- \n" + signature + "\n"
    if quoted:
        # Gmail wraps the attribution line in its plain text part.
        plain += (f"\nOn {date:%a}, {date.day} {date:%b %Y} at 09:12, Maren Holt <\n"
                  f"maren@example.com> wrote:\n\n" + "".join(f"> {ln}\n" if ln else ">\n" for ln in quoted.split("\n")))
    message.set_content(plain, charset="utf-8", cte="quoted-printable")
    rich = f'<div dir="ltr">{_html_paragraphs(text.rstrip(chr(10)))}'
    if signature:
        rich += ('<br clear="all"><div><br></div><span class="gmail_signature_prefix">-- </span><br>'
                 f'<div dir="ltr" class="gmail_signature">{_html_paragraphs(signature)}</div>')
    rich += "</div>"
    if quoted:
        rich += ('<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On '
                 f"{date:%a}, {date.day} {date:%b %Y} at 09:12, Maren Holt &lt;<a href=\"mailto:maren@example.com\">"
                 'maren@example.com</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px '
                 f'0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">{_html_paragraphs(quoted)}'
                 "</blockquote></div>")
    message.add_alternative(rich, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def apple_mail(text: str, *, sender: tuple[str, str], subject: str, date: datetime, message_id: str,
               quoted: str = "", refers: tuple[str, ...] = (), iphone: bool = False) -> EmailMessage:
    message = EmailMessage()
    _headers(message, sender=sender, subject=subject, date=date, message_id=message_id, refers=refers)
    message["X-Mailer"] = "iPhone Mail (21G93)" if iphone else "Apple Mail (2.3774.600.62)"
    plain = text.rstrip("\n") + "\n"
    if iphone:
        plain += "\nSent from my iPhone\n"
    if quoted:
        plain += (f"\n> On {date.day} {date:%b %Y}, at 09:12, Maren Holt <maren@example.com> wrote:\n>\n"
                  + "".join(f"> {ln}\n" if ln else ">\n" for ln in quoted.split("\n")))
    message.set_content(plain, charset="utf-8", cte="quoted-printable")
    rich = (f'<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
            f'<body style="overflow-wrap: break-word;">{_html_paragraphs(text.rstrip(chr(10)))}')
    if iphone:
        rich += '<div><br><div dir="ltr">Sent from my iPhone</div></div>'
    if quoted:
        rich += (f'<div><br><blockquote type="cite"><div>On {date.day} {date:%b %Y}, at 09:12, Maren Holt '
                 '&lt;maren@example.com&gt; wrote:</div><br><div>' + _html_paragraphs(quoted)
                 + "</div></blockquote></div>")
    rich += "</body></html>"
    message.add_alternative(rich, subtype="html", charset="utf-8", cte="quoted-printable")
    boundary = "Apple-Mail=_6F2A1B0C-3D4E-4F50-9A8B-7C6D5E4F3A2B"
    message.set_boundary(boundary)
    return message


def latin1_outlook(text: str, *, sender: tuple[str, str], subject: str, date: datetime, message_id: str,
                   quoted: str = "") -> bytes:
    """An older Windows client: ISO-8859-1 declared, Windows-1252 bytes sent, QP, encoded words."""
    body = text.rstrip("\n") + "\n"
    if quoted:
        body += ("\n-----Original Message-----\nFrom: Maren Holt [mailto:maren@example.com]\n"
                 f"Sent: {date:%A, %B} {date.day}, {date:%Y} 9:12 AM\nTo: {sender[1]}\nSubject: {subject}\n\n"
                 + quoted + "\n")
    raw = body.encode("cp1252").replace(b"\n", b"\r\n")
    qp = _quoted_printable(raw)
    name = "=?iso-8859-1?Q?" + "".join(
        c if c.isalnum() and ord(c) < 128 else f"={b:02X}" for c, b in zip(sender[0], sender[0].encode("latin-1"), strict=True)
    ) + "?="
    subject_words = "=?iso-8859-1?Q?" + "".join(
        ch if ch.isalnum() and ord(ch) < 128 else "_" if ch == " " else "".join(f"={b:02X}" for b in ch.encode("cp1252"))
        for ch in subject
    ) + "?="
    headers = (
        f"From: {name} <{sender[1]}>\r\nTo: Maren Holt <maren@example.com>\r\nSubject: {subject_words}\r\n"
        f"Date: {format_datetime(date)}\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: text/plain;\r\n\tcharset="iso-8859-1"\r\nContent-Transfer-Encoding: quoted-printable\r\n'
        "X-Mailer: Microsoft Outlook 14.0\r\n\r\n"
    )
    return headers.encode("ascii") + qp


def _quoted_printable(data: bytes) -> bytes:
    import quopri

    return quopri.encodestring(data)


def with_attachment(message: EmailMessage, name: str, data: bytes, kind: str = "image/jpeg") -> EmailMessage:
    maintype, subtype = kind.split("/")
    message.make_mixed()
    message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message
