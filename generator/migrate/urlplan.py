"""Planning the new site's URLs so that every old one still answers.

The old URLs come from the source (its configuration, front matter and file names, or a
WordPress export's links). For each group of posts (a section, or all of them) the most
common shape of those URLs becomes a `permalinks` pattern; a document whose old URL does
not fit gets its own `url:`, and further old URLs become `aliases:`. Fireside's own pages
(tags, archive, feeds) keep their places: a document whose old URL is one of them is
moved, and the report says where.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from datetime import datetime, tzinfo
from urllib.parse import unquote, urlsplit

from generator.migrate.frontmatter import aware
from generator.migrate.model import Document, ImportPlan
from generator.site.slugs import slugify

DEFAULT_PATTERNS = {"posts": "/posts/:slug/", "pages": "/:slug/"}
_TOKEN = re.compile(r":(year|month|day|slug|title|section)")
_JEKYLL_STEM = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}-(.+)$")
_RESERVED_FILES = frozenset({"atom.xml", "sitemap.xml", "404.html", "fireside-manifest.json", "index.html"})
_RESERVED_FOLDERS = ("tags/", "archive/", "page/", "thanks/", "css/", "js/")


def site_path(url: str, base_path: str = "/") -> str | None:
    """An old URL or path as a site path under `base_path`: "2010/05/x/", "about.html".

    Percent-escapes are decoded (the file on a host has the decoded name); `index.html`
    at the end means its folder. None for the home page, other hosts' paths, or `..`.
    """
    path = (
        unquote(urlsplit(url).path)
        if "://" in url or url.startswith("//")
        else unquote(url.split("#")[0].split("?")[0])
    )
    if not path.startswith("/"):
        path = "/" + path
    base = base_path if base_path.endswith("/") else base_path + "/"
    if base != "/" and (path + "/").startswith(base):
        path = "/" + path[len(base) :]
    if ".." in path.split("/") or "\\" in path or "\x00" in path:
        return None
    trailing = path.endswith("/")
    normal = posixpath.normpath(path).lstrip("/")
    if normal in ("", "."):
        return None
    if normal.endswith("/index.html") or normal == "index.html":
        return normal[: -len("index.html")] or None
    last = normal.rsplit("/", 1)[-1]
    if trailing or "." not in last:
        return normal + "/"
    return normal


def is_reserved(path: str) -> bool:
    """A site path Fireside makes itself (tags, archive, feeds, home pages)."""
    return path in _RESERVED_FILES or any(path.startswith(folder) for folder in _RESERVED_FOLDERS)


def fireside_slug(doc: Document) -> str:
    """The slug the build gives `doc`: its `slug:`, else its file (or folder) name."""
    slug = doc.meta.get("slug")
    if isinstance(slug, str) and slug.strip():
        return slugify(slug)
    name = posixpath.basename(doc.dest)
    stem = (
        posixpath.basename(posixpath.dirname(doc.dest)) if name == "index.md" else posixpath.splitext(name)[0]
    )
    match = _JEKYLL_STEM.match(stem)
    return slugify(match.group(1) if match else stem)


def expand(pattern: str, slug: str, moment: datetime | None, section: str = "") -> str:
    """A permalink pattern for one document, as a site path ("2010/05/x/")."""
    values = {"slug": slug, "title": slug, "section": section}
    if moment is not None:
        values.update(year=f"{moment:%Y}", month=f"{moment:%m}", day=f"{moment:%d}")
    path = _TOKEN.sub(lambda m: values.get(m.group(1), m.group(0)), pattern)
    return re.sub(r"/{2,}", "/", path).lstrip("/")


def templatize(old: str, slug: str, moment: datetime | None) -> str | None:
    """The pattern `old` follows for this slug and date ("2010/05/x/" → "/:year/:month/:slug/")."""
    suffix = "/" if old.endswith("/") else ""
    parts = old.rstrip("/").split("/")
    last = parts[-1]
    if not suffix:
        if not last.endswith(".html"):
            return None
        last, suffix = last[: -len(".html")], ".html"
    if last != slug:
        return None
    dated = [("year", f"{moment:%Y}"), ("month", f"{moment:%m}"), ("day", f"{moment:%d}")] if moment else []
    shaped = []
    for part in parts[:-1]:
        if dated and part == dated[0][1]:
            shaped.append(":" + dated.pop(0)[0])
        elif ":" in part or not part:
            return None
        else:
            shaped.append(part)
    return "/" + "/".join([*shaped, ":slug"]) + suffix


def default_path(doc: Document, permalinks: dict[str, str], tz: tzinfo) -> str:
    """Where the build puts `doc` without a `url:`."""
    slug = fireside_slug(doc)
    if doc.kind == "page":
        folder = posixpath.dirname(doc.dest.removeprefix("content/pages/"))
        if posixpath.basename(doc.dest) == "index.md":
            folder = posixpath.dirname(folder)
        return f"{folder}/{slug}/".lstrip("/")
    pattern = permalinks.get(doc.group) or permalinks.get("posts") or DEFAULT_PATTERNS["posts"]
    return expand(pattern, slug, _local(doc, tz), doc.section)


def _local(doc: Document, tz: tzinfo) -> datetime | None:
    """The document's date in the site's zone, where the build reads `:year` and the like."""
    moment = aware(doc.meta.get("date"), tz)
    return moment.astimezone(tz) if moment is not None else None


def _fit_slug(doc: Document, old: str) -> None:
    """Give `doc` the old URL's last part as its slug when that is a slug the build keeps."""
    last = old.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
    if last and slugify(last) == last and fireside_slug(doc) != last:
        doc.meta["slug"] = last


def plan_urls(
    plan: ImportPlan, tz: tzinfo, *, patterns: bool = True, base_path: str = "/"
) -> dict[str, Document]:
    """Set permalinks, `url:` and `aliases:` so each document answers at its old URLs.

    With `patterns` false (adding to a site whose site.yaml is not ours to change) every
    document that needs another URL than the build's default gets a `url:`. Returns the
    final site path of every document, for links to be rewritten against.
    """
    for doc in plan.documents:
        if doc.old_url and not is_reserved(doc.old_url):
            _fit_slug(doc, doc.old_url)
    if patterns:
        groups: dict[str, Counter[str]] = {}
        for doc in plan.documents:
            if doc.kind != "post" or not doc.old_url:
                continue
            shape = templatize(doc.old_url, fireside_slug(doc), _local(doc, tz))
            if shape:
                groups.setdefault(doc.group, Counter())[shape] += 1
        for group, shapes in sorted(groups.items()):
            best = max(sorted(shapes), key=lambda shape: shapes[shape])
            if group != "posts" or best != DEFAULT_PATTERNS["posts"]:
                plan.permalinks[group] = best
    taken: dict[str, Document] = {}
    for doc in sorted(plan.documents, key=lambda d: (d.kind != "post", d.meta.get("draft") is True, d.dest)):
        wanted = doc.old_url
        if wanted and is_reserved(wanted):
            moved = wanted.rstrip("/").replace("/", "-") + "-old/"
            plan.leftover(
                doc.dest, None, f"its old URL /{wanted} is one of Fireside's own pages; it is now at /{moved}"
            )
            wanted = moved
        if wanted and wanted in taken:
            plan.leftover(
                doc.dest,
                None,
                f"its old URL /{wanted} is also {taken[wanted].dest}'s; it keeps the build's URL",
            )
            wanted = None
        natural = default_path(doc, plan.permalinks, tz)
        final = wanted or natural
        if final in taken and taken[final] is not doc:
            final = natural if natural not in taken else f"{natural.rstrip('/')}-{len(taken)}/"
            plan.leftover(doc.dest, None, f"another document has its URL; it is at /{final}")
        if final != natural:
            doc.meta["url"] = "/" + final
        taken[final] = doc
    # Aliases last, so none takes a document's own address; one path differing only in
    # case from another is left out (case-insensitive disks would hold one of the two).
    folded = {path.casefold() for path in taken}
    for doc in plan.documents:
        wanted = [site_path(a, base_path) for a in doc.meta.pop("aliases", []) if isinstance(a, str)]
        aliases = []
        for old in dict.fromkeys([*wanted, *doc.old_aliases]):
            if not old or is_reserved(old) or old in taken:
                continue
            if old.casefold() in folded:
                plan.leftover(
                    doc.dest,
                    None,
                    f"old URL /{old} left out: it differs only in case from another "
                    "(a case-insensitive disk holds one of the two); redirect it on your host if needed",
                )
                continue
            folded.add(old.casefold())
            aliases.append("/" + old)
        if aliases:
            doc.meta["aliases"] = aliases
    return taken
