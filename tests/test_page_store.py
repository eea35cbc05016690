"""The page store: a fresh clone with its `.fireside-cache/` restored (a CI job) takes the
bytes of unchanged pages and feeds from the cache instead of rendering them, and builds
byte for byte what a cold build makes, whatever happened to the store in between."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.build.incremental import build_site
from generator.build.options import BuildOptions, BuildResult
from generator.build.output.cache import CACHE_FILE, BuildCache
from generator.build.output.pagestore import MAX_PACKS, STORE_FOLDER
from generator.site.errors import BuildFailed

from .conftest import NOW, REPO_ROOT, write_tree
from .test_incremental import EDITS, SITE, assert_same_as_clean


def build(site: Path, **options: object) -> BuildResult:
    ignore_cache = bool(options.pop("ignore_cache", False))
    return build_site(site / "site.yaml", BuildOptions(now=NOW, **options), ignore_cache=ignore_cache)  # type: ignore[arg-type]


def fresh_clone(site: Path) -> None:
    """Every source copied anew in place (new times and inodes), no output folder, the
    cache kept: a CI checkout with `.fireside-cache/` restored."""
    shutil.rmtree(site / "public", ignore_errors=True)
    for name in ("content", "themes", "site.yaml"):
        path, copy = site / name, site / f"{name}.copy"
        if path.is_dir():
            shutil.copytree(path, copy, copy_function=shutil.copy)
            shutil.rmtree(path)
        else:
            shutil.copy(path, copy)
            path.unlink()
        copy.rename(path)


def packs(site: Path) -> dict[str, int]:
    """The store's pack files, with their sizes."""
    folder = site / ".fireside-cache" / STORE_FOLDER
    return {p.name: p.stat().st_size for p in folder.iterdir()} if folder.is_dir() else {}


def stored_bytes(site: Path) -> int:
    """How many bytes of generated outputs the cache's index says the store holds."""
    cache = BuildCache.load(site / ".fireside-cache" / CACHE_FILE)
    return sum(where.length for where in cache.rendered.values())


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    write_tree(site, SITE)
    return site


def test_a_fresh_clone_with_its_cache_restored_renders_nothing(site: Path, tmp_path: Path) -> None:
    first = build(site)
    assert first.rendered > 0 and packs(site)
    fresh_clone(site)
    again = build(site)
    assert again.rendered == 0, "pages whose key is unchanged were rendered again"
    assert again.stats.written == first.stats.written  # into an empty folder, every file
    assert_same_as_clean(site, tmp_path)


@pytest.mark.parametrize("edit", ["post body", "post title", "template", "partial", "site.yaml", "deleted post"])
def test_a_fresh_clone_after_an_edit_builds_what_a_cold_build_makes(site: Path, tmp_path: Path, edit: str) -> None:
    first = build(site)
    EDITS[edit](site)
    fresh_clone(site)
    again = build(site)
    assert again.rendered > 0
    if edit == "post body":  # only what shows the post's text: the rest comes from the store
        assert again.rendered < first.rendered / 2
    assert_same_as_clean(site, tmp_path)


def test_the_store_follows_incremental_builds(site: Path, tmp_path: Path) -> None:
    build(site)
    for edit in ("post body", "template", "tag rename", "added post", "site.yaml"):
        EDITS[edit](site)
        build(site)
    fresh_clone(site)
    assert build(site).rendered == 0
    assert_same_as_clean(site, tmp_path)


def test_a_cache_restored_into_another_folder_is_used(tmp_path: Path) -> None:
    # Another CI runner may check the site out elsewhere: the templates are keyed by their
    # text and names, not by where they lie. (A post with files beside its index.md is
    # keyed by where they lie: that post and the lists showing it are rendered again.)
    site = tmp_path / "site"
    write_tree(site, {rel: text for rel, text in SITE.items() if "/gamma/" not in rel})
    first = build(site)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(site, elsewhere, ignore=shutil.ignore_patterns("public"))
    again = build(elsewhere)
    assert first.rendered > 0 and again.rendered == 0
    assert_same_as_clean(elsewhere, tmp_path)


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "garbage", "delete"])
def test_a_damaged_store_is_ignored_and_filled_again(
    site: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = build(site)
    [name] = packs(site)
    pack = site / ".fireside-cache" / STORE_FOLDER / name
    data = pack.read_bytes()
    if damage == "flip a byte":
        middle = len(data) // 2
        pack.write_bytes(data[:middle] + bytes([data[middle] ^ 0x20]) + data[middle + 1 :])
    elif damage == "truncate":
        pack.write_bytes(data[: len(data) // 3])
    elif damage == "garbage":
        pack.write_bytes(os.urandom(len(data)))
    else:
        pack.unlink()
    fresh_clone(site)
    again = build(site)
    assert 0 < again.rendered <= first.rendered  # what the store lost, made anew
    if damage == "flip a byte":
        assert again.rendered == 1
    said = [r for r in caplog.records if "missing or damaged in the build cache" in r.getMessage()]
    assert len(said) == 1 and name in said[0].getMessage()  # once, where, not once per page
    assert_same_as_clean(site, tmp_path)
    shutil.rmtree(tmp_path / "clean")
    fresh_clone(site)
    assert build(site).rendered == 0, "the store did not fill up again"
    assert_same_as_clean(site, tmp_path)


def test_pages_the_output_folder_kept_are_stored_again(site: Path, tmp_path: Path) -> None:
    # A store lost while the output folder stayed: the next build that writes takes the
    # missing pages from the folder (checked against their digests), not from the templates.
    build(site)
    shutil.rmtree(site / ".fireside-cache" / STORE_FOLDER)
    EDITS["page"](site)
    edited = build(site)
    assert edited.rendered < 5
    fresh_clone(site)
    assert build(site).rendered == 0
    assert_same_as_clean(site, tmp_path)


def test_the_store_does_not_grow_without_bound(site: Path, tmp_path: Path) -> None:
    build(site)
    alpha = site / "content/posts/alpha.md"
    text = alpha.read_text()
    sizes = []
    for number in range(40):
        alpha.write_text(text + f"\nEdit number {number}, {'and more words ' * number}.\n")
        build(site)
        sizes.append(sum(packs(site).values()))
        assert len(packs(site)) <= MAX_PACKS + 1
        # Each pack holds at least as many bytes of current outputs as of old ones.
        assert sizes[-1] <= 2 * (stored_bytes(site) + 64 * len(packs(site)))
    assert max(sizes) < 3 * sizes[0]
    fresh_clone(site)
    assert build(site).rendered == 0
    assert_same_as_clean(site, tmp_path)


def test_a_failed_build_adds_nothing_to_the_store(site: Path) -> None:
    build(site)
    before = packs(site)
    EDITS["post body"](site)  # rendered, then the build fails on the missing image
    (site / "content/static/img/dot.png").unlink()
    with pytest.raises(BuildFailed):
        build(site)
    assert packs(site) == before


def test_ignore_cache_renders_everything_and_replaces_the_store(site: Path, tmp_path: Path) -> None:
    first = build(site)
    before = packs(site)
    again = build(site, ignore_cache=True)
    assert again.rendered == first.rendered
    after = packs(site)
    assert after and not set(after) & set(before)  # the old pack, no longer named, is gone
    fresh_clone(site)
    assert build(site).rendered == 0
    assert_same_as_clean(site, tmp_path)


def test_the_cache_is_keyed_by_firesides_own_code(tmp_path: Path) -> None:
    # Two installs of one version (from a git checkout, say) may render differently: a
    # cache, and the pages in it, made by other code is not used.
    copy = tmp_path / "fireside"
    shutil.copytree(REPO_ROOT / "generator", copy / "generator", ignore=shutil.ignore_patterns("__pycache__"))

    def version() -> str:
        code = "from generator.build.output.cache import cache_version; print(cache_version())"
        env = {**os.environ, "PYTHONPATH": str(copy), "PYTHONDONTWRITEBYTECODE": "1"}
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=copy, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    before = version()
    with (copy / "generator/build/feeds.py").open("a") as module:
        module.write("\n# a change of code, not of version\n")
    assert version() != before
