"""`fireside inbox reply` never calls a letter answered before an answer is known to be sent:
without SMTP (or when sending fails) the letter stays unanswered, shown as "drafted", until
a send by SMTP or the author's own confirmation; then the stale .eml draft goes. Real
command, real letter files, a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from pathlib import Path

from generator.inbox.store import InboxStore

from .conftest import run_cli
from .test_inbox_mail import add_letter, editor, parse
from .test_inbox_support import BuiltSite, free_port, make_site, smtp_server, wait_for

NO_SMTP = {"FIRESIDE_SMTP_HOST": "", "VISUAL": ""}


def _smtp(port: int) -> dict[str, str]:
    return {"FIRESIDE_SMTP_HOST": "127.0.0.1", "FIRESIDE_SMTP_PORT": str(port), "FIRESIDE_SMTP_SECURITY": "none",
            "VISUAL": ""}


def _draft(site: BuiltSite, tmp_path: Path, answer: str = "Dear Ada,\n\nwhich friend?\n") -> str:
    thought = add_letter(site)
    done = run_cli("inbox", "reply", thought.id, cwd=site.root, env={"EDITOR": editor(tmp_path, answer), **NO_SMTP})
    assert done.returncode == 0, done.stderr
    assert "Nothing was sent" in done.stdout and "stays unanswered (drafted)" in done.stdout
    assert f"fireside inbox sent {thought.id}" in done.stdout
    return thought.id


def test_a_draft_leaves_the_letter_unanswered_and_says_drafted(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    letter_id = _draft(site, tmp_path)
    stored = InboxStore(site.inbox).get(letter_id)
    assert stored.folder == "new" and stored.thought.status == "new"
    assert stored.thought.draft_answer is not None and stored.thought.sent_answers == ()
    listed = run_cli("inbox", "list", cwd=site.root).stdout.splitlines()
    row = next(line for line in listed if line.startswith(letter_id))
    assert row.split()[2] == "drafted"
    shown = run_cli("inbox", "show", letter_id, cwd=site.root).stdout
    assert f"Letter {letter_id} (drafted: your answer is not sent yet)" in shown
    assert "not sent" in shown and "which friend?" in shown and "you answered" not in shown
    # An answer the reader never got is never published with their letter.
    published = run_cli("inbox", "publish", letter_id, cwd=site.root)
    assert published.returncode == 0, published.stderr
    assert "answer:" not in (site.root / "content/letters" / f"{letter_id}.md").read_text()


def test_a_later_send_answers_the_letter_and_removes_the_stale_draft(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    letter_id = _draft(site, tmp_path)
    eml = site.inbox / "drafts" / f"{letter_id}.eml"
    assert eml.is_file()
    with smtp_server() as (port, collected):
        # The editor opens with the draft already written: the author only saves (`true`).
        done = run_cli("inbox", "reply", letter_id[-6:], cwd=site.root, env={"EDITOR": "true", **_smtp(port)})
        assert done.returncode == 0, done.stderr
        wait_for(lambda: collected.messages, what="the answer delivered")
    assert f"{letter_id} is answered (the unsent draft {eml} is removed)" in done.stdout
    (raw,) = collected.messages
    assert parse(raw).get_content().replace("\r\n", "\n").startswith("Dear Ada,\n\nwhich friend?\n")
    assert not eml.exists()
    stored = InboxStore(site.inbox).get(letter_id)
    assert stored.folder == "cur" and stored.thought.status == "answered"
    assert [a.draft for a in stored.thought.answers] == [False]  # the draft became the sent answer


def test_the_author_confirms_a_draft_they_sent_themselves(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    letter_id = _draft(site, tmp_path)
    done = run_cli("inbox", "sent", letter_id, cwd=site.root)
    assert done.returncode == 0, done.stderr
    assert not (site.inbox / "drafts" / f"{letter_id}.eml").exists()
    thought = InboxStore(site.inbox).get(letter_id).thought
    assert thought.status == "answered" and thought.answers[0].text.startswith("Dear Ada,")
    again = run_cli("inbox", "sent", letter_id, cwd=site.root)
    assert again.returncode == 1 and "no answer waiting to be sent" in again.stderr


def test_a_failed_send_keeps_the_answer_as_a_draft_and_the_letter_unanswered(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    thought = add_letter(site)
    done = run_cli("inbox", "reply", thought.id, cwd=site.root,
                   env={"EDITOR": editor(tmp_path, "Kept.\n"), **_smtp(free_port())})
    assert done.returncode == 1 and "nothing was sent" in done.stderr
    stored = InboxStore(site.inbox).get(thought.id).thought
    assert stored.status == "new" and stored.draft_answer is not None and stored.draft_answer.text == "Kept."
