"""Where the old site's tag and category pages were, as site.yaml's `tag_aliases` patterns.

Fireside's tag pages are at `/tags/<slug>/` and categories are tags; each generator put
its lists elsewhere (Pelican `/tag/x.html`, jekyll-archives `/tag/x/`, Hugo and Zola
`/categories/x/`). Read from the old settings only where they tell: a site that made its
tag pages with its own templates (most Eleventy sites) is not guessed at.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from generator.migrate.model import ImportPlan
from generator.site.permalinks import tag_alias_path, tag_alias_problem
from generator.site.slugs import slugify
from generator.site.urls import tag_path


def add(plan: ImportPlan, patterns: Iterable[str]) -> None:
    """Keep the patterns Fireside can answer (not its own /tags/:slug/), once each."""
    for pattern in patterns:
        if tag_alias_problem(pattern) is None and pattern not in plan.tag_aliases:
            plan.tag_aliases.append(pattern)


def drop_taken(plan: ImportPlan, taken: Mapping[str, str]) -> None:
    """Leave out a pattern that would put a tag's redirect where an imported document is
    (`taken`: site path → its file): the build would refuse the two, so the note says which."""
    for pattern in list(plan.tag_aliases):
        paths = (tag_alias_path(pattern, slug) for slug in [*_slugs(plan), *_old_slugs(plan)])
        clash = next((path for path in paths if path in taken), None)
        if clash is not None:
            plan.tag_aliases.remove(pattern)
            plan.notes.append(
                f"tag_aliases: the old tag pages' address {pattern} is left out: "
                f"/{clash} is {taken[clash]} now"
            )


def old_tag_pages(plan: ImportPlan) -> dict[str, str]:
    """Every old address of an imported tag's page → its new site path, for links in posts."""
    slugs = {slug: slug for slug in _slugs(plan)} | _old_slugs(plan)
    return {tag_alias_path(p, old): tag_path(new) for p in plan.tag_aliases for old, new in slugs.items()}


def record_old_slugs(plan: ImportPlan, named: Iterable[tuple[str, str]]) -> None:
    """Keep each (tag name, the old site's slug for it) whose slug Fireside makes otherwise
    (`python3.5`: Pelican's `python35`, Fireside's `python3-5`), so its old address answers."""
    for name, old in named:
        new = slugify(name)
        if old and new and old != new and old not in plan.tag_old_slugs:
            plan.tag_old_slugs[old] = new


def _slugs(plan: ImportPlan) -> list[str]:
    """The imported tags' slugs, as the build will make them (categories are tags)."""
    return sorted({slugify(str(name)) for doc in plan.documents for name in doc.meta.get("tags") or ()})


def kept_old_slugs(plan: ImportPlan) -> dict[str, str]:
    """What site.yaml's `tag_old_slugs` gets: old slugs of tags the site has, when their old
    addresses are answered at all (`tag_aliases`)."""
    return _old_slugs(plan) if plan.tag_aliases else {}


def _old_slugs(plan: ImportPlan) -> dict[str, str]:
    """The old slugs of imported tags that the built site has (old → new); not one that is
    another tag's slug here (its redirect would take that tag's place under the pattern)."""
    present = set(_slugs(plan))
    return {old: new for old, new in plan.tag_old_slugs.items() if new in present and old not in present}


def pelican(settings: Mapping[str, Any]) -> list[str]:
    """From `TAG_SAVE_AS`/`CATEGORY_SAVE_AS` (where the files were; an empty one made none)."""
    found = []
    for kind in ("TAG", "CATEGORY"):
        saved = settings.get(f"{kind}_SAVE_AS", f"{kind.lower()}/{{slug}}.html")
        if not isinstance(saved, str) or not saved:
            continue
        if re.sub(r"\{slug\}", "", saved).count("{"):
            continue  # another placeholder ({lang}): not one pattern for every tag
        pattern = "/" + saved.lstrip("/").replace("{slug}", ":slug")
        found.append(pattern.removesuffix("index.html") if pattern.endswith("/index.html") else pattern)
    return found


def jekyll(config: Mapping[str, Any]) -> list[str]:
    """jekyll-archives' `permalinks` for tags and categories, where the plugin makes those pages."""
    plugins = [str(p) for p in config.get("plugins") or config.get("gems") or []]
    archives = config.get("jekyll-archives")
    if "jekyll-archives" not in plugins or not isinstance(archives, dict):
        return []
    enabled = archives.get("enabled") or []
    enabled = ["tags", "categories"] if enabled in ("all", ["all"]) else [str(e) for e in enabled]
    links = archives.get("permalinks") if isinstance(archives.get("permalinks"), dict) else {}
    found = []
    for kind, plural in (("tag", "tags"), ("category", "categories")):
        if plural in enabled:
            pattern = str(links.get(kind) or f"/{kind}/:name/")
            found.append("/" + pattern.lstrip("/").replace(":name", ":slug"))
    return found


def hugo(config: Mapping[str, Any]) -> list[str]:
    """Hugo's term pages of `tags` and `categories` (the taxonomies Fireside reads): at
    `/<plural>/<term>/`, or `.html` with `uglyURLs`."""
    disabled = {str(kind).lower() for kind in config.get("disablekinds") or []}
    if disabled & {"term", "taxonomy"}:
        return []
    taxonomies = config.get("taxonomies")
    plurals = (
        [str(v) for v in taxonomies.values()] if isinstance(taxonomies, dict) else ["tags", "categories"]
    )
    ugly = config.get("uglyurls") is True
    return [
        f"/{plural.lower()}/:slug.html" if ugly else f"/{plural.lower()}/:slug/"
        for plural in plurals
        if plural.lower() in ("tags", "categories", "tag", "category")
    ]


def zola(config: Mapping[str, Any]) -> list[str]:
    """Zola's term pages, `/<taxonomy>/<term>/`, for each taxonomy that rendered them."""
    found = []
    default_language = config.get("default_language", "en")
    for taxonomy in config.get("taxonomies") or []:
        if not isinstance(taxonomy, dict) or not taxonomy.get("name") or taxonomy.get("render") is False:
            continue
        if taxonomy.get("lang", default_language) == default_language:  # other languages: not imported
            found.append(f"/{slugify(str(taxonomy['name']))}/:slug/")
    return found


def wordpress(post_links: Iterable[str]) -> list[str]:
    """WordPress's tag and category archives, `/tag/<slug>/` and `/category/<slug>/`, where
    its posts had "pretty" permalinks (an address without `?p=`): with plain ones, the
    archives were `?tag=` queries, which no static page answers. A tag or category base
    changed in WordPress's settings is not in the export, so the defaults are assumed."""
    links = [link for link in post_links if link]
    if not links or any("?" in link for link in links):
        return []
    return ["/tag/:slug/", "/category/:slug/"]
