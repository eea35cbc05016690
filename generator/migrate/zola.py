"""Zola: sections and their `_index.md`, colocated assets, `static/`, `@/` links, shortcodes.

URLs are Zola's: a page's section folders, then its slug (its `slug`, else its file or
folder name without a date, slugified as `slugify.paths` says), or its `path`. Pages of
dated sections become posts (sections named after years join content/posts/ itself),
other pages go under content/pages/.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from generator.migrate import frontmatter, shared, shortcodes, tagpages
from generator.migrate.model import CopiedFile, Document, ImportPlan, SiteSettings
from generator.migrate.redirects import read_redirects
from generator.migrate.sourcetree import SourceProblem, SourceTree, split_front_matter
from generator.migrate.urlplan import site_path

_SECTION_KEYS = ("title", "description", "draft")
_UNSHOWN = "its text is not imported: no list page of Fireside's shows it (the home page lists posts)"

_DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:T[\d:]+(?:Z|[+-]\d{2}:?\d{2})?)?[-_](.+)$")
_INLINE = re.compile(r"\{\{\s*([\w-]+)\((.*?)\)\s*\}\}", re.DOTALL)
_BLOCK = re.compile(r"\{%\s*([\w-]+)\((.*?)\)\s*%\}(.*?)\{%\s*end\s*%\}", re.DOTALL)
_ESCAPED = re.compile(r"\{([{%])/\*(.*?)\*/([}%])\}", re.DOTALL)
_ZOLA_ARG = re.compile(r"""([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|'[^']*'|`[^`]*`|\[[^\]]*\]|[^,\s)]+)""")
_INTERNAL = re.compile(r"@/([^)\s\"'#>]+\.md)(#[\w-]*)?")


def zola_slug(text: str, mode: str = "on") -> str:
    """Zola's slugify: "on" transliterates to ASCII, lower-cases and joins words with hyphens."""
    if mode == "off":
        return text
    if mode == "safe":
        return re.sub(r'[<>:"/\\|?*#\s]+', "-", text).strip("-")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def read(source: Path, options: Any) -> ImportPlan:
    tree = SourceTree(source)
    found = tree.config("config.toml", "zola.toml")
    if found is None:
        raise SourceProblem(f"{source}: no config.toml: is it a Zola site?")
    config = found[1]
    extra = config.get("extra") if isinstance(config.get("extra"), dict) else {}
    url, placeholder = shared.base_url(config.get("base_url"))
    title = shared.first_text(config.get("title"), "My blog")
    author = shared.first_text(config.get("author"), extra.get("author"), title)
    email = ""
    if match := re.match(r"^\s*(\S+@\S+)\s*\((.+)\)\s*$", author):  # RSS style: "me@x.org (Name)"
        email, author = match.group(1), match.group(2)
    settings = SiteSettings(
        title=title,
        base_url=url,
        author_name=author,
        author_email=email or shared.first_text(extra.get("email")),
        description=shared.first_text(config.get("description")),
        language=shared.language(config.get("default_language")),
        timezone="UTC",
    )
    plan = ImportPlan("zola", settings)
    if placeholder:
        plan.notes.append("config.toml has no base_url: base_url in site.yaml is a placeholder; set yours")
    plan.hosts.add(urlsplit(url).hostname or "")
    slugify = config.get("slugify") if isinstance(config.get("slugify"), dict) else {}
    _Reader(tree, plan, str(slugify.get("paths") or "on")).run()
    plan.redirects = read_redirects(tree)
    feeds = config.get("feed_filenames") or [config.get("feed_filename") or "atom.xml"]
    plan.feeds.extend(str(f) for f in feeds if str(f) != "atom.xml")
    tagpages.add(plan, tagpages.zola(config))
    return plan


class _Reader:
    def __init__(self, tree: SourceTree, plan: ImportPlan, slug_mode: str) -> None:
        self.tree = tree
        self.plan = plan
        self.slug_mode = slug_mode
        self.tz = ZoneInfo("UTC")
        self.base_path = urlsplit(plan.settings.base_url).path or "/"
        self.taken: set[str] = set()
        self.pages: list[dict[str, Any]] = []
        self.by_inner: dict[str, dict[str, Any]] = {}
        self.sections: dict[str, tuple[dict[str, Any], str]] = {}
        self._placed: dict[str, Document] = {}  # a post folder (under content/) → its document

    def run(self) -> None:
        files = [rel[len("content/") :] for rel in self.tree.files("content")]
        bundles = {posixpath.dirname(f) for f in files if posixpath.basename(f) == "index.md"}
        loose = []
        for inner in files:
            name = posixpath.basename(inner)
            folder = posixpath.dirname(inner)
            if name == "_index.md":
                self._section(inner)
            elif name.endswith(".md") and (name == "index.md" or folder not in bundles):
                self._page(inner, bundle=folder if name == "index.md" else None)
            elif name.endswith(".md") and folder in bundles:
                self._page(inner, bundle=None, beside=folder)  # Zola publishes it: page2.md at .../page2/
            elif not any(inner.startswith(b + "/") for b in bundles if b):
                loose.append(inner)
        self._place()
        for inner in loose:
            shared.copy_static(self.plan, self.tree, f"content/{inner}", inner)
        for rel in self.tree.files("static"):
            shared.copy_static(self.plan, self.tree, rel, rel[len("static/") :])
        for folder in ("templates", "sass", "themes"):
            if self.tree.is_dir(folder):
                self.plan.leftover(
                    folder + "/", None, "not imported: the old theme (Fireside's theme is used)"
                )

    def _section(self, inner: str) -> None:
        front = split_front_matter(self.tree.read_text(f"content/{inner}"))
        self.sections[posixpath.dirname(inner)] = (front.meta, front.body)

    def _page(self, inner: str, bundle: str | None, beside: str | None = None) -> None:
        rel = f"content/{inner}"
        try:
            front = split_front_matter(self.tree.read_text(rel))
        except SourceProblem as problem:
            self.plan.leftover(rel, None, f"not imported: {problem}")
            return
        if front.problem:
            self.plan.leftover(rel, 1, front.problem)
        meta = front.meta
        stem = (
            posixpath.basename(bundle)
            if bundle is not None
            else posixpath.splitext(posixpath.basename(inner))[0]
        )
        folder = posixpath.dirname(bundle if bundle is not None else inner)
        moment = frontmatter.parse_date(meta.get("date")) if meta.get("date") is not None else None
        dated = _DATED.match(stem)
        name = dated.group(2) if dated else stem
        if dated and moment is None:
            moment = date.fromisoformat(dated.group(1))
        if meta.get("path"):
            old = site_path("/" + str(meta["path"]).strip("/") + "/")
        else:
            slug = zola_slug(str(meta.get("slug") or name), self.slug_mode)
            old = site_path(f"/{folder}/{slug}/" if folder else f"/{slug}/")
        aliases = tuple(
            a for a in (site_path(str(x), self.base_path) for x in meta.get("aliases") or []) if a
        )
        page = {
            "rel": rel,
            "inner": inner,
            "bundle": bundle,
            "meta": meta,
            "body": front.body,
            "stem": stem,
            "moment": moment,
            "old": old,
            "aliases": aliases,
            "section": folder.split("/")[0] if folder else "",
            "beside": beside,
        }
        self.pages.append(page)
        self.by_inner[inner] = page

    def _place(self) -> None:
        dated: Counter[str] = Counter(p["section"] for p in self.pages if p["moment"] is not None)
        total: Counter[str] = Counter(p["section"] for p in self.pages)
        post_sections = {s for s in total if s and dated[s] * 2 >= total[s] and dated[s]}
        year_like = {s for s in post_sections if re.fullmatch(r"\d{4}", s)}
        others = sorted(post_sections - year_like, key=lambda s: (-dated[s], s))
        main = None if year_like else (others[0] if others else None)
        for folder, (meta, body) in sorted(self.sections.items()):
            if folder in post_sections and folder not in year_like and folder != main:
                settings = {
                    k: v
                    for k, v in frontmatter.mapped(meta).items()
                    if k in ("title", "description", "draft")
                }
                self.plan.sections[folder] = (settings, body)
            elif body.strip():
                self.plan.leftover(f"content/{folder}/_index.md".replace("//", "/"), None, _UNSHOWN)
        for page in sorted(self.pages, key=lambda p: p["beside"] is not None):
            owner = self._placed.get(page["beside"]) if page["beside"] else None
            if owner is not None:  # beside its folder's own page, in that folder (a section to Fireside)
                folder = posixpath.dirname(owner.dest)
                section = folder.removeprefix("content/posts/") if owner.kind == "post" else ""
                self._add(owner.kind, shared.unique(f"{folder}/{page['stem']}.md", self.taken), page, section)
                continue
            section = page["section"]
            if section in post_sections:
                group = "" if section in year_like or section == main else section
                folder = f"content/posts/{group}/" if group else "content/posts/"
                name = page["stem"]
                dest = folder + (f"{name}/index.md" if page["bundle"] is not None else f"{name}.md")
                self._add("post", shared.unique(dest, self.taken), page, group)
            else:
                where = (page["old"] or page["stem"]).strip("/") or "index-page"
                dest = (
                    f"content/pages/{where}/index.md"
                    if page["bundle"] is not None
                    else f"content/pages/{where}.md"
                )
                self._add("page", shared.unique(dest, self.taken), page, "")

    def _add(self, kind: str, dest: str, page: dict[str, Any], section: str) -> None:
        skip = ("path", "template", "weight", "in_search_index", "render", "sort_by", "paginate_by")
        meta = frontmatter.mapped(page["meta"], site_author=self.plan.settings.author_name, skip=skip)
        meta.pop("slug", None)
        if page["moment"] is not None and kind == "post":
            meta["date"] = page["moment"]
        doc = Document(
            kind,
            dest,
            page["rel"],
            meta,
            page["body"],
            page["old"],
            page["aliases"],  # type: ignore[arg-type]
            frontmatter.aware(page["moment"], self.tz),
            section=section,
        )
        doc.source_meta = page["meta"]
        doc.body, doc.reasons = self._convert(page, doc)
        self.plan.documents.append(doc)
        if page["bundle"] is not None:
            self._placed[page["bundle"]] = doc
        if page["bundle"] is not None:
            folder = f"content/{page['bundle']}"
            for rel in self.tree.files(folder):
                name = rel[len(folder) + 1 :]
                if name.endswith(".md"):
                    if "/" in name:  # deeper than the folder itself: Zola never published it
                        self.plan.leftover(rel, None, "not imported: Markdown below a post's folder")
                elif name != "index.md":
                    old = f"{page['old']}{name}" if page["old"] else None
                    self.plan.files.append(
                        CopiedFile(
                            posixpath.dirname(dest) + "/" + name, source=self.tree.path(rel), old_url=old
                        )
                    )

    def _convert(self, page: dict[str, Any], doc: Document) -> tuple[str, dict[str, str]]:
        def internal(match: re.Match[str]) -> str:
            target = self.by_inner.get(match.group(1))
            if target is None or not target["old"]:
                return match.group(0)
            return self.base_path + target["old"] + (match.group(2) or "")

        body = _INTERNAL.sub(internal, page["body"])
        return convert_shortcodes(body, shortcodes.ShortcodeContext(lambda _: None, self.base_path))


def _arguments(text: str) -> dict[str, str]:
    named = {}
    for key, value in _ZOLA_ARG.findall(text):
        named[key] = value[1:-1] if value[:1] in "\"'`" else value
    return named


def convert_shortcodes(body: str, context: shortcodes.ShortcodeContext) -> tuple[str, dict[str, str]]:
    """Zola's `{{ name(args) }}` and `{% name(args) %}body{% end %}`, converted where they mean something."""
    reasons: dict[str, str] = {}

    def block(match: re.Match[str]) -> str:
        call = shortcodes.Call(match.group(1), [], _arguments(match.group(2)), match.group(3), match.group(0))
        converted = shortcodes.convert_call(call, context)
        if converted is None:
            reasons[match.group(0).split("%}", 1)[0].strip() + "%}"] = _why(call.name)
        return match.group(0) if converted is None else converted

    def inline(match: re.Match[str]) -> str:
        call = shortcodes.Call(match.group(1), [], _arguments(match.group(2)), None, match.group(0))
        if call.name == "streamable":
            return f"[Watch on Streamable](https://streamable.com/{call.named.get('id', '')})"
        if call.name == "gist" and call.named.get("url"):
            return f"[View the gist]({call.named['url']})"
        converted = shortcodes.convert_call(call, context)
        if converted is None:
            reasons[match.group(0).strip()] = _why(call.name)
        return match.group(0) if converted is None else converted

    escaped: list[str] = []

    def keep(match: re.Match[str]) -> str:
        escaped.append("{" + match.group(1) + match.group(2) + match.group(3) + "}")
        return f"\x00zs{len(escaped) - 1}\x00"

    body = _ESCAPED.sub(keep, body)
    body = _BLOCK.sub(block, body)
    body = _INLINE.sub(inline, body)
    from generator.migrate.mdtext import restore_raw

    return restore_raw(
        re.sub("\x00zs(\\d+)\x00", lambda m: f"\x00raw{m.group(1)}\x00", body), escaped
    ), reasons


def _why(name: str) -> str:
    return f"the site's own shortcode {name!r} is a template that cannot be run here"
