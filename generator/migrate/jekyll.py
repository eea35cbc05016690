"""Jekyll: `_posts/`, `_drafts/`, collections, pages and static files, as Jekyll reads them.

Posts keep their `YYYY-MM-DD-name.md` file names under content/posts/ (folders inside
`_posts` are flattened: in Fireside a folder there is a section). Pages keep their folders
under content/pages/. Files without front matter are static files, copied to the same
place under content/static/. The old theme (`_layouts`, `_includes`, `_sass`) is not
imported: Fireside's theme is used, and the report says so.

The site's settings, feeds and redirects are read here, its files in jekyllfiles.py; then
each document's Liquid is done here, with links to the addresses the old site had.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from generator.migrate import liquid, tagpages
from generator.migrate.jekyllfiles import HTML_MARK, JekyllReader
from generator.migrate.jekyllsite import (
    JekyllSite,
    body_markdown,
    liquid_roots,
    site_folder,
    site_settings,
)
from generator.migrate.model import Document, ImportPlan
from generator.migrate.redirects import HOST_FILES, read_redirects
from generator.migrate.sourcetree import SourceTree
from generator.migrate.urlplan import site_path


def read(source: Path, options: Any) -> ImportPlan:
    tree = SourceTree(source)
    found = tree.config("_config.yml", "_config.yaml", "_config.toml")
    config = found[1] if found else {}
    site = JekyllSite(tree, config, site_folder(tree, config))
    settings, placeholder = site_settings(config, site)
    plan = ImportPlan("jekyll", settings)
    if placeholder:
        plan.notes.append("_config.yml has no `url`: base_url in site.yaml is a placeholder; set yours")
    host = re.sub(r"^https?://", "", str(config.get("url") or "")).split("/")[0]
    if host:
        plan.hosts.add(host)
    reader = JekyllReader(site, plan)
    reader.run()
    for doc in plan.documents:
        _convert(doc, reader)
    plan.redirects = read_redirects(
        tree, [posixpath.join(site.source, name) for name in HOST_FILES] + list(HOST_FILES)
    )
    plugins = [str(p) for p in config.get("plugins") or config.get("gems") or []]
    if "jekyll-feed" in plugins:
        feed = config.get("feed") if isinstance(config.get("feed"), dict) else {}
        feed_path = site_path(str(feed.get("path") or "feed.xml"), urlsplit(settings.base_url).path or "/")
        if feed_path and feed_path not in plan.feeds:
            plan.feeds.append(feed_path)
    tagpages.add(plan, tagpages.jekyll(config))
    return plan


def _convert(doc: Document, reader: JekyllReader) -> None:
    """The document's body with its Liquid done (links to the old site's addresses), as Markdown."""
    base_path = urlsplit(reader.plan.settings.base_url).path or "/"

    def old_link(target: Document | None) -> str | None:
        if target is None or target.old_url is None:
            return None
        return base_path + target.old_url

    def post_url(name: str) -> str | None:
        return old_link(reader.by_name.get(name) or reader.by_name.get(posixpath.basename(name)))

    def link(path: str) -> str | None:
        path = path.strip().lstrip("/")
        if path in reader.static_urls:
            return base_path + reader.static_urls[path]
        return old_link(reader.by_path.get(path))

    def include(name: str, relative: bool) -> str | None:
        local_dir = posixpath.dirname(reader.site.rel(doc.source)) if relative else reader.site.includes_dir
        rel = posixpath.normpath(posixpath.join(reader.site.source, local_dir, name))
        if rel.startswith("..") or not reader.site.tree.is_file(rel):
            return None
        try:
            return reader.site.tree.read_text(rel)
        except Exception:
            return None

    roots = liquid_roots(reader.site, doc.source_meta, doc.old_url, base_path)

    def site_url(value: Any, *_: Any) -> str:
        text = liquid.text_of(value)
        return text if "://" in text else base_path + text.lstrip("/")

    filters = {"relative_url": site_url, "absolute_url": site_url}
    context = liquid.LiquidContext(post_url, link, include, roots, filters)
    is_html = doc.body.startswith(HTML_MARK)
    body, reasons = liquid.convert(doc.body.removeprefix(HTML_MARK), context)
    if is_html:
        body = body_markdown(body, ".html")
    separator = reader.site.config.get("excerpt_separator")
    if isinstance(separator, str) and separator.strip() and separator not in ("\n\n", "<!--more-->"):
        body = body.replace(separator, "<!-- more -->", 1)
    doc.body = body
    doc.reasons = reasons
