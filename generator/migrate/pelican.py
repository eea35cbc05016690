"""Pelican: `pelicanconf.py` (read, never run), articles and pages in Markdown or
reStructuredText, `{filename}`/`{static}`/`{attach}` links, static paths.

URLs are Pelican's: the `*_SAVE_AS` settings formatted with each article's slug (from its
title unless it has one), date, category and metadata. The configuration is a Python file:
its simple assignments are read with `ast`, nothing in it is executed.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from generator.migrate import frontmatter, liquid, notebook, shared, tagpages
from generator.migrate.htmlmd import to_markdown
from generator.migrate.liquidexpr import BuildTime
from generator.migrate.model import CopiedFile, Document, ImportPlan, SiteSettings
from generator.migrate.pelicansite import (
    DEFAULTS,
    format_url,
    html_metadata,
    markdown_metadata,
    read_settings,
    rst_metadata,
    slugify,
)
from generator.migrate.redirects import read_redirects
from generator.migrate.rst import to_markdown as rst_to_markdown
from generator.migrate.sourcetree import SourceProblem, SourceTree
from generator.migrate.urlplan import site_path

_LINK = re.compile(
    r"(\{(filename|static|attach|tag|category|author|index|tags|categories|authors|archives)\}|\|(filename|static|attach|tag|category)\|)([^\s\"')>]*)"
)
_MARKDOWN = (".md", ".markdown", ".mkd", ".mdown")


def read(source: Path, options: Any) -> ImportPlan:
    tree = SourceTree(source)
    if not tree.is_file("pelicanconf.py"):
        raise SourceProblem(f"{source}: no pelicanconf.py: is it a Pelican site?")
    settings = dict(DEFAULTS)
    read_settings(tree, "pelicanconf.py", settings)
    if tree.is_file("publishconf.py"):
        read_settings(tree, "publishconf.py", settings)
    url, placeholder = shared.base_url(settings.get("SITEURL"))
    tz = ZoneInfo(shared.timezone(settings.get("TIMEZONE")))
    title = shared.first_text(settings.get("SITENAME"), "My blog")
    site = SiteSettings(
        title=title,
        base_url=url,
        author_name=shared.first_text(settings.get("AUTHOR"), title),
        description=shared.first_text(settings.get("SITESUBTITLE"), settings.get("DESCRIPTION")),
        language=shared.language(settings.get("DEFAULT_LANG")),
        timezone=tz.key,
    )
    plan = ImportPlan("pelican", site)
    if placeholder:
        plan.notes.append(
            "pelicanconf.py/publishconf.py name no SITEURL: base_url in site.yaml is a placeholder"
        )
    plan.hosts.add(urlsplit(url).hostname or "")
    _Reader(tree, settings, plan, tz).run()
    markdown = sum(1 for d in plan.documents if not d.source.endswith(".rst"))
    if markdown * 2 > len(plan.documents):  # Python-Markdown's toc ids are GitHub's; docutils' are Fireside's
        plan.settings = dataclasses.replace(plan.settings, heading_ids="github")
    plan.redirects = read_redirects(tree)
    for key in ("FEED_ALL_ATOM", "FEED_ATOM", "FEED_ALL_RSS", "FEED_RSS"):
        feed = settings.get(key)
        if isinstance(feed, str) and feed and feed not in plan.feeds and feed != "atom.xml":
            plan.feeds.append(feed)
    tagpages.add(plan, tagpages.pelican(settings))
    names = {str(name) for doc in plan.documents for name in doc.meta.get("tags") or ()}
    tagpages.record_old_slugs(plan, ((name, slugify(name)) for name in sorted(names)))
    return plan


def _tag_names(value: Any) -> list[str]:
    """Pelican's tags are split at commas (at semicolons if any), never at spaces: "Static Sites" is one."""
    if isinstance(value, str):
        return [name.strip() for name in value.split(";" if ";" in value else ",") if name.strip()]
    return frontmatter.text_list(value)


class _Reader:
    def __init__(self, tree: SourceTree, settings: dict[str, Any], plan: ImportPlan, tz: ZoneInfo) -> None:
        self.tree = tree
        self.settings = settings
        self.plan = plan
        self.tz = tz
        self.root = str(settings.get("PATH") or "content").strip("/").removeprefix("./")
        self.taken: set[str] = set()
        self.docs: dict[str, Document] = {}  # content-relative source path → document
        self.static: dict[str, str] = {}  # content-relative source path → old site path
        self.base_path = urlsplit(plan.settings.base_url).path or "/"

    def _under(self, inner: str, folders: list[str]) -> bool:
        return any(f == "" or inner == f or inner.startswith(f.rstrip("/") + "/") for f in folders)

    def run(self) -> None:
        page_paths = [str(p).strip("/") for p in self.settings.get("PAGE_PATHS") or []]
        article_paths = [str(p).strip("/") for p in self.settings.get("ARTICLE_PATHS") or [""]]
        static_paths = [str(p).strip("/") for p in self.settings.get("STATIC_PATHS") or []]
        excludes = [
            str(p).strip("/")
            for p in [*self.settings.get("ARTICLE_EXCLUDES", []), *self.settings.get("PAGE_EXCLUDES", [])]
        ]
        extra = self.settings.get("EXTRA_PATH_METADATA") or {}
        converting = []
        for rel in self.tree.files(self.root):
            inner = rel[len(self.root) + 1 :] if self.root else rel
            suffix = posixpath.splitext(inner)[1].lower()
            readable = suffix in (*_MARKDOWN, ".rst", ".html", ".htm")
            if self._under(inner, static_paths):
                where = extra.get(inner, {}).get("path") if isinstance(extra.get(inner), dict) else None
                target = str(where or inner)
                self.static[inner] = target
                shared.copy_static(self.plan, self.tree, rel, target)
                continue
            if not readable:
                if suffix == ".ipynb":
                    self.plan.leftover(
                        rel, None, "not imported: a Jupyter notebook (Fireside does not render notebooks)"
                    )
                continue
            if self._under(inner, excludes) and not self._under(inner, page_paths):
                continue
            kind = (
                "page"
                if self._under(inner, page_paths)
                else ("post" if self._under(inner, article_paths) else None)
            )
            if kind is None:
                continue
            doc = self._document(rel, inner, kind, suffix)  # type: ignore[arg-type]
            if doc is not None:
                converting.append((doc, inner, suffix))
        for doc, inner, suffix in converting:
            self._convert(doc, inner, suffix)
        for folder in ("theme", "themes", "plugins"):
            if self.tree.is_dir(folder):
                self.plan.leftover(
                    folder + "/", None, "not imported: the old theme and plugins (Fireside's theme is used)"
                )

    def _document(self, rel: str, inner: str, kind: str, suffix: str) -> Document | None:
        try:
            text = self.tree.read_text(rel)
        except SourceProblem as problem:
            self.plan.leftover(rel, None, f"not imported: {problem}")
            return None
        if suffix == ".rst":
            meta, body = rst_metadata(text)
        elif suffix in (".html", ".htm"):
            meta, body = html_metadata(text)
        else:
            meta, body = markdown_metadata(text)
        stem = posixpath.splitext(posixpath.basename(inner))[0]
        named = re.match(str(self.settings.get("FILENAME_METADATA") or "$^"), stem)
        if named and "date" in named.groupdict() and "date" not in meta:
            meta["date"] = named.group("date")
        if named and "slug" in named.groupdict() and "slug" not in meta and named.group("slug"):
            meta["slug"] = named.group("slug")
        title = str(meta.get("title") or stem)
        source_slug = str(meta.get("slug") or "")
        if not source_slug:
            source = title if self.settings.get("SLUGIFY_SOURCE", "title") == "title" else stem
            source_slug = slugify(
                source,
                bool(self.settings.get("SLUGIFY_PRESERVE_CASE")),
                bool(self.settings.get("SLUGIFY_USE_UNICODE")),
            )
        folder = posixpath.dirname(inner)
        category = str(
            meta.get("category")
            or (
                posixpath.basename(folder)
                if folder and self.settings.get("USE_FOLDER_AS_CATEGORY")
                else self.settings.get("DEFAULT_CATEGORY") or "misc"
            )
        )
        moment = frontmatter.parse_date(meta.get("date")) if meta.get("date") else None
        status = str(meta.get("status") or "published").lower()
        draft = status == "draft"
        old = None
        if not draft and (moment is not None or kind == "page"):
            values = {
                **{k.lower(): v for k, v in meta.items()},
                "slug": source_slug,
                "category": slugify(category),
                "author": slugify(str(meta.get("author") or self.settings.get("AUTHOR") or "")),
                "lang": meta.get("lang") or self.settings.get("DEFAULT_LANG"),
                "date": moment,
            }
            pattern = str(self.settings.get("PAGE_SAVE_AS" if kind == "page" else "ARTICLE_SAVE_AS") or "")
            try:
                old = site_path("/" + format_url(pattern, values)) if pattern else None
            except (KeyError, ValueError):
                self.plan.leftover(rel, None, f"its old URL could not be worked out from {pattern!r}")
        elif kind == "post" and moment is None and not draft:
            self.plan.leftover(rel, None, "Pelican skipped it (no date): imported as a draft")
            draft = True
        as_tag = kind == "post" and (
            meta.get("category") or (folder and self.settings.get("USE_FOLDER_AS_CATEGORY"))
        )
        tags = frontmatter.merge_names([category] if as_tag else [], _tag_names(meta.get("tags")))
        handled = ("tags", "category", "status", "slug", "save_as", "url", "template")
        fire = frontmatter.mapped(
            {k: v for k, v in meta.items() if k not in handled}, site_author=self.plan.settings.author_name
        )
        if tags:
            fire["tags"] = tags
        if moment is not None:
            fire["date"] = moment
        if draft:
            fire["draft"] = True
        if status == "hidden":
            fire.setdefault("extra", {})["status"] = "hidden"
        if kind == "post":
            dest = shared.unique(f"content/posts/{stem}.md", self.taken)
        else:
            dest = shared.unique(
                f"content/pages/{(old or stem).strip('/').removesuffix('.html')}.md", self.taken
            )
        doc = Document(kind, dest, rel, fire, body, old, (), frontmatter.aware(moment, self.tz))  # type: ignore[arg-type]
        doc.source_meta = meta
        self.docs[inner] = doc
        self.plan.documents.append(doc)
        return doc

    def _convert(self, doc: Document, inner: str, suffix: str) -> None:
        body = doc.body
        leftovers: list[tuple[int, str]] = []
        if suffix == ".rst":
            body, leftovers = rst_to_markdown(body)
        elif suffix in (".html", ".htm"):
            body = to_markdown(body)
        body = body.replace("<!-- PELICAN_BEGIN_SUMMARY -->\n", "").replace(
            "<!-- PELICAN_BEGIN_SUMMARY -->", ""
        )
        body = body.replace("<!-- PELICAN_END_SUMMARY -->", "<!-- more -->")
        body = _LINK.sub(lambda m: self._link(m, inner, doc) or m.group(0), body)
        body, reasons = liquid.convert(body, self._liquid(inner))
        doc.body, doc.reasons, doc.body_leftovers = body, reasons, [*leftovers, *doc.body_leftovers]

    def _link(self, match: re.Match[str], inner: str, doc: Document) -> str | None:
        kind = match.group(2) or match.group(3)
        target = match.group(4)
        path, _, anchor = target.partition("#")
        anchor = f"#{anchor}" if anchor else ""
        if kind in ("tag", "category"):
            from generator.site.slugs import slugify as fireside_slug

            return f"{self.base_path}tags/{fireside_slug(path)}/"
        if kind == "index":
            return self.base_path
        if kind not in ("filename", "static", "attach"):
            return None
        resolved = posixpath.normpath(
            path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(inner), path)
        )
        linked = self.docs.get(resolved) or self._renamed(resolved)
        if linked is not None and linked.old_url:
            return self.base_path + linked.old_url + anchor
        if resolved in self.static:
            return self.base_path + self.static[resolved] + anchor
        rel = f"{self.root}/{resolved}" if self.root else resolved
        if self.tree.is_file(rel):
            folder = (
                posixpath.dirname(doc.old_url or "")
                if kind == "attach" and doc.old_url
                else posixpath.dirname(resolved)
            )
            target_path = (
                posixpath.join(folder, posixpath.basename(resolved)) if kind == "attach" else resolved
            )
            self.static[resolved] = target_path
            self.plan.files.append(
                CopiedFile(f"content/static/{target_path}", source=self.tree.path(rel), old_url=target_path)
            )
            return self.base_path + target_path + anchor
        # Pelican left it as written, and the browser made it an address below the page:
        # that address is kept (it led nowhere), so the new build does not take it for a file.
        why = f"{{{kind}}}{path} names no file (a dead link to Pelican too); it now points at the old address"
        doc.body_leftovers.append(("%7B" + kind + "%7D", why))
        origin = "/".join(self.plan.settings.base_url.split("/", 3)[:3])
        page = doc.old_url or ""
        page = page if page.endswith("/") else posixpath.dirname(page) + "/"
        return origin + self.base_path + page.lstrip("/") + "%7B" + kind + "%7D" + quote(target, safe="/#")

    def _renamed(self, resolved: str) -> Document | None:
        """The one article whose file has that name after a date (x.rst → 2020-09-01-x.rst)."""
        name = posixpath.basename(resolved)
        found = [
            d
            for inner, d in self.docs.items()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}[-_]" + re.escape(name), posixpath.basename(inner))
        ]
        return found[0] if len(found) == 1 else None

    def _liquid(self, inner: str) -> liquid.LiquidContext:
        def include_code(words: list[str]) -> str | None:
            path = next((w for w in words if not w.startswith("lang:") and ":" not in w), "")
            lang = next((w.removeprefix("lang:") for w in words if w.startswith("lang:")), "")
            rel = posixpath.join(self.root, str(self.settings.get("CODE_DIR") or "code"), path)
            if not path or not self.tree.is_file(rel):
                return None
            return liquid.fence(
                self.tree.read_text(rel).rstrip("\n"), lang or posixpath.splitext(path)[1].lstrip(".")
            )

        def video(words: list[str]) -> str | None:
            src = next((w for w in words if "/" in w or "." in w), "")
            return f'<div><video controls src="{src}"></video></div>' if src else None

        def literal(words: list[str]) -> str | None:
            return None

        def embed_notebook(words: list[str]) -> str | None:
            if not words:
                return None
            folder = str(self.settings.get("NOTEBOOK_DIR") or "notebooks")
            places = (posixpath.join(self.root, words[0]), posixpath.join(self.root, folder, words[0]))
            rel = next((place for place in places if self.tree.is_file(place)), None)
            if rel is None:
                return None
            cells = slice(None)
            if len(words) > 1 and (picked := re.fullmatch(r"cells\[(-?\d*):(-?\d*)\]", words[1])):
                start, stop = (int(g) if g else None for g in picked.groups())
                cells = slice(start, stop)
            stem = posixpath.splitext(posixpath.basename(rel))[0]
            try:
                made = notebook.convert(self.tree.read_text(rel), cells, stem)
            except (ValueError, SourceProblem):
                return None
            for name, data in made.images:
                target = f"images/notebooks/{name}"
                self.plan.files.append(CopiedFile(f"content/static/{target}", data=data, old_url=target))
                made.markdown = made.markdown.replace(f"]({name})", f"](/{target})")
            return made.markdown

        return liquid.LiquidContext(
            post_url=lambda _: None,
            link=lambda _: None,
            include=lambda name, relative: None,
            roots=lambda name: BuildTime("Pelican's template context"),
            tags={
                "include_code": include_code,
                "video": video,
                "literal": literal,
                "notebook": embed_notebook,
            },
        )
