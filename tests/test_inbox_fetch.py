"""`fireside inbox fetch` against a real Dovecot started by the tests (TLS with a certificate
the tests make), through the real CLI. Mail is APPENDed as mail programs send it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from generator.inbox.store import InboxStore
from generator.inbox.thought import Thought

from . import mail_shapes as shapes
from .conftest import REPO_ROOT, run_cli, write_tree
from .dovecot import PASSWORD, USER, CuttingProxy, Dovecot, running_dovecot
from .test_inbox_mail import editor
from .test_inbox_support import SITE_FILES, BuiltSite, smtp_server, wait_for

ADA = ("Ada Lovelace", "ada@example.org")
WHEN = datetime(2026, 9, 20, 8, 30, tzinfo=UTC)
LETTER = "Dear Maren,\n\nyour essay stayed with me all week.\n\nAda"


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


@pytest.fixture
def mailbox_user(dovecot: Dovecot) -> Iterator[str]:
    """A fresh mailbox per test (Dovecot's static userdb makes any user name a new mailbox)."""
    yield USER  # the folder is emptied below instead, so the certificate and ports are shared
    client = dovecot.client()
    try:
        for folder in ("INBOX", "Sent", "Junk", "Letters"):
            kind, count = client.select(folder)
            if kind == "OK" and count and count[0] not in (b"0", None):
                client.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
                client.expunge()
    finally:
        client.logout()


def imap_site(root: Path, dovecot: Dovecot, **imap: object) -> BuiltSite:
    settings = {"host": "127.0.0.1", "port": dovecot.tls_port, "user": USER, "cafile": str(dovecot.cafile)}
    settings.update(imap)
    lines = "".join(
        f"    {key}: {value if not isinstance(value, list) else '[' + ', '.join(value) + ']'}\n"
        for key, value in settings.items() if value is not None
    )
    config = (
        "title: Letters Test\nbase_url: https://example.com/blog/\n"
        "author:\n  name: Maren Holt\n  email: maren@example.com\n"
        f"inbox:\n  imap:\n{lines}"
    )
    root.mkdir(parents=True, exist_ok=True)
    write_tree(root, {"site.yaml": config, **SITE_FILES})
    return BuiltSite(root, root / "public")


def fetch(site: BuiltSite, *args: str, password: str | None = PASSWORD,
          env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    extra = {"FIRESIDE_IMAP_PASSWORD": password or ""}
    extra.update(env or {})
    return run_cli("inbox", "fetch", *args, cwd=site.root, env=extra)


def letters(site: BuiltSite, folders: tuple[str, ...] = ("new", "cur", "archive", "spam")) -> list[Thought]:
    return sorted((s.thought for s in InboxStore(site.inbox).thoughts(folders)), key=lambda t: t.received)


def letter_mail(text: str = LETTER, keep: str | None = "quote-named", *, sender: tuple[str, str] = ADA,
                message_id: str = "<letter@example.org>", when: datetime = WHEN) -> EmailMessage:
    return shapes.gmail(shapes.link_body(text, keep), sender=sender, subject=shapes.link_subject(), date=when,
                        message_id=message_id, signature=sender[0])


def test_fetch_takes_the_letters_leaves_the_rest_and_changes_nothing_on_the_server(
    dovecot: Dovecot, mailbox_user: str, tmp_path: Path
) -> None:
    site = imap_site(tmp_path / "site", dovecot)
    dovecot.append("INBOX", shapes.thunderbird_html(
        shapes.link_body(LETTER, "quote-named"), sender=ADA, subject=shapes.link_subject(), date=WHEN,
        message_id="<tb@example.org>", signature="Ada Lovelace"))
    dovecot.append("INBOX", shapes.apple_mail(
        shapes.link_body("From the train.", "quote-anonymous"), sender=("Cleo", "cleo@icloud.example"),
        subject=shapes.link_subject(), date=WHEN + timedelta(hours=1), message_id="<ap@icloud.example>",
        iphone=True))
    dovecot.append("INBOX", shapes.latin1_outlook(
        shapes.link_body("Chère Maren, “merci”.", None), sender=("Zoë Brontë", "zoe@example.net"),
        subject=shapes.link_subject(), date=WHEN + timedelta(hours=2), message_id="<l1@example.net>"))
    dovecot.append("INBOX", shapes.gmail("Lunch on Friday?", sender=ADA, subject="Lunch", date=WHEN,
                                         message_id="<lunch@example.org>"), flags=r"(\Flagged)")
    flagged = letter_mail("Cheap watches", None, sender=("S", "s@example.biz"), message_id="<s1@example.biz>")
    flagged["X-Spam-Flag"] = "YES"
    dovecot.append("INBOX", flagged)
    dovecot.append("Junk", letter_mail("More spam", None, sender=("T", "t@example.biz"),
                                       message_id="<s2@example.biz>"))
    before = {folder: dovecot.state(folder) for folder in ("INBOX", "Junk", "Sent")}

    done = fetch(site)
    assert done.returncode == 0, done.stderr
    assert "5 new letters (2 to spam)" in done.stdout and "1 other email left alone" in done.stdout
    assert {folder: dovecot.state(folder) for folder in before} == before  # not even \Seen
    new = {t.email: t for t in letters(site, ("new",))}
    assert set(new) == {"ada@example.org", "cleo@icloud.example", "zoe@example.net"}
    assert new["ada@example.org"].message == LETTER + "\n" and new["ada@example.org"].consent == "quote-named"
    assert new["cleo@icloud.example"].consent == "quote-anonymous"
    assert new["zoe@example.net"].message == "Chère Maren, “merci”.\n" and new["zoe@example.net"].consent == "private"
    assert sorted(t.spam_reason for t in letters(site, ("spam",))) == ["junk-folder", "spam-flag"]
    files = sorted(p.name for p in site.inbox.rglob("*.md"))

    again = fetch(site)
    assert "0 new letters" in again.stdout and "(new messages: 0 in INBOX, 0 in Junk, 0 in Sent)" in again.stdout
    reread = fetch(site, "--again")
    assert "0 new letters" in reread.stdout and "5 already home" in reread.stdout
    assert sorted(p.name for p in site.inbox.rglob("*.md")) == files
    assert {folder: dovecot.state(folder) for folder in before} == before


def test_an_answer_in_sent_marks_the_letter_answered_and_the_readers_reply_joins_it(
    dovecot: Dovecot, mailbox_user: str, tmp_path: Path
) -> None:
    site = imap_site(tmp_path / "site", dovecot)
    dovecot.append("INBOX", letter_mail())
    assert "1 new letter" in fetch(site).stdout
    (letter,) = letters(site)
    assert letter.status == "new"
    answer = shapes.apple_mail("Dear Ada,\nthank you. Which friend?", sender=shapes.AUTHOR,
                               subject="Re: " + shapes.link_subject(), date=WHEN + timedelta(days=1),
                               message_id="<answer@example.com>", quoted=LETTER, refers=("<letter@example.org>",))
    dovecot.append("Sent", answer, flags=r"(\Seen)")
    done = fetch(site)
    assert "1 answer of yours" in done.stdout
    (letter,) = letters(site)
    assert letter.status == "answered" and (site.inbox / "cur" / letter.file_name).is_file()
    assert [(a.by, a.text, a.message_id) for a in letter.answers] == [
        ("author", "Dear Ada,\nthank you. Which friend?\n", "<answer@example.com>")]
    thread = ("<letter@example.org>", "<answer@example.com>")
    reply = shapes.thunderbird_html("The one from school.", sender=ADA, subject="Re: Re: " + shapes.link_subject(),
                                    date=WHEN + timedelta(days=2), message_id="<reply@example.org>",
                                    quoted="Dear Ada,\nthank you. Which friend?", refers=thread)
    dovecot.append("INBOX", reply)
    assert "1 reply from readers" in fetch(site).stdout
    (letter,) = letters(site)
    assert letter.status == "new" and [a.by for a in letter.answers] == ["author", "reader"]
    assert letter.answers[1].text == "The one from school.\n"


def test_mark_seen_and_move_to_touch_only_the_letters(dovecot: Dovecot, mailbox_user: str, tmp_path: Path) -> None:
    site = imap_site(tmp_path / "site", dovecot)
    dovecot.append("INBOX", letter_mail())
    dovecot.append("INBOX", shapes.gmail("Lunch?", sender=ADA, subject="Lunch", date=WHEN, message_id="<l@x.org>"))
    done = fetch(site, "--mark-seen")
    assert done.returncode == 0, done.stderr and "1 message marked as read" in done.stdout
    flags = {body.split(b"Message-ID: ")[1].split(b"\r\n")[0]: flag for _, flag, body in dovecot.state("INBOX")}
    assert flags == {b"<letter@example.org>": "\\Seen", b"<l@x.org>": ""}
    dovecot.append("INBOX", letter_mail("Second letter", message_id="<second@example.org>",
                                        when=WHEN + timedelta(hours=1)))
    refused = fetch(site, "--move-to", "Nowhere")
    assert refused.returncode == 1 and "no folder 'Nowhere'" in refused.stderr
    assert len(letters(site)) == 1  # refused before anything was read
    moved = fetch(site, "--move-to", "Letters")
    assert moved.returncode == 0, moved.stderr
    assert "1 message moved to Letters" in moved.stdout
    assert [b.split(b"Message-ID: ")[1].split(b"\r\n")[0] for _, _, b in dovecot.state("Letters")] == [
        b"<second@example.org>"]
    assert dovecot.count("INBOX") == 2 and len(letters(site)) == 2


@pytest.mark.parametrize(
    ("imap", "password", "expected"),
    [
        ({}, "Tr0ub4dor-x9", "refused the login of 'maren': wrong user or password?"),
        ({"cafile": None}, PASSWORD, "the certificate of 127.0.0.1:"),
        ({"folders": ["INBOX", "Readers"]}, PASSWORD, "no folder 'Readers' on 127.0.0.1"),
        ({"security": "tls", "port": "plain"}, PASSWORD, "the TLS handshake with 127.0.0.1:"),
        ({"host": "imap.example.com", "security": "none"}, PASSWORD, "refusing to send a password unencrypted"),
        ({}, None, "no password for maren@127.0.0.1: set FIRESIDE_IMAP_PASSWORD"),
    ],
    ids=["wrong-password", "bad-certificate", "unknown-folder", "plain-port", "plaintext-elsewhere", "no-password"],
)
def test_errors_say_what_happened(dovecot: Dovecot, mailbox_user: str, tmp_path: Path, imap: dict[str, object],
                                  password: str | None, expected: str) -> None:
    if imap.get("port") == "plain":
        imap["port"] = dovecot.plain_port
    site = imap_site(tmp_path / "site", dovecot, **imap)
    dovecot.append("INBOX", letter_mail())
    done = fetch(site, password=password, env={"PATH": "/usr/bin:/bin"})
    assert done.returncode == 1
    assert expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    if password:
        assert password not in done.stderr + done.stdout
    assert letters(site) == []


def test_starttls_and_plain_imap_to_this_machine_work(dovecot: Dovecot, mailbox_user: str, tmp_path: Path) -> None:
    dovecot.append("INBOX", letter_mail())
    starttls = imap_site(tmp_path / "a", dovecot, security="starttls", port=dovecot.plain_port)
    done = fetch(starttls)
    assert done.returncode == 0 and "1 new letter" in done.stdout, done.stderr
    local = imap_site(tmp_path / "b", dovecot, security="none", port=dovecot.plain_port, cafile=None)
    done = fetch(local)
    assert done.returncode == 0 and "1 new letter" in done.stdout, done.stderr


def test_the_password_can_come_from_the_system_keyring(dovecot: Dovecot, mailbox_user: str, tmp_path: Path) -> None:
    # libsecret's command-line tool, as a desktop has it, answering for service "fireside".
    tools = tmp_path / "bin"
    tools.mkdir()
    tool = tools / "secret-tool"
    tool.write_text('#!/bin/sh\n[ "$1 $2 $3 $4 $5" = "lookup service fireside account maren@127.0.0.1" ] '
                    f"&& printf '%s' '{PASSWORD}'\n")
    tool.chmod(0o755)
    site = imap_site(tmp_path / "site", dovecot)
    dovecot.append("INBOX", letter_mail())
    done = fetch(site, password=None, env={"PATH": f"{tools}:{os.environ.get('PATH', '')}"})
    assert done.returncode == 0 and "1 new letter" in done.stdout, done.stderr


def big_letters(dovecot: Dovecot, count: int) -> None:
    for i in range(count):
        message = letter_mail(f"Letter number {i}.", message_id=f"<big{i}@example.org>",
                              when=WHEN + timedelta(minutes=i))
        shapes.with_attachment(message, f"photo{i}.jpg", os.urandom(60_000))
        dovecot.append("INBOX", message)


def test_a_dropped_connection_is_said_plainly_and_the_next_fetch_loses_nothing(
    dovecot: Dovecot, mailbox_user: str, tmp_path: Path
) -> None:
    big_letters(dovecot, 4)
    proxy = CuttingProxy(dovecot.plain_port, limit=120_000)  # cut in the middle of the second letter
    try:
        site = imap_site(tmp_path / "site", dovecot, security="none", port=proxy.port, cafile=None)
        done = fetch(site)
    finally:
        proxy.close()
    assert done.returncode == 1
    assert "dropped the connection" in done.stderr and "run `fireside inbox fetch` again" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(site.inbox.glob("new/*")) if site.inbox.exists() else True
    direct = imap_site(tmp_path / "site", dovecot, security="none", port=dovecot.plain_port, cafile=None)
    done = fetch(direct)
    assert done.returncode == 0 and "4 new letters" in done.stdout, done.stderr
    assert sorted(t.message for t in letters(direct)) == [f"Letter number {i}.\n" for i in range(4)]
    assert all(t.attachments.startswith("photo") for t in letters(direct))


def test_a_fetch_killed_midway_loses_nothing_and_doubles_nothing(
    dovecot: Dovecot, mailbox_user: str, tmp_path: Path
) -> None:
    big_letters(dovecot, 6)
    proxy = CuttingProxy(dovecot.plain_port, delay=0.02)  # a slow line: the fetch takes seconds
    site = imap_site(tmp_path / "site", dovecot, security="none", port=proxy.port, cafile=None)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "FIRESIDE_IMAP_PASSWORD": PASSWORD}
    try:
        process = subprocess.Popen([sys.executable, "-m", "generator", "inbox", "fetch"], cwd=site.root, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(2.0)
        assert process.poll() is None, process.communicate()  # still reading the mail
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        proxy.close()
    for path in site.inbox.rglob("*.md") if site.inbox.exists() else []:
        assert path.read_bytes().startswith(b"---\n")  # whole letters only
    direct = imap_site(tmp_path / "site", dovecot, security="none", port=dovecot.plain_port, cafile=None)
    done = fetch(direct)
    assert done.returncode == 0, done.stderr
    found = wait_for(lambda: len(letters(direct)) == 6 and letters(direct), what="six letters")
    assert sorted(t.message_id for t in found) == sorted(f"<big{i}@example.org>" for i in range(6))
    assert "0 new letters" in fetch(direct, "--again").stdout


def test_a_static_host_author_reads_answers_publishes_and_forgets_like_one_with_a_receiver(
    dovecot: Dovecot, mailbox_user: str, tmp_path: Path
) -> None:
    site = imap_site(tmp_path / "site", dovecot)
    dovecot.append("INBOX", letter_mail())
    assert "1 new letter" in fetch(site).stdout
    (letter,) = letters(site)
    answer = "Dear Ada,\n\nthank you. Which friend?\n\nMaren\n"
    with smtp_server() as (port, collected):
        done = run_cli("inbox", "reply", letter.id, cwd=site.root, env={
            "EDITOR": editor(tmp_path, answer), "VISUAL": "",
            "FIRESIDE_SMTP_HOST": "127.0.0.1", "FIRESIDE_SMTP_PORT": str(port), "FIRESIDE_SMTP_SECURITY": "none",
        })
        assert done.returncode == 0, done.stderr
        (sent,) = wait_for(lambda: collected.messages, what="the answer delivered")
    assert b"In-Reply-To: <letter@example.org>" in sent  # threaded under the reader's own mail
    dovecot.append("Sent", sent, flags=r"(\Seen)")  # the provider keeps a copy in Sent, as Gmail does
    again = fetch(site)
    assert "0 new letters, 1 already home" in again.stdout and "answer" not in again.stdout
    (letter,) = letters(site)
    assert letter.status == "answered" and len(letter.answers) == 1  # not twice
    published = run_cli("inbox", "publish", letter.id, cwd=site.root)
    assert published.returncode == 0, published.stderr  # the reader kept "with my name"
    text = (site.root / "content" / "letters" / f"{letter.id}.md").read_text()
    assert 'name: "Ada Lovelace"' in text and "Which friend?" in text and "ada@example.org" not in text
    forgot = run_cli("inbox", "forget", "ada@example.org", "--yes", cwd=site.root)
    assert forgot.returncode == 0 and letters(site) == []
    assert not (site.root / "content" / "letters" / f"{letter.id}.md").exists()
    assert "0 new letters" in fetch(site, "--again").stdout and letters(site) == []


def test_a_drafted_answer_sent_from_the_mail_program_is_found_in_sent(
    dovecot: Dovecot, mailbox_user: str, tmp_path: Path
) -> None:
    site = imap_site(tmp_path / "site", dovecot)
    dovecot.append("INBOX", letter_mail())
    assert "1 new letter" in fetch(site).stdout
    (letter,) = letters(site)
    done = run_cli("inbox", "reply", letter.id, cwd=site.root, env={
        "EDITOR": editor(tmp_path, "Dear Ada,\nthank you.\n"), "VISUAL": "", "FIRESIDE_SMTP_HOST": ""})
    assert done.returncode == 0, done.stderr
    draft = site.inbox / "drafts" / f"{letter.id}.eml"
    (letter,) = letters(site)
    assert letter.shown_status == "drafted"
    # The author opens the draft in their mail program and sends it; the server keeps a copy in Sent.
    sent = draft.read_bytes().replace(b"X-Unsent: 1\r\n", b"").replace(b"X-Unsent: 1\n", b"")
    dovecot.append("Sent", sent, flags=r"(\Seen)")
    done = fetch(site)
    assert "1 answer of yours" in done.stdout, done.stdout
    (letter,) = letters(site)
    assert letter.status == "answered" and letter.shown_status == "answered" and not draft.exists()
    assert [(a.by, a.draft, a.text) for a in letter.answers] == [("author", False, "Dear Ada,\nthank you.\n")]
