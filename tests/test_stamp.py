"""A site that has not changed since its last build is not built again (stamp.py), and
any change to what a build reads, or to what it left in the output folder, is built."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.build.incremental import build_site
from generator.build.options import BuildOptions
from generator.build.output import stamp

from .conftest import NOW, run_cli, write_tree
from .test_incremental import EDITS, SITE, assert_same_as_clean, files_under

STAMP = Path(".fireside-cache") / stamp.STAMP_FILE


def age(site: Path, seconds: float = 3600) -> None:
    """Make every source look last changed `seconds` ago (a stamp trusts only settled files)."""
    past = time.time() - seconds
    for folder, _, names in os.walk(site):
        if Path(folder).relative_to(site).parts[:1] in (("public",), (".fireside-cache",)):
            continue
        for name in [*names, ""]:
            os.utime(os.path.join(folder, name), (past, past))


def built_and_settled(site: Path, **options: object) -> None:
    """Build, settle the sources, build again: the second build saves a trusted stamp."""
    build_site(site / "site.yaml", BuildOptions(now=NOW, **options))  # type: ignore[arg-type]
    age(site)
    result = build_site(site / "site.yaml", BuildOptions(now=NOW, **options))  # type: ignore[arg-type]
    assert not result.up_to_date  # the sources' time stamps changed: their state is new
    assert (site / STAMP).is_file()


def test_an_unchanged_site_is_not_built_again(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {**SITE, "content/posts/undated.md": "---\ntitle: Undated\n---\nNo date.\n"})
    built_and_settled(site)
    before = files_under(site / "public")
    result = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert result.up_to_date
    assert result.stats.written == 0 and result.rendered == 0
    assert result.files == len(before) and result.pages == sum(rel.endswith(".html") for rel in before)
    # The warnings of the build it stands for are given again.
    assert [w.path for w in result.warnings] == ["content/posts/undated.md"]
    assert "no date in front matter" in result.warnings[0].message
    assert files_under(site / "public") == before


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_any_edit_after_a_stamp_is_built(tmp_path: Path, edit: Callable[[Path], None]) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    built_and_settled(site)
    assert build_site(site / "site.yaml", BuildOptions(now=NOW)).up_to_date
    edit(site)
    result = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert not result.up_to_date
    assert_same_as_clean(site, tmp_path)


@pytest.mark.parametrize(
    "damage",
    ["edited", "deleted", "replaced by a folder", "output folder deleted", "replaced, same size and time"],
)
def test_output_touched_after_a_stamp_is_repaired(tmp_path: Path, damage: str) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    built_and_settled(site)
    page = site / "public/posts/alpha/index.html"
    if damage == "edited":
        page.write_text("vandalised")
    elif damage == "deleted":
        page.unlink()
    elif damage == "replaced by a folder":
        page.unlink()
        page.mkdir()
        (page / "x").write_text("x")
    elif damage == "replaced, same size and time":  # another file (inode) with other bytes
        before = page.stat()
        twin = page.with_name("twin")
        twin.write_bytes(b"x" * before.st_size)
        os.utime(twin, ns=(before.st_atime_ns, before.st_mtime_ns))
        twin.replace(page)
        assert page.stat().st_ino != before.st_ino
    else:
        import shutil

        shutil.rmtree(site / "public")
    result = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert not result.up_to_date
    if damage != "replaced by a folder":  # a folder of somebody else's is refused, not deleted
        assert_same_as_clean(site, tmp_path)


def test_a_build_hands_on_the_state_of_every_file_it_made(tmp_path: Path) -> None:
    # What a check of the build's own folder reads instead of looking at the folder again.
    site = tmp_path / "site"
    write_tree(site, SITE)
    for result in (
        build_site(site / "site.yaml", BuildOptions(now=NOW)),
        build_site(site / "site.yaml", BuildOptions(now=NOW)),
    ):
        assert result.outputs == stamp.folder_states(site / "public")[0]
    age(site)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    (site / "content/posts/alpha.md").write_text((site / "content/posts/alpha.md").read_text() + "\nMore.\n")
    age(site)
    edited = build_site(site / "site.yaml", BuildOptions(now=NOW))
    unchanged = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert not edited.up_to_date and unchanged.up_to_date
    assert edited.outputs == unchanged.outputs == stamp.folder_states(site / "public")[0]


def test_a_post_whose_date_comes_is_published_without_any_edit(tmp_path: Path) -> None:
    site = tmp_path / "site"
    soon = (NOW + timedelta(days=1)).strftime("%Y-%m-%d")
    write_tree(site, {**SITE, "content/posts/soon.md": f"---\ntitle: Soon\ndate: {soon}\n---\nSoon.\n"})
    built_and_settled(site)
    assert build_site(site / "site.yaml", BuildOptions(now=NOW)).up_to_date
    later = build_site(site / "site.yaml", BuildOptions(now=NOW + timedelta(days=2)))
    assert not later.up_to_date
    assert "posts/soon/index.html" in later.stats.changed_paths


def test_other_options_are_built(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, {**SITE, "content/posts/draft.md": "---\ntitle: D\ndate: 2026-01-09\ndraft: true\n---\nD.\n"})
    built_and_settled(site)
    with_drafts = build_site(site / "site.yaml", BuildOptions(now=NOW, drafts=True))
    assert not with_drafts.up_to_date and (site / "public/posts/draft/index.html").is_file()
    elsewhere = build_site(site / "site.yaml", BuildOptions(now=NOW, output_dir=tmp_path / "out"))
    assert not elsewhere.up_to_date and (tmp_path / "out/index.html").is_file()


@pytest.mark.parametrize("seconds_ago", [0.05, 1.0], ids=["fine time stamp", "whole-second time stamp"])
def test_freshly_changed_sources_are_not_trusted(tmp_path: Path, seconds_ago: float) -> None:
    # A file changed within the last moments could change again without its time stamp
    # moving (coarse file-system clocks): no stamp is saved, the next build builds.
    site = tmp_path / "site"
    write_tree(site, SITE)
    age(site)
    fresh = time.time() - seconds_ago
    if seconds_ago >= 1:  # as a file system counting whole seconds would record it
        fresh = float(int(fresh))
    os.utime(site / "content/posts/alpha.md", (fresh, fresh))
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert not (site / STAMP).exists()
    assert not build_site(site / "site.yaml", BuildOptions(now=NOW)).up_to_date


def test_racy_time_stamps() -> None:
    now = 1_800_000_000.5
    ns = 1_000_000_000

    def entry(mtime_ns: int) -> stamp.Entry:
        return ("f", 0o100644, 1, mtime_ns, 1)

    assert stamp.is_racy([entry(int(now * ns) - ns // 20)], now)  # 50 ms ago, fine clock
    assert not stamp.is_racy([entry(int(now * ns) - ns // 2 + 1)], now)  # 0.5 s ago, fine clock
    assert stamp.is_racy([entry(int(now - 1) * ns)], now)  # 1.5 s ago, whole seconds
    assert not stamp.is_racy([entry(int(now - 3) * ns)], now)  # 3.5 s ago, whole seconds
    assert stamp.is_racy([entry(int(now + 5) * ns)], now)  # in the future


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "garbage", "empty"])
def test_a_damaged_stamp_is_ignored(tmp_path: Path, damage: str) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    built_and_settled(site)
    data = (site / STAMP).read_bytes()
    (site / STAMP).write_bytes(
        {
            "truncate": data[: len(data) // 2],
            "flip a byte": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
            "garbage": os.urandom(300),
            "empty": b"",
        }[damage]
    )
    assert stamp.load(site / STAMP) is None
    assert not build_site(site / "site.yaml", BuildOptions(now=NOW)).up_to_date


def test_a_failed_build_removes_the_stamp(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    built_and_settled(site)
    before = files_under(site / "public")
    (site / "content/posts/alpha.md").write_text("---\ntitle: [unclosed\n---\nBroken.\n")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1 and "content/posts/alpha.md" in result.stderr
    assert not (site / STAMP).exists()
    assert files_under(site / "public") == before


def test_the_command_says_the_site_is_up_to_date(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    built_and_settled(site)
    result = run_cli("build", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Up to date: nothing changed since the last build")


@settings(max_examples=30, deadline=None)
@given(names=st.lists(st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=12)))
def test_a_snapshot_sees_every_added_file(tmp_path_factory: pytest.TempPathFactory, names: list[str]) -> None:
    folder = tmp_path_factory.mktemp("snap")
    before = stamp.snapshot([], [folder])
    made = set()
    for name in names:
        if name in (".", "..") or name in made:
            continue
        try:
            (folder / name).write_text("x")
        except OSError:
            continue  # a name this file system refuses
        made.add(name)
    after = stamp.snapshot([], [folder])
    assert (before == after) == (not made)
    assert {Path(entry[0]).name for entry in after[1:]} == made


def test_a_snapshot_ends_in_a_folder_link_loop(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "loop").symlink_to(tmp_path / "a")
    (tmp_path / "a" / "f.md").write_text("x")
    entries = stamp.snapshot([], [tmp_path])
    assert sum(1 for entry in entries if entry[0].endswith("f.md")) == 1


def test_an_edit_that_hides_its_traces_needs_ignore_cache(tmp_path: Path) -> None:
    # The limit of trusting file states (make's too): same size, same time, same inode.
    site = tmp_path / "site"
    write_tree(site, SITE)
    built_and_settled(site)
    post = site / "content/posts/alpha.md"
    before = post.stat()
    post.write_text(SITE["content/posts/alpha.md"].replace("Alpha body", "Alpha BODY"))
    os.utime(post, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert post.stat().st_ino == before.st_ino and post.stat().st_size == before.st_size
    assert build_site(site / "site.yaml", BuildOptions(now=NOW)).up_to_date
    assert "Alpha BODY" not in (site / "public/posts/alpha/index.html").read_text()
    stranger = site / "public/somebody-elses.txt"
    stranger.write_text("kept")
    result = run_cli("build", "--ignore-cache", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "Alpha BODY" in (site / "public/posts/alpha/index.html").read_text()
    assert stranger.read_text() == "kept"  # the record of the output folder is kept
    stranger.unlink()
    assert_same_as_clean(site, tmp_path)
