"""Broken internal links in a built output folder (stdlib only).

Run by the test-suite on every build and by `fireside check`. A link is internal when it
is relative, root-relative, or absolute under the site's base URL; everything else
(other hosts, mailto:, data:, protocol-relative "//host/x", ...) is not ours to check.
Each HTML file is parsed once and its links and ids are cached, and each distinct target
path is looked up on disk once, so sites with thousands of pages stay fast.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

from generator.check.scan import scan_html
from generator.check.xmltree import parse_xml, xml_links

_HTML_SUFFIXES = (".html", ".htm")

Link = tuple[int, str, str]  # (line, url as written, absolute URL it is relative to)
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:")
_PLAIN = re.compile(r"[^\t\n\r]*")  # urlsplit drops these from a URL: such links take its way
_PLAIN_BASE = re.compile(r"[^\t\n\r?#]*")


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


def _key_parts(base: str) -> tuple[str, str, bool]:
    """(its host's root, its folder, whether it is a plain page URL) of a base URL."""
    if "#" in base or "?" in base or "//" not in base:
        return base, base, False
    host_end = base.find("/", base.find("//") + 2)
    if host_end < 0:
        return base, base, False
    return base[: host_end + 1], base[: base.rfind("/") + 1], True


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
        self._site_root = f"{parts.scheme}://{parts.netloc}/"  # the host root, as _key_parts gives it
        self._origin = self._site_root[:-1]
        self._docs: dict[str, _Doc] = {}
        self._located: dict[str, tuple[str | None, str | None]] = {}
        # (URL, what of its base it depends on) → (why it is broken, the page it anchors into)
        self._answers: dict[tuple[str, str], tuple[str | None, str | None]] = {}
        self._anchored_in: str | None = None  # set by _answer for the link being asked

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

    def page_problems(
        self, page: str, links: Iterable[Link], anchored: set[str] | None = None
    ) -> list[LinkProblem]:
        """The broken ones among one file's links; `anchored` is given the pages they link
        into with a fragment (their ids decide, not only whether they exist).

        A site's pages mostly hold the same few links (menus, tags, neighbours, the feed's
        copies of them): each answer is worked out once, under what it depends on: a URL
        with a scheme on itself, a root-relative one on the host of the page's base, a
        relative path on its folder, "#x" and "?q" on the page itself. A URL written in
        full under the base URL is the same link as its root-relative form.
        """
        found = []
        answers = self._answers
        last_base = host = folder = ""
        plain = False
        for line, raw, base in links:
            url = raw.strip()
            if not url:
                continue  # href="" is the page itself
            if base is not last_base:
                last_base = base
                host, folder, plain = _key_parts(base)
            first = url[0]
            if not plain or first in "#?":
                key = (url, base)
            elif first == "/":
                key = (url, host) if url[1:2] != "/" else (url, base[: base.find(":")])
            elif url.startswith(self.base_url):
                key = (url[len(self._origin) :], self._site_root)
            elif _SCHEME.match(url):
                key = (url, "")
            else:
                key = (url, folder)
            answer = answers.get(key)
            if answer is None:
                self._anchored_in = None
                answer = answers[key] = (self.problem(url, base), self._anchored_in)
            message, into = answer
            if message:
                found.append(LinkProblem(page, line, raw, message))
            if into is not None and anchored is not None:
                anchored.add(into)
        return found

    def page_url(self, page: str) -> str:
        """The absolute URL of an output-relative file, which its relative links start from."""
        return self.base_url + quote(page)

    def problem(self, raw: str, base: str) -> str | None:
        """Why the link `raw`, relative to the absolute URL `base`, is broken; None if fine."""
        url = raw.strip()  # browsers drop surrounding whitespace
        if not url:
            return None  # href="" is the page itself
        if base.startswith(self._site_root) and _PLAIN.fullmatch(url) and _PLAIN_BASE.fullmatch(base):
            # The commonest links, read without urlsplit: root-relative, and "#x" to the page itself.
            if url[0] == "/" and url[1:2] != "/":
                path, _, fragment = url.partition("#")
                return self._answer(path.partition("?")[0], fragment)
            if url[0] == "#":
                return self._answer(base[len(self._origin) :], url[1:])
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
        return self._answer(path, parts.fragment)

    def _answer(self, path: str, fragment: str) -> str | None:
        """Why a link to `path` (and `fragment`) on the site's host is broken; None if fine."""
        if not self._under_base(path):
            return f"outside the base path {self.base_path}"
        target, message = self.locate(unquote(path[len(self.base_path) :]))
        if target is None:
            return message
        fragment = fragment.split(":~:")[0]  # ":~:text=..." is a browser directive
        decoded = unquote(fragment)
        if not fragment or decoded.lower() == "top" or not target.endswith(_HTML_SUFFIXES):
            return None
        self._anchored_in = target
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
