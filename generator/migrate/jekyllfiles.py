"""Every file of a Jekyll site sorted as Jekyll reads it: a post, a draft, a document of
a collection, a page, a static file, or something not imported (and reported).

Documents keep their bodies as written, Liquid and all: HTML bodies are marked with
`HTML_MARK` to be converted to Markdown once their Liquid is (jekyll.py).
"""

from __future__ import annotations

import posixpath
import re
from datetime import date, datetime
from typing import Any

from generator.migrate import frontmatter, shared
from generator.migrate.jekyllsite import (
    JekyllSite,
    categories,
    expand,
    is_template,
    output_path,
    post_date,
    url_values,
)
from generator.migrate.model import Document, ImportPlan
from generator.migrate.sourcetree import split_front_matter
from generator.migrate.urlplan import site_path

HTML_MARK = "\x00html\x00"  # a body written in HTML, converted once its Liquid is
_POST_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.+)$")
_NOT_CONTENT = (
    "Fireside makes its own home page, archive, tag pages and feeds: "
    "a page that lists posts or loops over the site is not imported"
)


class JekyllReader:
    """Reads every file of the site into the plan; `by_name`, `by_path` and `static_urls`
    are what the Liquid of the documents' bodies links to (jekyll.py converts them)."""

    def __init__(self, site: JekyllSite, plan: ImportPlan) -> None:
        self.site = site
        self.plan = plan
        self.taken: set[str] = set()
        self.by_name: dict[str, Document] = {}  # post_url's names
        self.by_path: dict[str, Document] = {}  # site-relative source path → document
        self.static_urls: dict[str, str] = {}  # site-relative source path → old site path
        self.skipped: dict[str, int] = {}

    def run(self) -> None:
        site = self.site
        for rel in site.tree.files(site.source, hidden=True):
            local = site.rel(rel)
            if local.startswith(("_config", "_site/")) or site.excluded(local):
                continue
            if posixpath.basename(local) in (".htaccess", "_redirects", "_headers"):
                self.plan.leftover(
                    rel,
                    None,
                    "not imported: the old host's settings (redirects, headers); "
                    "set up what you still need on your new host",
                )
                continue
            if posixpath.basename(local).startswith("."):
                continue
            parts = local.split("/")
            if "_posts" in parts[:-1]:
                self._post(rel, local, parts)
            elif parts[0] == "_drafts":
                self._draft(rel, local)
            elif self._collection_of(parts) is not None:
                self._collection_doc(rel, local, parts)
            elif (any(p.startswith("_") for p in parts[:-1]) or parts[-1].startswith("_")) and not any(
                local == i.strip("/") or local.startswith(i.strip("/") + "/") for i in site.includes
            ):
                top = parts[0] if len(parts) > 1 else parts[-1]
                self.skipped[top] = self.skipped.get(top, 0) + 1
            else:
                self._page_or_static(rel, local)
        for folder, count in sorted(self.skipped.items()):
            why = (
                "the old theme: Fireside's theme is used"
                if folder in ("_layouts", "_includes", "_sass")
                else "not content"
            )
            self.plan.leftover(folder + "/", None, f"not imported ({count} files): {why}")

    # -- reading ------------------------------------------------------------------------

    def _front(self, rel: str) -> tuple[dict[str, Any], str] | None:
        try:
            text = self.site.tree.read_text(rel)
        except Exception as problem:  # SourceProblem, reported and skipped
            self.plan.leftover(rel, None, f"not imported: {problem}")
            return None
        front = split_front_matter(text)
        if front.problem:
            self.plan.leftover(rel, 1, f"{front.problem}; imported with it as text")
        return front.meta, front.body

    def _post(self, rel: str, local: str, parts: list[str]) -> None:
        stem, suffix = posixpath.splitext(parts[-1])
        match = _POST_NAME.match(stem)
        if not match or suffix not in (*self.site.markdown_ext, ".html"):
            self.plan.leftover(rel, None, "not imported: not a post name Jekyll reads (YYYY-MM-DD-title.md)")
            return
        read = self._front(rel)
        if read is None:
            return
        meta, body = read
        meta = {**self.site.defaults(local, "posts"), **meta}
        moment = post_date(meta, match.group(1), self.site.tz)
        folder_categories = [p for p in parts[: parts.index("_posts")] if p]
        cats = categories(meta, folder_categories)
        slug = str(meta.get("slug") or match.group(2))
        collection = self.site.collections.get("posts", {})
        template = str(meta.get("permalink") or collection.get("permalink") or self.site.permalink)
        old, aliases = None, []
        draft = meta.get("published") is False
        if moment is not None and not draft:
            url = expand(template, url_values(moment, slug, cats, ".html"))
            old = output_path(url)
            if old and not url.endswith(("/", ".html")):
                aliases.append(site_path(url) or "")
        fire = self._meta(meta, cats, moment, draft)
        dest = shared.unique(f"content/posts/{match.group(1)}-{match.group(2)}.md", self.taken)
        self._add(
            Document(
                "post",
                dest,
                rel,
                fire,
                self._body(body, suffix),
                old,
                tuple(a for a in aliases if a),
                frontmatter.aware(moment, self.site.tz),
            ),
            local,
            meta,
        )
        self.by_name[stem] = self.plan.documents[-1]
        self.by_name[
            posixpath.join(*parts[parts.index("_posts") + 1 : -1], stem) if len(parts) > 2 else stem
        ] = self.plan.documents[-1]

    def _draft(self, rel: str, local: str) -> None:
        stem, suffix = posixpath.splitext(posixpath.basename(local))
        if suffix not in (*self.site.markdown_ext, ".html"):
            return
        read = self._front(rel)
        if read is None:
            return
        meta, body = read
        meta = {**self.site.defaults(local, "drafts"), **meta}
        moment = frontmatter.parse_date(meta.get("date")) if meta.get("date") else None
        if moment is None:
            moment = date.fromtimestamp(self.site.tree.path(rel).stat().st_mtime)
        fire = self._meta(meta, categories(meta, []), moment, True)
        name = stem if _POST_NAME.match(stem) else f"{moment:%Y-%m-%d}-{stem}"
        dest = shared.unique(f"content/posts/{name}.md", self.taken)
        self._add(
            Document(
                "post",
                dest,
                rel,
                fire,
                self._body(body, suffix),
                None,
                (),
                frontmatter.aware(moment, self.site.tz),
            ),
            local,
            meta,
        )

    def _collection_of(self, parts: list[str]) -> str | None:
        prefix = self.site.collections_dir.split("/") if self.site.collections_dir else []
        if parts[: len(prefix)] != prefix or len(parts) <= len(prefix) + 1:
            return None
        folder = parts[len(prefix)]
        label = folder[1:] if folder.startswith("_") else None
        return label if label in self.site.collections and label != "posts" else None

    def _collection_doc(self, rel: str, local: str, parts: list[str]) -> None:
        label = self._collection_of(parts) or ""
        settings = self.site.collections[label]
        stem, suffix = posixpath.splitext(parts[-1])
        if suffix not in (*self.site.markdown_ext, ".html") or not settings.get("output"):
            why = (
                "its collection is not published (output: false)"
                if not settings.get("output")
                else "not a document"
            )
            self.skipped[f"_{label}"] = self.skipped.get(f"_{label}", 0) + 1
            del why
            return
        read = self._front(rel)
        if read is None:
            return
        meta, body = read
        meta = {**self.site.defaults(local, label), **meta}
        inner = "/".join(parts[parts.index(f"_{label}") + 1 :])
        path_in = posixpath.splitext(inner)[0]
        match = _POST_NAME.match(stem)
        moment = (
            post_date(meta, match.group(1), self.site.tz)
            if match
            else frontmatter.parse_date(meta.get("date"))
        )
        template = str(meta.get("permalink") or settings.get("permalink") or "/:collection/:path:output_ext")
        values = url_values(
            moment or date(1970, 1, 1),
            str(meta.get("slug") or (match.group(2) if match else stem)),
            [],
            ".html",
        )
        values.update(collection=label, path=path_in)
        url = expand(template, values)
        old = output_path(url)
        if moment is not None:
            fire = self._meta(meta, categories(meta, []), moment, meta.get("published") is False)
            dest = shared.unique(f"content/posts/{label}/{posixpath.basename(path_in)}.md", self.taken)
            doc = Document(
                "post",
                dest,
                rel,
                fire,
                self._body(body, suffix),
                old,
                (),
                frontmatter.aware(moment, self.site.tz),
                section=label,
            )
        else:
            fire = frontmatter.mapped(
                meta, site_author=self.plan.settings.author_name, skip=("layout", "permalink")
            )
            dest = shared.unique(f"content/pages/{label}/{path_in}.md", self.taken)
            doc = Document("page", dest, rel, fire, self._body(body, suffix), old)
        self._add(doc, local, meta)

    def _page_or_static(self, rel: str, local: str) -> None:
        path = self.site.tree.path(rel)
        with path.open("rb") as handle:
            head = handle.read(5)
        if not re.match(rb"---\s*\n", head + b"\n" if head == b"---" else head):
            name = posixpath.basename(local)
            if shared.PROJECT_FILES.match(name) and "/" not in local:
                self.skipped["(project files)"] = self.skipped.get("(project files)", 0) + 1
                return
            shared.copy_static(self.plan, self.site.tree, rel, local)
            self.static_urls[local] = local
            return
        stem, suffix = posixpath.splitext(local)
        if suffix not in (*self.site.markdown_ext, ".html", ".htm"):
            kind = (
                "a Sass stylesheet of the old theme"
                if suffix in (".scss", ".sass")
                else "a template Fireside replaces (feeds, sitemaps, search data)"
            )
            if re.search(r"(feed|atom|rss)", local) and suffix in (".xml", ".json", ".atom", ".rss"):
                front = self._front(rel)
                permalink = str((front[0] if front else {}).get("permalink") or "/" + local)
                feed = site_path(permalink, "/")
                if feed and feed not in self.plan.feeds:
                    self.plan.feeds.append(feed)
            self.plan.leftover(rel, None, f"not imported: {kind}")
            return
        read = self._front(rel)
        if read is None:
            return
        meta, body = read
        meta = {**self.site.defaults(local, "pages"), **meta}
        folder, name = posixpath.split(stem)
        if meta.get("redirect_to"):
            self.plan.leftover(
                rel, None, f"not imported: a redirect to {meta['redirect_to']} (set it up on your host)"
            )
            return
        if not body.strip():
            self.plan.leftover(rel, None, "not imported: a page with no text of its own (its layout made it)")
            return
        if is_template(body):
            self.plan.leftover(rel, None, f"not imported: {_NOT_CONTENT}")
            return
        template = str(meta.get("permalink") or "")
        if not template:
            if name == "index":
                template = "/:path/"
            else:
                style = self.site.permalink
                ending = (
                    "/" if style.endswith("/") else (":output_ext" if style.endswith(":output_ext") else "")
                )
                template = "/:path/:basename" + ending
        url = expand(template, {"path": folder, "basename": name, "output_ext": ".html", "title": name})
        old = output_path(url)
        if old is None:
            self.plan.leftover(
                rel, None, "not imported: the old home page (Fireside's home page lists your posts)"
            )
            return
        if name == "404" or old in ("404.html", "404/"):
            self.plan.leftover(rel, None, "not imported: Fireside makes its own 404 page")
            return
        aliases = [a for a in [site_path(url)] if a and a != old and not url.endswith(("/", ".html"))]
        fire = frontmatter.mapped(
            meta, site_author=self.plan.settings.author_name, skip=("layout", "permalink")
        )
        dest_stem = old.rstrip("/") if old.endswith("/") else (stem if name != "index" else folder)
        dest = shared.unique(f"content/pages/{dest_stem or 'index-page'}.md", self.taken)
        self._add(
            Document("page", dest, rel, fire, self._body(body, suffix), old, tuple(aliases)), local, meta
        )

    def _meta(
        self, meta: dict[str, Any], cats: list[str], moment: datetime | date | None, draft: bool
    ) -> dict[str, Any]:
        skip = ("layout", "permalink", "categories", "category", "date", "published", "excerpt_separator")
        fire = frontmatter.mapped(meta, site_author=self.plan.settings.author_name, skip=skip)
        tags = frontmatter.merge_names(cats, fire.get("tags", []))
        if tags:
            fire["tags"] = tags
        if moment is not None:
            fire["date"] = moment
        if draft:
            fire["draft"] = True
        return fire

    def _body(self, body: str, suffix: str) -> str:
        """The body, marked for conversion to Markdown after its Liquid when it is HTML."""
        return HTML_MARK + body if suffix in (".html", ".htm") else body

    def _add(self, doc: Document, local: str, meta: dict[str, Any]) -> None:
        doc.source_meta = meta
        self.plan.documents.append(doc)
        self.by_path[local] = doc
