"""`fireside check`: is this site fit to publish? (an edge that calls into build)

It builds the site without drafts into a temporary folder (or reads a folder already
built) and reports what would embarrass the author once published, each at the source
file and line that caused it where that can be traced: build errors, broken links and
anchors, missing images and files, pages without a title or description, duplicate URLs,
invalid feeds, private or unpublished material in the output, a sitemap that does not
match the pages and, with `external`, outbound links that no longer work.

Tracing uses the build's record of which source made each output file; a link inside a
post is found in the post's Markdown by searching for the URL (best effort: else the
file alone is named). Nothing is printed here: the CLI shows the report.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from generator.build.content import list_content
from generator.build.documents import read_meta
from generator.build.incremental import build_and_trace
from generator.build.options import LeftOut
from generator.build.output.ownership import unknown_files
from generator.build.output.writer import Origin
from generator.build.pipeline import BuildOptions, plan_site, write_site
from generator.build.sections import read_settings
from generator.build.sources import read_source
from generator.check.external import ExternalSettings, check_urls, is_outbound, receiver_problem
from generator.check.feeds import XML_SUFFIXES, XmlReport, read_xml
from generator.check.leaks import INBOX, Unpublished, private_problems, unpublished_problems
from generator.check.links import check_output
from generator.check.pages import (
    Inventory,
    Problem,
    Severity,
    duplicate_problems,
    scan_output,
    sitemap_problems,
    static_host_problems,
    title_problems,
)
from generator.check.trace import Finding, Tracer, link_problem
from generator.inbox.tracked import tracked_inbox_files
from generator.site.config import SiteConfig, SiteLayout, load_config
from generator.site.errors import BuildFailed, ErrorCollector, SiteError
from generator.site.urls import SITEMAP_PATH

log = logging.getLogger(__name__)

# <link rel> values that are hints to the browser, not resources a reader is sent to.
_HINT_RELS = frozenset({"preconnect", "dns-prefetch", "prefetch", "preload", "modulepreload", "prerender"})


@dataclass(frozen=True)
class CheckOptions:
    folder: Path | None = None  # a folder already built, to check as it is; None: build first
    build_into: Path | None = None  # where to build (publish); None: a temporary folder
    base_url: str | None = None  # override site.yaml's base_url
    strict: bool = False  # warnings count as errors
    external: bool = False  # also check outbound links over the network
    external_settings: ExternalSettings = field(default_factory=ExternalSettings)
    now: datetime | None = None  # what "the future" is measured against; default: the clock


@dataclass(frozen=True)
class CheckReport:
    findings: tuple[Finding, ...]
    output_dir: Path | None  # the folder checked; None when the build failed or it was temporary
    build_failed: bool
    pages: int = 0
    files: int = 0
    external_checked: int = 0  # distinct outbound URLs asked
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
    if options.folder is not None:
        folder = options.folder.resolve()
        if not folder.is_dir():
            raise SiteError(options.folder, None, "no such folder to check (build the site first)")
        label = options.folder.as_posix().rstrip("/") + "/"
        report = _check_output(layout, config, options, folder, None, label, ())
        return _finish(layout, report, options.strict)
    if options.build_into is not None:
        # The site's own output folder, through its build cache, as `fireside build` writes
        # it: files the author put there stay (and are checked, as they are published too).
        build_options = BuildOptions(
            drafts=False, output_dir=options.build_into, base_url=options.base_url, now=options.now
        )
        try:
            result, origins = build_and_trace(config_file, build_options)
        except BuildFailed as failed:
            return _finish(layout, _failed(failed), options.strict)
        warnings = tuple(_from_site_error("warning", w) for w in result.warnings)
        label = _shown(result.output_dir, layout.root)
        warnings += _not_made_here(result.output_dir, origins, label)
        report = _check_output(layout, config, options, result.output_dir, origins, label, warnings)
        report = dataclasses.replace(report, left_out=result.left_out)
        return _finish(layout, report, options.strict)
    with tempfile.TemporaryDirectory(prefix="fireside-check-") as target:
        build_options = BuildOptions(
            drafts=False, output_dir=Path(target), base_url=options.base_url, now=options.now
        )
        try:
            planned = plan_site(config_file, build_options)
        except BuildFailed as failed:
            return _finish(layout, _failed(failed), options.strict)
        write_site(planned)  # into an empty folder of its own
        warnings = tuple(_from_site_error("warning", w) for w in planned.warnings)
        origins = planned.plan.origins
        report = _check_output(layout, config, options, planned.output_dir, origins, "", warnings)
        if planned.state is not None:
            report = dataclasses.replace(report, left_out=planned.state.left_out)
        report = dataclasses.replace(report, output_dir=None)  # about to be removed
    return _finish(layout, report, options.strict)


def _not_made_here(output: Path, origins: Mapping[str, Origin], label: str) -> tuple[Finding, ...]:
    """Files in the output folder that the build did not make: left there, so published."""
    found = unknown_files(output, set(origins))
    if not found:
        return ()
    shown = ", ".join(found[:3]) + (", ..." if len(found) > 3 else "")
    what = "1 file here was" if len(found) == 1 else f"{len(found)} files here were"
    message = (
        f"{what} not made by the build, and will be published as it stands ({shown}): put what "
        "belongs to the site into content/static/, and delete the rest"
    )
    return (Finding("warning", label, None, message),)


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


def _finish(layout: SiteLayout, report: CheckReport, strict: bool) -> CheckReport:
    """Add what concerns the site rather than its output, then apply --strict."""
    private = tuple(
        Finding(
            "warning",
            rel,
            None,
            "a reader's letter is tracked by git: letters are private (git rm --cached it; "
            "the inbox/ folder belongs in .gitignore)",
        )
        for rel in tracked_inbox_files(layout.root)
    )
    return _promote(dataclasses.replace(report, findings=report.findings + private), strict)


def _promote(report: CheckReport, strict: bool) -> CheckReport:
    if not strict:
        return report
    findings = tuple(dataclasses.replace(f, severity="error") for f in report.findings)
    return dataclasses.replace(report, findings=findings)


def _check_output(
    layout: SiteLayout,
    config: SiteConfig,
    options: CheckOptions,
    output: Path,
    origins: Mapping[str, Origin] | None,
    label: str,
    build_warnings: tuple[Finding, ...],
) -> CheckReport:
    inventory = scan_output(output)
    tracer = Tracer(layout.root, output, config.base_url, origins, label)
    xml = {rel: read_xml(output, rel) for rel in inventory.files if rel.lower().endswith(XML_SUFFIXES)}
    problems: list[Problem] = []
    for report in xml.values():
        problems.extend(report.problems)
    problems += _link_problems(inventory, config.base_url, xml)
    problems += title_problems(inventory)
    problems += duplicate_problems(inventory)
    problems += private_problems(inventory, layout.root / INBOX)
    problems += unpublished_problems(inventory, _unpublished(layout, config, options.now))
    sitemap = xml.get(SITEMAP_PATH)
    entries = sitemap.sitemap if sitemap is not None and sitemap.kind == "sitemap" else None
    problems += sitemap_problems(inventory, entries, config.base_url, SITEMAP_PATH)
    problems += static_host_problems(inventory)
    asked = 0
    if options.external:
        external, asked = _external_problems(inventory, config.base_url, options.external_settings)
        problems += external
    findings = tracer.findings(problems)
    if options.external and config.inbox.endpoint:
        said = receiver_problem(config.inbox.endpoint, config.base_url, options.external_settings)
        if said:
            findings = (*findings, Finding("error", layout.config_file.name, _endpoint_line(layout), said))
    return CheckReport(
        findings=(*build_warnings, *findings),
        output_dir=output,
        build_failed=False,
        pages=len(inventory.pages),
        files=len(inventory.files),
        external_checked=asked,
    )


def _endpoint_line(layout: SiteLayout) -> int | None:
    try:
        lines = layout.config_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((i for i, line in enumerate(lines, 1) if line.strip().startswith("endpoint:")), None)


def _link_problems(inventory: Inventory, base_url: str, xml: Mapping[str, XmlReport]) -> list[Problem]:
    problems = []
    for found in check_output(inventory.root, base_url):
        report = xml.get(found.page)
        if report is not None and (not found.url or report.kind == "sitemap"):
            continue  # unreadable XML and sitemap entries are reported by the XML checks
        entry_url = None
        if report is not None:
            entry_url = next(
                (e.url for e in report.entries if e.first_line <= found.line <= e.last_line and e.url), None
            )
        problems.append(link_problem(found, inventory, base_url, entry_url))
    return problems


def _unpublished(layout: SiteLayout, config: SiteConfig, now: datetime | None) -> list[Unpublished]:
    """Drafts and future posts, read the way the build reads them, minus paths others publish."""
    moment = now or datetime.now(UTC)
    errors = ErrorCollector()  # unreadable sources are the build's to report, not ours
    published: set[str] = set()
    hidden: list[Unpublished] = []
    listing = list_content(layout.content)
    settings, _, _ = read_settings(layout.root, config, listing, errors)
    for found, kind in listing.documents:
        path = Path(found)
        source = read_source(path, path.relative_to(layout.root), kind, errors)
        meta = read_meta(source, config.tz, errors, settings) if source is not None else None
        if meta is None:
            continue
        rel = meta.source.rel.as_posix()
        title = meta.title or meta.slug
        if meta.draft:
            key = "draft" if "draft" in meta.source.meta_lines else "published"
            why = f"draft {title!r}"
            hidden.append(Unpublished(rel, meta.source.line_of(key), meta.path, meta.title, why))
        elif meta.date is not None and meta.date > moment:
            why = f"future post {title!r} (dated {meta.date:%Y-%m-%d})"
            hidden.append(Unpublished(rel, meta.source.line_of("date"), meta.path, meta.title, why))
        elif meta.expires is not None and meta.expires <= moment:
            why = f"expired post {title!r} (expired {meta.expires:%Y-%m-%d})"
            hidden.append(Unpublished(rel, meta.source.line_of("expiryDate"), meta.path, meta.title, why))
        else:
            published.add(meta.path)
    return [doc for doc in hidden if doc.path not in published]


def _external_problems(
    inventory: Inventory, base_url: str, settings: ExternalSettings
) -> tuple[list[Problem], int]:
    places: dict[str, list[tuple[str, int]]] = {}
    for rel, facts in sorted(inventory.pages.items()):
        for link in facts.links:
            if link.tag == "link" and _HINT_RELS & set(link.rel.split()):
                continue
            url = "https:" + link.url if link.url.startswith("//") else link.url
            if is_outbound(url, base_url):
                places.setdefault(url, []).append((rel, link.line))
    results = check_urls(places, settings)
    problems = []
    for url, result in sorted(results.items()):
        if result.problem is None:
            continue
        for rel, line in places[url]:
            message = f"external link '{url}' does not work: {result.problem}"
            problems.append(Problem("warning", rel, line, message, needles=(url,)))
    distinct = {url.split("#", 1)[0] for url in results}
    return problems, len(distinct)
