"""generator.build.output.transaction: changes to a real folder, undone or kept whole."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from generator.build.output.ownership import WORK_PREFIX
from generator.build.output.transaction import Transaction, remove_leftovers

from .conftest import tree_digest, write_tree


def inodes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.lstat().st_ino for p in folder.rglob("*")}


def every_kind_of_change(root: Path) -> Transaction:
    """A replaced file, a folder set aside, a new folder with a new file, a link removed."""
    transaction = Transaction(root)
    new_home = transaction.stage(b"the new home page")
    transaction.place(new_home, str(root / "index.html"), existed=True)
    transaction.set_aside(str(root / "feed"))  # a folder where a file now goes
    transaction.place(transaction.stage(b"<feed/>"), str(root / "feed"), existed=False)
    transaction.make_dirs(str(root / "posts/new/deeper"))
    transaction.place(transaction.stage(b"a new post"), str(root / "posts/new/deeper/index.html"), existed=False)
    transaction.set_aside(str(root / "old-link"))
    return transaction


def old_site(root: Path) -> None:
    write_tree(root, {"index.html": "the old home page", "feed/index.html": "the old feed", "posts/a.html": "a"})
    (root / "old-link").symlink_to("posts/a.html")
    past = 1_600_000_000_000_000_000
    for path in root.rglob("*"):
        os.utime(path, ns=(past, past), follow_symlinks=False)


def test_a_rollback_puts_back_every_file_with_its_bytes_times_and_inode(tmp_path: Path) -> None:
    root = tmp_path / "out"
    old_site(root)
    before, before_inodes = tree_digest(root), inodes(root)
    transaction = every_kind_of_change(root)
    assert (root / "index.html").read_bytes() == b"the new home page"
    assert transaction.rollback() == []
    assert tree_digest(root) == before
    assert inodes(root) == before_inodes
    assert os.readlink(root / "old-link") == "posts/a.html"
    assert not [p for p in root.iterdir() if p.name.startswith(WORK_PREFIX)]


def test_finishing_keeps_the_changes_and_drops_what_was_replaced(tmp_path: Path) -> None:
    root = tmp_path / "out"
    old_site(root)
    every_kind_of_change(root).finish()
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()) == [
        "feed", "index.html", "posts/a.html", "posts/new/deeper/index.html",
    ]
    assert (root / "feed").read_bytes() == b"<feed/>"


def test_work_folders_of_dead_processes_go_and_those_of_living_ones_stay(tmp_path: Path) -> None:
    root = tmp_path / "out"
    root.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = root / f"{WORK_PREFIX}{gone.stdout.strip()}-abc"
    living = root / f"{WORK_PREFIX}{os.getppid()}-def"  # the process that runs the tests' runner
    old = root / f"{WORK_PREFIX}{os.getppid()}-old"
    for folder in (dead, living, old):
        write_tree(folder, {"new-1": "half a page"})
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    remove_leftovers(root)
    assert sorted(p.name for p in root.iterdir()) == [living.name]
