"""The reading stage: many files read on every core give what one process gives, in the
same order, errors and warnings included; cached readings are reused by file state."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.build import reading
from generator.build.documents import ReadSettings
from generator.build.parallel import PARALLEL_THRESHOLD
from generator.site.errors import ErrorCollector

from .conftest import write_tree

COUNT = PARALLEL_THRESHOLD * 2 + 7


def post(number: int) -> str:
    if number % 13 == 0:
        return "---\ntitle: [unclosed\n---\nBroken front matter.\n"
    date = "" if number % 7 == 0 else f"date: 2026-01-{number % 28 + 1:02d}\n"
    return f"---\ntitle: Post {number}\n{date}tags: [t{number % 5}]\n---\nBody {number}.\n"


def read(site: Path, known: reading.Readings, *, parallel: bool) -> tuple[dict, reading.Readings, list[str], list[str]]:
    errors = ErrorCollector()
    keep: reading.Readings = {}
    metas = reading.read_documents(site, site / "content", ReadSettings(), known, keep, errors, parallel=parallel)
    return metas, keep, [str(e) for e in errors.errors], [str(w) for w in errors.warnings]


def test_reading_on_every_core_gives_what_one_process_gives(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write_tree(tmp_path, {f"content/posts/p{n:03d}.md": post(n) for n in range(COUNT)})
    serial = read(tmp_path, {}, parallel=False)
    parallel = read(tmp_path, {}, parallel=True)
    assert "worker processes failed" not in caplog.text  # the workers really read
    assert parallel == serial
    metas, keep, errors, warnings = parallel
    broken = [n for n in range(COUNT) if n % 13 == 0]
    assert len(metas) == len(by_state(keep)) == COUNT - len(broken)
    assert [e.split(":")[0] for e in errors] == [f"content/posts/p{n:03d}.md" for n in broken]
    undated = [n for n in range(COUNT) if n % 7 == 0 and n % 13]
    assert [w.split(":")[0] for w in warnings] == [f"content/posts/p{n:03d}.md" for n in undated]
    assert all(meta.source.body == "" for meta in metas.values())  # texts are not kept


def test_a_cached_reading_is_reused_until_its_file_changes(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"content/posts/p{n:03d}.md": post(n + 1) for n in range(5)})
    _, first, _, _ = read(tmp_path, {}, parallel=False)
    (tmp_path / "content/posts/p002.md").write_text(post(3).replace("Body", "A longer body"))
    metas, second, _, _ = read(tmp_path, first, parallel=False)
    reused = [key for key in by_state(second) if key in first]
    assert len(reused) == 4 and all(second[key] is first[key] for key in reused)
    assert len(metas) == 5


def by_state(readings: reading.Readings) -> list[tuple]:
    """The readings' keys by file state (each is kept by the file's bytes too)."""
    return [key for key in readings if key[1] != "content"]


def test_a_fresh_clone_finds_its_readings_by_the_bytes_of_its_files(tmp_path: Path) -> None:
    # A CI job: the same files, checked out anew (new times and inodes), the cache restored.
    files = {f"content/posts/p{n:03d}.md": post(n + 1) for n in range(8)}
    write_tree(tmp_path / "site", files)
    metas, first, _, first_warnings = read(tmp_path / "site", {}, parallel=False)
    (tmp_path / "site").rename(tmp_path / "old")
    write_tree(tmp_path / "site", {**files, "content/posts/p001.md": post(2).replace("Body", "Edited")})
    again, _, _, warnings = read(tmp_path / "site", first, parallel=False)
    assert warnings == first_warnings
    undated = {path for path, meta in metas.items() if meta.date_guessed_from}
    assert undated  # post(7) has no date: it takes the file's time
    # A reading found again shares what it holds with the first (a new reading makes anew).
    reused = {path for path in again if again[path].extra is metas[path].extra}
    edited = str(tmp_path / "site/content/posts/p001.md")
    assert reused == set(again) - {edited} - undated
    assert all(again[path].source.mtime != metas[path].source.mtime for path in reused)
