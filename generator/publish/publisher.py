"""`fireside publish [TARGET]`: build, check, then put the site where readers get it.

Targets are named in site.yaml's `publish:` list (the first is the default): a local
folder, rsync (over ssh, or to a local folder), or a git branch (see git.py). The
site is always built first, without drafts, into its output folder, and checked; errors
stop the publish unless forced. Every kind transfers only what changed, so publishing
twice in a row changes nothing the second time. Nothing is printed here: the CLI reports.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Set
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import yaml

from generator.build.output import stamp
from generator.build.output.ownership import FolderRefused, claim_folder
from generator.build.output.stamp import FolderStates
from generator.build.output.writer import Kept, Origin, OutputPlan, WriteStats, commit
from generator.build.places import place_problem, resolve_output_dir
from generator.check.checker import CheckOptions, CheckReport, run_check
from generator.publish.git import DEFAULT_BRANCH, DEFAULT_REMOTE, Identity, publish_branch
from generator.publish.rsync import is_remote, refuse_destination, rsync_command, run_rsync
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


@dataclass(frozen=True)
class PublishOptions:
    target: str | None = None  # a target's name; None: the first in site.yaml
    dry_run: bool = False  # build and check, then show what would change, changing nothing
    force: bool = False  # publish despite errors found by the check
    # A folder target (or a local rsync one) may hold files Fireside did not publish
    # there: they are deleted (`--clean`). Without it, such a folder is refused.
    clean: bool = False
    now: datetime | None = None  # what "the future" is measured against; default: the clock
    # Told the check's report once it passed, before anything is sent: the CLI shows what
    # is about to go out (and what is left out) before it goes.
    on_checked: Callable[[CheckReport], None] | None = None
    # Told of each stage and of the items done (the command line shows it on a terminal).
    progress: Progress = field(default=NO_PROGRESS, compare=False, repr=False)


@dataclass(frozen=True)
class PublishResult:
    target: PublishTarget
    where: str  # the destination, as the author would say it
    report: CheckReport
    dry_run: bool
    # "A path", "M path", "D path" (folder: added, modified, deleted), rsync's itemized
    # lines, or git's name-status
    changes: tuple[str, ...]
    command: tuple[str, ...] = ()  # rsync: the exact command that ran
    commit: str | None = None  # git: the commit pushed; None when there was nothing to push
    message: str | None = None  # git: its message
    deleted: tuple[str, ...] = ()  # rsync: paths --delete removed (in a dry run: would remove)


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
    if target.kind == "rsync":
        refuse_destination(target, layout.root)  # a home folder, /: --delete would empty it
    destination = _local_destination(layout, target)
    if destination is not None:
        label = f"publish target {target.name!r}"
        refuse_folder(layout, output_dir, destination, label)
        claim_target(destination, target, clean=options.clean)  # refused before building, too
    checking = CheckOptions(build_into=output_dir, now=options.now, progress=options.progress)
    report = run_check(config_file, checking)
    if report.build_failed or (report.errors and not options.force):
        raise PublishRefused(report, target)
    if options.on_checked is not None:
        options.on_checked(report)
    options.progress.stage(f"publishing to {target.name}")
    if target.kind == "folder":
        assert destination is not None
        sent = SentRecord(layout.cache / "publish" / f"{target.name}.sent")
        last = sent.last(output_dir, destination)
        output_states, has_links = stamp.folder_states(output_dir)
        target_states = stamp.folder_states(destination)[0] if destination.is_dir() else None
        if last is not None and last == (output_states, target_states):
            return PublishResult(target, target.path, report, options.dry_run, ())
        if not options.dry_run:
            sent.forget()  # until the folder holds the output again
        # Files the last publish left as they are on both sides are not read again.
        same = _unchanged_since(last, output_states, target_states or {}) if not has_links else set()
        files = None if has_links else output_states  # (a link is copied as the file it names)
        dry_run, clean = options.dry_run, options.clean
        changes = publish_folder(
            output_dir, destination, target, dry_run=dry_run, clean=clean, files=files, unchanged=same
        )
        if not options.dry_run:
            sent.record(output_dir, output_states, destination)
        return PublishResult(target, target.path, report, options.dry_run, changes)
    if target.kind == "rsync":
        command = rsync_command(_shown(output_dir, layout.root), target, dry_run=options.dry_run)
        run = run_rsync(command, layout.root)
        return PublishResult(target, target.destination, report, options.dry_run, run.changes, command,
                             deleted=run.deleted)
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
    elif target.kind == "rsync" and not is_remote(target.destination):
        spot = target.destination
    else:
        return None
    path = Path(spot).expanduser()
    return (path if path.is_absolute() else layout.root / path).resolve()


def refuse_folder(layout: SiteLayout, output_dir: Path, folder: Path, label: str) -> None:
    """Refuse a destination where deleting what the site lacks would destroy other files."""
    output = output_dir.resolve()
    problem = place_problem(layout, folder)
    if problem is None and (folder.is_relative_to(output) or output.is_relative_to(folder)):
        problem = "it overlaps the output folder"
    if problem:
        raise SiteError(
            label,
            None,
            f"refusing to publish to {folder}: {problem}; "
            "everything in it that the site does not have is deleted",
        )


def claim_target(folder: Path, target: PublishTarget, *, clean: bool) -> None:
    """Refuse a target folder that holds files Fireside did not publish there (unless
    `clean`), and one that holds letters whatever was asked (build/output/ownership.py)."""
    try:
        claim_folder(folder, recorded=False, clean=clean, mirror=True)
    except FolderRefused as refused:
        raise _target_refusal(refused, target) from None


def _target_refusal(refused: FolderRefused, target: PublishTarget) -> SiteError:
    ways_on = (
        "point the target at another folder"
        if refused.letters
        else "point the target at an empty or new folder, or publish with "
        f"`fireside publish {target.name} --clean` to delete everything in it that the site does not have"
    )
    message = f"refusing to publish to {refused.folder}: {refused.problem}; {ways_on}"
    return SiteError(f"publish target {target.name!r}", None, message)


def publish_folder(
    output_dir: Path,
    destination: Path,
    target: PublishTarget,
    *,
    dry_run: bool,
    clean: bool = False,
    files: Iterable[str] | None = None,
    unchanged: Set[str] = frozenset(),
) -> tuple[str, ...]:
    """Make `destination` hold the output (changed files only); the changes, each marked
    A (added), M (modified) or D (deleted). A dry run changes nothing. `files`: the
    output's files, when they are known (none of them a link); those named in `unchanged`
    are the same in both folders: they are not read."""
    plan = OutputPlan()
    for rel, path in _output_files(output_dir, files).items():
        plan.add(rel, Kept("") if rel in unchanged else path, Origin(path))
    try:
        stats = commit(plan, destination, clean=clean, mirror=True, dry_run=dry_run)
    except FolderRefused as refused:
        raise _target_refusal(refused, target) from None
    return marked_changes(stats)


def marked_changes(stats: WriteStats) -> tuple[str, ...]:
    """A commit's changes as "A path" (added), "M path" (modified), "D path" (deleted)."""
    added, removed = set(stats.added_paths), set(stats.removed_paths)
    marked = []
    for rel in stats.changed_paths:
        if rel in removed:
            marked.append(f"D {rel}")
        if rel in added:
            marked.append(f"A {rel}")
        elif rel not in removed:
            marked.append(f"M {rel}")
    return tuple(marked)


def _unchanged_since(
    last: tuple[FolderStates, FolderStates] | None, output_states: FolderStates, target_states: FolderStates
) -> set[str]:
    """The output files that, on both sides, are as the last publish left them: the target
    holds the bytes that publish copied there (its record is taken after it ended)."""
    if last is None:
        return set()
    last_output, last_target = last
    return {
        rel
        for rel, state in output_states.items()
        if last_output.get(rel) == state and rel in last_target and target_states.get(rel) == last_target[rel]
    }


def _output_files(output_dir: Path, known: Iterable[str] | None) -> dict[str, Path]:
    if known is not None:
        return {rel: output_dir / rel for rel in sorted(known) if rel.split("/", 1)[0] != ".git"}
    found = {}
    for path in sorted(output_dir.rglob("*")):
        rel = path.relative_to(output_dir).as_posix()
        if path.is_file() and rel.split("/", 1)[0] != ".git":
            found[rel] = path
    return found


def _shown(folder: Path, site_root: Path) -> str:
    """A folder as rsync is given it: relative to the site folder (where it runs) when inside."""
    resolved, root = folder.resolve(), site_root.resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)
