"""The author's commands, run as the author runs them: list, show, people, archive, unspam,
forget, publish (and the published letter on the next build), and tracked_inbox_files."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from generator.inbox import tracked_inbox_files
from generator.inbox.commands import letter_file
from generator.inbox.store import InboxStore
from generator.inbox.thought import Answer, Thought, new_id

from .conftest import run_cli
from .test_inbox_support import BuiltSite, make_site, rebuild

NOW = datetime.now(UTC)  # for fixed timestamps only; ages are measured from now() at each add


def add(site: BuiltSite, *, hours_ago: float = 1, **changes: object) -> Thought:
    store = InboxStore(site.inbox)
    store.ensure()
    # Now, not the module's NOW: listing shows ages, and a slow suite before this test must
    # not turn "30m" into "31m".
    received = datetime.now(UTC) - timedelta(hours=hours_ago)
    values: dict[str, object] = dict(
        id=new_id(received), post="inch-wide", post_title="An Inch Wide and a Mile Deep", name="Ada Lovelace",
        email="ada@example.org", consent="private", received=received, message="Hello.\n",
        message_id="<m@example.com>",
    )
    values.update(changes)
    return store.add(lambda: Thought(**values))  # type: ignore[arg-type]


@pytest.fixture
def site(tmp_path: Path) -> BuiltSite:
    return make_site(tmp_path / "site")


def cli(site: BuiltSite, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("inbox", *args, cwd=site.root)


def test_the_list_shows_new_letters_first_with_age_post_name_first_line_status(site: BuiltSite) -> None:
    old_new = add(site, hours_ago=50, name="Old New", message="\n\nFirst line of old\nsecond")
    answered = add(site, hours_ago=1, name="Answered One", status="answered", message="Answered text")
    fresh = add(site, hours_ago=0.5, name="Fresh", post="letters", message="Fresh letter")
    archived = add(site, hours_ago=0.1, name="Put Away", status="archived", message="Archived text")
    done = cli(site)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ID", "AGE", "STATUS", "POST", "NAME", "FIRST", "LINE"]
    order = [line.split()[0] for line in lines[1:]]
    assert order == [fresh.id, old_new.id, answered.id]  # new first, newest first; archived hidden
    row = lines[2]
    assert " 2d " in row and " new " in row and "inch-wide" in row and "Old New" in row and "First line of old" in row
    assert "30m" in lines[1] and "letters" in lines[1]
    assert archived.id in cli(site, "list", "--all").stdout


def test_show_and_people_make_control_characters_visible(site: BuiltSite) -> None:
    evil = add(site, name="Eve\x1b]0;pwned\x07", message="Hi \x1b[2J there\n\u202egnirts\n")
    add(site, hours_ago=30, name="Eve", post="letters", message="Second")
    shown = cli(site, "show", evil.id)
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout and "\u202e" not in shown.stdout and "\x07" not in shown.stdout
    assert "Hi \\x1b[2J there" in shown.stdout and "ada@example.org" in shown.stdout
    assert "An Inch Wide and a Mile Deep" in shown.stdout
    people = cli(site, "people")
    assert people.returncode == 0 and len(people.stdout.splitlines()) == 1
    assert "2 letters" in people.stdout and "on: letters, inch-wide" in people.stdout  # oldest first
    assert "\x1b" not in people.stdout


def test_show_refuses_unknown_ids_and_paths(site: BuiltSite) -> None:
    for given in ("20261126-120000-00000000", "../../site.yaml", "zz"):
        done = cli(site, "show", given)
        assert done.returncode == 1 and "no letter" in done.stderr


def test_archive_and_unspam_move_letters(site: BuiltSite) -> None:
    kept = add(site)
    spam = add(site, status="spam", spam_reason="too-fast", message="Human after all")
    assert cli(site, "archive", kept.id[-8:]).returncode == 0
    assert (site.inbox / "archive" / kept.file_name).is_file() and not (site.inbox / "new" / kept.file_name).exists()
    assert InboxStore(site.inbox).get(kept.id).thought.status == "archived"
    assert "Human after all" in cli(site, "list", "--spam").stdout
    assert cli(site, "unspam", spam.id).returncode == 0
    assert InboxStore(site.inbox).get(spam.id).thought.status == "new"


# -- forget ---------------------------------------------------------------------------------


def test_forget_leaves_no_trace(site: BuiltSite) -> None:
    first = add(site, consent="quote-named", message="Ada's first, very personal letter.\n")
    second = add(site, post="letters", message="Ada's second letter.\n", status="answered",
                 answers=(Answer(NOW, "Dear Ada, thank you.", "<a@example.com>"),))
    bob = add(site, name="Bob", email="bob@example.net", message="Bob's letter.\n")
    InboxStore(site.inbox).put(b"To: ada@example.org\r\n\r\ndraft", "drafts", f"{second.id}.eml")
    (site.inbox / "tmp" / "123.partial.tmp").write_bytes(b"---\nid: \"x\"\nemail: \"ADA@example.org\"\nmess")
    assert cli(site, "publish", first.id).returncode == 0
    rebuild(site.root)
    assert "very personal" in (site.output / "posts/inch-wide/index.html").read_text()

    refused = run_cli("inbox", "forget", "ada@example.org", cwd=site.root)  # no terminal, no --yes
    assert refused.returncode == 2 and len(InboxStore(site.inbox).thoughts()) == 3
    done = cli(site, "forget", "ADA@example.org", "--yes")
    assert done.returncode == 0, done.stderr
    assert "Forgot 2 letters" in done.stdout and "build and publish the site again" in done.stdout
    rebuild(site.root)
    for path in site.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            for trace in (b"ada@example.org", b"ada lovelace", b"very personal", b"ada's second", first.id.encode(),
                          second.id.encode()):
                assert trace not in data, f"{trace!r} left in {path.relative_to(site.root)}"
    assert [s.thought.id for s in InboxStore(site.inbox).thoughts()] == [bob.id]


# -- publish --------------------------------------------------------------------------------


def test_publish_refuses_without_consent(site: BuiltSite) -> None:
    private = add(site, consent="private")
    done = cli(site, "publish", private.id)
    assert done.returncode == 1 and "keep it between you" in done.stderr
    assert not (site.root / "content/letters").exists()
    spam = add(site, consent="quote-named", status="spam")
    assert cli(site, "publish", spam.id).returncode == 1


def test_published_letters_show_the_allowed_name_never_the_email(site: BuiltSite) -> None:
    named = add(site, consent="quote-named", name="Ada Lovelace", hours_ago=3,
                message="<script>alert('x')</script>\n\n---\nstatus: x\n",
                answers=(Answer(NOW, "Thank you, *Ada*.", "<a@example.com>"),), status="answered")
    anonymous = add(site, consent="quote-anonymous", name="Bob Secret", email="bob@example.net", hours_ago=2,
                    message="Anonymous thoughts.")
    for thought in (named, anonymous):
        done = cli(site, "publish", thought.id)
        assert done.returncode == 0, done.stderr
        assert f"content/letters/{thought.id}.md" in done.stdout
    again = cli(site, "publish", named.id)
    assert again.returncode == 1 and "already published" in again.stderr
    rebuild(site.root)
    page = (site.output / "posts/inch-wide/index.html").read_text()
    assert "Letters" in page and "— Ada Lovelace," in page and "— A reader," in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "<em>Ada</em>" in page  # the author's answer is their own Markdown
    assert "Anonymous thoughts." in page
    for secret in ("ada@example.org", "bob@example.net", "Bob Secret"):
        assert secret not in page
        for path in (site.root / "content/letters").iterdir():
            assert secret not in path.read_text()


def test_the_published_file_is_in_the_letters_format(site: BuiltSite) -> None:
    thought = add(site, consent="quote-named", message="Exact\r\nbody  \n", answers=(
        Answer(NOW, "Line one\n\n  indented: yes\n", "<a@b>"),))
    text = letter_file(thought).decode()
    assert text.startswith('---\npost: "inch-wide"\nname: "Ada Lovelace"\nreceived: "')
    assert "answer: |-\n  Line one\n\n    indented: yes\n---\n" in text
    assert text.endswith("---\nExact\r\nbody  \n")
    assert "email" not in text
    unsafe = letter_file(replace(thought, answers=(Answer(NOW, "tab\there \x07", "<a@b>"),))).decode()
    assert 'answer: "tab\\there \\x07"' in unsafe


# -- tracked_inbox_files ----------------------------------------------------------------------


def test_tracked_inbox_files_finds_letters_in_git(site: BuiltSite, tmp_path: Path) -> None:
    assert tracked_inbox_files(site.root) == []  # not a repository
    thought = add(site)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(site.root), *args], check=True, capture_output=True)

    git("init", "-q")
    (site.root / ".gitignore").write_text("/inbox/\n/public/\n")
    git("add", ".")
    assert tracked_inbox_files(site.root) == []
    git("add", "-f", f"inbox/new/{thought.file_name}")
    assert tracked_inbox_files(site.root) == [f"inbox/new/{thought.file_name}"]
    assert tracked_inbox_files(site.root, tmp_path / "elsewhere") == []
