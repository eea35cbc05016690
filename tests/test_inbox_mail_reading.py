"""Reading real mail: consent from the reader's words, their own words apart from quotes and
signatures, and the untidy encodings real mail programs send (shapes from tests/mail_shapes.py
and patterns found in public sample mail of the common programs)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from generator.build import mailto
from generator.inbox.mailbox.consent import consent_in, read_consent
from generator.inbox.mailbox.mime import read_email
from generator.inbox.mailbox.words import split_words

from . import mail_shapes as shapes

LABELS = mailto.CONSENT_LABELS
WHEN = datetime(2026, 9, 20, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("left", "consent"),
    [
        ([LABELS["private"], LABELS["quote-named"], LABELS["quote-anonymous"], mailto.CLOSING], "private"),
        ([LABELS["quote-named"]], "quote-named"),
        (["", LABELS["quote-anonymous"], ""], "quote-anonymous"),
        ([LABELS["private"]], "private"),
        ([LABELS["private"], LABELS["quote-named"]], "private"),  # two kept: no choice
        ([LABELS["private"], "[x] " + LABELS["quote-named"], "[ ] " + LABELS["quote-anonymous"]], "quote-named"),
        ([LABELS["private"], LABELS["quote-named"] + " <--", LABELS["quote-anonymous"]], "quote-named"),
        (["✓ " + LABELS["quote-anonymous"], LABELS["private"], LABELS["quote-named"]], "quote-anonymous"),
        (["you may quote me with my name."], "quote-named"),  # retyped, lower case
        (["Yes"], "quote-anonymous"),  # a bare yes: quoted, without the name
        (["Sure, use my name."], "quote-named"),
        (["Please don't use my name"], "quote-anonymous"),
        (["You may quote me, but leave my name out"], "quote-anonymous"),
        (["No thanks"], "private"),
        (["no, not even without my name"], "private"),
        (["yes no"], "private"),  # contradictory
        (["with my name, or without my name"], "private"),
        ([], "private"),
        (["I'll think about it"], "private"),
    ],
)
def test_consent_is_read_from_what_the_reader_left(left: list[str], consent: str) -> None:
    assert consent_in(left) == consent


def test_the_footer_is_taken_off_and_a_question_only_in_quoted_mail_is_no_answer() -> None:
    text = "Dear Maren,\nlovely.\n\n" + mailto.footer("T", "https://x.example/posts/t/", "quote-named")
    read = read_consent(text)
    assert (read.letter, read.consent, read.answered) == ("Dear Maren,\nlovely.\n", "quote-named", True)
    quoted = "Thanks!\n\n" + "".join(f"> {line}\n" for line in text.split("\n"))
    read = read_consent(split_words(quoted).own)
    assert (read.consent, read.answered) == ("private", False)


def test_thunderbird_format_flowed_is_joined_again() -> None:
    long = ("This is a long paragraph that Thunderbird wraps at seventy-two characters with a trailing space "
            "so that the receiving program can join it again into one line.")
    message = shapes.thunderbird_flowed(long + "\n\nSecond paragraph.\n", sender=("A", "a@example.org"),
                                        subject="s", date=WHEN, message_id="<f@example.org>")
    raw = message.as_bytes()
    assert b"Content-Type: text/plain; charset=\"utf-8\"; format=\"flowed\"" in raw or b"format=flowed" in raw
    assert read_email(raw).text == long + "\n\nSecond paragraph.\n"


@pytest.mark.parametrize(
    ("text", "own", "signature"),
    [
        # Gmail: the attribution wrapped over two lines, the quote below.
        ("Hello\n\nOn Mon, Apr 2, 2012 at 6:26 PM, Megan One <\nxxx@gmail.com> wrote:\n\n> Hi\n", "Hello\n", ""),
        # An Android client in Russian: a wrapped attribution in another language.
        ("Hello\n02.04.2012 14:20 пользователь \"bob@example.org\" <\nbob@example.org> написал:\n\n> Hi\n>\n",
         "Hello\n", ""),
        # Thunderbird bottom-posting: the quote above, the reply below.
        ("On 04/02/2012 06:26 PM, Megan One wrote:\n> Hi\nHello\n", "Hello\n", ""),
        # Outlook: the original below a marker, unquoted.
        ("Hello\n\n-----Original Message-----\nFrom: bob\nSent: Monday\nTo: x\nSubject: Test\n\nHi\n", "Hello\n", ""),
        ("Hello\n\n________________________________\nFrom: CRM\nSent: Monday\nTo: x\nSubject: y\n\nHi\n",
         "Hello\n", ""),
        # Answering point by point: the quotes are part of the letter.
        ("> Which friend?\nThe one from school.\n> When?\nSunday.\n",
         "> Which friend?\nThe one from school.\n> When?\nSunday.\n", ""),
        ("Here it is.\n\nSent from my iPhone\n", "Here it is.\n", "Sent from my iPhone"),
        ("Here it is.\n\nSent from my desk, where it is quieter.\n", "Here it is.\n\nSent from my desk, where it is "
         "quieter.\n", ""),
        ("A fix -- not a signature.\n\n-- \nAda\nLondon\n", "A fix -- not a signature.\n", "Ada\nLondon"),
    ],
)
def test_the_readers_own_words(text: str, own: str, signature: str) -> None:
    words = split_words(text)
    assert (words.own, words.signature) == (own, signature)


def test_untidy_encodings_are_read_as_mail_programs_read_them() -> None:
    raw = (
        b"From: =?utf-8?b?w4Vzw6U=?= <asa@example.se>\r\n"
        b"Subject: =?x-unknown-charset?q?Hej?= d\xc3\xa5\r\n"  # an unknown label, then raw UTF-8 bytes
        b"Date: not a date\r\n"
        b"Content-Type: text/plain; charset=\"iso-8859-1\"\r\n"
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
        b"\x93Quoted\x94 \x96 as Windows writes it.\r\n"
    )
    mail = read_email(raw)
    assert mail.from_name == "Åså" and mail.from_address == "asa@example.se"
    assert "då" in mail.subject
    assert mail.date is None
    assert mail.text == "“Quoted” – as Windows writes it.\n"
    assert mail.key.endswith("@digest.fireside.invalid>")  # no Message-ID: known by what it says
    html_only = (
        b"From: a@example.org\r\nMessage-ID: <h@example.org>\r\nContent-Type: text/html; charset=utf-8\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + __import__("base64").encodebytes(b"<p>One &amp; <b>two</b></p><script>x()</script><ul><li>a</li>"
                                           b"<li>b</li></ul>")
    )
    assert read_email(html_only).text == "One & two\n\n- a\n- b\n"
