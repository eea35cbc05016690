"""The progress line, seen as a person sees it: through a real pseudo-terminal.

A build, check or publish on a terminal shows one line redrawn in place (stage, count
of total, time); nothing of it reaches a pipe, a CI log or a `--quiet` run, and the
summary lines are the same either way.
"""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import REPO_ROOT, run_cli, write_tree

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")

POSTS = 70  # enough for the build to read and render on every core
SITE: dict[str, str | bytes] = {
    "site.yaml": "title: Slow\ndescription: d\nbase_url: https://slow.example/\nauthor: {name: A}\n"
    "publish:\n  - name: www\n    kind: folder\n    path: ../www\n",
    **{
        f"content/posts/post-{n}.md": f"---\ntitle: Post {n}\ndate: 2026-01-{n % 28 + 1:02d}\n"
        f"description: p\n---\n\nWords of post {n}.\n"
        for n in range(POSTS)
    },
}
# The line as drawn: a carriage return, "erase line", then "stage count/total · time".
DRAWN = re.compile(r"\r\x1b\[K([a-z][a-z ]+?)(?: ([\d,]+)(?:/([\d,]+))?)? · (\d+\.\d) s")


def in_terminal(args: list[str], cwd: Path, **env: str) -> str:
    """Everything `fireside ARGS` writes to a terminal (stdout and stderr are the terminal)."""
    environment = {
        key: value for key, value in os.environ.items() if key not in ("CI", "FIRESIDE_PROGRESS_AFTER")
    }
    environment.update(
        {
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
            "TERM": "xterm",
            "FIRESIDE_PROGRESS_AFTER": "0",  # at once: this small site takes less than a second
            **env,
        }
    )
    main, other = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        stdin=other,
        stdout=other,
        stderr=other,
        env=environment,
        close_fds=True,
    )
    os.close(other)
    received = bytearray()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other side closed: the command ended
                break
            if not chunk:
                break
            received += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=30)
    os.close(main)
    return received.decode("utf-8", "replace").replace("\r\n", "\n")


def shown_lines(output: str) -> list[str]:
    """The lines left on the screen once every progress line is wiped."""
    return [line for line in DRAWN.sub("", output).replace("\r\x1b[K", "").split("\n") if line]


def without_times(line: str) -> str:
    return re.sub(r"\d+ ms", "N ms", line)


def test_a_build_shows_its_stages_with_counts_and_time(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    output = in_terminal(["build"], cwd=site)
    drawn = DRAWN.findall(output)
    stages = [stage for stage, *_ in drawn]
    assert {"reading", "rendering", "pages", "writing"} <= set(stages), output
    rendering = [(int(done), int(total)) for stage, done, total, _ in drawn if stage == "rendering"]
    assert rendering and all(total == POSTS and done <= total for done, total in rendering)  # count of total
    times = [float(seconds) for *_, seconds in drawn]
    assert times == sorted(times)
    # Then wiped: the summary stands alone, as it reads without a terminal.
    assert "\r\x1b[KBuilt " in output
    shown = shown_lines(output)
    site_again = tmp_path / "again"
    write_tree(site_again, SITE)
    piped = run_cli("build", cwd=site_again)
    assert [without_times(line.replace(str(site), "")) for line in shown] == [
        without_times(line.replace(str(site_again), "")) for line in piped.stdout.splitlines()
    ]
    assert "\r" not in piped.stdout + piped.stderr and "·" not in piped.stderr


def test_check_and_publish_show_their_stages(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    checked = in_terminal(["check"], cwd=site)
    assert "reading pages" in {stage for stage, *_ in DRAWN.findall(checked)}, checked
    assert shown_lines(checked)[-1] == run_cli("check", cwd=site).stdout.splitlines()[-1]
    published = in_terminal(["publish"], cwd=site)
    stages = {stage for stage, *_ in DRAWN.findall(published)}
    assert "publishing to www" in stages, published
    assert shown_lines(published)[-1].startswith("Published to www (../www): ")


def test_an_import_shows_its_stages(tmp_path: Path) -> None:
    """`fireside import` of a Jekyll site: reading, converting with a count of the posts,
    writing with a count of the files; then the same report as without a terminal."""
    jekyll = {
        "_config.yml": "title: Old\nurl: https://old.example\n",
        **{
            f"_posts/2020-01-{n % 28 + 1:02d}-post-{n}.md": f"---\ntitle: Post {n}\n---\nWords of post {n}.\n"
            for n in range(POSTS)
        },
    }
    write_tree(tmp_path / "old", jekyll)
    output = in_terminal(["import", "jekyll", "old", "new"], cwd=tmp_path)
    drawn = DRAWN.findall(output)
    assert {"reading", "converting", "writing"} <= {stage for stage, *_ in drawn}, output
    converting = [(int(done), int(total)) for stage, done, total, _ in drawn if stage == "converting"]
    assert converting and all(total == POSTS and done <= total for done, total in converting)
    written = [int(total) for stage, _, total, _ in drawn if stage == "writing"]
    assert written and all(total >= POSTS for total in written)
    piped = run_cli("import", "jekyll", "old", "piped", cwd=tmp_path)
    assert piped.returncode == 0, piped.stderr
    assert [line.replace("new", "DEST") for line in shown_lines(output)] == [
        line.replace("piped", "DEST") for line in piped.stdout.splitlines()
    ]
    assert "\r" not in piped.stdout + piped.stderr


@pytest.mark.parametrize(
    "args,env",
    [(["build", "--quiet"], {}), (["build", "-q"], {}), (["build"], {"CI": "true"}), (["build"], {"TERM": "dumb"})],
    ids=["--quiet", "-q", "CI", "dumb terminal"],
)
def test_no_progress_line_when_asked_or_in_ci(tmp_path: Path, args: list[str], env: dict[str, str]) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    output = in_terminal(args, cwd=site, **env)
    assert "\x1b[K" not in output and "·" not in output, output
    quiet = "--quiet" in args or "-q" in args
    assert shown_lines(output) == [] if quiet else shown_lines(output)[-1].startswith("Built ")


def test_the_line_waits_for_a_second_of_work(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    run_cli("build", cwd=site)
    # Nothing to render: done in a moment, long before the line would appear.
    output = in_terminal(["build"], cwd=site, FIRESIDE_PROGRESS_AFTER="5")
    assert "\x1b[K" not in output
    assert output.strip().startswith(("Up to date", "Built "))
