"""`fireside publish [TARGET]`: build, check, then put the site where readers get it.

Targets are named in site.yaml's `publish:` list (the first is the default): a local
folder, rsync (over ssh, or to a local folder), or a git branch (see git.py). The
site is always built first, without drafts, into its output folder, and checked; errors
stop the publish unless forced. Every kind transfers only what changed, so publishing
twice in a row changes nothing the second time. Nothing is printed here: the CLI reports.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from generator.build.options import resolve_output_dir
from generator.build.output.writer import PRESERVED_NAMES, Origin, OutputPlan, commit
from generator.check.checker import CheckOptions, CheckReport, run_check
from generator.publish.git import DEFAULT_BRANCH, DEFAULT_REMOTE, Identity, publish_branch
from generator.publish.sent import SentRecord
from generator.site.config import PublishTarget, SiteConfig, SiteLayout, load_config
from generator.site.errors import SiteError
from generator.site.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)

# The keys each kind of target reads, the first of them required.
KINDS: dict[str, tuple[str, ...]] = {
    "folder": ("path",),
    "rsync": ("destination", "ssh"),
    "git": ("remote", "branch"),
}
_OPTIONAL_KEYS = ("path", "destination", "ssh", "remote", "branch")
_REQUIRED = {"folder": "path", "rsync": "destination"}
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# -rlpt: recurse, keep links, permissions and times; --checksum: compare contents, so only
# files whose bytes changed are sent; --delete: what the site no longer has goes away.
RSYNC_OPTIONS = ("-rlptz", "--checksum", "--delete", "--itemize-changes")
# An --itemize-changes line ("YXcstpoguax path" or "*deleting path"); other lines are notes.
_ITEMIZED = re.compile(r"(\*deleting|[<>ch.][fdLDS]\S{9})\s")


@dataclass(frozen=True)
class PublishOptions:
    target: str | None = None  # a target's name; None: the first in site.yaml
    dry_run: bool = False  # build and check, then show what would change, changing nothing
    force: bool = False  # publish despite errors found by the check
    now: datetime | None = None  # what "the future" is measured against; default: the clock
    # Told of each stage and of the items done (the command line shows it on a terminal).
    progress: Progress = field(default=NO_PROGRESS, compare=False, repr=False)


@dataclass(frozen=True)
class PublishResult:
    target: PublishTarget
    where: str  # the destination, as the author would say it
    report: CheckReport
    dry_run: bool
    changes: tuple[str, ...]  # output paths changed, rsync's itemized lines, or git's name-status
    command: tuple[str, ...] = ()  # rsync: the exact command that ran
    commit: str | None = None  # git: the commit pushed; None when there was nothing to push
    message: str | None = None  # git: its message


class PublishRefused(Exception):
    """The check found errors (or the build failed): nothing was published."""

    def __init__(self, report: CheckReport, target: PublishTarget) -> None:
        super().__init__(f"not published to {target.name}: the check found errors")
        self.report = report
        self.target = target


def publish_site(config_file: Path, options: PublishOptions = PublishOptions()) -> PublishResult:
    """Build, check and publish the site of `config_file` to one of its targets."""
    layout = SiteLayout(root=config_file.resolve().parent, config_file=config_file.resolve())
    config = load_config(config_file)
    target = choose_target(config, options.target, layout.config_file)
    output_dir = resolve_output_dir(layout, config, None)
    destination = _local_destination(layout, target)
    if destination is not None:
        refuse_folder(layout, output_dir, destination, f"publish target {target.name!r}")
    checking = CheckOptions(build_into=output_dir, now=options.now, progress=options.progress)
    report = run_check(config_file, checking)
    if report.build_failed or (report.errors and not options.force):
        raise PublishRefused(report, target)
    options.progress.stage(f"publishing to {target.name}")
    if target.kind == "folder":
        assert destination is not None
        sent = SentRecord(layout.cache / "publish" / f"{target.name}.sent")
        if sent.still_true(output_dir, destination):
            return PublishResult(target, target.path, report, options.dry_run, ())
        if not options.dry_run:
            sent.forget()  # until the folder holds the output again
        changes = publish_folder(output_dir, destination, dry_run=options.dry_run)
        if not options.dry_run:
            sent.record(output_dir, destination)
        return PublishResult(target, target.path, report, options.dry_run, changes)
    if target.kind == "rsync":
        command = rsync_command(_shown(output_dir, layout.root), target, dry_run=options.dry_run)
        changes = _run_rsync(command, layout.root)
        return PublishResult(target, target.destination, report, options.dry_run, changes, command)
    remote, branch = target.remote or DEFAULT_REMOTE, target.branch or DEFAULT_BRANCH
    published = publish_branch(
        output_dir,
        layout.root,
        layout.cache / "publish" / f"{target.name}.git",
        remote,
        branch,
        Identity(config.author.name, config.author.email or "fireside@localhost"),
        dry_run=options.dry_run,
    )
    where = f"branch {branch} of {remote}"
    return PublishResult(
        target, where, report, options.dry_run, published.changes, (), published.commit, published.message
    )


def choose_target(config: SiteConfig, name: str | None, config_file: Path) -> PublishTarget:
    """The target named `name` (else the first), validated; SiteError pointing into site.yaml."""
    where = config_file.name
    if not config.publish:
        raise SiteError(where, None, "no publish targets: add a `publish:` list (see the README)")
    lines = _target_lines(config_file)
    seen: set[str] = set()
    for index, target in enumerate(config.publish):
        line = lines[index] if index < len(lines) else None
        problem = _target_problem(target, seen)
        if problem:
            raise SiteError(where, line, f"publish target {target.name!r}: {problem}")
        seen.add(target.name)
    if name is None:
        return config.publish[0]
    for target in config.publish:
        if target.name == name:
            return target
    known = ", ".join(t.name for t in config.publish)
    raise SiteError(where, None, f"no publish target named {name!r} (targets: {known})")


def _target_problem(target: PublishTarget, seen: set[str]) -> str | None:
    if not _NAME.fullmatch(target.name):
        return "a name is letters, digits, '.', '_' and '-'"
    if target.name in seen:
        return "two targets have this name"
    if target.kind not in KINDS:
        return f"unknown kind {target.kind!r} (kinds: {', '.join(KINDS)})"
    for key in _OPTIONAL_KEYS:
        if getattr(target, key) and key not in KINDS[target.kind]:
            return f"`{key}` does not apply to a {target.kind} target"
    required = _REQUIRED.get(target.kind)
    if required and not getattr(target, required).strip():
        return f"a {target.kind} target needs `{required}`"
    return None


def _target_lines(config_file: Path) -> list[int]:
    """The line of each item of `publish:`, for pointing at the one that is wrong."""
    try:
        root = yaml.compose(config_file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return []
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "publish" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _local_destination(layout: SiteLayout, target: PublishTarget) -> Path | None:
    """The folder a folder target, or an rsync target without a host, writes to."""
    if target.kind == "folder":
        spot = target.path
    elif target.kind == "rsync" and not _is_remote(target.destination):
        spot = target.destination
    else:
        return None
    path = Path(spot).expanduser()
    return (path if path.is_absolute() else layout.root / path).resolve()


def _is_remote(destination: str) -> bool:
    # As rsync reads it: "host:path" and "rsync://" are remote; a colon after a slash is not.
    return destination.startswith("rsync://") or ":" in destination.split("/", 1)[0]


def refuse_folder(layout: SiteLayout, output_dir: Path, folder: Path, label: str) -> None:
    """Refuse a destination where deleting what the site lacks would destroy other files."""
    root = layout.root.resolve()
    output = output_dir.resolve()
    problem = None
    if root.is_relative_to(folder):
        problem = "it contains the site (or is the site folder itself)"
    elif folder == output or folder.is_relative_to(output) or output.is_relative_to(folder):
        problem = "it overlaps the output folder"
    else:
        for place in ("content", "themes", ".fireside-cache", ".git", "inbox"):
            if folder.is_relative_to(root / place):
                problem = f"it is inside {place}/"
    if problem is None and folder.exists() and not folder.is_dir():
        problem = "it is a file"
    if problem:
        raise SiteError(
            label,
            None,
            f"refusing to publish to {folder}: {problem}; "
            "everything in it that the site does not have is deleted",
        )


def publish_folder(output_dir: Path, destination: Path, *, dry_run: bool) -> tuple[str, ...]:
    """Make `destination` hold the output (changed files only); returns the paths changed."""
    files = _output_files(output_dir)
    if dry_run:
        return _folder_changes(files, destination)
    plan = OutputPlan()
    for rel, path in files.items():
        plan.add(rel, path, Origin(path))
    return commit(plan, destination).changed_paths


def _output_files(output_dir: Path) -> dict[str, Path]:
    found = {}
    for path in sorted(output_dir.rglob("*")):
        rel = path.relative_to(output_dir).as_posix()
        if path.is_file() and rel.split("/", 1)[0] != ".git":
            found[rel] = path
    return found


def _folder_changes(files: dict[str, Path], destination: Path) -> tuple[str, ...]:
    """What `publish_folder` would write or remove, by the same rules as writer.commit."""
    changed = set()
    for rel, path in files.items():
        target = destination / rel
        try:
            same = target.is_file() and target.read_bytes() == path.read_bytes()
        except OSError:
            same = False
        if not same:
            changed.add(rel)
    if destination.is_dir():
        for dirpath, dirnames, filenames in os.walk(destination):
            current = Path(dirpath)
            if current == destination:
                dirnames[:] = [d for d in dirnames if d not in PRESERVED_NAMES]
                filenames = [f for f in filenames if f not in PRESERVED_NAMES]
            for name in filenames:
                rel = (current / name).relative_to(destination).as_posix()
                if rel not in files:
                    changed.add(rel)
    return tuple(sorted(changed))


def rsync_command(source: str, target: PublishTarget, *, dry_run: bool) -> tuple[str, ...]:
    """The exact rsync command, to run from the site folder (the trailing `/` copies contents)."""
    command = ["rsync", *RSYNC_OPTIONS]
    if target.ssh:
        command += ["-e", target.ssh]
    if dry_run:
        command.append("--dry-run")
    return (*command, source.rstrip("/") + "/", target.destination)


def _run_rsync(command: tuple[str, ...], cwd: Path) -> tuple[str, ...]:
    log.info("running %s", shlex.join(command))
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise SiteError(None, None, "rsync is not installed (it is needed for an rsync target)") from None
    if done.returncode != 0:
        detail = done.stderr.strip() or done.stdout.strip()
        raise SiteError(None, None, f"rsync failed (exit {done.returncode}): {detail}")
    for line in done.stdout.splitlines():
        if line.strip() and not _ITEMIZED.match(line):
            log.info("rsync: %s", line)
    return tuple(line for line in done.stdout.splitlines() if _ITEMIZED.match(line))


def _shown(folder: Path, site_root: Path) -> str:
    """A folder as rsync is given it: relative to the site folder (where it runs) when inside."""
    resolved, root = folder.resolve(), site_root.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)
