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
    assert len(metas) == len(keep) == COUNT - len(broken)
    assert [e.split(":")[0] for e in errors] == [f"content/posts/p{n:03d}.md" for n in broken]
    undated = [n for n in range(COUNT) if n % 7 == 0 and n % 13]
    assert [w.split(":")[0] for w in warnings] == [f"content/posts/p{n:03d}.md" for n in undated]
    assert all(meta.source.body == "" for meta in metas.values())  # texts are not kept


def test_a_cached_reading_is_reused_until_its_file_changes(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"content/posts/p{n:03d}.md": post(n + 1) for n in range(5)})
    _, first, _, _ = read(tmp_path, {}, parallel=False)
    (tmp_path / "content/posts/p002.md").write_text(post(3).replace("Body", "A longer body"))
    metas, second, _, _ = read(tmp_path, first, parallel=False)
    reused = [key for key in second if key in first]
    assert len(reused) == 4 and all(second[key] is first[key] for key in reused)
    assert len(metas) == 5
