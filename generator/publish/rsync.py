"""rsync targets: the exact command, what it changed and deleted, and destinations refused.

rsync runs with --delete: whatever the destination holds that the site does not have is
removed. So every deletion is reported by path (in a dry run, before it happens), and a
destination where that would wipe out more than a site is refused: a home folder (an
empty path after `host:` is one), the root folder, or a folder at the top of the file
system.
"""

from __future__ import annotations

import logging
import posixpath
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from generator.site.config import PublishTarget
from generator.site.errors import SiteError

log = logging.getLogger(__name__)

# -rlpt: recurse, keep links, permissions and times; --checksum: compare contents, so only
# files whose bytes changed are sent; --delete: what the site no longer has goes away.
RSYNC_OPTIONS = ("-rlptz", "--checksum", "--delete", "--itemize-changes")
# An --itemize-changes line ("YXcstpoguax path" or "*deleting path"); other lines are notes.
_ITEMIZED = re.compile(r"(\*deleting|[<>ch.][fdLDS]\S{9})\s")
_DELETING = "*deleting"
_HOME_PARENTS = ("home", "Users")  # Linux and macOS


@dataclass(frozen=True)
class RsyncRun:
    changes: tuple[str, ...]  # itemized lines of what was (or would be) sent
    deleted: tuple[str, ...]  # paths at the destination that --delete removed (or would remove)


def is_remote(destination: str) -> bool:
    # As rsync reads it: "host:path" and "rsync://" are remote; a colon after a slash is not.
    return destination.startswith("rsync://") or ":" in destination.split("/", 1)[0]


def destination_problem(destination: str, site_root: Path) -> str | None:
    """Why rsync --delete must not be aimed at `destination`, or None."""
    if destination.startswith("rsync://"):
        return None  # a daemon's module: a folder its administrator set aside
    if is_remote(destination):
        return _remote_problem(destination.partition(":")[2])
    path = Path(destination).expanduser()
    resolved = (path if path.is_absolute() else site_root / path).resolve()
    if resolved == Path.home().resolve():
        return "it is your home folder"
    return _absolute_problem(resolved.as_posix())


def _remote_problem(path: str) -> str | None:
    raw = path.strip()
    if raw.startswith("/"):
        return _absolute_problem(raw)
    if raw.startswith("~"):
        raw = raw.partition("/")[2]  # "~", "~/x", "~user/x": relative to a home folder
    rest = posixpath.normpath(raw) if raw else "."
    if rest == ".":
        return "it is the login's home folder (an empty path after the host is one)"
    if rest == ".." or rest.startswith("../"):
        return "it is above the login's home folder"
    return None


def _absolute_problem(path: str) -> str | None:
    parts = [part for part in posixpath.normpath("/" + path.lstrip("/")).split("/") if part]
    if not parts:
        return "it is the root folder /"
    if parts == ["root"]:
        return "it is root's home folder"
    if len(parts) == 1:
        return f"it is a folder at the top of the file system (/{parts[0]})"
    if len(parts) == 2 and parts[0] in _HOME_PARENTS:
        return "it is a home folder"
    return None


def refuse_destination(target: PublishTarget, site_root: Path) -> None:
    problem = destination_problem(target.destination, site_root)
    if problem:
        raise SiteError(
            f"publish target {target.name!r}",
            None,
            f"refusing to rsync to {target.destination}: {problem}, and rsync --delete removes "
            "everything there that the site does not have; publish into a folder of the site's "
            "own, such as host:/var/www/blog/",
        )


def rsync_command(source: str, target: PublishTarget, *, dry_run: bool) -> tuple[str, ...]:
    """The exact rsync command, to run from the site folder (the trailing `/` copies contents)."""
    command = ["rsync", *RSYNC_OPTIONS]
    if target.ssh:
        command += ["-e", target.ssh]
    if dry_run:
        command.append("--dry-run")
    return (*command, source.rstrip("/") + "/", target.destination)


def run_rsync(command: tuple[str, ...], cwd: Path) -> RsyncRun:
    log.info("running %s", shlex.join(command))
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise SiteError(None, None, "rsync is not installed (it is needed for an rsync target)") from None
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip()
        raise SiteError(None, None, f"rsync failed (exit {done.returncode}): {detail}")
    changes, deleted = [], []
    for line in done.stdout.splitlines():
        if line.startswith(_DELETING):
            deleted.append(line[len(_DELETING) :].lstrip(" "))
        elif _ITEMIZED.match(line):
            changes.append(line)
        elif line.strip():
            log.info("rsync: %s", line)
    return RsyncRun(tuple(changes), tuple(deleted))
