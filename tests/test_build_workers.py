"""Worker processes end with the `fireside` process that started them, however it ends.

A real `fireside build` (workers forked) and `fireside serve` (workers from a fork server,
as it builds from a thread) on a site big enough to use them, killed with SIGKILL or
SIGTERM while the workers render: no worker outlives it, and the caller's pipe reaches
its end (a `fireside build | tee log` must not hang).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.build.parallel import worker_count

from .conftest import REPO_ROOT, MakeSite


def many_posts(make_site: MakeSite, count: int = 800) -> Path:
    paragraph = "A line of an essay, with *emphasis*, `code` and a [link](https://example.org/). " * 12
    code = "```python\n" + "\n".join(f"def f{n}(x):\n    return x * {n}" for n in range(12)) + "\n```\n"
    files: dict[str, str | bytes] = {
        f"content/posts/post-{n:04d}.md": f"---\ntitle: Post {n}\ndate: 2025-01-01\n---\n"
        + "\n\n".join([paragraph] * 6)
        + "\n\n"
        + code
        for n in range(count)
    }
    return make_site(files)


def children_of(pid: int) -> set[int]:
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def descendants(pid: int) -> dict[int, int]:
    """Every process below `pid`: process → its depth (1: a child, 2: a grandchild, ...)."""
    found: dict[int, int] = {}
    level, depth = {pid}, 0
    while level:
        depth += 1
        level = {child for parent in level for child in children_of(parent)} - set(found)
        found.update(dict.fromkeys(level, depth))
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("command", ["build", "serve"])
def test_killing_a_build_ends_its_workers_and_releases_the_callers_pipe(
    make_site: MakeSite, command: str, how: int
) -> None:
    """`fireside build` forks its workers; `fireside serve` builds from a thread, so they
    come from a fork server (grandchildren, which must not outlive it either)."""
    if not Path("/proc/self/stat").is_file():
        pytest.skip("finding a process's children needs /proc (Linux)")
    if worker_count() < 2:
        pytest.skip("one core: a build starts no worker process here")
    site = many_posts(make_site)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    args = ["build"] if command == "build" else ["serve", "--port", str(free_port())]
    process = subprocess.Popen(
        [sys.executable, "-m", "generator", *args], cwd=site, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    worker_depth = 1 if command == "build" else 2
    below: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            below.update(descendants(process.pid))
            if any(depth == worker_depth for depth in below.values()):
                break
            time.sleep(0.005)
        else:
            pytest.fail(f"fireside {command} started no worker process (it should, on several cores)")
        time.sleep(0.2)  # the workers are at work
        process.send_signal(how)
        # The caller's pipes reach their end: nothing holds them open any more.
        ended = threading.Event()
        threading.Thread(target=lambda: (process.communicate(), ended.set()), daemon=True).start()
        assert ended.wait(15), f"the output pipe of fireside {command} stayed open after it was killed"
        gone_by = time.monotonic() + 10
        while any(alive(pid) for pid in below) and time.monotonic() < gone_by:
            time.sleep(0.05)
        assert not [pid for pid in below if alive(pid)], f"a process of fireside {command} outlived it"
    finally:
        for pid in below:  # this test's own processes, if it failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
        process.wait(10)
