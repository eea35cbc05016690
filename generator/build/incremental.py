"""`fireside build` over the site's own output folder and build cache (an edge).

First the stamp (stamp.py): when nothing the build reads has changed since the last
successful build, and its output folder is as that build left it, nothing is built and
nothing heavy is even imported. Otherwise the whole pipeline runs (pipeline.py) with the
cache in `.fireside-cache/`, and a new stamp is saved once the output is written.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.build.options import BuildOptions, BuildResult, LeftOut
from generator.build.output import stamp
from generator.build.output.cache import CACHE_FILE, CACHE_FORMAT, BuildCache, OutputRecord
from generator.build.output.writer import WriteStats
from generator.site.config import SiteLayout, builtin_theme_dir
from generator.site.errors import SiteError

if TYPE_CHECKING:  # the pipeline is imported only when a site has to be built
    from generator.build.pipeline import PlannedSite

log = logging.getLogger(__name__)

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the generator package
# Libraries whose upgrade changes the output: their files are part of what a build reads.
_LIBRARIES = ("jinja2", "markupsafe", "markdown_it", "mdit_py_plugins", "pygments", "yaml")


def build_site(
    config_file: Path,
    options: BuildOptions = BuildOptions(),
    cache: BuildCache | None = None,
    *,
    ignore_cache: bool = False,
    stamp_name: str = stamp.STAMP_FILE,
    trust_stamp: bool = True,
    on_planned: Callable[[PlannedSite], None] | None = None,
) -> BuildResult:
    """Build the site whose settings are `config_file` into its output folder.

    Without a `cache`, the one in the site's `.fireside-cache/` is used and updated, and
    a site that has not changed since its last build is not built again. With one (a
    preview's, kept in memory), the pipeline always runs. `ignore_cache` makes every
    page again from its sources, whatever the stamp and the cache say (they are written
    anew); only the record of what is in the output folder is kept, so files somebody
    else put there stay, and unchanged files keep their times.

    `stamp_name`: the stamp's file in the cache, one per kind of build (`fireside check`
    keeps its own); `trust_stamp=False` plans the site even when the stamp says nothing
    changed (the output is then confirmed, not written again); `on_planned` is given the
    planned site once it is written, before it is let go (what made each output file...).
    """
    if cache is not None:
        from generator.build.pipeline import plan_site, write_site

        return write_site(plan_site(config_file, options, cache))
    started = time.perf_counter()
    layout = SiteLayout(config_file.resolve().parent, config_file.resolve())
    stamp_file = layout.cache / stamp_name
    request = _request(layout, options)
    taken = time.time()
    inputs = stamp.snapshot(_read_files(layout), _read_folders(layout))
    now = options.now or datetime.now(UTC)
    previous = None if ignore_cache or options.clean else stamp.load(stamp_file)
    if trust_stamp and previous is not None and previous.still_true(request, inputs, now):
        log.info("nothing changed since the last build (%d files and folders looked at)", len(inputs))
        return _unchanged(previous, started)
    why = "something changed since the last build"
    if ignore_cache or previous is None:
        why = "asked to ignore the cache" if ignore_cache else "no earlier build to compare with"
    log.info("building %s: %s", layout.root, why)
    stamp.forget(stamp_file)
    built = _build_with_disk_cache(
        layout, config_file, options, ignore_cache=ignore_cache, on_planned=on_planned
    )
    result, ledger, made = built.result, built.ledger, built.made
    if result.stats.left_alone:
        return result  # a folder just adopted (ownership.py): the next build says no more of it
    if not set(made) <= set(ledger):
        return result  # the next build builds: see stamp.py
    outputs = {rel: (ledger[rel].size, ledger[rel].mtime_ns, ledger[rel].inode) for rel in made}
    result = dataclasses.replace(result, outputs=outputs)
    if stamp.is_racy(inputs, taken):
        return result  # the next build builds: see stamp.py
    stamp.save(
        stamp_file,
        stamp.Stamp(
            request=request,
            inputs=inputs,
            output_dir=str(result.output_dir),
            outputs=tuple((rel, *state) for rel, state in outputs.items()),
            pages=result.pages,
            warnings=tuple((_plain(w.path), w.line, w.message) for w in result.warnings),
            next_future=built.next_future,
            left_out=(result.left_out.drafts, result.left_out.scheduled),
        ),
    )
    return result


@dataclass(frozen=True)
class _Built:
    result: BuildResult
    ledger: dict[str, OutputRecord]  # what the output folder now holds
    made: list[str]  # the output paths the build made, sorted
    next_future: datetime | None


def _build_with_disk_cache(
    layout: SiteLayout,
    config_file: Path,
    options: BuildOptions,
    *,
    ignore_cache: bool,
    on_planned: Callable[[PlannedSite], None] | None,
) -> _Built:
    # Only a site that has to be built pays for importing the pipeline and the page store.
    from generator.build.output.pagestore import STORE_FOLDER, PageStore
    from generator.build.pipeline import plan_site, without_cycle_collection, write_site

    cache_file = layout.cache / CACHE_FILE
    # Paused from loading the cache to saving it: a collection in between walks every
    # object of the cache and the site (a fifth of an edited 4,000-post site's rebuild).
    with without_cycle_collection():
        disk_cache = BuildCache.load(cache_file)
        store = PageStore(layout.cache / STORE_FOLDER, disk_cache.rendered, reuse=not ignore_cache)
        if ignore_cache:
            disk_cache = BuildCache(ledgers=disk_cache.ledgers)
        loaded = disk_cache.keys()
        try:
            planned = plan_site(config_file, options, disk_cache, store)
            result = write_site(planned)
            if on_planned is not None:
                on_planned(planned)
        except BaseException:
            store.discard()  # the cache on disk still names the packs it named
            raise
        disk_cache.rendered = store.finish(result.output_dir)
        ledger = disk_cache.ledgers.get(str(result.output_dir), {})
        made = sorted(planned.plan.contents)
        next_future = planned.state.next_future if planned.state is not None else None
        # The site in memory is not needed any more: its memory is reused by the save
        # below instead of adding to the build's peak (nothing else holds it).
        del planned
        disk_cache.templates = {}
        if result.rendered or result.stats.changed_paths or disk_cache.keys() != loaded:
            try:
                disk_cache.save(cache_file)
            except OSError as exc:  # a read-only site still builds; it is only slower next time
                log.warning("could not save the build cache: %s", exc)
                store.discard()
            else:
                store.prune(disk_cache.rendered)
    return _Built(result, ledger, made, next_future)


def _request(layout: SiteLayout, options: BuildOptions) -> str:
    """Everything a build is asked, except the time (the stamp compares dates itself)."""
    asked = (
        options.drafts,
        str(options.output_dir) if options.output_dir is not None else None,
        options.base_url,
        options.inbox_endpoint,
        options.private_output,
        options.fingerprint_assets,
    )
    return repr((__version__, CACHE_FORMAT, str(layout.config_file), asked))


def _read_files(layout: SiteLayout) -> list[Path]:
    """Single files a build reads: the settings, Fireside's own code and its libraries."""
    files = [layout.config_file, *sorted(_PACKAGE_DIR.glob("**/*.py"))]
    for name in _LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            files.append(Path(spec.origin))
    return files


def _read_folders(layout: SiteLayout) -> list[Path]:
    return [layout.content, layout.themes, builtin_theme_dir()]


def _unchanged(previous: stamp.Stamp, started: float) -> BuildResult:
    files = len(previous.outputs)
    return BuildResult(
        output_dir=Path(previous.output_dir),
        pages=previous.pages,
        files=files,
        stats=WriteStats(written=0, unchanged=files, removed=0),
        warnings=tuple(SiteError(path, line, message) for path, line, message in previous.warnings),
        seconds=time.perf_counter() - started,
        up_to_date=True,
        left_out=LeftOut(*previous.left_out, next_due=previous.next_future),
        outputs=previous.output_states(),
    )


def _plain(path: Path | str | None) -> str | None:
    return None if path is None else str(path)
