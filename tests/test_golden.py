"""A small site whose entire output is compared byte for byte with tests/golden/expected.

After an intended change to the output, regenerate and review the diff:
    FIRESIDE_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.build.incremental import build_site
from generator.build.options import BuildOptions

from .conftest import NOW

GOLDEN = Path(__file__).parent / "golden"


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_golden_site_output_is_unchanged(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(GOLDEN / "site", site)
    # The third post has no date in front matter, only in its name, so no mtime is involved.
    build_site(site / "site.yaml", BuildOptions(output_dir=tmp_path / "out", now=NOW))
    actual = files_under(tmp_path / "out")
    expected_dir = GOLDEN / "expected"
    if os.environ.get("FIRESIDE_UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        shutil.copytree(tmp_path / "out", expected_dir)
    expected = files_under(expected_dir)
    assert sorted(actual) == sorted(expected)
    changed = [name for name in expected if actual[name] != expected[name]]
    assert changed == [], f"output differs from tests/golden/expected in {changed}"


def test_golden_feeds_read_as_a_feed_reader_reads_them() -> None:
    """The expected feeds are a claim too: a feed reader shows their entries as HTML, whole."""
    import feedparser

    from .test_feed_readers import _anchors

    expected_dir = GOLDEN / "expected"
    feeds = sorted(expected_dir.rglob("atom.xml"))
    assert len(feeds) == 3
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo and parsed.version == "atom10", path
        for entry in parsed.entries:
            shown = _anchors(entry.content[0].value)
            text = "".join(shown.text)
            assert "<" not in text and "&lt;" not in text, (path, entry.title)
            assert shown.links[-1][1] == "Reply to this essay", (path, entry.title)
            assert all(tag.scheme == "https://golden.example/notes/tags/" for tag in entry.get("tags", []))
            assert "*" not in entry.get("summary", ""), (path, entry.title)
