"""One built folder checked: its files read once (through the check's memory), every
check run on what they say, and each problem traced to where it can be fixed.

Nothing is read when the folder, the build and the inbox are as a remembered report
found them; otherwise only the files whose bytes the memory has not seen are read
(on every core when there are many), and the checks that look across files (links,
duplicates, the sitemap) run again on all of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from generator.build.output import stamp
from generator.build.output.ownership import unknown_files
from generator.build.output.stamp import FolderStates
from generator.check.external import ExternalSettings, receiver_problem
from generator.check.folderfacts import FolderFacts, key_sniffer, quoted_in, read_folder
from generator.check.folderlinks import LinkMemory, external_problems, link_memory, link_problems
from generator.check.leaks import INBOX, Unpublished, inbox_copies, private_problems, unpublished_problems
from generator.check.links import FileIndex, LinkChecker
from generator.check.memory import CheckMemory, Remembered
from generator.check.pages import (
    Inventory,
    Problem,
    duplicate_problems,
    site_rel,
    sitemap_problems,
    static_host_problems,
    title_problems,
)
from generator.check.sitebuild import SiteMap
from generator.check.trace import Finding, Tracer, finding_order
from generator.site.progress import Progress
from generator.site.urls import SITEMAP_PATH


@dataclass(frozen=True)
class FolderCheck:
    """What a check of one folder needs to know besides the folder."""

    site_root: Path
    base_url: str
    label: str  # shown before output paths ("public/"), "" for the check's own folder
    # What the build knew (None: a folder built elsewhere), asked only when the folder is
    # read, with what stands for it (`site_state` may be made anew by the asking).
    site: Callable[[], tuple[SiteMap | None, object]]
    site_state: object  # stands for everything the site map and the drafts come from (None: nothing)
    # The drafts and future posts that must not be in the folder, and the date the list
    # changes by itself (a post's date comes); asked only when the folder is read.
    drafts: Callable[[], tuple[tuple[Unpublished, ...], datetime | None]]
    now: datetime
    external: bool
    external_settings: ExternalSettings
    progress: Progress
    inbox_endpoint: str = ""  # with `external`, asked whether a receiver answers there
    config_file: Path | None = None  # site.yaml, where the endpoint is set
    name_strangers: bool = False  # name the files in the folder that the build did not make
    # The folder's files as the build that has just made it left them (BuildResult.outputs),
    # for a folder of the check's own, which holds only what the build makes: not looked
    # at again. None: every file of the folder is looked at.
    states: FolderStates | None = None


@dataclass(frozen=True)
class Checked:
    findings: tuple[Finding, ...]
    pages: int
    files: int
    external_checked: int = 0
    read: int = 0  # files read (not remembered)


def check_folder(folder: Path, asked: FolderCheck, memory: CheckMemory) -> Checked:
    states, has_links = (asked.states, False) if asked.states is not None else stamp.folder_states(folder)
    signature = _signature(folder, asked, states, has_links)
    remembered = memory.report(signature, asked.now) if signature else None
    inbox = repr(stamp.snapshot([], [asked.site_root / INBOX]))  # before its letters are read
    if remembered is not None and not asked.external:
        if remembered.inbox != inbox and not _letter_copies(folder, asked, states, has_links):
            # Letters came or went, and none is in the folder (copies are traced below).
            remembered = replace(remembered, inbox=inbox, letter_copies=())
            memory.remember(signature, remembered)
        if remembered.inbox == inbox:
            return Checked(remembered.shown(), remembered.pages, remembered.files)
    site, site_state = asked.site()
    if site_state != asked.site_state:  # the site map was made again, by a build with a new stamp
        if asked.states is not None:  # which may have written: the folder is looked at
            states, has_links = stamp.folder_states(folder)
        signature = _signature(folder, replace(asked, site_state=site_state), states, has_links)
    known = read_folder(folder, states, asked.base_url, asked.progress, memory)
    files = tuple(sorted(states))
    pages = known.pages
    inventory = Inventory(folder, files, pages)
    tracer = _tracer(folder, asked, site, files, known, has_links)
    if remembered is None:
        unpublished, valid_until = asked.drafts()
        links = link_memory(folder, files, has_links, asked.base_url, memory)
        holds_key = key_sniffer(folder, states, memory)
        problems = _problems(inventory, known, asked, unpublished, tracer.checker, links, holds_key)
        memory.facts.links[str(folder)] = (links.files, links.kept)
        findings = tuple(tracer.findings(problems))
        strangers = _not_made_here(folder, site.origins, asked.label) if asked.name_strangers and site else ()
        copies = tuple(tracer.findings(_letter_copies(folder, asked, states, has_links)))
        report = Remembered(findings, len(pages), len(files), valid_until, strangers, inbox, copies)
        if signature:
            memory.remember(signature, report)
    else:
        report = remembered
        if report.inbox != inbox:
            copies = tuple(tracer.findings(_letter_copies(folder, asked, states, has_links)))
            report = replace(report, inbox=inbox, letter_copies=copies)
            if signature:
                memory.remember(signature, report)
    found, asked_count = report.shown(), 0
    if asked.external:
        external, asked_count = external_problems(known, asked.base_url, asked.external_settings)
        found = tuple(sorted((*found, *tracer.findings(external)), key=finding_order))
        if asked.inbox_endpoint:
            said = receiver_problem(asked.inbox_endpoint, asked.base_url, asked.external_settings)
            if said and asked.config_file is not None:
                line = _endpoint_line(asked.config_file)
                found = (*found, Finding("error", asked.config_file.name, line, said))
    return Checked(found, report.pages, report.files, asked_count, known.read)


def _letter_copies(folder: Path, asked: FolderCheck, states: FolderStates, has_links: bool) -> list[Problem]:
    """Files of the folder with the bytes of a letter in the inbox (sizes as the states say,
    unless links are among them: a link's size is not its target's)."""

    def size_of(rel: str) -> int | None:
        return states[rel][0]

    return inbox_copies(folder, sorted(states), asked.site_root / INBOX, None if has_links else size_of)


def _endpoint_line(config_file: Path) -> int | None:
    try:
        lines = config_file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((i for i, line in enumerate(lines, 1) if line.strip().startswith("endpoint:")), None)


def _not_made_here(output: Path, origins: Mapping[str, object], label: str) -> tuple[Finding, ...]:
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


def _signature(folder: Path, asked: FolderCheck, states: Mapping[str, object], has_links: bool) -> str | None:
    """Everything a report is made from; None when part of it cannot be trusted to show a change."""
    if asked.site_state is None or has_links:
        return None  # no stamp to stand for the sources, or links that may point anywhere
    # Not the inbox: the copies of its letters are looked for apart (see Remembered).
    made_from = (str(folder), asked.label, asked.base_url, sorted(states.items()), asked.site_state)
    return hashlib.sha256(repr(made_from).encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class _Tracing:
    checker: LinkChecker
    tracer: Tracer

    def findings(self, problems: list[Problem]) -> list[Finding]:
        return self.tracer.findings(problems)


def _tracer(
    folder: Path,
    asked: FolderCheck,
    site: SiteMap | None,
    files: tuple[str, ...],
    known: FolderFacts,
    has_links: bool,
) -> _Tracing:
    index = None if has_links else FileIndex.of(files)
    empty: frozenset[str] = frozenset()

    def ids_of(target: str) -> frozenset[str]:
        found = known.summaries.get(target)
        page = known.facts(target).page if found is not None and found.page is not None else None
        return page.ids if page is not None else empty

    checker = LinkChecker(folder, asked.base_url, index, ids_of)

    def page_of(url: str) -> str | None:
        rel = site_rel(url, asked.base_url)
        return checker.locate(rel)[0] if rel is not None else None

    tracer = Tracer(
        asked.site_root,
        folder,
        asked.base_url,
        site.origins if site is not None else None,
        asked.label,
        site.answers if site is not None else None,
        page_of,
    )
    return _Tracing(checker, tracer)


def _problems(
    inventory: Inventory,
    known: FolderFacts,
    asked: FolderCheck,
    unpublished: tuple[Unpublished, ...],
    checker: LinkChecker,
    links: LinkMemory,
    holds_key: Callable[[str], bool],
) -> list[Problem]:
    problems: list[Problem] = []
    for found in known.summaries.values():
        problems.extend(found.xml_problems)
    problems += link_problems(inventory, known, checker, links)
    problems += title_problems(inventory)
    problems += duplicate_problems(inventory)
    problems += private_problems(inventory, None, holds_key)  # (copies of letters: _letter_copies)
    problems += unpublished_problems(inventory, unpublished, quoted_in(known))
    sitemap = known.summaries.get(SITEMAP_PATH)
    report = known.facts(SITEMAP_PATH).xml if sitemap is not None and sitemap.xml_kind == "sitemap" else None
    entries = report.sitemap if report is not None else None
    problems += sitemap_problems(inventory, entries, asked.base_url, SITEMAP_PATH)
    problems += static_host_problems(inventory)
    return problems
