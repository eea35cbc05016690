"""Links inside imported documents, pointed at the new site's files.

A link to an old URL of an imported post becomes a link to its new Markdown file (the
build turns that into whatever URL the post has), a link to one of the old site's own
files becomes a root-relative link to its copy, and an absolute link to the old site's
own host becomes a site link, so it keeps working on a staging host too. Links into the
old site that nothing imported answers are listed. Raw HTML is not resolved by the build,
so there the new URL itself is written. Code is never touched.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import SplitResult, quote, urlsplit

from generator.migrate.leftovers import CodeMap, line_at
from generator.migrate.model import Document
from generator.migrate.urlplan import site_path

_MARKDOWN_LINK = re.compile(
    r"(?P<open>!?\[(?:[^\[\]\n]|\[[^\]\n]*\])*\]\(\s*)(?P<url><[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
)
_REFERENCE = re.compile(r"^(?P<open> {0,3}\[[^\]\n]+\]:[ \t]*)(?P<url><[^>\n]*>|\S+)", re.MULTILINE)
_HTML_ATTRIBUTE = re.compile(
    r"""(?P<open>\s(?:href|src)\s*=\s*(?P<q>["']))(?P<url>[^"'<>]*)(?P=q)""", re.IGNORECASE
)
_TEMPLATE = re.compile(r"\{[{%]|[{|](?:filename|static|attach)[}|]")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class LinkTargets:
    origin: str  # the old site's scheme and host: "https://example.com"
    base_path: str  # the old site's base path, which the new site keeps: "/" or "/blog/"
    hosts: frozenset[str]  # the old site's host names, without "www."
    documents: Mapping[str, Document]  # every old site path of a document → the document
    finals: Mapping[str, str]  # a document's dest → its new site path
    files: Mapping[str, str]  # an old site path of a copied file → its new site path
    file_dests: Mapping[str, str]  # an old site path of a copied file → where it is in the new site
    by_source: Mapping[str, Document]  # a document's source path → the document
    # WordPress answers a post's slug under any date (it redirects to the post): its last
    # path segment → the one post with that slug, where the old site was WordPress.
    by_slug: Mapping[str, Document] = field(default_factory=dict)


def _own_host(host: str | None, hosts: frozenset[str]) -> bool:
    return bool(host) and (host or "").lower().removeprefix("www.") in hosts


def rewrite_links(
    doc: Document, targets: LinkTargets, old_url_of: Callable[[Document], str | None]
) -> tuple[str, list[tuple[int, str]]]:
    """`doc.body` with its links rewritten, and (line, message) for links nothing answers."""
    body = doc.body
    code = CodeMap(body)
    problems: list[tuple[int, str]] = []
    here = posixpath.dirname(doc.dest)
    base_url_path = old_url_of(doc)

    def new_link(url: str, at: int, markdown: bool) -> str:
        bracketed = url.startswith("<") and url.endswith(">")
        raw = url[1:-1] if bracketed else url
        if _TEMPLATE.search(raw):
            return url  # template syntax left for the author (listed by `leftovers`), not a link
        parts = urlsplit(raw.replace("&amp;", "&") if not markdown else raw)
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        own = relative = False
        if parts.scheme in ("http", "https") or raw.startswith("//"):
            if not _own_host(parts.hostname, targets.hosts):
                return url
            own = True
            path = site_path(raw, targets.base_path)
        elif _SCHEME.match(raw) or raw.startswith("#") or not raw:
            return url
        elif raw.startswith("/"):
            if not (raw + "/").startswith(targets.base_path) and targets.base_path != "/":
                return url
            path = site_path(raw, targets.base_path)
        else:
            source_target = posixpath.normpath(posixpath.join(posixpath.dirname(doc.source), parts.path))
            linked = targets.by_source.get(source_target)
            if linked is not None and markdown:
                return _wrap(_relative(linked.dest, here) + fragment, bracketed)
            if base_url_path is None:
                return url
            folder = base_url_path if base_url_path.endswith("/") else posixpath.dirname(base_url_path) + "/"
            path = site_path(posixpath.join("/" + folder.lstrip("/"), parts.path), "/")
            beside = targets.file_dests.get(path or "", "")
            if doc.dest.endswith("/index.md") and beside.startswith(posixpath.dirname(doc.dest) + "/"):
                return url  # a file of the post's folder, copied beside it
            made_from = (
                _source_of_generated(parts.path, here, targets) if doc.dest.endswith("/index.md") else None
            )
            if made_from is not None:
                problems.append((line_at(body, at), f"links to {raw}, which the old site's build made from "
                                 f"{made_from}: it now links to that"))  # fmt: skip
                return _wrap(quote(made_from, safe="/%") + fragment, bracketed)
            from_root = site_path("/" + parts.path, "/")
            if (
                path not in targets.files
                and path not in targets.documents
                and from_root
                and (from_root in targets.files or from_root in targets.documents)
            ):
                path = from_root  # a path from the content folder (Zola's shortcodes take those)
            else:
                relative = True
        if path is None:
            return url
        target_doc = targets.documents.get(path) or targets.documents.get(path.casefold())
        if target_doc is None and (own or raw.startswith("/")) and path.endswith("/"):
            target_doc = targets.by_slug.get(path.rstrip("/").rsplit("/", 1)[-1])
        if target_doc is not None:
            if markdown:
                return _wrap(_relative(target_doc.dest, here) + fragment, bracketed)
            return targets.base_path + quote(targets.finals[target_doc.dest]) + fragment
        # Markdown links are site paths (the build puts the base path in front); raw HTML is
        # not the build's to change, so it gets the whole path.
        prefix = "/" if markdown else targets.base_path
        copied = targets.files.get(path)
        if copied is not None:
            return _wrap(prefix + quote(copied) + fragment, bracketed)
        if relative:
            # What the old page's browser made of it: a link that led nowhere stays one, but
            # no longer stops the build as a missing file beside the post would.
            problems.append(
                (
                    line_at(body, at),
                    f"links to {raw}, which led nowhere on the old site either; "
                    "it now points at the old address",
                )
            )
            return _wrap(
                targets.origin + targets.base_path + quote(path, safe="/%") + _suffix(parts), bracketed
            )
        if own or raw.startswith("/"):
            problems.append(
                (line_at(body, at), f"links to {raw}, which no imported post, page or file answers")
            )
        if markdown and raw.startswith("/") and targets.base_path != "/":
            return _wrap("/" + quote(path, safe="/%") + _suffix(parts), bracketed)
        return url

    body = _sub_positions(body, code, new_link)
    return body, problems


def _sub_positions(body: str, code: CodeMap, new_link: Callable[[str, int, bool], str]) -> str:
    edits: list[tuple[int, int, str]] = []
    for pattern, markdown in ((_MARKDOWN_LINK, True), (_REFERENCE, True), (_HTML_ATTRIBUTE, False)):
        for match in _all_matches(pattern, body, markdown):
            if code.inside(match.start()):
                continue
            start, end = match.span("url")
            if any(s < end and start < e for s, e, _ in edits):
                continue
            new = new_link(match.group("url"), match.start(), markdown)
            if new != match.group("url"):
                edits.append((start, end, new))
    for start, end, new in sorted(edits, reverse=True):
        body = body[:start] + new + body[end:]
    return body


_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif", ".svg")


def _source_of_generated(wanted: str, folder: str, targets: LinkTargets) -> str | None:
    """A post folder's one file that a missing image was made from by the old site's build:
    the same name in a sub-folder (raw/x.jpg for x.jpg), or the same name in another image
    format (x.png for x.avif). None when there is no such file, or more than one."""
    name = posixpath.basename(wanted)
    stem, suffix = posixpath.splitext(name)
    if suffix.lower() not in _IMAGE_SUFFIXES:
        return None
    inside = [d[len(folder) + 1 :] for d in targets.file_dests.values() if d.startswith(folder + "/")]
    same = [f for f in inside if posixpath.basename(f) == name]
    if len(same) != 1:
        same = [f for f in inside if posixpath.splitext(posixpath.basename(f)) [0] == stem
                and posixpath.splitext(f)[1].lower() in _IMAGE_SUFFIXES]  # fmt: skip
    return same[0] if len(same) == 1 else None


def _all_matches(pattern: re.Pattern[str], text: str, nested: bool) -> list[re.Match[str]]:
    """Matches of `pattern`, with those inside a link's label (an image inside a link)."""
    found = []
    queue = [(0, len(text))]
    while queue:
        start, end = queue.pop()
        for match in pattern.finditer(text, start, end):
            found.append(match)
            if nested:
                queue.append((match.start() + 1, match.end("open") - 2))
    return sorted(found, key=lambda m: m.start())


def _suffix(parts: SplitResult) -> str:
    return (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _relative(dest: str, here: str) -> str:
    return quote(posixpath.relpath(dest, here), safe="/")


def _wrap(url: str, bracketed: bool) -> str:
    return f"<{url}>" if bracketed or " " in url else url
