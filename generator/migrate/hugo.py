"""Hugo: content sections, page bundles, `static/`, permalinks, shortcodes.

A section whose pages are dated is a section of posts: the largest one becomes
content/posts/ itself, the others folders under it (Fireside sections); a section of
undated pages goes under content/pages/. Page bundles stay folders with their files,
`_index.md` settings stay with their section, and every URL is computed as Hugo computes
it (permalinks, `url`, `slug`, `aliases`, `uglyURLs`, dates from file names).
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.migrate import frontmatter, shared, shortcodes, tagpages
from generator.migrate.htmlmd import to_markdown
from generator.migrate.hugosite import HugoSite, date_values, expand, read_config, urlize
from generator.migrate.model import CopiedFile, Document, ImportPlan, SiteSettings
from generator.migrate.redirects import read_redirects
from generator.migrate.sourcetree import SourceProblem, SourceTree, split_front_matter
from generator.migrate.urlplan import site_path

_SECTION_KEYS = ("title", "description", "draft")
_UNSHOWN = "its text is not imported: no list page of Fireside's shows it (the home page lists posts)"

_CONTENT = (".md", ".markdown", ".html", ".htm")
_OTHER_FORMATS = (".org", ".adoc", ".asciidoc", ".rst", ".pandoc", ".pdc", ".ipynb", ".rmd")
_INDEX = re.compile(r"^(_?index)(\.[\w-]+)?\.(md|markdown|html|htm)$")


@dataclass
class _Page:
    rel: str  # in the source
    inner: str  # under the content folder
    section: str  # its top-level folder ("" for the content folder itself)
    bundle: str | None  # the bundle folder (under content) for index files
    meta: dict[str, Any]
    body: str
    html: bool
    moment: Any
    old_url: str | None
    aliases: tuple[str, ...]
    stem: str


def read(source: Path, options: Any) -> ImportPlan:
    tree = SourceTree(source)
    config_name, config = read_config(tree)
    if not config_name and not tree.is_dir("content"):
        raise SourceProblem(f"{source}: no hugo.toml, config.toml or content/ folder: is it a Hugo site?")
    site = HugoSite(tree, config)
    url, placeholder = shared.base_url(config.get("baseurl"))
    params = site.params
    author = params.get("author") or config.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    title = shared.first_text(config.get("title"), "My blog")
    settings = SiteSettings(
        title=title,
        base_url=url,
        author_name=shared.first_text(author, title),
        author_email=shared.first_text(
            params.get("email"),
            (config.get("author") or {}).get("email") if isinstance(config.get("author"), dict) else None,
        ),
        description=shared.first_text(params.get("description"), config.get("description")),
        language=shared.language(config.get("languagecode") or config.get("defaultcontentlanguage")),
        timezone=site.tz.key,
        heading_ids="github",  # goldmark's ids are GitHub's: links to #a-heading keep working
    )
    plan = ImportPlan("hugo", settings)
    if placeholder:
        plan.notes.append(
            f"{config_name or 'the configuration'} has no baseURL: "
            "base_url in site.yaml is a placeholder; set yours"
        )
    if urlsplit(url).hostname:
        plan.hosts.add(urlsplit(url).hostname or "")
    _Reader(site, plan).run()
    plan.redirects = read_redirects(tree)
    feed = "index.xml"
    rss = (
        (config.get("outputformats") or {}).get("rss") or (config.get("outputformats") or {}).get("RSS") or {}
    )
    if isinstance(rss, dict) and rss.get("basename"):
        feed = f"{rss['basename']}.xml"
    elif isinstance(rss, dict) and rss.get("baseName"):
        feed = f"{rss['baseName']}.xml"
    plan.feeds.append(feed)
    tagpages.add(plan, tagpages.hugo(config))
    return plan


class _Reader:
    def __init__(self, site: HugoSite, plan: ImportPlan) -> None:
        self.site = site
        self.plan = plan
        self.pages: list[_Page] = []
        self.sections: dict[str, tuple[dict[str, Any], str]] = {}
        self.bundles: set[str] = set()
        self.taken: set[str] = set()
        self.base_path = urlsplit(plan.settings.base_url).path or "/"

    def run(self) -> None:
        site = self.site
        files = list(site.tree.files(site.content))
        inner_of = {rel: rel[len(site.content) + 1 :] for rel in files}
        for inner in inner_of.values():
            match = _INDEX.match(posixpath.basename(inner))
            if match and match.group(1) == "index":
                self.bundles.add(posixpath.dirname(inner))
        loose: list[tuple[str, str]] = []
        for rel, inner in inner_of.items():
            suffix = posixpath.splitext(inner)[1].lower()
            if suffix in _CONTENT:
                self._content(rel, inner)
            elif suffix in _OTHER_FORMATS:
                self.plan.leftover(rel, None, f"not imported: Fireside reads Markdown, not {suffix} files")
            else:
                loose.append((rel, inner))
        by_group = self._assign()
        for rel, inner in loose:
            self._resource(rel, inner)
        for folder in site.static:
            for rel in site.tree.files(folder):
                shared.copy_static(self.plan, site.tree, rel, rel[len(folder) + 1 :])
        if site.tree.is_dir("assets"):
            self.plan.leftover(
                "assets/", None, "not imported: Hugo's asset pipeline (the old theme's styles and scripts)"
            )
        if site.tree.is_dir("layouts") or site.tree.is_dir("themes"):
            self.plan.leftover(
                "layouts/", None, "not imported: the old theme's templates: Fireside's theme is used"
            )
        del by_group

    # -- reading --------------------------------------------------------------------------

    def _content(self, rel: str, inner: str) -> None:
        name = posixpath.basename(inner)
        stem, suffix = posixpath.splitext(name)
        language = stem.rsplit(".", 1)[1].lower() if "." in stem else ""
        if language in self.site.other_languages:
            self.plan.leftover(
                rel,
                None,
                f"not imported: a translation ({language}); only {self.site.default_language} is imported",
            )
            return
        if language == self.site.default_language:
            stem = stem.rsplit(".", 1)[0]
        folder = posixpath.dirname(inner)
        if stem not in ("index", "_index") and any(
            folder == b or folder.startswith(b + "/") for b in self.bundles
        ):
            self.plan.leftover(rel, None, "not imported: a page inside a page bundle (a resource of it)")
            return
        try:
            text = self.site.tree.read_text(rel)
        except SourceProblem as problem:
            self.plan.leftover(rel, None, f"not imported: {problem}")
            return
        front = split_front_matter(text)
        if front.problem:
            self.plan.leftover(rel, 1, front.problem)
        meta = front.meta
        lowered = {k.lower(): v for k, v in meta.items()}
        if stem == "_index":
            self.sections[folder] = (meta, front.body)
            return
        build = lowered.get("build") or lowered.get("_build") or {}
        if lowered.get("headless") or (
            isinstance(build, dict) and str(build.get("render", "")).lower() in ("never", "false")
        ):
            self.plan.leftover(rel, None, "not imported: a headless page (Hugo never published it)")
            return
        bundle = folder if stem == "index" else None
        base_stem = posixpath.basename(folder) if bundle is not None else stem
        moment, name_slug = self.site.date_of(meta, base_stem, self.site.tree.path(rel).stat().st_mtime)
        section = inner.split("/", 1)[0] if "/" in inner else ""
        old, aliases = self._old_url(meta, lowered, inner, section, bundle, base_stem, moment, name_slug)
        self.pages.append(
            _Page(
                rel,
                inner,
                section,
                bundle,
                meta,
                front.body,
                suffix in (".html", ".htm"),
                moment,
                old,
                aliases,
                base_stem,
            )
        )

    def _old_url(
        self,
        meta: dict[str, Any],
        lowered: dict[str, Any],
        inner: str,
        section: str,
        bundle: str | None,
        stem: str,
        moment: Any,
        name_slug: str | None,
    ) -> tuple[str | None, tuple[str, ...]]:
        site = self.site
        slug = str(lowered.get("slug") or name_slug or "").strip()
        title = str(lowered.get("title") or "")
        parent = posixpath.dirname(bundle if bundle is not None else inner)
        if lowered.get("url"):
            url = str(lowered["url"])
            url = url if url.startswith("/") else "/" + url
        elif section in site.permalinks and section:
            values = {
                "title": urlize(title, lower=site.lower),
                "slug": urlize(slug or title, lower=site.lower),
                "filename": stem,
                "contentbasename": stem,
                "slugorfilename": slug or stem,
                "slugorcontentbasename": slug or stem,
                "section": section,
                "sections": parent,
                **date_values(moment),
            }
            url = expand(site.permalinks[section], values)
            if site.lower:
                url = url.lower()
        else:
            last = urlize(slug or stem, lower=site.lower)
            folder = "/".join(urlize(p, lower=site.lower) for p in parent.split("/") if p)
            url = f"/{folder}/{last}" if folder else f"/{last}"
            url += ".html" if site.is_ugly(section) else "/"
        old = site_path(url)
        aliases = []
        for alias in frontmatter.text_list(lowered.get("aliases")):
            if not alias.startswith("/") and "://" not in alias:
                alias = posixpath.join("/" + posixpath.dirname((old or "").rstrip("/")), alias)
            path = site_path(alias, self.base_path)
            if path:
                aliases.append(path)
        return old, tuple(aliases)

    # -- placing ----------------------------------------------------------------------------

    def _assign(self) -> dict[str, str]:
        """Which sections hold posts, and the one that is content/posts/ itself."""
        dated: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for page in self.pages:
            total[page.section] += 1
            if page.moment is not None:
                dated[page.section] += 1
        post_sections = [s for s in total if s and dated[s] * 2 >= total[s] and dated[s]]
        main_sections = self.site.params.get("mainsections") or self.site.params.get("mainSections") or []
        usual = ("posts", "post", "blog", "articles", "writing")
        ranked = sorted(post_sections, key=lambda s: (s not in main_sections, s not in usual, -dated[s], s))
        main = ranked[0] if ranked else None
        groups = {}
        for page in self.pages:
            if page.section in post_sections:
                groups[page.section] = "" if page.section == main else page.section
                self._add_post(page, groups[page.section])
            else:
                self._add_page(page)
        for folder, (meta, body) in sorted(self.sections.items()):
            section = folder.split("/", 1)[0] if folder else ""
            if folder and folder == section and section in groups and groups[section]:
                settings = {
                    k: v
                    for k, v in frontmatter.mapped(meta).items()
                    if k in ("title", "description", "draft")
                }
                self.plan.sections[section] = (settings, body)
            elif body.strip():
                self.plan.leftover(
                    f"{self.site.content}/{folder}/_index.md".replace("//", "/"),
                    None,
                    _UNSHOWN,
                )
        return groups

    def _mapped(self, page: _Page) -> dict[str, Any]:
        skip = ("url", "layout", "type", "headless", "build", "_build", "weight", "expirydate", "expiryDate")
        meta = frontmatter.mapped(page.meta, site_author=self.plan.settings.author_name, skip=skip)
        expiry = {k.lower(): v for k, v in page.meta.items()}.get("expirydate")
        if expiry is not None:
            meta["expiryDate"] = frontmatter.parse_date(expiry) or expiry
        meta.pop("slug", None)  # the planner gives the slug the old URL needs
        if page.moment is not None:
            meta["date"] = page.moment
        return meta

    def _add_post(self, page: _Page, section: str) -> None:
        folder = f"content/posts/{section}/" if section else "content/posts/"
        name = urlize(page.stem) or "post"
        dest = shared.unique(
            f"{folder}{name}/index.md" if page.bundle is not None else f"{folder}{name}.md", self.taken
        )
        doc = Document(
            "post",
            dest,
            page.rel,
            self._mapped(page),
            page.body,
            page.old_url,
            page.aliases,
            frontmatter.aware(page.moment, self.site.tz),
            section=section,
        )
        self._finish(doc, page)

    def _add_page(self, page: _Page) -> None:
        where = (page.old_url or page.stem).strip("/").removesuffix(".html") or "index-page"
        dest = shared.unique(
            f"content/pages/{where}.md" if page.bundle is None else f"content/pages/{where}/index.md",
            self.taken,
        )
        meta = self._mapped(page)
        meta.pop("date", None) if page.moment is None else None
        self._finish(Document("page", dest, page.rel, meta, page.body, page.old_url, page.aliases), page)

    def _finish(self, doc: Document, page: _Page) -> None:
        doc.source_meta = page.meta
        doc.body, doc.reasons = self._convert(page, doc)
        self.plan.documents.append(doc)
        if page.bundle is not None:
            self._bundle_files(page, doc)

    def _bundle_files(self, page: _Page, doc: Document) -> None:
        folder = f"{self.site.content}/{page.bundle}"
        for rel in self.site.tree.files(folder):
            name = rel[len(folder) + 1 :]
            if _INDEX.match(posixpath.basename(name)) and "/" not in name:
                continue
            if posixpath.splitext(name)[1].lower() in _CONTENT:
                continue
            old = f"{page.old_url}{name}" if page.old_url and page.old_url.endswith("/") else None
            self.plan.files.append(
                CopiedFile(
                    posixpath.dirname(doc.dest) + "/" + name, source=self.site.tree.path(rel), old_url=old
                )
            )

    def _resource(self, rel: str, inner: str) -> None:
        if any(inner.startswith(b + "/") for b in self.bundles if b):
            return  # copied with its bundle
        folder = posixpath.dirname(inner)
        path = "/".join(urlize(p, lower=self.site.lower) for p in folder.split("/") if p)
        shared.copy_static(self.plan, self.site.tree, rel, f"{path}/{posixpath.basename(inner)}".lstrip("/"))

    # -- converting -------------------------------------------------------------------------

    def _convert(self, page: _Page, doc: Document) -> tuple[str, dict[str, str]]:
        by_inner = {p.inner: p for p in self.pages}

        def ref(target: str) -> str | None:
            target = target.strip().strip("/") if target.startswith("/") else target.strip()
            here = posixpath.dirname(page.inner)
            candidates = [target, posixpath.normpath(posixpath.join(here, target))]
            candidates += [
                c + suffix for c in list(candidates) for suffix in (".md", "/index.md", "/_index.md")
            ]
            for candidate in candidates:
                if candidate in by_inner and by_inner[candidate].old_url:
                    return self.base_path + (by_inner[candidate].old_url or "")
            name = posixpath.basename(target).removesuffix(".md")
            named = [p for p in self.pages if p.stem == name and p.old_url]
            if len(named) == 1:
                return self.base_path + (named[0].old_url or "")
            return None

        context = shortcodes.ShortcodeContext(
            ref, self.base_path, self.site.params, self._base_url_shortcodes()
        )
        body, reasons = shortcodes.convert(page.body, context)
        if page.html:
            body = to_markdown(body)
        return body, reasons

    def _base_url_shortcodes(self) -> frozenset[str]:
        names = set()
        for rel in self.site.tree.files("layouts/shortcodes"):
            try:
                text = self.site.tree.read_text(rel)
            except SourceProblem:
                continue
            if re.fullmatch(r"\s*\{\{-?\s*(\.Site\.BaseURL|site\.BaseURL)\s*-?\}\}\s*", text):
                names.add(posixpath.splitext(posixpath.basename(rel))[0])
        return frozenset(names)
