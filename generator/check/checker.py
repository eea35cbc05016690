"""`fireside check`: is this site fit to publish? (an edge that calls into build)

It builds the site without drafts into a folder of its own in `.fireside-cache/` (or
reads a folder already built; `fireside publish` has it build into the output folder) and
reports what would embarrass the author once published, each at the source file and line
that caused it where that can be traced: build errors, broken links and anchors, missing
images and files, pages without a title or description, duplicate URLs, invalid feeds,
private or unpublished material in the output, a sitemap that does not match the pages
and, with `external`, outbound links that no longer work.

The build is the incremental one (an unchanged site is not built again) and the check
remembers what it read and found (memory.py), so checking a site that has not changed
costs about what finding that out costs. Nothing is printed here: the CLI shows the report.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.build.options import BuildOptions, LeftOut
from generator.build.output import stamp
from generator.build.output.stamp import STAMP_FILE
from generator.build.places import OWN_OUTPUTS
from generator.check.external import ExternalSettings
from generator.check.leaks import Unpublished
from generator.check.memory import CheckMemory
from generator.check.outputcheck import FolderCheck, check_folder
from generator.check.pages import Severity
from generator.check.sitebuild import CHECK_STAMP, SiteMap, build_for_check, read_unpublished, sources_state
from generator.check.trace import Finding
from generator.site.config import SiteConfig, SiteLayout, load_config
from generator.site.errors import BuildFailed, SiteError
from generator.site.progress import NO_PROGRESS, Progress

log = logging.getLogger(__name__)

_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CheckOptions:
    folder: Path | None = None  # a folder already built, to check as it is; None: build first
    build_into: Path | None = None  # where to build (publish); None: a temporary folder
    base_url: str | None = None  # override site.yaml's base_url
    strict: bool = False  # warnings count as errors
    external: bool = False  # also check outbound links over the network
    external_settings: ExternalSettings = field(default_factory=ExternalSettings)
    now: datetime | None = None  # what "the future" is measured against; default: the clock
    # Told of each stage and of the items done (the command line shows it on a terminal).
    progress: Progress = field(default=NO_PROGRESS, compare=False, repr=False)


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    output_dir: Path | None  # the folder checked; None when the build failed or it was temporary
    build_failed: bool
    pages: int = 0
    files: int = 0
    external_checked: int = 0  # distinct outbound URLs asked
    files_read: int = 0  # pages and feeds read this time (the others were remembered)
    left_out: LeftOut = field(default_factory=LeftOut)  # drafts and scheduled posts not built

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "error")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def ok(self) -> bool:
        return not self.errors


def run_check(config_file: Path, options: CheckOptions = CheckOptions()) -> CheckReport:
    """Check the site of `config_file`; raises SiteError only when there is nothing to check."""
    layout = SiteLayout(root=config_file.resolve().parent, config_file=config_file.resolve())
    try:
        config = load_config(config_file)
    except BuildFailed as failed:
        return _finish(layout, _failed(failed), options.strict)
    if options.base_url:
        config = config.with_base_url(options.base_url)
    memory = CheckMemory(layout.cache)
    now = options.now or datetime.now(UTC)
    try:
        if options.folder is not None:
            report = _check_folder(layout, config, options, memory, now)
        else:
            report = _build_and_check(layout, config, options, memory, now)
        return _finish(layout, report, options.strict, memory)
    finally:
        memory.save()


def _check_folder(
    layout: SiteLayout, config: SiteConfig, options: CheckOptions, memory: CheckMemory, now: datetime
) -> CheckReport:
    """A folder built elsewhere, checked as it is; drafts are read from the sources."""
    assert options.folder is not None
    folder = options.folder.resolve()
    if not folder.is_dir():
        raise SiteError(options.folder, None, "no such folder to check (build the site first)")
    sources = repr(sources_state(layout))

    def drafts() -> tuple[tuple[Unpublished, ...], datetime | None]:
        remembered = memory.facts.unpublished.get(str(layout.root))
        # Still true if the sources are as they were and no post's date has come since.
        if remembered is not None and remembered[0] == sources and now < (remembered[2] or _NEVER):
            return remembered[1], remembered[2]
        found, next_date = read_unpublished(layout, config, now)
        memory.facts.unpublished[str(layout.root)] = (sources, tuple(found), next_date)
        return tuple(found), next_date

    label = options.folder.as_posix().rstrip("/") + "/"
    asked = _asked(layout, config, options, label, lambda: (None, sources), sources, drafts, now)
    checked = check_folder(folder, asked, memory)
    return CheckReport(
        checked.findings, folder, False, checked.pages, checked.files, checked.external_checked, checked.read
    )


def _build_and_check(
    layout: SiteLayout, config: SiteConfig, options: CheckOptions, memory: CheckMemory, now: datetime
) -> CheckReport:
    """Build as it would be published (publish: into the output folder), then check that."""
    own = options.build_into is None
    target = (options.build_into or layout.cache / OWN_OUTPUTS / "check").resolve()
    # Built into the output folder as `fireside build` builds it, it shares its stamp: a
    # publish after a build does not build again.
    usual = not own and target == (layout.root / config.output_dir).resolve()
    build_options = BuildOptions(
        drafts=False,
        output_dir=None if usual else target,
        base_url=options.base_url,
        now=options.now,
        progress=options.progress,
    )
    try:
        built = build_for_check(layout.config_file, build_options, CHECK_STAMP if own else STAMP_FILE)
    except BuildFailed as failed:
        return _failed(failed)
    folder = built.result.output_dir

    def site() -> tuple[SiteMap | None, object]:
        """The build's site map (asked only when the folder is read), and the stamp it goes with."""
        found = built.made
        if found is None:
            try:
                found = built.plan_again()
            except BuildFailed:  # changed since the build a moment ago: checked next time
                return None, None
        return found, built.identity

    def drafts() -> tuple[tuple[Unpublished, ...], datetime | None]:
        found = site()[0]
        return (found.unpublished if found is not None else ()), None

    warnings = tuple(_from_site_error("warning", w) for w in built.result.warnings)
    label = "" if own else _shown(folder, layout.root)
    asked = _asked(layout, config, options, label, site, built.identity, drafts, now)
    # The output folder is published as it stands: files the build did not make there are
    # named (a folder of the check's own holds only what the build made).
    asked = dataclasses.replace(asked, name_strangers=not own, states=built.result.outputs if own else None)
    checked = check_folder(folder, asked, memory)
    findings = (*warnings, *checked.findings)
    # The check's own folder is its business: the report names no folder to look at.
    shown = None if own else folder
    return CheckReport(
        findings,
        shown,
        False,
        checked.pages,
        checked.files,
        checked.external_checked,
        checked.read,
        built.result.left_out,
    )


def _asked(
    layout: SiteLayout,
    config: SiteConfig,
    options: CheckOptions,
    label: str,
    site: Callable[[], tuple[SiteMap | None, object]],
    site_state: object,
    drafts: Callable[[], tuple[tuple[Unpublished, ...], datetime | None]],
    now: datetime,
) -> FolderCheck:
    return FolderCheck(
        site_root=layout.root,
        base_url=config.base_url,
        label=label,
        site=site,
        site_state=site_state,
        drafts=drafts,
        now=now,
        external=options.external,
        external_settings=options.external_settings,
        progress=options.progress,
        inbox_endpoint=config.inbox.endpoint,
        config_file=layout.config_file,
    )


def _shown(folder: Path, site_root: Path) -> str:
    """How output paths are shown: relative to the site when the folder is inside it."""
    resolved, root = folder.resolve(), site_root.resolve()
    shown = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)
    return shown.rstrip("/") + "/"


def _failed(failed: BuildFailed) -> CheckReport:
    return CheckReport(tuple(_from_site_error("error", e) for e in failed.errors), None, True)


def _from_site_error(severity: Severity, error: SiteError) -> Finding:
    path = None if error.path is None else Path(error.path).as_posix()
    return Finding(severity, path, error.line, error.message)


def _finish(
    layout: SiteLayout, report: CheckReport, strict: bool, memory: CheckMemory | None = None
) -> CheckReport:
    """Add what concerns the site rather than its output, then apply --strict."""
    private = tuple(
        Finding(
            "warning",
            rel,
            None,
            "a reader's letter is tracked by git: letters are private (git rm --cached it; "
            "the inbox/ folder belongs in .gitignore)",
        )
        for rel in _tracked(layout, memory)
    )
    return _promote(dataclasses.replace(report, findings=report.findings + private), strict)


def _tracked(layout: SiteLayout, memory: CheckMemory | None) -> tuple[str, ...]:
    """The inbox's files that git tracks, remembered while git's index is the same file."""
    index = _git_index(layout.root)
    if index is None:
        return ()  # not in a git repository
    state = repr(stamp.snapshot([index], []))
    remembered = memory.reports.tracked.get(str(layout.root)) if memory is not None else None
    if remembered is not None and remembered[0] == state:
        return remembered[1]
    from generator.inbox.tracked import tracked_inbox_files  # (the inbox package is large)

    found = tuple(tracked_inbox_files(layout.root))
    if memory is not None:
        memory.reports.tracked[str(layout.root)] = (state, found)
    return found


def _git_index(site_root: Path) -> Path | None:
    """The index file of the git repository holding the site, if there is one."""
    if "GIT_DIR" in os.environ or "GIT_INDEX_FILE" in os.environ:
        return Path(os.environ.get("GIT_INDEX_FILE") or Path(os.environ["GIT_DIR"]) / "index")
    for folder in (site_root.resolve(), *site_root.resolve().parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git / "index"
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <its folder>"
            try:
                text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return dot_git
            pointed = Path(text.removeprefix("gitdir:").strip())
            return (pointed if pointed.is_absolute() else folder / pointed) / "index"
    return None


def _promote(report: CheckReport, strict: bool) -> CheckReport:
    if not strict:
        return report
    findings = tuple(dataclasses.replace(f, severity="error") for f in report.findings)
    return dataclasses.replace(report, findings=findings)
