"""Tests for generator.build.output.writer: the output plan and committing it to a real folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.build.output.staging import STAGING_PREFIX, Staging
from generator.build.output.writer import Kept, Origin, OutputPlan, commit
from generator.site.errors import SiteError
from tests.conftest import tree_digest


def plan_of(files: dict[str, bytes | Path]) -> OutputPlan:
    plan = OutputPlan()
    for rel, content in files.items():
        assert plan.add(rel, content, Origin("content/test.md")) is None
    return plan


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_duplicate_path_is_an_error_naming_both_origins() -> None:
    plan = OutputPlan()
    assert plan.add("posts/x/index.html", b"first", Origin("content/posts/x.md", 3)) is None
    error = plan.add("posts/x/index.html", b"second", Origin("content/pages/x.md", 7))
    assert isinstance(error, SiteError)
    assert error.path == "content/pages/x.md"
    assert error.line == 7
    text = str(error)
    assert text.startswith("content/pages/x.md:7: two pages with the same URL: posts/x/index.html")
    assert "content/posts/x.md:3" in text
    assert plan.contents["posts/x/index.html"] == b"first"  # the first one is kept


def test_duplicate_without_line_names_the_origin_path() -> None:
    plan = OutputPlan()
    plan.add("a.css", b"1", Origin("themes/default/static/a.css"))
    error = plan.add("a.css", b"2", Origin("content/static/a.css"))
    assert error is not None
    assert str(error).endswith("a.css is also made by themes/default/static/a.css")


def test_replace_lets_a_later_layer_win() -> None:
    plan = OutputPlan()
    plan.add("css/style.css", b"theme", Origin("themes/default/static/css/style.css"))
    assert plan.add("css/style.css", b"site", Origin("content/static/css/style.css"), replace=True) is None
    assert plan.contents["css/style.css"] == b"site"
    assert plan.origins["css/style.css"] == Origin("content/static/css/style.css")


@pytest.mark.parametrize("rel", ["../x.html", "a/../../x.html", "/etc/passwd", "", ".", "a/.."])
def test_paths_outside_the_output_are_refused(rel: str) -> None:
    with pytest.raises(ValueError, match="not inside the output folder"):
        OutputPlan().add(rel, b"x", Origin("t"))


def test_paths_are_normalised() -> None:
    plan = OutputPlan()
    plan.add("./a//b/c.html", b"x", Origin("t"))
    assert list(plan.contents) == ["a/b/c.html"]


def test_commit_writes_bytes_and_copies_files(tmp_path: Path) -> None:
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"\xff\xd8jpeg")
    out = tmp_path / "out"
    stats = commit(plan_of({"index.html": b"<p>home</p>", "posts/a/photo.jpg": source}), out)
    assert files_under(out) == {"index.html": b"<p>home</p>", "posts/a/photo.jpg": b"\xff\xd8jpeg"}
    assert (stats.written, stats.unchanged, stats.removed) == (2, 0, 0)
    assert stats.changed_paths == ("index.html", "posts/a/photo.jpg")
    assert not any(p.name.startswith(".fireside-") for p in out.rglob("*"))


def test_second_commit_of_the_same_plan_writes_nothing_and_keeps_mtimes(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out", {}
    plan = plan_of({"index.html": b"home", "posts/a/index.html": b"a", "atom.xml": b"<feed/>"})
    commit(plan, out, ledger)
    past = 1_600_000_000_000_000_000
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(past, past))
    before = tree_digest(out)
    stats = commit(plan, out, ledger)
    assert (stats.written, stats.unchanged, stats.removed, stats.changed_paths) == (0, 3, 0, ())
    assert tree_digest(out) == before
    assert all(mtime == past for _, mtime in before.values())


def staged_plan(cache: Path, out: Path, files: dict[str, bytes]) -> tuple[OutputPlan, Staging]:
    staging = Staging.beside(cache, out)
    assert staging is not None  # one temp folder: one file system
    plan = OutputPlan()
    for rel, data in files.items():
        staged = staging.park(data)
        assert staged is not None
        assert plan.add(rel, staged, Origin("test")) is None
    return plan, staging


def test_staged_files_are_moved_into_place_and_their_folder_goes(tmp_path: Path) -> None:
    out, cache, ledger = tmp_path / "out", tmp_path / "cache", {}
    commit(plan_of({"a.html": b"same", "b.html": b"old"}), out, ledger)
    past = 1_600_000_000_000_000_000
    os.utime(out / "a.html", ns=(past, past))
    os.utime(out, ns=(past, past))
    plan, staging = staged_plan(cache, out, {"a.html": b"same", "b.html": b"new", "c/d.html": b"added"})
    assert staging.folder is not None and staging.folder.parent == cache
    assert files_under(out) == {"a.html": b"same", "b.html": b"old"}  # untouched until the commit
    assert out.stat().st_mtime_ns == past
    stats = commit(plan, out, ledger)
    assert files_under(out) == {"a.html": b"same", "b.html": b"new", "c/d.html": b"added"}
    assert stats.changed_paths == ("b.html", "c/d.html")
    assert (out / "a.html").stat().st_mtime_ns == past  # the same bytes: the old file stays
    assert oct((out / "b.html").stat().st_mode & 0o777) == oct(0o644)
    assert list(cache.iterdir()) == []


def test_a_commit_that_changes_nothing_leaves_the_output_folder_untouched(tmp_path: Path) -> None:
    # rsync, git and CDN uploads see a folder's time change as a change.
    out, cache, ledger = tmp_path / "out", tmp_path / "cache", {}
    commit(plan_of({"a.html": b"one", "b/c.html": b"two"}), out, ledger)
    past = 1_600_000_000_000_000_000
    for folder in (out, out / "b"):
        os.utime(folder, ns=(past, past))
    plan, _ = staged_plan(cache, out, {"a.html": b"one", "b/c.html": b"two"})
    assert commit(plan, out, ledger).changed_paths == ()
    assert out.stat().st_mtime_ns == past and (out / "b").stat().st_mtime_ns == past


def test_a_discarded_staging_folder_leaves_the_output_as_it_was(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    commit(plan_of({"a.html": b"one"}), out)
    before = tree_digest(out)
    _, staging = staged_plan(cache, out, {"a.html": b"two"})
    staging.discard()
    assert tree_digest(out) == before
    assert list(cache.iterdir()) == []


def test_staging_folders_of_killed_builds_go_and_those_of_running_builds_stay(tmp_path: Path) -> None:
    out, cache = tmp_path / "out", tmp_path / "cache"
    killed = cache / f"{STAGING_PREFIX}killed"
    running = cache / f"{STAGING_PREFIX}running"
    for folder in (killed, running):
        folder.mkdir(parents=True)
        (folder / "1").write_bytes(b"x")
    hour_ago = time.time() - 3700
    os.utime(killed, (hour_ago, hour_ago))
    plan, _ = staged_plan(cache, out, {"a.html": b"two"})
    assert not killed.exists() and running.is_dir()
    commit(plan, out)
    assert [p.name for p in cache.iterdir()] == [running.name]


def test_where_nothing_can_be_staged_pages_stay_in_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder would go")
    staging = Staging.beside(blocked, tmp_path / "out")
    assert staging is not None
    assert staging.park(b"page") is None


def test_changed_content_is_rewritten(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out", {}
    commit(plan_of({"a.html": b"one", "b.html": b"same"}), out, ledger)
    stats = commit(plan_of({"a.html": b"two", "b.html": b"same"}), out, ledger)
    assert (stats.written, stats.unchanged) == (1, 1)
    assert stats.changed_paths == ("a.html",)
    assert (out / "a.html").read_bytes() == b"two"
    stats = commit(plan_of({"a.html": b"tw0", "b.html": b"same"}), out, ledger)  # same size, other bytes
    assert stats.changed_paths == ("a.html",)
    assert (out / "a.html").read_bytes() == b"tw0"


def test_stale_files_and_empty_folders_are_removed_and_reported(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out", {}
    commit(plan_of({"index.html": b"h", "posts/old/index.html": b"o", "posts/old/img/a.png": b"p"}), out, ledger)
    (out / "leftover.txt").write_bytes(b"by hand")
    (out / "empty" / "deeper").mkdir(parents=True)
    stats = commit(plan_of({"index.html": b"h"}), out, ledger)
    assert stats.removed == 2
    assert stats.changed_paths == stats.removed_paths == ("posts/old/img/a.png", "posts/old/index.html")
    # What the commit did not make stays: the file put there by hand, the empty folders.
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [
        "empty", "empty/deeper", "index.html", "leftover.txt",
    ]
    assert set(ledger) == {"index.html"}
    # Asked for (`clean`), everything the plan does not hold goes, empty folders too.
    stats = commit(plan_of({"index.html": b"h"}), out, ledger, clean=True)
    assert stats.removed_paths == ("leftover.txt",)
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["index.html"]


def test_a_recorded_file_somebody_changed_since_is_theirs_and_stays(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out", {}
    commit(plan_of({"index.html": b"h", "notes.html": b"made by the build"}), out, ledger)
    (out / "notes.html").write_bytes(b"the author's own notes now")
    stats = commit(plan_of({"index.html": b"h"}), out, ledger)
    assert stats.removed == 0 and (out / "notes.html").read_bytes() == b"the author's own notes now"
    assert set(ledger) == {"index.html"}  # no longer Fireside's to remove


def test_preserved_names_at_the_top_survive(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / ".git" / "objects").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (out / ".git" / "objects" / "empty").mkdir()
    for name in ("CNAME", ".nojekyll", ".gitignore"):
        (out / name).write_text("keep")
    (out / "sub").mkdir()
    (out / "sub" / "CNAME").write_text("only at the top")
    stats = commit(plan_of({"index.html": b"h"}), out, clean=True)
    assert (out / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"
    assert (out / ".git" / "objects" / "empty").is_dir()
    assert all((out / name).read_text() == "keep" for name in ("CNAME", ".nojekyll", ".gitignore"))
    assert not (out / "sub").exists()
    assert stats.changed_paths == ("index.html", "sub/CNAME")


def test_file_where_a_folder_must_go_is_replaced(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out", {}
    commit(plan_of({"posts": b"was a file"}), out, ledger)
    commit(plan_of({"posts/a/index.html": b"page"}), out, ledger)
    assert files_under(out) == {"posts/a/index.html": b"page"}


def test_folder_where_a_file_must_go_is_replaced(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out", {}
    commit(plan_of({"feed/index.html": b"page", "feed/x/y.html": b"deep"}), out, ledger)
    stats = commit(plan_of({"feed": b"now a file"}), out, ledger)
    assert files_under(out) == {"feed": b"now a file"}
    assert "feed" in stats.changed_paths


def test_files_of_a_folder_replaced_by_a_file_are_reported_as_removed(tmp_path: Path) -> None:
    out, ledger = tmp_path / "out", {}
    commit(plan_of({"feed/index.html": b"page"}), out, ledger)
    stats = commit(plan_of({"feed": b"now a file"}), out, ledger)
    assert stats.changed_paths == ("feed", "feed/index.html")
    assert stats.removed == 1


def test_stale_symlink_to_an_outside_file_is_removed_and_its_target_kept(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_bytes(b"do not touch")
    out = tmp_path / "out"
    out.mkdir()
    (out / "evil.txt").symlink_to(secret)
    (out / "dir").mkdir()
    (out / "dir" / "evil2.txt").symlink_to(secret)
    stats = commit(plan_of({"index.html": b"h"}), out, clean=True)
    assert not (out / "evil.txt").is_symlink() and not (out / "evil.txt").exists()
    assert not (out / "dir").exists()
    assert secret.read_bytes() == b"do not touch"
    assert "evil.txt" in stats.changed_paths


def test_planned_path_that_is_a_symlink_is_replaced_by_a_real_file(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_bytes(b"do not touch")
    out = tmp_path / "out"
    out.mkdir()
    (out / "evil.txt").symlink_to(secret)
    try:
        commit(plan_of({"evil.txt": b"mine"}), out, clean=True)
    finally:
        assert secret.read_bytes() == b"do not touch"
    assert not (out / "evil.txt").is_symlink()
    assert (out / "evil.txt").read_bytes() == b"mine"


def test_planned_path_below_a_symlinked_folder_never_writes_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "posts").symlink_to(outside, target_is_directory=True)
    with contextlib.suppress(ValueError):
        commit(plan_of({"posts/a/index.html": b"page"}), out, clean=True)
    assert list(outside.iterdir()) == []


def test_stale_symlink_to_an_outside_folder_is_removed_and_its_target_kept(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_bytes(b"keep")
    out = tmp_path / "out"
    out.mkdir()
    (out / "linked").symlink_to(outside, target_is_directory=True)
    commit(plan_of({"index.html": b"h"}), out, clean=True)
    assert (outside / "keep.txt").read_bytes() == b"keep"
    assert not (out / "linked").is_symlink()


PART = st.text(alphabet="ab.-_~%é ", min_size=1, max_size=4)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(st.one_of(PART, st.sampled_from(["..", ".", ""])), min_size=1, max_size=4), max_size=6))
def test_random_plans_never_write_outside_the_output(tmp_path: Path, paths: list[list[str]]) -> None:
    work = Path(tempfile.mkdtemp(dir=tmp_path))
    out = work / "site" / "out"
    plan = OutputPlan()
    for parts in paths:
        with contextlib.suppress(ValueError):
            plan.add("/".join(parts), b"x", Origin("t"), replace=True)
    commit(plan, out)
    outside = [p for p in work.rglob("*") if not p.resolve().is_relative_to(out.resolve())]
    assert [p.relative_to(work).as_posix() for p in outside] == ["site"]
    written = files_under(out)
    for rel in plan.contents:
        # Every planned file is there, unless another planned file needed its name as a folder.
        if not any(other.startswith(rel + "/") for other in plan.contents):
            assert written[rel] == b"x"
    assert set(written) <= set(plan.contents)


# --- a first build: the commit into an empty folder (writer._fill) ----------------------


def mixed_plan(tmp_path: Path, out: Path) -> OutputPlan:
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"jpeg")
    files = {"index.html": b"home", "posts/a/index.html": b"a", "posts/b/deep/x.html": b"x", "feed.xml": b"f"}
    plan, _ = staged_plan(tmp_path / "cache", out, files)
    plan.add("posts/a/photo.jpg", source, Origin("t"))
    plan.add("robots.txt", b"in memory", Origin("t"))
    return plan


def test_a_commit_into_an_empty_folder_is_the_general_commit(tmp_path: Path) -> None:
    """The same plan into an empty folder and into one holding only a preserved file:
    the same files, modes, records and report (the second takes the general path)."""
    empty, other = tmp_path / "empty", tmp_path / "other"
    other.mkdir()
    (other / ".nojekyll").write_bytes(b"")
    results = {}
    for out in (empty, other):
        ledger: dict = {"gone.html": None}  # a record of a file no longer there
        work = tmp_path / f"work-{out.name}"
        work.mkdir()
        stats = commit(mixed_plan(work, out), out, ledger)
        files = {rel: data for rel, data in files_under(out).items() if rel != ".nojekyll"}
        modes = {rel: (out / rel).stat().st_mode & 0o777 for rel in files}
        records = {rel: (r.digest, r.size, r.mtime_ns == (out / rel).stat().st_mtime_ns) for rel, r in ledger.items()}
        results[out.name] = (files, modes, records, stats.written, stats.changed_paths)
        assert list((work / "cache").iterdir()) == []  # the staging folder went
    assert results["empty"] == results["other"]
    files, _, records, written, changed = results["empty"]
    assert written == 6 and changed == tuple(sorted(files)) and set(records) == set(files)
    assert all(same_time for _, _, same_time in records.values())


def test_an_empty_folder_with_conflicting_or_kept_files_takes_the_general_commit(tmp_path: Path) -> None:
    out = tmp_path / "out"
    conflicting = plan_of({"a": b"a file", "a/index.html": b"needs a as a folder"})
    commit(conflicting, out)  # as before: the later file clears the way
    assert files_under(out) == {"a/index.html": b"needs a as a folder"}
    emptied = tmp_path / "emptied"
    emptied.mkdir()
    plan = plan_of({"new.html": b"n"})
    plan.add("kept.html", Kept("digest"), Origin("t"))
    stats = commit(plan, emptied)
    assert stats.unchanged == 1 and files_under(emptied) == {"new.html": b"n"}
