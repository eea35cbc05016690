"""The preview's rebuild for the commonest save: only the text of some posts changed.

While an author writes, almost every save changes one essay's body and nothing else: no
title, date, tag or slug, no file added or removed. Then the site keeps its shape, and
what can differ is known exactly: that post's own page and the feeds that carry its text
(lists and neighbour links show cards, which are checked to be unchanged). `replan` makes
just those against the previous build's state, in a few milliseconds at any site size.

Anything else, or any doubt, answers None and the preview does a whole build instead:
a path that is not an existing published Markdown source, changed front matter or card, an
error or warning, a theme whose lists read bodies, or a post whose date has come since.
`tests/test_body_edits.py` compares the result with a clean build byte for byte.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from generator.build.compose import DocumentComposer
from generator.build.docrender import missing_files
from generator.build.documents import DocumentMeta, ReadSettings, read_meta
from generator.build.library import neighbours_at, tag_listings
from generator.build.output.cache import BuildCache
from generator.build.output.outputs import OutputMaker
from generator.build.output.writer import Kept, OutputPlan
from generator.build.pages import SitePages
from generator.build.pipeline import PlannedSite, without_cycle_collection
from generator.build.reading import source_key
from generator.build.sources import MARKDOWN_SUFFIXES, read_source
from generator.site.errors import ErrorCollector
from generator.site.model import Post

log = logging.getLogger(__name__)


def replan(previous: PlannedSite, changed: Sequence[str], now: datetime | None = None) -> PlannedSite | None:
    """The previous site with the edited posts' texts rendered again, or None if the edit is more."""
    with without_cycle_collection():
        return _replan(previous, changed, now)


def _replan(previous: PlannedSite, changed: Sequence[str], now: datetime | None) -> PlannedSite | None:
    started = time.perf_counter()
    state = previous.state
    if state is None or not changed or state.list_reads:
        return None
    build = state.build
    moment = build.options.now or now or datetime.now(UTC)
    if not build.options.drafts and state.next_future is not None and state.next_future <= moment:
        return None  # a post's date has come: it joins the site
    if any(not (rel.startswith("content/") and rel.endswith(MARKDOWN_SUFFIXES)) for rel in changed):
        return None
    errors = ErrorCollector()
    next_cache = _copy(previous.next_cache)
    edited: dict[str, DocumentMeta] = {}  # source path → its metadata now
    for rel in changed:
        path = str(build.layout.root / rel)  # as the build discovered it
        before = state.metas.get(path)
        # The build's own clock decides, as it did: no date has come since (checked above).
        if before is None or not build.is_published(before):
            return None  # a new file, or one that is not on the site
        after = _reread(path, before, build.read_settings, next_cache, errors)
        if after is None:
            return None
        edited[path] = after
    composer = DocumentComposer(
        markdown=build.markdown,
        urls=build.urls,
        language=build.config.language,
        template_exists=build.renderer.exists,
        errors=errors,
        cache=previous.next_cache,
        next_cache=next_cache,
        site_author=build.site_author,
    )
    posts = list(state.posts)
    fingerprints = dict(state.fingerprints)
    index_of = {post.path: index for index, post in enumerate(posts)}
    renewed: list[Post] = []
    for path, after in edited.items():
        # Its last render's code blocks are reused (found by its metadata then, not searched for).
        composed = composer.compose_one(after, state.files, state.tags, state.environment, state.metas[path])
        if composed is None or errors.errors or errors.warnings:
            return None
        doc, prints = composed
        index = index_of.get(doc.path)
        if not isinstance(doc, Post) or index is None or prints.card != fingerprints[doc.path].card:
            return None  # a page, or a change that lists show: the whole build decides
        posts[index] = doc
        fingerprints[doc.path] = prints
        renewed.append(doc)
    plan = _kept_plan(previous)
    maker = OutputMaker(
        plan,
        errors,
        previous.next_cache.outputs,
        previous.next_cache.ledgers.get(str(previous.output_dir), {}),
        previous.output_dir,
        build.global_key,
        trust_ledger=build.options.private_output,
        replacing=True,
    )
    maker.recorded = dict(previous.next_cache.outputs)
    site_pages = SitePages(
        maker,
        build.renderer,
        build.config,
        build.urls,
        build.layout.root,
        fingerprints,
        build.assets,
        list_reads=state.list_reads,
    )
    listings = tag_listings(posts)
    for post in renewed:
        near = neighbours_at(posts, index_of[post.path])
        site_pages.post_page(post, near, state.letters.get(post.letter_id, ()))
        site_pages.machine_files.feeds(posts, listings, showing=post)
    # Pictures and files the edited posts link to, as the whole build asks about them.
    errors.extend(missing_files(edited.values(), next_cache.bodies, build.urls, plan.contents))
    if errors.errors or site_pages.list_reads:
        return None
    next_cache.outputs = maker.recorded
    new_state = dataclasses.replace(
        state,
        metas={**state.metas, **edited},
        posts=tuple(posts),
        fingerprints=fingerprints,
    )
    log.debug("body-only rebuild of %d post(s) in %.3f s", len(renewed), time.perf_counter() - started)
    return PlannedSite(
        previous.output_dir,
        plan,
        previous.warnings,
        started,
        previous.cache,
        next_cache,
        maker.rendered,
        new_state,
    )


def _reread(
    path: str, before: DocumentMeta, settings: ReadSettings, next_cache: BuildCache, errors: ErrorCollector
) -> DocumentMeta | None:
    """The file's metadata now, if only its body changed (and its cache entry moved along)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    source = read_source(Path(path), before.source.rel, before.source.kind, errors)
    meta = read_meta(source, ZoneInfo(settings.timezone), errors, settings) if source is not None else None
    if source is None or meta is None or errors.errors or errors.warnings:
        return None
    same = (  # the front matter key holds the post folder's files too
        meta.front_matter_key == before.front_matter_key
        and meta.title == before.title
        and meta.title_guessed == before.title_guessed
        and meta.strip_heading == before.strip_heading
        and meta.date_guessed_from == before.date_guessed_from
    )
    if not same:
        return None
    key = source_key(path, source.kind, stat, settings)  # in place of the old one
    for old_key in [k for k in next_cache.sources if k[0] == path]:
        del next_cache.sources[old_key]
    light = source.without_body()
    next_cache.sources[key] = (light, dataclasses.replace(meta, source=light))
    return meta


def _copy(cache: BuildCache) -> BuildCache:
    """A cache whose tables can change without touching `cache`'s (their values are shared)."""
    return BuildCache(
        sources=dict(cache.sources),
        bodies=dict(cache.bodies),
        documents=dict(cache.documents),
        outputs=dict(cache.outputs),
        ledgers=cache.ledgers,
        list_reads=cache.list_reads,
        stylesheets=cache.stylesheets,
        templates=cache.templates,
    )


def _kept_plan(previous: PlannedSite) -> OutputPlan:
    """The previous plan with every file as written: nothing of it is held in memory again."""
    recorded = previous.next_cache.outputs
    plan = OutputPlan()
    plan.contents = {rel: Kept(recorded[rel][1]) for rel in previous.plan.contents}
    plan.origins = dict(previous.plan.origins)
    return plan
