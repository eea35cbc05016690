"""From a problem in the output to the source file and line that hold it (for `check`).

The build records which source made each output file (`origins`) and, for each Markdown
source, every link it wrote and the line it came from (`answers`). A broken link on a
page is looked up there first: that is exact. A link the build did not write (raw HTML
in Markdown, a template) is found in the page's source by the URL as written; a page
copied as it is keeps its lines; a generated page (home, tags, feeds) is reported where
the same link is written in a source, or else in the output.

Each problem is reported once: where several pages show one broken link (a post, the
home page showing its summary, its feed entry), the finding is the one at its source,
and names the other pages as "and N more".
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from generator.build.sources import MARKDOWN_SUFFIXES
from generator.check.links import LinkProblem
from generator.check.pages import HTML_SUFFIXES, PageLink, Problem, Severity, site_rel

_IMAGE_TAGS = frozenset({"img", "source", "picture"})
_FILE_TAGS = frozenset({"script", "link", "audio", "video", "track", "embed", "iframe"})
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp"})
_SHOWN_NAMES = 3  # pages named when one problem is on many

# What the build wrote for one Markdown source: (line in the file, absolute URL of the
# link, the URL as the author wrote it).
Answers = Mapping[str, Sequence[tuple[int, str, str]]]
_QUOTED = re.compile(r"'[^']*'")  # the URL in a link problem's message


@dataclass(frozen=True)
class Finding:
    """One problem, where the author can fix it: `path:line: message`."""

    severity: Severity
    path: str | None  # a source file relative to the site, or a file of the output
    line: int | None
    message: str
    output: str | None = None  # where it shows in the output, when `path` is a source file

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line is not None:
            where += f":{self.line}"
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} (output: {self.output})" if self.output else text


@dataclass(frozen=True)
class _Traced:
    finding: Finding
    group: str | None  # the same broken target, however each page writes its URL
    located: bool  # at a line of a source that holds it
    own_page: bool  # on the page made from that source


def link_problem(
    found: LinkProblem, links: Sequence[PageLink], base_url: str, entry_url: str | None
) -> Problem:
    """A broken link as a Problem: named for what it points at (`links`: of the page it is
    on), with hints for finding its source."""
    url = found.url.strip()
    tag = next((k[1] for k in links if k[3].strip() == url), None)
    path = urlsplit(url).path if url else ""
    suffix = posixpath.splitext(path)[1].lower()
    if found.message.startswith("no element with id"):
        what = "broken anchor"
    elif suffix in _IMAGE_SUFFIXES or tag in _IMAGE_TAGS:
        what = "missing image"
    elif tag in _FILE_TAGS or (suffix and suffix not in HTML_SUFFIXES):
        what = "missing file"
    else:
        what = "broken link"
    shown = found.url
    if site_rel(url, base_url) is not None and found.page.lower().endswith(".xml"):
        # Feeds hold absolute URLs; shown as pages write them, a link broken on a post and
        # in the feed entry made from it reads the same.
        shown = urlsplit(base_url).path + url[len(base_url) :]
    return Problem(
        "error",
        found.page,
        found.line,
        f"{what} '{shown}': {found.message}",
        needles=_url_needles(url, base_url),
        trace_url=entry_url,
        group=f"{what} {_absolute(base_url, found.page, url)}: {found.message}",
        target=url,
    )


def _absolute(base_url: str, page: str, url: str) -> str:
    """The URL a link on `page` goes to, however the page writes it (for grouping)."""
    try:
        return urljoin(base_url + quote(page), url)
    except ValueError:
        return url


def _url_needles(url: str, base_url: str) -> tuple[str, ...]:
    """How the author may have written `url` in a source: as it is, or by its site path.

    Only whole URLs: a part of one (its last segment, its fragment) is found in unrelated
    text and put problems at lines that do not hold them.
    """
    found = [url]
    base = urlsplit(base_url)
    rel = site_rel(url, base_url)
    if rel is not None:
        found.append("/" + rel)
    if url.startswith(base.path) and base.path != "/":
        found.append("/" + url[len(base.path) :])
    with_decoded = [n for needle in found for n in (needle, unquote(needle))]
    # "/" (a link to the home page) or "#" would match almost any line: no help.
    return tuple(dict.fromkeys(n for n in with_decoded if len(n) > 1 and n not in ("//", "#/")))


class Tracer:
    """Turns the problems of one checked folder into findings at source locations."""

    def __init__(
        self,
        site_root: Path,
        output: Path,
        base_url: str,
        origins: Mapping[str, tuple[str, int | None]] | None,
        label: str,
        answers: Answers | None = None,
        page_of: Callable[[str], str | None] = lambda url: None,
    ) -> None:
        self.site_root = site_root.resolve()
        self.output = output
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.origins = origins  # output file → (source as the build names it, line)
        self.label = label  # shown before output paths: "public/" for a folder given by the author
        self.answers = answers or {}
        self.page_of = page_of  # absolute URL → the output file it is (for feed entries)
        self._texts: dict[Path, list[str]] = {}  # source file → lines, read once per check
        self._candidates: dict[Path, str] | None = None  # every source, for _search_everywhere
        self._by_target: dict[str, list[tuple[str, int]]] | None = None

    def findings(self, problems: Sequence[Problem]) -> list[Finding]:
        traced = [t for problem in problems for t in self.trace(problem)]
        return _merge(_fold(traced))

    def trace(self, problem: Problem) -> list[_Traced]:
        where = self._output_ref(problem.page, problem.line)
        if problem.source is not None:
            finding = Finding(problem.severity, problem.source, problem.source_line, problem.message, where)
            return [_Traced(finding, problem.group, True, True)]
        page = (self.page_of(problem.trace_url) or problem.page) if problem.trace_url else problem.page
        origin = self.origins.get(page) if self.origins is not None else None
        source = self._source_file(origin[0]) if origin is not None else None
        own = page == problem.page
        if origin is not None and source is not None:
            shown = Path(origin[0]).as_posix()
            target = self._absolute(problem)
            answers = self.answers.get(shown, ())
            written = [(line, as_written) for line, url, as_written in answers if url == target]
            if written and target:  # the links the build wrote from this source: exact
                return [
                    self._at(_as_written(problem, as_written), shown, line, where, own)
                    for line, as_written in dict.fromkeys(written)
                ]
            line = self._search(source, problem.needles)
            if line is None and own and _same_bytes(source, self.output / page):
                line = problem.line  # a file copied as it is: its lines are the source's
            if line is not None:
                return [self._at(problem, shown, line, where, own)]
            if source.suffix.lower() in MARKDOWN_SUFFIXES:  # made into a page by a template
                found = self._search_templates(problem.needles)
                if found is not None:
                    return [self._at(problem, found[0], found[1], where, False)]
            finding = Finding(problem.severity, shown, None, problem.message, where)
            return [_Traced(finding, problem.group, False, own)]
        if self.origins is not None:
            found = self._search_everywhere(problem)
            if found is not None:
                return [self._at(found[2] or problem, found[0], found[1], where, False)]
        finding = Finding(problem.severity, self.label + problem.page, problem.line, problem.message)
        return [_Traced(finding, problem.group, False, False)]

    def _at(self, problem: Problem, path: str, line: int, where: str, own: bool) -> _Traced:
        finding = Finding(problem.severity, path, line, problem.message, where)
        return _Traced(finding, problem.group, True, own)

    def _absolute(self, problem: Problem) -> str | None:
        if problem.target is None:
            return None
        try:
            return urljoin(self.base_url + problem.page, problem.target)
        except ValueError:
            return None

    def _output_ref(self, page: str, line: int | None) -> str:
        return f"{self.label}{page}" + (f":{line}" if line is not None else "")

    def _source_file(self, shown: str) -> Path | None:
        path = Path(shown)
        candidate = path if path.is_absolute() else self.site_root / path
        return candidate if candidate.is_file() else None

    def _lines(self, path: Path) -> list[str]:
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                self._texts[path] = []
        return self._texts[path]

    def _search(self, path: Path, needles: Sequence[str]) -> int | None:
        lines = self._lines(path)
        for needle in needles:
            for number, text in enumerate(lines, start=1):
                if needle in text:
                    return number
        return None

    def _search_everywhere(self, problem: Problem) -> tuple[str, int, Problem | None] | None:
        """Where a problem on a generated page comes from: the sources that link to its
        target (with the problem named as written there), else the first Markdown source or
        template holding its URL."""
        target = self._absolute(problem)
        if target is not None:
            if self._by_target is None:
                self._by_target = {}
                for shown, answers in self.answers.items():
                    for line, url, as_written in answers:
                        self._by_target.setdefault(url, []).append((shown, line, as_written))
            places = self._by_target.get(target)
            if places:
                shown, line, as_written = places[0]
                return shown, line, _as_written(problem, as_written)
        found = self._search_templates(problem.needles) or self._search_sources(problem.needles)
        return (*found, None) if found is not None else None

    def _search_templates(self, needles: Sequence[str]) -> tuple[str, int] | None:
        themes = self.site_root / "themes"
        for template in sorted(themes.glob("*/templates/**/*")) if themes.is_dir() else ():
            if template.is_file():
                line = self._search(template, [n for n in needles if len(n) >= 8])
                if line is not None:
                    return template.relative_to(self.site_root).as_posix(), line
        return None

    def _search_sources(self, needles: Sequence[str]) -> tuple[str, int] | None:
        specific = [n for n in needles if len(n) >= 8]
        if not specific or self.origins is None:
            return None
        if self._candidates is None:
            self._candidates = {}
            for shown, _ in self.origins.values():
                source = self._source_file(shown)
                if source is not None and source.suffix.lower() in MARKDOWN_SUFFIXES:
                    self._candidates.setdefault(source, Path(shown).as_posix())
        for needle in specific:
            for path, shown in self._candidates.items():
                line = self._search(path, (needle,))
                if line is not None:
                    return shown, line
        return None


def _as_written(problem: Problem, written: str) -> Problem:
    """The problem named by the link as the author wrote it (the page holds what it became)."""
    if problem.target is None or written == problem.target:
        return problem
    return replace(problem, message=_QUOTED.sub(lambda _: repr(written), problem.message, count=1))


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _fold(traced: Sequence[_Traced]) -> list[Finding]:
    """One finding per broken target and source line: where a group has findings at a
    source, the others (generated pages, feed entries) are folded into the first of them."""
    anchors: dict[str, _Traced] = {}
    for item in traced:
        if item.group is not None and item.located:
            first = anchors.get(item.group)
            if first is None or (item.own_page and not first.own_page):
                anchors[item.group] = item
    folded: list[Finding] = []
    extra: dict[int, int] = {}  # id of an anchor's finding → pages folded into it
    for item in traced:
        anchor = anchors.get(item.group) if item.group is not None else None
        if anchor is not None and not item.located:
            extra[id(anchor.finding)] = extra.get(id(anchor.finding), 0) + 1
            continue
        folded.append(item.finding)
    ordered = sorted(folded, key=lambda f: not any(a.finding is f and a.own_page for a in anchors.values()))
    return [
        replace(f, output=f"{f.output} and {extra[id(f)]} more") if id(f) in extra and f.output else f
        for f in ordered
    ]


def _merge(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per place and message; one per message for problems left in the output."""
    exact: dict[tuple[str, str | None, int | None, str], list[Finding]] = {}
    for finding in findings:
        exact.setdefault((finding.severity, finding.path, finding.line, finding.message), []).append(finding)
    merged = []
    for same in exact.values():
        first = same[0]
        if len(same) > 1 and first.output:
            more = sum(_more(f.output) for f in same) + len(same) - 1
            output = first.output.split(" and ", 1)[0] + f" and {more} more"
            first = Finding(first.severity, first.path, first.line, first.message, output)
        merged.append(first)
    # Left in the output (no source found): the same message on many pages is one cause.
    by_message: dict[tuple[str, str], list[Finding]] = {}
    result = []
    for finding in merged:
        if finding.output is None:
            by_message.setdefault((finding.severity, finding.message), []).append(finding)
        else:
            result.append(finding)
    for same in by_message.values():
        first = same[0]
        if len(same) > 1:
            others = [f.path or "" for f in same[1:]]
            named = ", ".join(others[:_SHOWN_NAMES])
            more = f" and {len(others) - _SHOWN_NAMES} more" if len(others) > _SHOWN_NAMES else ""
            message = f"{first.message} (also on {named}{more})"
            first = Finding(first.severity, first.path, first.line, message)
        result.append(first)
    return sorted(result, key=finding_order)


def finding_order(finding: Finding) -> tuple[bool, str, int, str]:
    """The order findings are shown in: those at a source first, by place."""
    return (finding.output is None, finding.path or "", finding.line or 0, finding.message)


def _more(output: str | None) -> int:
    """The N of an output reference "x and N more"."""
    if output and " and " in output and output.endswith(" more"):
        count = output.rsplit(" and ", 1)[1].removesuffix(" more")
        return int(count) if count.isdigit() else 0
    return 0
