"""A build that fails to write, or is killed, leaves the output as it was and nothing behind.

Real failures, through the real `fireside build` in a subprocess: a write over the file
size limit (RLIMIT_FSIZE: EFBIG, or the process killed by SIGXFSZ half-way through a
file), and a real full disk (a small tmpfs, where this machine lets the test mount one).
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .conftest import DEFAULT_CONFIG, REPO_ROOT, MakeSite, tree_digest, write_tree

LIMIT = 1024 * 1024  # bytes a file may grow to under the limit
BIG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (2 * LIMIT // 256)  # a 2 MiB "photo"


def small_site(make_site: MakeSite) -> Path:
    return make_site(
        {
            "content/posts/first.md": "---\ntitle: First\ndate: 2026-01-01\n---\nHello.\n",
            "content/posts/second.md": "---\ntitle: Second\ndate: 2026-01-02\n---\nAgain.\n",
            "content/pages/about.md": "---\ntitle: About\n---\nWho.\n",
            "content/static/files/small.txt": "small\n",
        }
    )


# `python -m generator ARGS`, but killed by the kernel (SIGXFSZ's default action) when a
# write would take a file past the limit: Python ignores SIGXFSZ from its start, so the
# command is run after putting the default back.
KILLED_MID_WRITE = (
    "import resource, runpy, signal, sys;"
    f"resource.setrlimit(resource.RLIMIT_FSIZE, ({LIMIT}, {LIMIT}));"
    "signal.signal(signal.SIGXFSZ, signal.SIG_DFL);"
    "sys.argv[0] = 'fireside';"
    "runpy.run_module('generator', run_name='__main__', alter_sys=True)"
)


def fireside(
    *args: str, cwd: Path, preexec: Callable[[], None] | None = None, killed_mid_write: bool = False
) -> subprocess.CompletedProcess[str]:
    """`fireside ARGS` in a subprocess, with `preexec` run in it before it starts."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    command = ["-c", KILLED_MID_WRITE] if killed_mid_write else ["-m", "generator"]
    return subprocess.run(
        [sys.executable, *command, *args],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=env, preexec_fn=preexec,
    )


def file_size_limit() -> None:
    """A preexec function: files may not grow past LIMIT; a write over it fails (EFBIG)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def leftovers(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob(".fireside-*"))


def every_page_changes_and_a_big_file_is_added(site: Path) -> None:
    (site / "site.yaml").write_text(DEFAULT_CONFIG.replace("Test Site", "A New Name For The Site"))
    write_tree(site, {"content/static/photos/big.png": BIG})


# -- 4. a write that fails -----------------------------------------------------------------------


def test_a_write_that_fails_leaves_the_previous_output_exactly_as_it_was(make_site: MakeSite) -> None:
    site = small_site(make_site)
    assert fireside("build", cwd=site).returncode == 0
    before = tree_digest(site / "public")
    every_page_changes_and_a_big_file_is_added(site)
    failed = fireside("build", cwd=site, preexec=file_size_limit)
    assert failed.returncode == 1, failed.stdout
    assert "Traceback" not in failed.stderr
    assert failed.stderr.startswith("error: could not write the output into ")
    assert "File too large (at photos/big.png); the folder was left exactly as it was" in failed.stderr
    assert failed.stderr.endswith("1 error; nothing was written.\n")
    # Every file as it was: the same bytes and the same times, and nothing added.
    assert tree_digest(site / "public") == before
    assert leftovers(site / "public") == []
    # With room to write, the same build goes through.
    done = fireside("build", cwd=site)
    assert done.returncode == 0, done.stderr
    assert (site / "public/photos/big.png").read_bytes() == BIG
    assert "A New Name For The Site" in (site / "public/index.html").read_text()


def test_a_first_build_that_fails_to_write_leaves_no_output_folder(make_site: MakeSite) -> None:
    site = small_site(make_site)
    write_tree(site, {"content/static/photos/big.png": BIG})
    failed = fireside("build", cwd=site, preexec=file_size_limit)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert not (site / "public").exists()


def test_a_write_killed_half_way_leaves_nothing_behind_after_the_next_build(make_site: MakeSite) -> None:
    site = small_site(make_site)
    assert fireside("build", cwd=site).returncode == 0
    every_page_changes_and_a_big_file_is_added(site)
    killed = fireside("build", cwd=site, killed_mid_write=True)
    assert killed.returncode == -signal.SIGXFSZ, killed.stderr  # killed while writing the big file
    assert leftovers(site / "public") != []  # what a killed write leaves, until the next build
    done = fireside("build", cwd=site)
    assert done.returncode == 0, done.stderr
    assert leftovers(site / "public") == []
    assert (site / "public/photos/big.png").read_bytes() == BIG


@contextlib.contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (as root), or a skip saying why not."""
    folder.mkdir()
    mount = shutil.which("mount")
    reason = "mounting a tmpfs needs root" if os.geteuid() != 0 else "no mount command"
    if os.geteuid() == 0 and mount:
        done = subprocess.run([mount, "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True)
        if done.returncode == 0:
            try:
                yield folder
            finally:
                subprocess.run(["umount", "-l", str(folder)], check=False)
            return
        reason = f"mount refused: {done.stderr.strip()}"
    # A skip even under CI: mount rights are the machine's, not something .ci/run can install,
    # and the write-error path itself is also driven by the RLIMIT_FSIZE tests above.
    pytest.skip(f"cannot mount a small disk for the full-disk test: {reason}")


def test_a_full_disk_leaves_the_previous_output_exactly_as_it_was(make_site: MakeSite, tmp_path: Path) -> None:
    site = small_site(make_site)
    with small_disk(tmp_path / "disk", "1m") as disk:
        output = disk / "public"
        first = fireside("build", "--output", str(output), cwd=site)
        assert first.returncode == 0, first.stderr
        before = tree_digest(output)
        every_page_changes_and_a_big_file_is_added(site)
        failed = fireside("build", "--output", str(output), cwd=site)
        assert failed.returncode == 1, failed.stdout
        assert "Traceback" not in failed.stderr
        assert "No space left on device" in failed.stderr and "left exactly as it was" in failed.stderr
        assert tree_digest(output) == before
        assert leftovers(output) == []
        (site / "content/static/photos/big.png").unlink()
        done = fireside("build", "--output", str(output), cwd=site)
        assert done.returncode == 0, done.stderr
        assert "A New Name For The Site" in (output / "index.html").read_text()
