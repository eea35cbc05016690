"""`fireside inbox import`: letters by email from .eml files, an mbox and a Maildir, through
the real CLI, in the shapes real mail programs send (tests/mail_shapes.py)."""

from __future__ import annotations

import hashlib
import mailbox
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from generator.build import mailto
from generator.inbox.store import InboxStore
from generator.inbox.thought import Thought

from . import mail_shapes as shapes
from .conftest import run_cli
from .test_inbox_support import BuiltSite, make_site

ADA = ("Ada Lovelace", "ada@example.org")
ZOE = ("Zoë Brontë", "zoe@example.net")
LETTER = "Dear Maren,\n\nyour essay stayed with me all week. I wrote to an old friend.\n\nAda"
WHEN = datetime(2026, 9, 20, 8, 30, tzinfo=UTC)


@pytest.fixture
def site(tmp_path: Path) -> BuiltSite:
    return make_site(tmp_path / "site")


def letters(site: BuiltSite, folders: tuple[str, ...] = ("new", "cur", "archive", "spam")) -> list[Thought]:
    return sorted((s.thought for s in InboxStore(site.inbox).thoughts(folders)), key=lambda t: t.received)


def write(folder: Path, name: str, data: bytes | object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else data.as_bytes())  # type: ignore[attr-defined]
    return path


def imported(site: BuiltSite, *paths: Path) -> str:
    done = run_cli("inbox", "import", *map(str, paths), cwd=site.root)
    assert done.returncode == 0, done.stderr
    return done.stdout


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def client_letters(keep: dict[str, str | None]) -> dict[str, bytes]:
    """The same kind of letter from each mail program, answering the link's question."""
    subject = shapes.link_subject()
    return {
        "thunderbird.eml": shapes.thunderbird_html(
            shapes.link_body(LETTER, keep["thunderbird"]), sender=ADA, subject=subject, date=WHEN,
            message_id="<0b6f2c1e-1d2a-4c3b-9e8f-1a2b3c4d5e6f@example.org>", signature="Ada Lovelace\nLondon",
        ).as_bytes(),
        "gmail.eml": shapes.gmail(
            shapes.link_body("Hello Maren,\nthank you for this one.", keep["gmail"]),
            sender=("Bob Gmail", "bob@gmail.example"), subject=subject, date=WHEN + timedelta(hours=1),
            message_id="<CAJ4x+7n2Q@mail.gmail.com>", signature="Bob\nhttps://bob.example",
        ).as_bytes(),
        "apple.eml": shapes.apple_mail(
            shapes.link_body("Maren — this made me cry on the train.", keep["apple"]),
            sender=("Cleo", "cleo@icloud.example"), subject=subject, date=WHEN + timedelta(hours=2),
            message_id="<5E3F7A1B-92C4-4D8E-A1F0-3B2C1D0E9F8A@icloud.example>", iphone=True,
        ).as_bytes(),
        "latin1.eml": shapes.latin1_outlook(
            shapes.link_body("Chère Maren,\n“Café” letters are the best — merci.", keep["latin1"]),
            sender=ZOE, subject=subject, date=WHEN + timedelta(hours=3),
            message_id="<000a01d9$1b2c3d40$@example.net>",
        ),
    }


def test_letters_from_four_mail_programs_become_letter_files(site: BuiltSite, tmp_path: Path) -> None:
    keep = {"thunderbird": "quote-named", "gmail": None, "apple": "quote-anonymous", "latin1": "private"}
    folder = tmp_path / "exported"
    for name, data in client_letters(keep).items():
        write(folder, name, data)
    before = digest(folder)
    out = imported(site, *sorted(folder.iterdir()))
    assert "4 new letters" in out
    assert digest(folder) == before  # the files are only read
    by_address = {t.email: t for t in letters(site)}
    ada = by_address["ada@example.org"]
    assert (ada.post, ada.post_title, ada.name) == ("inch-wide", "An Inch Wide and a Mile Deep", "Ada Lovelace")
    assert ada.message == LETTER + "\n"  # no footer, no signature
    assert ada.signature == "Ada Lovelace\nLondon"
    assert ada.consent == "quote-named"
    assert ada.message_id == "<0b6f2c1e-1d2a-4c3b-9e8f-1a2b3c4d5e6f@example.org>"
    assert ada.received == WHEN and ada.status == "new"
    bob = by_address["bob@gmail.example"]
    assert bob.consent == "private"  # all three answers left: no choice made
    assert bob.message == "Hello Maren,\nthank you for this one.\n" and bob.signature == "Bob\nhttps://bob.example"
    cleo = by_address["cleo@icloud.example"]
    assert cleo.consent == "quote-anonymous" and cleo.signature == "Sent from my iPhone"
    assert cleo.message == "Maren — this made me cry on the train.\n"
    zoe = by_address["zoe@example.net"]
    assert zoe.name == "Zoë Brontë" and zoe.consent == "private"
    assert zoe.message == "Chère Maren,\n“Café” letters are the best — merci.\n"  # cp1252 quotes read right


def test_importing_again_adds_nothing_whatever_the_container(site: BuiltSite, tmp_path: Path) -> None:
    keep = dict.fromkeys(("thunderbird", "gmail", "apple", "latin1"), "quote-named")
    mails = client_letters(keep)
    folder = tmp_path / "eml"
    paths = [write(folder, name, data) for name, data in mails.items()]
    assert "4 new letters" in imported(site, *paths)
    files = digest(site.inbox / "new")
    box = mailbox.mbox(tmp_path / "export.mbox")
    for data in mails.values():
        box.add(data)
    box.close()
    again = imported(site, tmp_path / "export.mbox", *paths)
    assert "0 new letters" in again and "8 already home" in again
    assert digest(site.inbox / "new") == files


def test_a_maildir_and_its_junk_folder_are_read_and_left_as_they_were(site: BuiltSite, tmp_path: Path) -> None:
    maildir = mailbox.Maildir(tmp_path / "Mail", create=True)
    junk = maildir.add_folder("Junk")
    good = shapes.gmail(shapes.link_body("A real letter.", "quote-named"), sender=ADA,
                        subject=shapes.link_subject(), date=WHEN, message_id="<a1@example.org>")
    flagged = shapes.gmail(shapes.link_body("Buy cheap watches", None), sender=("Spam", "spam@example.biz"),
                           subject=shapes.link_subject(), date=WHEN, message_id="<s1@example.biz>")
    flagged["X-Spam-Flag"] = "YES"
    junked = shapes.gmail(shapes.link_body("Also spam", None), sender=("Spam", "spam2@example.biz"),
                          subject=shapes.link_subject(), date=WHEN, message_id="<s2@example.biz>")
    unrelated = shapes.gmail("Lunch on Friday?", sender=ADA, subject="Lunch", date=WHEN, message_id="<l@example.org>")
    for message in (good, flagged, unrelated):
        maildir.add(mailbox.MaildirMessage(message.as_bytes()))
    junk.add(mailbox.MaildirMessage(junked.as_bytes()))
    before = digest(tmp_path / "Mail")
    out = imported(site, tmp_path / "Mail", tmp_path / "Mail" / ".Junk")
    assert "3 new letters (2 to spam)" in out and "1 other email left alone" in out
    assert digest(tmp_path / "Mail") == before
    assert [t.message for t in letters(site, ("new",))] == ["A real letter.\n"]
    reasons = sorted(t.spam_reason for t in letters(site, ("spam",)))
    assert reasons == ["junk-folder", "spam-flag"]


def test_answers_and_replies_join_the_letter_and_a_long_quoted_thread_keeps_only_new_words(
    site: BuiltSite, tmp_path: Path
) -> None:
    first = shapes.apple_mail(shapes.link_body(LETTER, "quote-named"), sender=ADA, subject=shapes.link_subject(),
                              date=WHEN, message_id="<first@example.org>")
    answer = shapes.gmail("Dear Ada,\nthank you. Which friend?", sender=shapes.AUTHOR,
                          subject="Re: " + shapes.link_subject(), date=WHEN + timedelta(days=1),
                          message_id="<answer@example.com>", quoted=LETTER, refers=("<first@example.org>",),
                          signature="Maren")
    reply = shapes.thunderbird_html(
        "The one from school. We meet on Sunday.", sender=ADA, subject="Re: Re: " + shapes.link_subject(),
        date=WHEN + timedelta(days=2), message_id="<reply@example.org>",
        quoted="Dear Ada,\nthank you. Which friend?\n\n" + "\n".join(f"> {ln}" for ln in LETTER.split("\n")),
        refers=("<first@example.org>", "<answer@example.com>"),
    )
    vacation = shapes.gmail("I am away until Monday.", sender=ADA, subject="Auto: Re: Re: x",
                            date=WHEN + timedelta(days=2, hours=1), message_id="<away@example.org>",
                            refers=("<answer@example.com>",))
    vacation["Auto-Submitted"] = "auto-replied"
    folder = tmp_path / "thread"
    paths = [write(folder, f"{i}.eml", m) for i, m in enumerate((reply, first, vacation, answer))]
    out = imported(site, *paths)
    assert "1 new letter, 1 answer of yours, 1 reply from readers" in out
    (letter,) = letters(site)
    assert letter.message == LETTER + "\n" and letter.consent == "quote-named"
    assert [(a.by, a.text) for a in letter.answers] == [
        ("author", "Dear Ada,\nthank you. Which friend?\n"),
        ("reader", "The one from school. We meet on Sunday.\n"),
    ]
    assert letter.status == "new"  # the reader wrote last
    shown = run_cli("inbox", "show", letter.id, cwd=site.root).stdout
    assert "you answered" in shown and "Ada Lovelace wrote again" in shown
    # The published letter carries the author's answer, never the reader's later reply.
    assert run_cli("inbox", "publish", letter.id, cwd=site.root).returncode == 0
    published = (site.root / "content" / "letters" / f"{letter.id}.md").read_text()
    assert "Which friend?" in published and "from school" not in published
    assert "ada@example.org" not in published


def test_an_email_without_message_id_is_imported_once(site: BuiltSite, tmp_path: Path) -> None:
    message = shapes.gmail(shapes.link_body("No id here.", "quote-anonymous"), sender=ADA,
                           subject=shapes.link_subject(), date=WHEN, message_id="<x@y>")
    del message["Message-ID"]
    path = write(tmp_path, "noid.eml", message)
    box = mailbox.mbox(tmp_path / "noid.mbox")
    box.add(message.as_bytes().replace(b"\n", b"\r\n"))  # other line endings, same mail
    box.close()
    assert "1 new letter" in imported(site, path)
    assert "1 already home" in imported(site, tmp_path / "noid.mbox")
    (letter,) = letters(site)
    assert letter.message_id.endswith("@digest.fireside.invalid>")


def test_the_built_reply_by_email_link_round_trips(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")  # no endpoint: posts offer "Reply by email"
    page = (site.output / "posts" / "inch-wide" / "index.html").read_text()
    assert "maren@example.com" not in page and "maren&#64;" not in page  # not harvestable as text
    href = unescape(re.search(r'<a class="button" href="([^"]+)">Reply by email</a>', page).group(1))
    parts = urlsplit(href)
    assert parts.scheme == "mailto" and unquote(parts.path) == "maren@example.com"
    query = parse_qs(parts.query)
    subject, body = query["subject"][0], query["body"][0].replace("\r\n", "\n")
    assert subject == "Re: An Inch Wide and a Mile Deep [inch-wide]"
    assert "About “An Inch Wide and a Mile Deep”: https://example.com/blog/posts/inch-wide/" in body
    # The reader writes above the footer and keeps one answer, as they would in their mail program.
    label = mailto.CONSENT_LABELS["quote-named"]
    kept = [ln for ln in body.split("\n") if ln not in mailto.CONSENT_LABELS.values() or ln == label]
    written = "I read this twice.\n" + "\n".join(kept)
    path = write(tmp_path, "reply.eml", shapes.apple_mail(written, sender=ADA, subject=subject, date=WHEN,
                                                          message_id="<rt@example.org>"))
    assert "1 new letter" in imported(site, path)
    (letter,) = letters(site)
    assert (letter.post, letter.consent, letter.message) == ("inch-wide", "quote-named", "I read this twice.\n")


def test_posts_are_found_by_token_address_or_old_subject_and_others_are_left_alone(
    site: BuiltSite, tmp_path: Path
) -> None:
    by_url = shapes.gmail("Loved it.\n\nAbout “whatever”: https://staging.example.net/blog/posts/letters/\n",
                          sender=ADA, subject="My thoughts", date=WHEN, message_id="<u@example.org>")
    by_old_subject = shapes.gmail("Thanks!", sender=ZOE, subject="Re: An Inch Wide and a Mile Deep",
                                  date=WHEN, message_id="<o@example.net>")
    other_blog = shapes.gmail("See https://elsewhere.example/posts/inch-wide/", sender=ADA,
                              subject="Newsletter", date=WHEN, message_id="<n@example.org>")
    unknown_token = shapes.gmail("Hm", sender=ADA, subject="Re: Something [no-such-post]", date=WHEN,
                                 message_id="<t@example.org>")
    paths = [write(tmp_path, f"{i}.eml", m) for i, m in enumerate((by_url, by_old_subject, other_blog,
                                                                    unknown_token))]
    out = imported(site, *paths)
    assert "2 new letters" in out and "2 other emails left alone" in out
    assert sorted(t.post for t in letters(site)) == ["inch-wide", "letters"]
    assert all(t.consent == "private" for t in letters(site))


def test_attachments_are_listed_not_stored(site: BuiltSite, tmp_path: Path) -> None:
    message = shapes.apple_mail(shapes.link_body("A photo of my hearth.", None), sender=ADA,
                                subject=shapes.link_subject(), date=WHEN, message_id="<p@example.org>")
    shapes.with_attachment(message, "bålet på hytta.jpg", b"\xff\xd8\xff" + b"\x00" * 2400)
    out = imported(site, write(tmp_path, "photo.eml", message))
    assert "1 new letter" in out
    (letter,) = letters(site)
    assert letter.attachments == "bålet på hytta.jpg (2 KB)"
    assert letter.message == "A photo of my hearth.\n"
    raw = next((site.inbox / "new").iterdir()).read_bytes()
    assert b"\xff\xd8\xff" not in raw and len(raw) < 2000
    assert "Attached (not kept): bålet på hytta.jpg (2 KB)" in run_cli("inbox", "show", letter.id,
                                                                       cwd=site.root).stdout


def test_import_needs_the_site_and_names_unreadable_files(tmp_path: Path) -> None:
    done = run_cli("inbox", "import", "x.eml", cwd=tmp_path)
    assert done.returncode == 1 and "no site.yaml here" in done.stderr
    done = run_cli("inbox", "import", "x.eml", "--inbox", str(tmp_path / "letters"), cwd=tmp_path)
    assert done.returncode == 1 and "needs the site (its posts)" in done.stderr
    site = make_site(tmp_path / "site")
    done = run_cli("inbox", "import", "no-such.mbox", cwd=site.root)
    assert done.returncode == 1 and "no-such.mbox: no such file or folder" in done.stderr



def test_forgotten_letters_stay_forgotten_when_their_emails_are_read_again(site: BuiltSite, tmp_path: Path) -> None:
    first = shapes.gmail(shapes.link_body(LETTER, "quote-named"), sender=ADA, subject=shapes.link_subject(),
                         date=WHEN, message_id="<forget-me@example.org>")
    reply = shapes.gmail("And one more thing.", sender=ADA, subject="Re: " + shapes.link_subject(),
                         date=WHEN + timedelta(days=1), message_id="<forget-me-2@example.org>",
                         refers=("<forget-me@example.org>",))
    other = shapes.gmail(shapes.link_body("Hello!", None), sender=ZOE, subject=shapes.link_subject(),
                         date=WHEN, message_id="<keep@example.net>")
    paths = [write(tmp_path, f"{i}.eml", m) for i, m in enumerate((first, reply, other))]
    assert "2 new letters, 1 reply from readers" in imported(site, *paths)
    done = run_cli("inbox", "forget", "ADA@example.org", "--yes", cwd=site.root)
    assert done.returncode == 0 and "Forgot 1 letter" in done.stdout
    again = imported(site, *paths)
    assert "0 new letters" in again and "1 already home" in again and "2 other emails left alone" in again
    assert [t.email for t in letters(site)] == ["zoe@example.net"]
    kept = (site.inbox / "forgotten").read_text()
    assert "ada" not in kept.lower() and len(kept.split()) == 2


def test_letters_by_email_find_posts_at_their_permalinks_and_shared_slugs(tmp_path: Path) -> None:
    # An imported blog keeps its URLs (permalinks) and may have two posts with one slug: the
    # link's token and its "About" URL must name the post the build published, by the same
    # letter id the form uses.
    config = ("title: Letters Test\nbase_url: https://example.com/blog/\n"
              "author:\n  name: Maren Holt\n  email: maren@example.com\n"
              "permalinks:\n  posts: /:year/:slug/\n")
    weekly = "---\ntitle: Weekly {year}\ndate: {year}-01-05\nslug: weekly\n---\n\nNotes of the week.\n"
    site = make_site(tmp_path / "site", files={
        "site.yaml": config,
        "content/posts/2019-weekly.md": weekly.format(year=2019),
        "content/posts/2020-weekly.md": weekly.format(year=2020),
    })
    page = (site.output / "2020" / "weekly" / "index.html").read_text()
    href = unescape(re.search(r'<a class="button" href="([^"]+)">Reply by email</a>', page).group(1))
    query = parse_qs(urlsplit(href).query)
    subject, body = query["subject"][0], query["body"][0].replace("\r\n", "\n")
    assert subject == "Re: Weekly 2020 [2020-weekly]"
    assert "https://example.com/blog/2020/weekly/" in body
    by_token = shapes.gmail("The 2020 one.\n\n" + body, sender=ADA, subject=subject, date=WHEN,
                            message_id="<token@example.org>")
    by_url = shapes.gmail("And the 2019 one: https://example.com/blog/2019/weekly/", sender=ZOE,
                          subject="Your weekly notes", date=WHEN, message_id="<url@example.net>")
    out = imported(site, write(tmp_path, "a.eml", by_token), write(tmp_path, "b.eml", by_url))
    assert "2 new letters" in out
    assert sorted(t.post for t in letters(site)) == ["2019-weekly", "2020-weekly"]
