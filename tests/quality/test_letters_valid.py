"""A published letter full of control characters (pasted terminal output, Windows-1252 read
as Latin-1, odd bytes) makes a page the Nu HTML Checker finds no error in."""

from __future__ import annotations

from pathlib import Path

import pytest

from ..test_inbox_edges import publish_hostile_letter
from ..test_inbox_support import make_site, rebuild
from .harness import run_vnu

pytestmark = pytest.mark.quality


def test_a_page_with_a_hostile_letter_is_valid_html(vnu: Path, tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", endpoint="https://example.com/inbox/")
    publish_hostile_letter(site.root)
    rebuild(site.root, endpoint="https://example.com/inbox/")
    page = site.output / "posts/inch-wide/index.html"
    assert 'class="letters"' in page.read_text(encoding="utf-8")
    errors = run_vnu([page])
    assert [f"{m.get('lastLine')}: {m.get('message')}" for m in errors] == []
