"""How Jekyll names things: its configuration, permalink styles and placeholders, slugs.

URLs are computed as Jekyll computes them (permalink styles and placeholders, front
matter `permalink`, `defaults`, categories from folders and front matter), so each post
answers where Jekyll wrote it.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from generator.migrate import frontmatter, shared
from generator.migrate.htmlmd import to_markdown
from generator.migrate.liquidexpr import BuildTime, Missing
from generator.migrate.model import SiteSettings
from generator.migrate.sourcetree import SourceProblem, SourceTree
from generator.migrate.urlplan import site_path

STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_POST_NAME = re.compile(r"^(\d{2,4}-\d{1,2}-\d{1,2})-(.*)(\.[^.]+)$")
_DEFAULT_EXCLUDE = (
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor",
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "_site",
)
_TEMPLATE_LOGIC = re.compile(
    r"paginator\.|site\.(posts|tags|categories|pages|html_pages|collections|static_files|documents)\b"
)


def slugify(text: str, *, pretty: bool = False, cased: bool = False) -> str:
    """Jekyll's Utils.slugify in its default and "pretty" modes."""
    pattern = r"[^\w._~!$&'()+,;=@]+" if pretty else r"[^\w]+"
    slug = re.sub(pattern, "-", text.replace("_", "-") if not pretty else text).strip("-")
    return slug if cased else slug.lower()


def expand(template: str, values: dict[str, str | None]) -> str:
    """Jekyll's URL#generate_url_from_hash, then its sanitising."""
    result = template
    for key in sorted(values, key=len, reverse=True):
        value = values[key]
        if ":" not in result:
            break
        # A placeholder without a value takes its slash with it.
        result = result.replace(f"/:{key}", "") if value is None else result.replace(f":{key}", value)
    result = re.sub(r"/{2,}", "/", result)
    result = re.sub(r"\.+/", "/", result)
    return "/" + result.lstrip("/")


def output_path(url: str) -> str | None:
    """The site path of the file Jekyll writes for `url` ("/a/" → "a/", "/a" → "a.html")."""
    if url.endswith("/"):
        return site_path(url)
    last = url.rsplit("/", 1)[-1]
    if not last.endswith((".html", ".htm", ".xml", ".json", ".txt")):
        url += ".html"
    return site_path(url)


class JekyllSite:
    """One Jekyll site being read: its configuration, and what the conversion may ask."""

    def __init__(self, tree: SourceTree, config: dict[str, Any], source: str) -> None:
        self.tree = tree
        self.config = config
        self.source = source  # the site's own folder under the tree ("" or "src")
        self.tz = ZoneInfo(shared.timezone(config.get("timezone")))
        permalink = str(config.get("permalink") or "date")
        self.permalink = STYLES.get(permalink.strip(":"), permalink)
        self.excludes = [*(str(e) for e in config.get("exclude") or []), *_DEFAULT_EXCLUDE]
        self.includes = [str(e) for e in config.get("include") or []]
        collections = config.get("collections") or {}
        if isinstance(collections, list):
            collections = {str(name): {} for name in collections}
        self.collections = {str(k): (v if isinstance(v, dict) else {}) for k, v in collections.items()}
        self.collections_dir = str(config.get("collections_dir") or "").strip("/")
        self.includes_dir = str(config.get("includes_dir") or "_includes").strip("/")
        self._data: dict[str, Any] | None = None
        self.markdown_ext = tuple(
            "." + e.strip()
            for e in str(config.get("markdown_ext") or "markdown,mkdown,mkdn,mkd,md").split(",")
        )

    def data(self) -> dict[str, Any]:
        """`site.data`: the files of `_data/` by their names, read once."""
        if self._data is None:
            self._data = {}
            folder = posixpath.join(self.source, str(self.config.get("data_dir") or "_data")).strip("/")
            for rel in self.tree.files(folder):
                stem, suffix = posixpath.splitext(rel[len(folder) + 1 :])
                if suffix not in (".yml", ".yaml", ".json"):
                    continue
                try:
                    text = self.tree.read_text(rel)
                    value = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
                except (SourceProblem, ValueError, yaml.YAMLError):
                    continue  # a data file is lists as often as mappings
                target = self._data
                *folders, name = stem.split("/")
                for part in folders:
                    target = target.setdefault(part, {})
                target[name] = value
        return self._data

    def rel(self, path: str) -> str:
        """A path relative to the site's own folder."""
        return path[len(self.source) + 1 :] if self.source else path

    def excluded(self, rel: str) -> bool:
        parts = rel.split("/")
        if any(fnmatch.fnmatch(rel, i.strip("/")) or parts[0] == i.strip("/") for i in self.includes):
            return False
        for pattern in self.excludes:
            pattern = pattern.strip("/")
            if (
                fnmatch.fnmatch(rel, pattern)
                or rel.startswith(pattern + "/")
                or fnmatch.fnmatch(parts[0], pattern)
            ):
                return True
        return any(p.startswith((".", "#", "~")) or p.endswith("~") for p in parts)

    def defaults(self, rel: str, kind: str) -> dict[str, Any]:
        merged: dict[str, Any] = {}
        for entry in self.config.get("defaults") or []:
            if not isinstance(entry, dict) or not isinstance(entry.get("values"), dict):
                continue
            scope = entry.get("scope") or {}
            path = str(scope.get("path") or "").strip("/")
            wanted = scope.get("type")
            if wanted and wanted != kind:
                continue
            if path and not (rel == path or rel.startswith(path + "/") or fnmatch.fnmatch(rel, path)):
                continue
            merged.update(entry["values"])
        return merged


def post_date(meta: dict[str, Any], name_date: str, tz: ZoneInfo) -> datetime | date | None:
    parsed = frontmatter.parse_date(meta.get("date")) if meta.get("date") is not None else None
    if parsed is not None:
        return parsed
    year, month, day = (int(p) for p in name_date.split("-"))
    try:
        return date(year if year > 99 else 2000 + year, month, day)
    except ValueError:
        return None


def url_values(
    moment: datetime | date, slug: str, categories: list[str], output_ext: str
) -> dict[str, str | None]:
    """Jekyll's placeholders for a post; the date as written, its zone kept (see docs/migrating.md)."""
    when = moment if isinstance(moment, datetime) else datetime.combine(moment, time())
    return {
        "year": f"{when:%Y}",
        "month": f"{when:%m}",
        "day": f"{when:%d}",
        "i_month": str(when.month),
        "i_day": str(when.day),
        "short_year": f"{when:%y}",
        "y_day": f"{when:%j}",
        "hour": f"{when:%H}",
        "minute": f"{when:%M}",
        "second": f"{when:%S}",
        "short_month": f"{when:%b}",
        "long_month": f"{when:%B}",
        "week": f"{when:%V}",
        "short_day": f"{when:%a}",
        "long_day": f"{when:%A}",
        "title": slugify(slug, pretty=True, cased=True),
        "slug": slugify(slug),
        "name": slugify(slug),
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)) or "",
        "output_ext": output_ext,
    }


_SITE_AT_BUILD = (
    "posts",
    "pages",
    "tags",
    "categories",
    "collections",
    "static_files",
    "html_pages",
    "documents",
    "time",
    "related_posts",
    "html_files",
)
_PAGE_AT_BUILD = ("content", "excerpt", "next", "previous", "output", "id")


def liquid_roots(
    site: JekyllSite, meta: dict[str, Any], old_url: str | None, base_path: str
) -> Callable[[str], Any]:
    """Liquid's top-level names for one document, answered from the source."""
    site_values: dict[str, Any] = dict(site.config)
    site_values.update({key: BuildTime(f"site.{key}") for key in _SITE_AT_BUILD})
    site_values["url"] = ""
    site_values["baseurl"] = base_path.rstrip("/")
    site_values["data"] = site.data()
    page_values: dict[str, Any] = dict(meta)
    page_values.update({key: BuildTime(f"page.{key}") for key in _PAGE_AT_BUILD})
    page_values["url"] = base_path + (old_url or "")

    def root(name: str) -> Any:
        if name == "site":
            return site_values
        if name == "page":
            return page_values
        if name in ("paginator", "jekyll", "layout", "content", "post"):
            return BuildTime(name)
        return Missing()

    return root


def body_markdown(text: str, suffix: str) -> str:
    """A body in Markdown: HTML posts are converted, Markdown ones kept."""
    if suffix in (".html", ".htm"):
        return to_markdown(text)
    return text


def is_template(text: str) -> bool:
    return bool(_TEMPLATE_LOGIC.search(text))


def categories(meta: dict[str, Any], from_path: list[str]) -> list[str]:
    cats = list(from_path)
    cats += (
        frontmatter.text_list(meta.get("categories"))
        if not isinstance(meta.get("categories"), str)
        else meta["categories"].split()
    )
    cats += frontmatter.text_list(meta.get("category")) if meta.get("category") else []
    return list(dict.fromkeys(cats))


def site_folder(tree: SourceTree, config: dict[str, Any]) -> str:
    configured = str(config.get("source") or "").strip("/")
    for candidate in (configured, posixpath.basename(configured)):
        if candidate and candidate != "." and tree.is_dir(candidate):
            return candidate
    return ""


def site_settings(config: dict[str, Any], site: JekyllSite) -> tuple[SiteSettings, bool]:
    author = config.get("author")
    name = author.get("name") if isinstance(author, dict) else author
    email = (author.get("email") if isinstance(author, dict) else None) or config.get("email")
    url, placeholder = shared.base_url(config.get("url"), config.get("baseurl"))
    title = shared.first_text(config.get("title"), config.get("name"), "My blog")
    settings = SiteSettings(
        title=title,
        base_url=url,
        author_name=shared.first_text(name, title),
        author_email=str(email or ""),
        description=shared.first_text(config.get("description")),
        language=shared.language(config.get("lang") or config.get("locale")),
        timezone=site.tz.key,
        heading_ids="github",  # kramdown's ids, as GitHub's: links to #a-heading keep working
    )
    return settings, placeholder
