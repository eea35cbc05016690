"""A file Fireside did not make is never deleted unless the user asked for exactly that.

Through the real `fireside` command: the reader inbox as an output folder, a first build
into a folder full of someone else's files, a folder whose record was lost, `publish` to
a folder it never published to (a home folder, keys and all), and dry runs.
"""

from __future__ import annotations

import email.message
import mailbox
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.inbox.store import InboxStore
from generator.inbox.thought import Thought, new_id

from .conftest import DEFAULT_CONFIG, MakeSite, run_cli, tree_digest, write_tree

POST = "---\ntitle: {title}\ndate: 2026-01-0{day}\n---\nA few words about {title}.\n"
FILES: dict[str, str | bytes] = {
    "content/posts/first.md": POST.format(title="First", day=1),
    "content/posts/second.md": POST.format(title="Second", day=2),
    "content/pages/about.md": "---\ntitle: About\n---\nWho.\n",
}
TARGET = """\
publish:
  - name: www
    kind: folder
    path: {path}
"""


def store_letters(inbox: Path) -> None:
    """Letters as the inbox keeps them: a new one, an answered one, a draft of an answer."""
    store = InboxStore(inbox)
    store.ensure()
    for status, name in (("new", "Ada"), ("answered", "Grace")):
        received = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
        letter = Thought(
            id=new_id(received), post="first", post_title="First", name=name, email=f"{name}@example.org",
            consent="private", received=received, message=f"Dear author, from {name}.\n", status=status,  # type: ignore[arg-type]
        )
        stored = store.add(lambda letter=letter: letter)
    store.put(b"To: ada@example.org\n\nThank you.\n", "drafts", f"{stored.id}.eml")


def site_with_letters(make_site: MakeSite, config: str = DEFAULT_CONFIG) -> Path:
    site = make_site(FILES, config=config)
    store_letters(site / "inbox")
    return site


def refused(result: object, *needles: str) -> str:
    """The stderr of a command that must have refused cleanly: exit 1, no traceback."""
    stderr = result.stderr  # type: ignore[attr-defined]
    assert result.returncode == 1, (result.stdout, stderr)  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in stderr, stderr
    return stderr


# -- 1. the reader inbox is never an output folder ------------------------------------------------


@pytest.mark.parametrize("output", ["inbox", "inbox/new", "./inbox/"])
def test_build_refuses_the_inbox_given_as_output(make_site: MakeSite, output: str) -> None:
    site = site_with_letters(make_site)
    letters = tree_digest(site / "inbox")
    stderr = refused(run_cli("build", "--output", output, cwd=site), "--output: refusing output folder", "reader inbox")
    assert "1 error; nothing was written." in stderr
    assert tree_digest(site / "inbox") == letters
    assert len(letters) == 3


def test_build_refuses_the_inbox_named_in_site_yaml(make_site: MakeSite) -> None:
    site = site_with_letters(make_site, DEFAULT_CONFIG + "output_dir: inbox\n")
    letters = tree_digest(site / "inbox")
    refused(run_cli("build", cwd=site), "site.yaml: refusing output folder", "it is the reader inbox inbox/")
    assert tree_digest(site / "inbox") == letters


def test_build_refuses_the_inbox_of_fireside_inbox_dir_and_what_holds_it(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(FILES)
    elsewhere = tmp_path / "srv" / "letters"
    store_letters(elsewhere)
    letters = tree_digest(elsewhere)
    env = {"FIRESIDE_INBOX_DIR": str(elsewhere)}
    refused(run_cli("build", "--output", str(elsewhere), cwd=site, env=env), "it is the reader inbox")
    refused(run_cli("build", "--output", str(elsewhere.parent), cwd=site, env=env), "it contains the reader inbox")
    refused(run_cli("build", "--output", str(elsewhere / "cur"), cwd=site, env=env), "inside the reader inbox")
    assert tree_digest(elsewhere) == letters


def test_a_folder_holding_letters_is_refused_even_with_clean(make_site: MakeSite, tmp_path: Path) -> None:
    """An inbox the build cannot know of (`--inbox`, another machine's copy) is known by
    its letters: nothing in such a folder is ever deleted."""
    site = make_site(FILES)
    backup = tmp_path / "backup"
    store_letters(backup / "letters-2026")
    (backup / "notes.txt").write_text("mine")
    before = tree_digest(backup)
    for extra in ((), ("--clean",)):
        stderr = refused(run_cli("build", "--output", str(backup), *extra, cwd=site), "it holds letters")
        assert "not even with --clean" in stderr and "letters-2026/new/" in stderr
    assert tree_digest(backup) == before


def test_a_mail_clients_maildir_is_never_built_into(make_site: MakeSite, tmp_path: Path) -> None:
    """A Maildir as mail clients keep one (the standard library's `mailbox` writes it as they
    do): neither it, nor its new/ or cur/, nor what holds it, with --clean or without."""
    site = make_site(FILES)
    (tmp_path / "mail").mkdir()
    maildir = mailbox.Maildir(tmp_path / "mail" / "Maildir", create=True)
    message = email.message.EmailMessage()
    message["From"], message["Subject"] = "a.friend@example.org", "Your essay"
    message.set_content("I read it twice.")
    key = maildir.add(message)
    seen = maildir.get_message(key)
    seen.set_subdir("cur")
    seen.add_flag("S")
    maildir[key] = seen  # now cur/<time>.<unique>.<host>:2,S, as a client leaves a read message
    before = tree_digest(tmp_path / "mail")
    for output, problem in (
        ("mail", "it holds letters (Maildir/new/)"),
        ("mail/Maildir", "it holds letters (new/)"),
        ("mail/Maildir/cur", "it is in a mail folder"),
        ("mail/Maildir/new/deeper", "it is in a mail folder"),
    ):
        for extra in ((), ("--clean",)):
            refused(run_cli("build", "--output", str(tmp_path / output), *extra, cwd=site), problem)
    assert tree_digest(tmp_path / "mail") == before
    assert not (tmp_path / "mail/Maildir/new/deeper").exists()


# -- 2. a first build into a folder that is not Fireside's ---------------------------------------


def test_a_first_build_into_someone_elses_folder_is_refused_until_asked(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(FILES)
    other = tmp_path / "other"
    write_tree(other, {"notes.txt": "mine", "drafts/essay.md": "half an essay", "index.html": "old home"})
    before = tree_digest(other)
    stderr = refused(run_cli("build", "--output", str(other), cwd=site), "--output: refusing to build into")
    assert "it holds files Fireside did not make (drafts/essay.md, index.html, notes.txt)" in stderr
    assert "empty or new folder" in stderr and "--clean" in stderr
    assert tree_digest(other) == before
    # The way on the message names: --clean deletes exactly what the site does not make.
    done = run_cli("build", "--output", str(other), "--clean", cwd=site)
    assert done.returncode == 0, done.stderr
    assert not (other / "notes.txt").exists() and not (other / "drafts").exists()
    assert (other / "posts/first/index.html").is_file()
    assert "2 removed" in done.stdout  # notes.txt and drafts/essay.md (index.html was replaced)
    # From now on the folder is Fireside's: a plain build needs no flag.
    again = run_cli("build", "--output", str(other), cwd=site)
    assert again.returncode == 0, again.stderr


def test_a_folder_holding_only_what_others_keep_at_its_top_is_built_into(make_site: MakeSite) -> None:
    site = make_site(FILES)
    write_tree(site / "public", {".git/HEAD": "ref: refs/heads/gh-pages\n", "CNAME": "example.com\n"})
    done = run_cli("build", cwd=site)
    assert done.returncode == 0, done.stderr
    assert (site / "public/.git/HEAD").is_file() and (site / "public/CNAME").is_file()


def test_the_output_of_a_build_whose_cache_was_deleted_is_adopted_not_emptied(make_site: MakeSite) -> None:
    site = make_site(FILES)
    assert run_cli("build", cwd=site).returncode == 0
    write_tree(site / "public", {"mine.txt": "put here by hand", "files/cv.pdf": b"%PDF-1.4"})
    (site / "content/posts/second.md").unlink()  # its page is now an old build's file
    for path in (site / ".fireside-cache").rglob("*"):
        if path.is_file():
            path.unlink()
    done = run_cli("build", cwd=site)
    assert done.returncode == 0, done.stderr
    assert (site / "public/mine.txt").read_text() == "put here by hand"
    assert (site / "public/files/cv.pdf").is_file()
    assert (site / "public/posts/second/index.html").is_file()  # no record says it was Fireside's
    assert "3 files here were not made by this build and left alone" in done.stderr
    assert "--clean" in done.stderr
    # Asked for, they go; then builds say nothing more about them.
    cleaned = run_cli("build", "--clean", cwd=site)
    assert cleaned.returncode == 0, cleaned.stderr
    assert not (site / "public/mine.txt").exists() and not (site / "public/posts/second").exists()
    assert run_cli("build", cwd=site).stderr == ""


def test_check_and_publish_never_delete_the_authors_files_in_the_output(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(FILES, config=DEFAULT_CONFIG + TARGET.format(path="../www"))
    assert run_cli("build", cwd=site).returncode == 0
    write_tree(site / "public", {"keybase.txt": "proof", ".well-known/security.txt": "Contact: me"})
    for command in (("check",), ("publish", "--dry-run"), ("publish",)):
        done = run_cli(*command, cwd=site)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert (site / "public/keybase.txt").read_text() == "proof", command
        assert (site / "public/.well-known/security.txt").is_file(), command
    # What is in the output folder is published, and the check says so.
    assert (site.parent / "www/keybase.txt").read_text() == "proof"
    assert "2 files here were not made by the build, and will be published as it stands" in done.stdout


# -- 3. publishing to a folder -------------------------------------------------------------------


def fake_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    write_tree(home, {
        ".ssh/id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\n",
        ".ssh/authorized_keys": "ssh-ed25519 AAAA me\n",
        "Documents/novel.odt": b"PK\x03\x04",
    })
    os.chmod(home / ".ssh", 0o700)
    return home


@pytest.mark.parametrize("dry_run", [False, True])
def test_publishing_to_a_home_folder_is_refused(make_site: MakeSite, tmp_path: Path, dry_run: bool) -> None:
    home = fake_home(tmp_path)
    site = make_site(FILES, config=DEFAULT_CONFIG + TARGET.format(path='"~"'))
    before = tree_digest(home)
    result = run_cli("publish", *(["--dry-run"] if dry_run else []), cwd=site, env={"HOME": str(home)})
    stderr = refused(result, f"publish target 'www': refusing to publish to {home}")
    assert "it holds files Fireside did not make (.ssh/authorized_keys, .ssh/id_ed25519, Documents/novel.odt)" in stderr
    assert "fireside publish www --clean" in stderr
    assert tree_digest(home) == before
    assert not (site / "public").exists()  # refused before building


def test_a_folder_target_is_published_to_when_empty_and_kept_in_step_after(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(FILES, config=DEFAULT_CONFIG + TARGET.format(path="../www"))
    www = site.parent / "www"
    www.mkdir()
    first = run_cli("publish", cwd=site)
    assert first.returncode == 0, first.stderr
    assert "  A index.html" in first.stdout.splitlines()
    # A post goes: the dry run marks its files as deletions, and changes nothing at all.
    (site / "content/posts/second.md").unlink()
    before = tree_digest(www)
    dry = run_cli("publish", "--dry-run", cwd=site)
    assert dry.returncode == 0, dry.stderr
    lines = dry.stdout.splitlines()
    assert "  D posts/second/index.html" in lines
    assert "  M index.html" in lines
    assert lines[-1].startswith("Dry run for www (../www): ") and " deletion" in lines[-1]
    assert lines[-1].endswith("would be made; nothing was changed.")
    assert tree_digest(www) == before
    done = run_cli("publish", cwd=site)
    assert done.returncode == 0, done.stderr
    assert not (www / "posts/second").exists()
    assert "  D posts/second/index.html" in done.stdout.splitlines()


def test_clean_lets_a_target_be_emptied_but_never_of_letters(make_site: MakeSite, tmp_path: Path) -> None:
    site = make_site(FILES, config=DEFAULT_CONFIG + TARGET.format(path="../www"))
    www = site.parent / "www"
    write_tree(www, {"old/index.html": "the old site", "CNAME": "example.com\n"})
    done = run_cli("publish", "--clean", cwd=site)
    assert done.returncode == 0, done.stderr
    assert "  D old/index.html" in done.stdout.splitlines()
    assert not (www / "old").exists() and (www / "CNAME").is_file()
    store_letters(www / "inbox")  # a receiver storing letters in the web root, say
    letters = tree_digest(www / "inbox")
    for extra in ((), ("--clean",)):
        refused(run_cli("publish", *extra, cwd=site), "it holds letters", "point the target at another folder")
    assert tree_digest(www / "inbox") == letters


def test_files_not_made_here_are_named_in_a_stable_order(tmp_path: Path) -> None:
    # The order of os.walk: in each folder its files by name, then its links to folders
    # (named, not followed), then what each of its folders holds, folder by folder.
    from generator.build.output.ownership import unknown_files

    folder = tmp_path / "out"
    write_tree(folder, {
        "b.txt": "b", "a.txt": "a", "CNAME": "x", ".git/config": "x", "known.html": "k",
        "z/deep/one.txt": "1", "z/two.txt": "2", "m/three.txt": "3", "m/known.html": "k",
    })
    (folder / "linked").symlink_to(folder / "z", target_is_directory=True)
    (folder / "m/to-file").symlink_to(folder / "a.txt")
    (folder / "m/broken").symlink_to(folder / "nowhere")
    known = {"known.html", "m/known.html"}
    assert unknown_files(folder, known) == [
        "a.txt", "b.txt", "linked", "m/broken", "m/three.txt", "m/to-file", "z/two.txt", "z/deep/one.txt",
    ]
    assert unknown_files(folder, known, 3) == ["a.txt", "b.txt", "linked"]
    assert unknown_files(tmp_path / "missing", set()) == []
