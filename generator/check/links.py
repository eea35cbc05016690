"""Broken internal links in a built output folder (stdlib only).

Run by the test-suite on every build and by `fireside check`. A link is internal when it
is relative, root-relative, or absolute under the site's base URL; everything else
(other hosts, mailto:, data:, protocol-relative "//host/x", ...) is not ours to check.
Each HTML file is parsed once and its links and ids are cached, and each distinct target
path is looked up on disk once, so sites with thousands of pages stay fast.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from generator.check.scan import scan_html
from generator.check.xmltree import parse_xml, xml_links

_HTML_SUFFIXES = (".html", ".htm")

Link = tuple[int, str, str]  # (line, url as written, absolute URL it is relative to)


@dataclass(frozen=True)
class FileIndex:
    """The files and folders of an output folder without links in it, so that a link's
    target is found without asking the disk (a folder of links is looked at on disk)."""

    files: frozenset[str]  # output-relative POSIX paths
    folders: frozenset[str]

    @classmethod
    def of(cls, files: Iterable[str]) -> FileIndex:
        listed = frozenset(files)
        folders = {folder for rel in listed for folder in _parents(rel)}
        return cls(listed, frozenset(folders))


def _parents(rel: str) -> Iterable[str]:
    folder = rel.rpartition("/")[0]
    while folder:
        yield folder
        folder = folder.rpartition("/")[0]


@dataclass(frozen=True)
class LinkProblem:
    """One broken link: `page:line: broken link 'url': message`."""

    page: str  # output-relative POSIX path of the file holding the link
    line: int
    url: str  # as written; "" for a problem with the file itself (unreadable, bad XML)
    message: str

    def __str__(self) -> str:
        if not self.url:
            return f"{self.page}:{self.line}: {self.message}"
        return f"{self.page}:{self.line}: broken link '{self.url}': {self.message}"


def check_output(output_dir: Path, base_url: str) -> list[LinkProblem]:
    """Every broken internal link in the HTML and XML files under `output_dir`, sorted."""
    return LinkChecker(output_dir, base_url).check()


def _join(base: str, href: str | None) -> str:
    """`base` moved by a <base href>, if there is one."""
    try:
        return urljoin(base, href.strip()) if href and href.strip() else base
    except ValueError:  # a malformed one is ignored, as browsers do
        return base


@dataclass
class _Doc:
    links: list[Link] = field(default_factory=list)
    ids: frozenset[str] = frozenset()
    problems: list[LinkProblem] = field(default_factory=list)  # the file itself is unusable


def read_links(page: str, data: bytes, page_url: str) -> _Doc:
    """The links, ids and file problems of one HTML or XML file of the output."""
    if page.lower().endswith(".xml"):
        tree, error = parse_xml(data)
        doc = _Doc(links=xml_links(tree, page_url) if tree is not None else [])
        if error is not None:
            doc.problems.append(LinkProblem(page, error.line, "", f"cannot parse XML: {error.message}"))
        return doc
    # Universal newlines, so that line numbers match what editors show for CRLF files.
    scanned = scan_html(data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n"))
    base = _join(page_url, scanned.base)
    return _Doc([(link[0], link[3], base) for link in scanned.links], scanned.ids)


def _answer_base(url: str, base: str) -> str:
    """What of `base` the answer for `url` depends on, so that the same few links of every
    page (menus, tags, stylesheets) are each worked out once: for a root-relative URL the
    host, for a relative path the folder, for "#x" and "?q" the page itself."""
    if not url or url[0] in "#?" or "#" in base or "?" in base:
        return base
    if url[0] == "/" and url[:2] != "//":
        host_end = base.find("/", base.find("//") + 2) if "//" in base else -1
        return base[: host_end + 1] if host_end > 0 else base
    return base[: base.rfind("/") + 1]


class LinkChecker:
    """Checks the links of one output folder; reusable for single lookups in tests and tools.

    `index` (the folder's files, when it holds no links) finds targets without asking the
    disk; `ids_of` gives the ids of a page already read (else pages are read here).
    """

    def __init__(
        self,
        output_dir: Path,
        base_url: str,
        index: FileIndex | None = None,
        ids_of: Callable[[str], frozenset[str]] | None = None,
    ) -> None:
        self.root = output_dir.resolve()
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        parts = urlsplit(self.base_url)
        self.site = (parts.scheme.lower(), parts.netloc.lower())
        self.base_path = parts.path or "/"
        self.index = index
        self.ids_of = ids_of
        self._docs: dict[str, _Doc] = {}
        self._located: dict[str, tuple[str | None, str | None]] = {}
        self._answers: dict[tuple[str, str], str | None] = {}

    def check(self) -> list[LinkProblem]:
        """Every broken internal link, sorted by (page, line, url)."""
        problems: list[LinkProblem] = []
        for path in sorted(self.root.rglob("*")):
            if path.suffix.lower() not in (*_HTML_SUFFIXES, ".xml") or not path.is_file():
                continue
            page = path.relative_to(self.root).as_posix()
            doc = self._doc(page)
            problems.extend(doc.problems)
            problems.extend(self.page_problems(page, doc.links))
        return sorted(problems, key=lambda p: (p.page, p.line, p.url))

    def page_problems(self, page: str, links: Iterable[Link]) -> list[LinkProblem]:
        """The broken ones among one file's links."""
        found = []
        for line, url, base in links:
            key = (url, _answer_base(url.strip(), base))
            if key not in self._answers:
                self._answers[key] = self.problem(url, base)
            message = self._answers[key]
            if message:
                found.append(LinkProblem(page, line, url, message))
        return found

    def page_url(self, page: str) -> str:
        """The absolute URL of an output-relative file, which its relative links start from."""
        return self.base_url + quote(page)

    def problem(self, raw: str, base: str) -> str | None:
        """Why the link `raw`, relative to the absolute URL `base`, is broken; None if fine."""
        url = raw.strip()  # browsers drop surrounding whitespace
        if not url:
            return None  # href="" is the page itself
        try:
            parts, base_parts = urlsplit(url), urlsplit(base)
        except ValueError as err:  # e.g. "http://[::1"
            return f"malformed URL: {err}"
        if parts.scheme or parts.netloc:
            if (parts.scheme.lower(), parts.netloc.lower()) != self.site:
                return None
            if not self._under_base(parts.path):
                return None  # same host, but another site: external by definition
            path = parts.path
        else:
            if (base_parts.scheme.lower(), base_parts.netloc.lower()) != self.site:
                return None  # a <base> or xml:base pointing at another host
            if parts.path.startswith("/"):
                path = parts.path
            elif parts.path:
                # Joined by hand, not urljoin: urljoin silently clamps "../" at the host root,
                # which would hide links that climb out of the output folder.
                path = base_parts.path[: base_parts.path.rfind("/") + 1] + parts.path
            else:
                path = base_parts.path  # "#id" or "?q": the document itself
            if not self._under_base(path):
                return f"outside the base path {self.base_path}"
        target, message = self.locate(unquote(path[len(self.base_path) :]))
        if target is None:
            return message
        fragment = parts.fragment.split(":~:")[0]  # ":~:text=..." is a browser directive
        decoded = unquote(fragment)
        if not fragment or decoded.lower() == "top" or not target.endswith(_HTML_SUFFIXES):
            return None
        ids = self.ids_of(target) if self.ids_of is not None else self._doc(target).ids
        if decoded in ids or fragment in ids:
            return None
        return f"no element with id '{decoded}' in {target}"

    def locate(self, rel: str) -> tuple[str | None, str | None]:
        """(output-relative file, None) for a decoded path below the base, or (None, message)."""
        # URLs resolve "." and ".." lexically (the host never sees them), and normalising here
        # lets "../../img/a.png" from a thousand pages share one look-up.
        key = posixpath.normpath(rel.lstrip("/") or ".") + ("/" if rel.endswith("/") else "")
        if key not in self._located:
            self._located[key] = self._indexed(key) or self._locate(key)
        return self._located[key]

    def _indexed(self, rel: str) -> tuple[str, None] | None:
        """The file `rel` names, found in the index; None: ask the disk (which also says why not)."""
        if self.index is None or rel.startswith(".."):
            return None
        bare = rel.rstrip("/")
        if rel.endswith("/") or bare in self.index.folders or bare == ".":
            page = "index.html" if bare in (".", "") else f"{bare}/index.html"
            return (page, None) if page in self.index.files else None
        return (rel, None) if rel in self.index.files else None

    def _locate(self, rel: str) -> tuple[str | None, str | None]:
        try:
            # Resolved, so that a symlink cannot lead out of the output folder either.
            path = (self.root / rel).resolve()
            if not path.is_relative_to(self.root):
                return None, "outside the output folder"
            # A directory without its trailing slash is fine too: hosts redirect to "dir/".
            if rel.endswith("/") or path.is_dir():
                path = path / "index.html"
            shown = path.relative_to(self.root).as_posix()
            return (shown, None) if path.is_file() else (None, f"no such file: {shown}")
        except (OSError, ValueError) as err:  # NUL bytes, names too long for the OS
            return None, f"invalid path {rel!r}: {err}"

    def _under_base(self, path: str) -> bool:
        return path.startswith(self.base_path) or path == self.base_path.rstrip("/")

    def _doc(self, page: str) -> _Doc:
        if page not in self._docs:
            try:
                data = (self.root / page).read_bytes()
            except OSError as err:
                self._docs[page] = _Doc(problems=[LinkProblem(page, 1, "", f"cannot read: {err.strerror}")])
            else:
                self._docs[page] = read_links(page, data, self.page_url(page))
        return self._docs[page]
