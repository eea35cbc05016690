"""Answers by email and notices: real RFC 5322 messages, delivered to a real local SMTP server."""

from __future__ import annotations

import email
import email.policy
import shlex
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from generator.inbox.mail import MailError, SmtpSettings, build_reply, send
from generator.inbox.settings import Notice
from generator.inbox.store import InboxStore
from generator.inbox.thought import Thought, new_id

from .conftest import run_cli
from .test_inbox_support import BuiltSite, embedded, letter, make_site, settings_for, smtp_server, wait_for
from .test_inbox_support import send as post

MESSAGE = "Dear Maren,\n\nyour essay made me call an old friend.\nThank you.\n"


def add_letter(site: BuiltSite, **changes: object) -> Thought:
    store = InboxStore(site.inbox)
    store.ensure()
    values: dict[str, object] = dict(
        id=new_id(datetime(2026, 11, 20, 9, 30, tzinfo=UTC)),
        post="inch-wide",
        post_title="An Inch Wide and a Mile Deep",
        name="Ada Lovelace",
        email="ada@example.org",
        consent="quote-named",
        received=datetime(2026, 11, 20, 9, 30, tzinfo=UTC),
        message=MESSAGE,
    )
    values.update(changes)
    values.setdefault("message_id", f"<{values['id']}@example.com>")
    return store.add(lambda: Thought(**values))  # type: ignore[arg-type]


def editor(tmp_path: Path, answer: str) -> str:
    """A real editor program: puts `answer` above the quoted letter, as an author would."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import pathlib, sys\n"
        "path = pathlib.Path(sys.argv[1])\n"
        f"path.write_text({answer!r} + path.read_text(encoding='utf-8'), encoding='utf-8')\n",
        encoding="utf-8",
    )
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def parse(data: bytes) -> EmailMessage:
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def check_reply(message: EmailMessage, thought: Thought, answer: str) -> None:
    assert message["To"].addresses[0].addr_spec == "ada@example.org"
    assert message["To"].addresses[0].display_name == "Ada Lovelace"
    assert message["From"].addresses[0].addr_spec == "maren@example.com"
    assert message["Subject"] == "Re: An Inch Wide and a Mile Deep"
    assert message["In-Reply-To"] == thought.message_id
    assert thought.message_id in message["References"].split()
    assert message["Message-ID"].startswith("<") and message["Date"]
    body = message.get_content().replace("\r\n", "\n")  # as sent: network line endings
    assert body.startswith(answer.strip())
    assert "On 20 November 2026, Ada Lovelace wrote:\n> Dear Maren,\n>\n> your essay made me call an old friend.\n" in body


def test_reply_is_sent_by_smtp_threaded_and_kept_in_the_letter(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    thought = add_letter(site)
    answer = "Dear Ada,\n\nthank you for writing. Which friend?\n\nMaren\n"
    with smtp_server() as (port, collected):
        done = run_cli("inbox", "reply", thought.id[-8:], cwd=site.root, env={
            "EDITOR": editor(tmp_path, answer), "VISUAL": "",
            "FIRESIDE_SMTP_HOST": "127.0.0.1", "FIRESIDE_SMTP_PORT": str(port), "FIRESIDE_SMTP_SECURITY": "none",
        })
        assert done.returncode == 0, done.stderr
        assert "Sent your answer to ada@example.org" in done.stdout
        wait_for(lambda: collected.messages, what="the answer delivered")
    (raw,) = collected.messages
    assert collected.envelopes[0][1] == ("ada@example.org",)
    message = parse(raw)
    check_reply(message, thought, answer)
    stored = InboxStore(site.inbox).get(thought.id)
    assert stored.folder == "cur" and stored.thought.status == "answered"
    assert stored.thought.message == MESSAGE  # their message and your answer, in one file
    assert stored.thought.answers[0].text == answer.strip("\n").rstrip()
    assert stored.thought.answers[0].message_id == message["Message-ID"]
    assert list((site.inbox / "tmp").iterdir()) == []  # the editor's file is gone


def test_without_smtp_reply_writes_an_eml_draft_and_a_mailto_link(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    thought = add_letter(site)
    answer = "Thank you, Ada & all.\n"
    done = run_cli("inbox", "reply", thought.id, cwd=site.root,
                   env={"EDITOR": editor(tmp_path, answer), "VISUAL": "", "FIRESIDE_SMTP_HOST": ""})
    assert done.returncode == 0, done.stderr
    draft = site.inbox / "drafts" / f"{thought.id}.eml"
    assert str(draft) in done.stdout
    raw = draft.read_bytes()
    assert b"\r\n" in raw  # an .eml file is in network line endings
    message = parse(raw)
    check_reply(message, thought, answer)
    assert message["X-Unsent"] == "1"
    mailto = next(line for line in done.stdout.splitlines() if line.startswith("mailto:"))
    assert mailto.startswith("mailto:ada@example.org?subject=Re%3A%20An%20Inch%20Wide")
    assert "Thank%20you%2C%20Ada%20%26%20all." in mailto
    # Nothing was sent, so the letter is not answered: it waits, drafted (test_reply_drafts.py).
    assert InboxStore(site.inbox).get(thought.id).thought.status == "new"


def test_an_empty_answer_sends_nothing_and_changes_nothing(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    thought = add_letter(site)
    with smtp_server() as (port, collected):
        done = run_cli("inbox", "reply", thought.id, cwd=site.root, env={
            "EDITOR": editor(tmp_path, "\n  \n"), "VISUAL": "",
            "FIRESIDE_SMTP_HOST": "127.0.0.1", "FIRESIDE_SMTP_PORT": str(port), "FIRESIDE_SMTP_SECURITY": "none",
        })
    assert done.returncode == 1 and "empty" in done.stderr
    assert collected.messages == []
    assert InboxStore(site.inbox).get(thought.id).thought.status == "new"


def test_a_name_can_never_become_a_header(tmp_path: Path) -> None:
    thought = Thought(
        id="20261120-093000-0123abcd", post="p", post_title="Title\r\nBcc: all@example.com",
        name="Ada\r\nBcc: victim@example.com", email="ada@example.org", consent="private",
        received=datetime(2026, 11, 20, tzinfo=UTC), message="Hi\r\nBcc: x@example.com\n", message_id="<m@x>",
    )
    message = parse(build_reply(thought, "Answer", from_name="M", from_address="m@example.com").as_bytes())
    assert message["Bcc"] is None
    assert [k for k in message if k.lower() == "to"] == ["To"]
    assert "\n" not in str(message["To"]) and "\n" not in str(message["Subject"])


def test_failures_to_send_keep_the_answer_as_a_draft(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    thought = add_letter(site)
    from .test_inbox_support import free_port

    done = run_cli("inbox", "reply", thought.id, cwd=site.root, env={
        "EDITOR": editor(tmp_path, "Kept.\n"), "VISUAL": "",
        "FIRESIDE_SMTP_HOST": "127.0.0.1", "FIRESIDE_SMTP_PORT": str(free_port()), "FIRESIDE_SMTP_SECURITY": "none",
    })
    assert done.returncode == 1 and "could not send" in done.stderr
    assert "Kept." in parse((site.inbox / "drafts" / f"{thought.id}.eml").read_bytes()).get_content()
    assert InboxStore(site.inbox).get(thought.id).thought.status == "new"


def test_passwords_never_travel_unencrypted_to_another_machine() -> None:
    settings = SmtpSettings(host="smtp.example.com", port=25, security="none", user="u", password="secret-pw")
    with pytest.raises(MailError, match="unencrypted") as refused:
        send(EmailMessage(), settings)
    assert "secret-pw" not in str(refused.value) and "secret-pw" not in repr(settings)


def test_the_receiver_sends_a_short_notice_per_letter(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    with smtp_server() as (port, collected):
        notice = Notice(SmtpSettings(host="127.0.0.1", port=port, security="none", sender="inbox@example.com"),
                        "maren@example.com")
        with embedded(settings_for(site, notice=notice)) as receiver:
            assert post(receiver.port, letter(message="A very private thought")).status == 303
            wait_for(lambda: collected.messages, what="the notice delivered")
            (path,) = receiver.files()
    message = parse(collected.messages[0])
    assert message["To"] == "maren@example.com" and message["From"] == "inbox@example.com"
    assert message["Subject"] == "A letter on “An Inch Wide and a Mile Deep”"
    assert message["Message-ID"] == f"<{path.stem}@example.com>"  # answers thread under it
    assert path.stem in message.get_content()
    assert "A very private thought" not in message.get_content()  # the letter stays on the server
