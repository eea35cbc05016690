"""Eleventy: Markdown templates with their data cascade (directory and template data
files, global `_data`), permalinks as Eleventy renders them, passthrough copies.

The configuration and `.11tydata.js` files are JavaScript: they are read for what they
plainly say (`dir.input`, `addPassthroughCopy`, a `permalink` string or template literal),
never run. Permalinks are Liquid templates and are evaluated by the same Liquid reader as
post bodies, with Eleventy's `page` values and `slugify` filter.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator.migrate import frontmatter, liquid, shared
from generator.migrate.eleventysite import (
    CONFIG_FILES,
    DATED,
    STRUCTURAL_TAGS,
    TEMPLATES,
    directory_data,
    global_data,
    ignores,
    is_ignored,
    setting,
    slugify,
    template_data,
)
from generator.migrate.eleventysite import passthrough as eleventy_passthrough
from generator.migrate.htmlmd import to_markdown
from generator.migrate.jekyllsite import is_template
from generator.migrate.liquidexpr import BuildTime, Missing, text_of
from generator.migrate.model import CopiedFile, Document, ImportPlan, SiteSettings
from generator.migrate.redirects import read_redirects
from generator.migrate.sourcetree import SourceProblem, SourceTree, split_front_matter
from generator.migrate.urlplan import site_path


def read(source: Path, options: Any) -> ImportPlan:
    tree = SourceTree(source)
    found = next((name for name in CONFIG_FILES if tree.is_file(name)), None)
    config_text = tree.read_text(found) if found else ""
    if found is None and not tree.is_file("package.json"):
        raise SourceProblem(f"{source}: no eleventy.config.js or .eleventy.js: is it an Eleventy site?")
    input_dir = setting(config_text, "input", ".").strip("./") if config_text else ""
    data_dir = posixpath.join(input_dir, setting(config_text, "data", "_data")).strip("/")
    data = global_data(tree, data_dir)
    metadata = next(
        (data[k] for k in ("metadata", "site", "meta", "config") if isinstance(data.get(k), dict)),
        {},
    )
    author = metadata.get("author")
    author_name = author.get("name") if isinstance(author, dict) else author
    author_email = author.get("email") if isinstance(author, dict) else metadata.get("email")
    url, placeholder = shared.base_url(
        metadata.get("url") or metadata.get("baseUrl") or metadata.get("base_url")
    )
    title = shared.first_text(metadata.get("title"), metadata.get("name"), "My blog")
    settings = SiteSettings(
        title=title,
        base_url=url,
        author_name=shared.first_text(author_name, title),
        author_email=shared.first_text(author_email),
        description=shared.first_text(metadata.get("description")),
        language=shared.language(metadata.get("language") or metadata.get("lang")),
        timezone="UTC",
        heading_ids="eleventy",  # markdown-it-anchor's ids: links to #a-heading keep working
    )
    plan = ImportPlan("eleventy", settings)
    if placeholder:
        plan.notes.append(
            "no site URL in _data/metadata.json or _data/site.json: base_url in site.yaml is a placeholder"
        )
    plan.hosts.add(urlsplit(url).hostname or "")
    _Reader(tree, plan, config_text, input_dir, data_dir, data).run()
    plan.redirects = read_redirects(
        tree, ["_redirects", "netlify.toml", "vercel.json", f"{input_dir}/_redirects".lstrip("/")]
    )
    return plan


class _Reader:
    def __init__(
        self,
        tree: SourceTree,
        plan: ImportPlan,
        config: str,
        input_dir: str,
        data_dir: str,
        data: dict[str, Any],
    ) -> None:
        self.tree = tree
        self.plan = plan
        self.config = config
        self.input = input_dir
        self.includes = posixpath.join(input_dir, setting(config, "includes", "_includes")).strip("/")
        self.data_dir = data_dir
        self.data = data
        self.tz = ZoneInfo("UTC")
        self.base_path = urlsplit(plan.settings.base_url).path or "/"
        self.taken: set[str] = set()
        self.ignores = ignores(tree, input_dir, self.includes, data_dir)
        self.pages: list[dict[str, Any]] = []

    def run(self) -> None:
        every = list(self.tree.files(self.input, skip=frozenset({"_site"})))
        files = [rel for rel in every if not is_ignored(rel, self.ignores)]
        passthrough = eleventy_passthrough(
            self.config, every, self.input
        )  # .eleventyignore is for templates: copies ignore it
        bundles = {posixpath.dirname(rel) for rel in files if posixpath.basename(rel) == "index.md"}
        for rel in files:
            suffix = posixpath.splitext(rel)[1].lower()
            if rel in passthrough:
                continue
            if (suffix in (".md", ".markdown") and rel.split("/")[-1].upper() != "README.MD") or (
                suffix == ".html" and self._content_html(rel)
            ):
                self._template(
                    rel,
                    bundle=posixpath.dirname(rel)
                    if posixpath.basename(rel) == "index.md" and posixpath.dirname(rel)
                    else None,
                )
            elif suffix in TEMPLATES and not rel.endswith(".11tydata.js"):
                self.plan.leftover(
                    rel, None, "not imported: a template (lists, feeds, layouts); Fireside makes its own"
                )
        self._place(bundles, files)
        for rel, target in sorted(passthrough.items()):
            shared.copy_static(self.plan, self.tree, rel, target)
        if self.tree.is_dir(self.includes):
            self.plan.leftover(
                self.includes + "/",
                None,
                "not imported: the old theme's layouts and includes (Fireside's theme is used)",
            )

    def _content_html(self, rel: str) -> bool:
        """An HTML template that is a post or page (front matter, no loops), not a layout or list."""
        try:
            text = self.tree.read_text(rel)
        except SourceProblem:
            return False
        front = split_front_matter(text)
        return bool(front.format) and not is_template(front.body) and "collections." not in front.body

    def _template(self, rel: str, bundle: str | None) -> None:
        try:
            text = self.tree.read_text(rel)
        except SourceProblem as problem:
            self.plan.leftover(rel, None, f"not imported: {problem}")
            return
        front = split_front_matter(text)
        if front.problem:
            self.plan.leftover(rel, 1, front.problem)
        directory = directory_data(self.tree, rel)
        own = template_data(self.tree, rel)
        meta = {**directory, **own, **front.meta}
        if meta.get("permalink") is False:
            self.plan.leftover(rel, None, "not imported: Eleventy never wrote it (permalink: false)")
            return
        stem_dated = DATED.match(posixpath.splitext(posixpath.basename(rel))[0])
        if meta.get("pagination") or (
            not stem_dated
            and not meta.get("date")
            and (is_template(front.body) or "collections." in front.body)
        ):
            self.plan.leftover(
                rel, None, "not imported: a page that lists posts (Fireside makes its own lists)"
            )
            return
        stem = posixpath.splitext(posixpath.basename(rel))[0]
        inner = rel[len(self.input) + 1 :] if self.input else rel
        folder = posixpath.dirname(inner)
        slug_source = posixpath.basename(folder) if stem == "index" and folder else stem
        dated = DATED.match(slug_source)
        file_slug = dated.group(2) if dated else slug_source
        moment = self._date(meta.get("date"), dated, rel)
        path_stem = "/" + posixpath.splitext(inner)[0]
        page = {
            "fileSlug": file_slug,
            "filePathStem": path_stem,
            "inputPath": "./" + rel,
            "date": moment,
            "url": None,
            "outputFileExtension": "html",
        }
        old = self._permalink(meta, page, rel)
        if old is None and meta.get("permalink"):
            return
        if old is None:
            default = path_stem[: -len("/index")] if path_stem.endswith("/index") else path_stem
            old = site_path(default + "/") if default else None
        tags = [
            t
            for t in frontmatter.text_list(meta.get("tags"))
            if t not in frontmatter.text_list(directory.get("tags")) and t.lower() not in STRUCTURAL_TAGS
        ]
        self.pages.append(
            {
                "rel": rel,
                "inner": inner,
                "bundle": bundle,
                "meta": {**front.meta, **own},
                "all": meta,
                "body": front.body,
                "old": old,
                "moment": moment,
                "stem": slug_source,
                "tags": tags,
                "section": inner.split("/", 1)[0] if "/" in inner else "",
                "page": page,
            }
        )

    def _date(self, value: Any, dated: re.Match[str] | None, rel: str) -> date | datetime | None:
        if isinstance(value, str) and value.strip().lower() in (
            "created",
            "last modified",
            "git last modified",
            "git created",
        ):
            return datetime.fromtimestamp(self.tree.path(rel).stat().st_mtime, self.tz).replace(
                tzinfo=None, microsecond=0
            )
        parsed = frontmatter.parse_date(value) if value is not None else None
        if parsed is None and dated:
            parsed = date.fromisoformat(dated.group(1))
        return parsed

    def _permalink(self, meta: dict[str, Any], page: dict[str, Any], rel: str) -> str | None:
        permalink = meta.get("permalink")
        if not isinstance(permalink, str) or not permalink.strip():
            return None

        def roots(name: str) -> Any:
            if name == "page":
                return page
            if name in meta:
                return meta[name]
            if name in self.data:
                return self.data[name]
            return BuildTime(name) if name in ("collections", "eleventy", "pkg") else Missing()

        filters = {
            "slugify": lambda v, *_: slugify(text_of(v)),
            "slug": lambda v, *_: slugify(text_of(v)),
            "url": lambda v, *_: text_of(v),
            "date": lambda v, fmt="": text_of(v),
        }
        context = liquid.LiquidContext(lambda _: None, lambda _: None, lambda *_: None, roots, filters)
        value, reasons = liquid.convert(permalink, context)
        if reasons:
            self.plan.leftover(
                rel,
                None,
                f"not imported: its permalink {permalink!r} cannot be worked out ({min(reasons.values())})",
            )
            return None
        value = value.strip()
        if not value.endswith(("/", ".html", ".htm")) and "." in value.rsplit("/", 1)[-1]:
            self.plan.leftover(
                rel,
                None,
                f"not imported: it made {value}, not a page (Fireside makes its own feeds and files)",
            )
            return None
        return site_path("/" + value.lstrip("/"))

    def _place(self, bundles: set[str], files: list[str]) -> None:
        dated = Counter(p["section"] for p in self.pages if p["moment"] is not None)
        total = Counter(p["section"] for p in self.pages)
        post_sections = {s for s in total if s and dated[s] * 2 >= total[s] and dated[s]}
        usual = ("_posts", "posts", "post", "blog", "articles", "writing")
        ranked = sorted(post_sections, key=lambda s: (s not in usual, -dated[s], s))
        main = ranked[0] if ranked else None
        for page in self.pages:
            kind = "post" if page["section"] in post_sections else "page"
            group = "" if kind == "page" or page["section"] == main else page["section"].lstrip("_")
            if kind == "post":
                folder = f"content/posts/{group}/" if group else "content/posts/"
                name = page["stem"]
                dest = folder + (f"{name}/index.md" if page["bundle"] else f"{name}.md")
            else:
                where = (page["old"] or page["stem"]).strip("/").removesuffix(".html") or "index-page"
                if not page["old"]:
                    self.plan.leftover(
                        page["rel"],
                        None,
                        "not imported: the old home page (Fireside's home page lists your posts)",
                    )
                    continue
                dest = f"content/pages/{where}/index.md" if page["bundle"] else f"content/pages/{where}.md"
            self._add(kind, shared.unique(dest, self.taken), page, group)

    def _add(self, kind: str, dest: str, page: dict[str, Any], section: str) -> None:
        skip = (
            "permalink",
            "layout",
            "tags",
            "eleventyExcludeFromCollections",
            "eleventyComputed",
            "pagination",
            "templateEngineOverride",
        )
        meta = frontmatter.mapped(page["meta"], site_author=self.plan.settings.author_name, skip=skip)
        if page["tags"]:
            meta["tags"] = page["tags"]
        if page["moment"] is not None and kind == "post":
            meta["date"] = page["moment"]
        elif kind == "page":
            meta.pop("date", None)
        if page["all"].get("draft") is True:
            meta["draft"] = True
        doc = Document(
            kind,
            dest,
            page["rel"],
            meta,
            page["body"],
            page["old"],
            (),
            frontmatter.aware(page["moment"], self.tz),
            section=section,
        )  # type: ignore[arg-type]
        doc.source_meta = page["all"]
        doc.body, doc.reasons = self._convert(page)
        self.plan.documents.append(doc)
        if page["bundle"]:
            for rel in self.tree.files(page["bundle"]):
                name = rel[len(page["bundle"]) + 1 :]
                if name != "index.md" and not name.endswith((".md", ".json", ".11tydata.js")):
                    old = f"{page['old']}{name}" if page["old"] and page["old"].endswith("/") else None
                    self.plan.files.append(
                        CopiedFile(
                            posixpath.dirname(dest) + "/" + name, source=self.tree.path(rel), old_url=old
                        )
                    )

    def _convert(self, page: dict[str, Any]) -> tuple[str, dict[str, str]]:
        meta = page["all"]
        page_values = dict(page["page"], url=self.base_path + (page["old"] or ""))

        def roots(name: str) -> Any:
            if name == "page":
                return page_values
            if name in meta:
                return meta[name]
            if name in self.data:
                return self.data[name]
            return BuildTime(name)

        def include(name: str, relative: bool) -> str | None:
            rel = posixpath.normpath(
                posixpath.join(posixpath.dirname(page["rel"]) if relative else self.includes, name)
            )
            return self.tree.read_text(rel) if self.tree.is_file(rel) else None

        def site_url(value: Any, *_: Any) -> str:
            text = text_of(value)
            return text if "://" in text or not text.startswith("/") else self.base_path + text.lstrip("/")

        filters = {
            "url": site_url,
            "slugify": lambda v, *_: slugify(text_of(v)),
            "slug": lambda v, *_: slugify(text_of(v)),
            "safe": lambda v: v,
            "dump": lambda v: json.dumps(v, default=str),
        }
        context = liquid.LiquidContext(lambda _: None, lambda _: None, include, roots, filters)
        body, reasons = liquid.convert(page["body"], context)
        if page["rel"].endswith((".html", ".htm")):
            body = to_markdown(body)
        return body, reasons
