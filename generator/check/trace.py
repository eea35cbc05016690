"""From a problem in the output to the source file and line that caused it (for `check`).

The build records which source made each output file (`OutputPlan.origins`). A problem
inside a page made from a Markdown file is looked up in that file by its text (the URL
as the author probably wrote it, then weaker hints); a page copied as it is keeps its
lines; a generated page (home, tags, feeds) is reported in the output, unless the text
is found in exactly one place among the site's sources. The same problem seen on many
pages (a broken link in a summary, a template) is reported once.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.build.output.writer import Origin
from generator.build.sources import MARKDOWN_SUFFIXES
from generator.check.links import LinkChecker, LinkProblem
from generator.check.pages import HTML_SUFFIXES, Inventory, Problem, Severity, site_rel

_IMAGE_TAGS = frozenset({"img", "source", "picture"})
_FILE_TAGS = frozenset({"script", "link", "audio", "video", "track", "embed", "iframe"})
_IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".svg", ".ico", ".bmp"})
_SHOWN_NAMES = 3  # pages named when one problem is on many


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


def link_problem(found: LinkProblem, inventory: Inventory, base_url: str, entry_url: str | None) -> Problem:
    """A broken link as a Problem: named for what it points at, with hints for finding its source."""
    facts = inventory.pages.get(found.page)
    link = next((k for k in facts.links if k.url == found.url.strip()), None) if facts else None
    path = urlsplit(found.url.strip()).path if found.url.strip() else ""
    suffix = posixpath.splitext(path)[1].lower()
    if found.message.startswith("no element with id"):
        what = "broken anchor"
    elif suffix in _IMAGE_SUFFIXES or (link is not None and link.tag in _IMAGE_TAGS):
        what = "missing image"
    elif (link is not None and link.tag in _FILE_TAGS) or (suffix and suffix not in HTML_SUFFIXES):
        what = "missing file"
    else:
        what = "broken link"
    shown = found.url
    rel = site_rel(found.url, base_url) if found.page.lower().endswith(".xml") else None
    if rel is not None:
        # Feeds hold absolute URLs; shown as pages write them, a link broken on a post and
        # in the feed entry made from it is one finding.
        shown = urlsplit(base_url).path + found.url.strip()[len(base_url) :]
    return Problem(
        "error",
        found.page,
        found.line,
        f"{what} '{shown}': {found.message}",
        needles=_url_needles(found.url.strip(), base_url),
        trace_url=entry_url,
    )


def _url_needles(url: str, base_url: str) -> tuple[str, ...]:
    """How the author may have written `url` in Markdown, most specific first."""
    found = [url]
    base = urlsplit(base_url)
    rel = site_rel(url, base_url)
    if rel is not None:
        found.append("/" + rel)
    if url.startswith(base.path) and base.path != "/":
        found.append("/" + url[len(base.path) :])
    parts = urlsplit(url)
    if parts.fragment:
        found.append("#" + parts.fragment)
    last = parts.path.rstrip("/").rsplit("/", 1)[-1]
    if len(last) >= 4 and last not in ("index.html", "index.htm"):
        found.append(last)
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
        origins: Mapping[str, Origin] | None,
        label: str,
    ) -> None:
        self.site_root = site_root.resolve()
        self.output = output
        self.base_url = base_url
        self.origins = origins
        self.label = label  # shown before output paths: "public/" for a folder given by the author
        self.locator = LinkChecker(output, base_url)
        self._texts: dict[Path, list[str]] = {}  # source file → lines, read once per check
        self._candidates: dict[Path, str] | None = None  # every source, for _search_everywhere

    def findings(self, problems: Sequence[Problem]) -> list[Finding]:
        traced = [self.trace(p) for p in problems]
        # Where several pages show one problem, name first the page made from its source.
        traced.sort(key=lambda finding: not self._made_from(finding))
        return _merge(traced)

    def _made_from(self, finding: Finding) -> bool:
        if finding.output is None or self.origins is None:
            return False
        page = finding.output.removeprefix(self.label).split(":", 1)[0]
        origin = self.origins.get(page)
        return origin is not None and Path(origin.path).as_posix() == finding.path

    def trace(self, problem: Problem) -> Finding:
        where = self._output_ref(problem.page, problem.line)
        if problem.source is not None:
            return Finding(problem.severity, problem.source, problem.source_line, problem.message, where)
        page = problem.page
        if problem.trace_url:
            rel = site_rel(problem.trace_url, self.base_url)
            target = self.locator.locate(rel)[0] if rel is not None else None
            page = target or page
        origin = self.origins.get(page) if self.origins is not None else None
        source = self._source_file(origin)
        if origin is not None and source is not None:
            line = self._search(source, problem.needles)
            if line is None:
                copied = page == problem.page and _same_bytes(source, self.output / page)
                line = problem.line if copied else origin.line
            return Finding(problem.severity, Path(origin.path).as_posix(), line, problem.message, where)
        if self.origins is not None:
            found = self._search_everywhere(problem.needles)
            if found is not None:
                return Finding(problem.severity, found[0], found[1], problem.message, where)
        return Finding(problem.severity, self.label + problem.page, problem.line, problem.message)

    def _output_ref(self, page: str, line: int | None) -> str:
        return f"{self.label}{page}" + (f":{line}" if line is not None else "")

    def _source_file(self, origin: Origin | None) -> Path | None:
        if origin is None:
            return None
        path = Path(origin.path)
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

    def _search_everywhere(self, needles: Sequence[str]) -> tuple[str, int] | None:
        """The first Markdown source or site template holding a specific enough needle."""
        specific = [n for n in needles if len(n) >= 8 and not n.startswith("#")]
        if not specific or self.origins is None:
            return None
        if self._candidates is None:
            self._candidates = {}
            for origin in self.origins.values():
                source = self._source_file(origin)
                if source is not None and source.suffix.lower() in MARKDOWN_SUFFIXES:
                    self._candidates.setdefault(source, Path(origin.path).as_posix())
            themes = self.site_root / "themes"
            for template in sorted(themes.glob("*/templates/**/*")) if themes.is_dir() else ():
                if template.is_file():
                    self._candidates.setdefault(template, template.relative_to(self.site_root).as_posix())
        for needle in specific:
            for path, shown in self._candidates.items():
                line = self._search(path, (needle,))
                if line is not None:
                    return shown, line
        return None


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _merge(findings: Sequence[Finding]) -> list[Finding]:
    """One finding per place and message; one per message for problems left in the output."""
    exact: dict[tuple[str, str | None, int | None, str], list[Finding]] = {}
    for finding in findings:
        exact.setdefault((finding.severity, finding.path, finding.line, finding.message), []).append(finding)
    merged = []
    for same in exact.values():
        first = same[0]
        if len(same) > 1 and first.output:
            output = f"{first.output} and {len(same) - 1} more"
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
    return sorted(result, key=lambda f: (f.output is None, f.path or "", f.line or 0, f.message))
