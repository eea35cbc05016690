"""Misspelt settings name the nearest right one, at their line (site.yaml keys, zones, styles)."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.site.config import load_config
from generator.site.errors import BuildFailed

from .conftest import DEFAULT_CONFIG, MakeSite, build


def config_errors(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "site.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BuildFailed) as failed:
        load_config(path)
    return [str(e) for e in failed.value.errors]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("titel: x\n", "site.yaml:7: unknown key 'titel' (did you mean 'title'?)"),
        ("timezone: Europe/Olso\n", "site.yaml:7: unknown timezone 'Europe/Olso' (did you mean 'Europe/Oslo'?)"),
        ("timezone: europe/oslo\n", "site.yaml:7: unknown timezone 'europe/oslo' (did you mean 'Europe/Oslo'?)"),
        ("highlight:\n  ligth: xcode\n", "site.yaml:8: unknown key 'highlight.ligth' (did you mean 'light'?)"),
        ("permalink:\n  posts: /:slug/\n", "site.yaml:7: unknown key 'permalink' (did you mean 'permalinks'?)"),
        ("markdown:\n  heading_ids: gihub\n", "site.yaml:8: markdown.heading_ids must be fireside, github or eleventy, got 'gihub' (did you mean 'github'?)"),
    ],
)
def test_settings_suggest_the_nearest(tmp_path: Path, extra: str, expected: str) -> None:
    errors = config_errors(tmp_path, DEFAULT_CONFIG + extra)
    assert any(e.startswith(expected) for e in errors), errors


def test_a_pygments_style_suggests_the_nearest_at_its_line(make_site: MakeSite) -> None:
    site = make_site({}, config=DEFAULT_CONFIG + "highlight:\n  light: xcode\n  dark: github-drak\n")
    with pytest.raises(BuildFailed) as failed:
        build(site)
    assert [str(e) for e in failed.value.errors] == [
        "site.yaml:9: highlight.dark: unknown Pygments style 'github-drak' (did you mean 'github-dark'?)"
    ]
