"""Setting an import's plan straight before it is written: empty documents, the old host's
redirects, pages at a section's list address, two files at one address."""

from __future__ import annotations

import posixpath
from urllib.parse import urlsplit

from generator.migrate import leftovers
from generator.migrate.model import CopiedFile, Document, ImportPlan
from generator.migrate.urlplan import expand, site_path
from generator.site.config import feed_alias_problem


def find_in(body: str, left: list[tuple[str, str]]) -> list[tuple[int, str]]:
    """Lines of what a converter left in place, each found after the one before it."""
    found = []
    at = 0
    for text, why in left:
        where = body.find(text, at)
        if where < 0:
            where = max(0, body.find(text))
        found.append((leftovers.line_at(body, where), why))
        at = where + 1
    return found


def drop_empty(plan: ImportPlan) -> None:
    """Documents with nothing in them are not imported; untitled ones get a title, said so."""
    kept = []
    for doc in plan.documents:
        if not doc.body.strip() and not doc.source_meta and not doc.meta.get("title"):
            plan.leftover(doc.source, None, "not imported: an empty file")
            continue
        if not str(doc.meta.get("title") or "").strip() and not any(
            line.strip() for line in doc.body.splitlines()
        ):
            named = next(
                (
                    str(v)
                    for k, v in doc.source_meta.items()
                    if "title" in k.lower() and isinstance(v, str) and v.strip()
                ),
                None,
            )
            stem = posixpath.basename(
                posixpath.dirname(doc.dest)
                if doc.dest.endswith("/index.md")
                else doc.dest.removesuffix(".md")
            )
            doc.meta["title"] = named or stem.replace("-", " ").strip().capitalize()
            plan.leftover(
                doc.dest,
                None,
                f"had no title and no text (the old theme made its page); titled {doc.meta['title']!r}",
            )
        kept.append(doc)
    plan.documents = kept


def section_pages(plan: ImportPlan, finals: dict[str, Document]) -> dict[str, str]:
    """A page at the address of a section's list page (a Jekyll collection's index, a Hugo
    section's page) becomes that list page's title and text: the old address shows both.
    Returns the old addresses now answered by a list page."""
    moved: dict[str, str] = {}
    for section in sorted({d.section for d in plan.documents if d.kind == "post" and d.section}):
        pattern = plan.permalinks.get(section)
        path = expand(pattern, "", None, section) if pattern else None
        if not path or not path.endswith(section + "/") or ":" in path:
            continue
        page = finals.get(path)
        if page is None or page.kind != "page":
            continue
        settings, text = plan.sections.get(section, ({}, ""))
        settings = {**{k: v for k, v in page.meta.items() if k in ("title", "description")}, **settings}
        plan.sections[section] = (
            settings,
            "\n\n".join(t for t in (page.body.strip("\n"), text.strip("\n")) if t),
        )
        plan.documents.remove(page)
        del finals[path]
        for old in (page.old_url, *page.old_aliases):
            if old:
                moved[old] = path
        plan.leftover(
            page.dest,
            None,
            f"not a page of its own: its text is shown above the list of {section}'s posts at /{path}",
        )
    return moved


def one_file_per_url(plan: ImportPlan, finals: dict[str, Document]) -> None:
    """Where two files answered at one old URL (a static file and a post's own, as Zola and
    Hugo allow), one is kept: a document's page before a file, a static file before a copy."""
    pages = {path if not path.endswith("/") else path + "index.html" for path in finals}
    kept: dict[str, CopiedFile] = {}
    files = []
    for item in sorted(plan.files, key=lambda f: not f.dest.startswith("content/static/")):
        path = item.old_url
        if path and path in pages:
            plan.leftover(
                item.source_label(), None, f"not imported: /{path} is a post's or page's own address"
            )
            continue
        if path and path in kept:
            if not _same(kept[path], item):
                plan.leftover(
                    item.source_label(),
                    None,
                    f"not imported: /{path} is also {kept[path].dest}, which is kept",
                )
            continue
        if path:
            kept[path] = item
        files.append(item)
    plan.files = files


def _same(first: CopiedFile, second: CopiedFile) -> bool:
    def data(item: CopiedFile) -> bytes | None:
        if item.data is not None:
            return item.data
        try:
            return item.source.read_bytes() if item.source else None
        except OSError:
            return None

    return data(first) == data(second)


def carry_redirects(plan: ImportPlan) -> None:
    """The old host's redirects to imported documents become their aliases."""
    base_path = urlsplit(plan.settings.base_url).path or "/"
    by_old: dict[str, Document] = {}
    for doc in plan.documents:
        for old in (doc.old_url, *doc.old_aliases):
            if old:
                by_old.setdefault(old, doc)
    elsewhere = 0
    for source, target in plan.redirects:
        old, new = site_path(source, base_path), site_path(target, base_path)
        doc = by_old.get(new or "")
        if doc is None and new and not new.endswith("/"):
            doc = by_old.get(new + "/")
        if old and doc is not None and old not in by_old:
            doc.old_aliases = (*doc.old_aliases, old)
            by_old[old] = doc
        elif old not in by_old:
            elsewhere += 1
    if elsewhere:
        plan.notes.append(
            f"{elsewhere} redirects of the old host lead to something not imported; "
            "set up those you still need on your new host"
        )
    for feed in plan.feeds:
        if feed_alias_problem("/" + feed) is not None:  # a folder address: only the host can help
            plan.notes.append(
                f"the old feed /{feed} is now /atom.xml: have your host redirect it (301), "
                "so feed readers follow"
            )
