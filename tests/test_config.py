"""Tests for generator.site.config.load_config: validation with `site.yaml:LINE` errors, defaults, URLs."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest

from generator.site.config import (
    Author,
    HighlightConfig,
    InboxConfig,
    MenuItem,
    SiteConfig,
    load_config,
    normalise_base_url,
)
from generator.site.errors import BuildFailed

VALID = """\
title: My Blog
base_url: https://example.com/
author:
  name: Ann Writer
"""


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def failures(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(BuildFailed) as info:
        load_config(write_config(tmp_path, text))
    return [str(error) for error in info.value.errors]


def test_valid_config_gives_frozen_site_config_with_defaults(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, VALID))
    assert isinstance(config, SiteConfig)
    assert config.title == "My Blog"
    assert config.base_url == "https://example.com/"
    assert config.author == Author(name="Ann Writer", email="", url="")
    assert config.language == "en"
    assert config.timezone == "UTC"
    assert config.theme == "default"
    assert config.output_dir == "public"
    assert config.per_page == 10
    assert config.feed_entries == 20
    assert config.menu == ()
    assert config.highlight == HighlightConfig()
    assert config.inbox == InboxConfig(endpoint="")
    assert config.extra == {}
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.title = "changed"  # type: ignore[misc]


def test_full_config_is_converted_into_nested_dataclasses(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            VALID
            + """\
description: Letters and essays
language: de
timezone: Europe/Berlin
per_page: 5
feed_entries: 3
menu:
  - title: About
    url: /about/
  - title: Archive
    url: /archive/
highlight:
  light: friendly
inbox:
  endpoint: https://inbox.example.com/letters
""",
        )
    )
    assert config.menu == (MenuItem("About", "/about/"), MenuItem("Archive", "/archive/"))
    assert config.highlight.light == "friendly"
    assert config.highlight.dark == HighlightConfig().dark
    assert config.inbox.endpoint == "https://inbox.example.com/letters"
    assert (config.per_page, config.feed_entries, config.language) == (5, 3, "de")
    assert config.tz.key == "Europe/Berlin"


def test_numeric_title_is_kept_as_text(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, VALID.replace("My Blog", "1984")))
    assert config.title == "1984"


def test_unknown_top_level_key_names_its_line(tmp_path: Path) -> None:
    errors = failures(tmp_path, VALID + "colour: red\n")
    assert len(errors) == 1
    assert errors[0].startswith("site.yaml:5: unknown key 'colour'")
    assert "known keys here" in errors[0] and "per_page" in errors[0]


def test_unknown_nested_keys_in_author_and_menu_item_name_their_lines(tmp_path: Path) -> None:
    errors = failures(
        tmp_path,
        """\
title: T
base_url: https://example.com/
author:
  name: A
  emial: a@example.com
menu:
  - title: Home
    url: /
    icon: house
""",
    )
    assert len(errors) == 2
    assert errors[0].startswith("site.yaml:5: unknown key 'author.emial'")
    assert "email" in errors[0]
    assert errors[1].startswith("site.yaml:9: unknown key 'menu[0].icon'")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('per_page: "a"', "site.yaml:5: per_page must be a whole number"),
        ("per_page: true", "site.yaml:5: per_page must be a whole number"),
        ("per_page: 2.5", "site.yaml:5: per_page must be a whole number"),
        ("per_page: 0", "site.yaml:5: per_page must be at least 1"),
        ("feed_entries: -1", "site.yaml:5: feed_entries must be at least 1"),
        ("menu: home", "site.yaml:5: menu must be a list"),
        ("menu: {title: x}", "site.yaml:5: menu must be a list"),
        ("author_x: 1", "site.yaml:5: unknown key 'author_x'"),
        ("highlight: dark", "site.yaml:5: highlight must be a mapping"),
        ("extra: [1, 2]", "site.yaml:5: extra must be a mapping"),
        ("language: [en]", "site.yaml:5: language must be a string"),
        ("language: true", "site.yaml:5: language must be a string"),
        ("description: ~", "site.yaml:5: description must be a string, but it is empty"),
        ("theme: ../evil", "site.yaml:5: theme must be a folder name"),
        ("title: Again", "site.yaml:5: key 'title' is given twice"),
    ],
)
def test_wrong_values_are_errors_at_their_line(tmp_path: Path, line: str, message: str) -> None:
    errors = failures(tmp_path, VALID + line + "\n")
    assert len(errors) == 1, errors
    assert errors[0].startswith(message)


def test_menu_item_must_be_a_mapping(tmp_path: Path) -> None:
    errors = failures(tmp_path, VALID + "menu:\n  - /about/\n")
    assert errors == ["site.yaml:6: menu[0] must be a mapping of keys to values"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("description: x\n", ["title", "base_url", "author"]),
        ("title: T\nauthor:\n  name: A\n", ["base_url"]),
        ("title: T\nbase_url: https://example.com/\n", ["author"]),
    ],
)
def test_missing_required_keys_are_each_reported(tmp_path: Path, text: str, expected: list[str]) -> None:
    errors = failures(tmp_path, text)
    assert errors == [f"site.yaml:1: missing required key {name!r}" for name in expected]


def test_missing_nested_required_key_points_at_its_mapping(tmp_path: Path) -> None:
    errors = failures(tmp_path, "title: T\nbase_url: https://example.com/\nauthor:\n  email: a@b.c\n")
    assert errors == ["site.yaml:4: missing required key 'author.name'"]


def test_top_level_list_is_rejected(tmp_path: Path) -> None:
    assert failures(tmp_path, "- title: T\n") == ["site.yaml:1: site.yaml must be a mapping of keys to values"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("title: T\nbase_url: https://example.com/\n  bad: indent\n", 3),
        ("title: T\nbase_url: https://example.com/\nauthor: [\n  name: A\n", 3),
        ("title: T\n\tbase_url: x\n", 2),
        ('base_url: x\ntitle: "unclosed\nauthor: x\n', 2),  # where the quote was opened
    ],
)
def test_invalid_yaml_names_the_line_of_the_problem(tmp_path: Path, text: str, line: int) -> None:
    errors = failures(tmp_path, text)
    assert len(errors) == 1
    assert errors[0].startswith(f"site.yaml:{line}: invalid YAML")


@pytest.mark.parametrize("url", ["example.com", "/blog/", "ftp://example.com/", "https://", "mailto:a@b.c"])
def test_base_url_must_be_absolute_http(tmp_path: Path, url: str) -> None:
    errors = failures(tmp_path, VALID.replace("https://example.com/", url))
    assert len(errors) == 1
    assert errors[0].startswith("site.yaml:2: base_url must be an absolute http(s) URL")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "''", "../etc/passwd"])
def test_unknown_timezone_is_an_error_at_its_line(tmp_path: Path, zone: str) -> None:
    errors = failures(tmp_path, VALID + f"timezone: {zone}\n")
    assert len(errors) == 1
    assert errors[0].startswith("site.yaml:5: unknown timezone")


def test_several_errors_are_reported_at_once(tmp_path: Path) -> None:
    errors = failures(
        tmp_path,
        """\
title: T
base_url: example.com
author:
  name: A
per_page: many
timezone: Nowhere/City
unknown: 1
""",
    )
    lines = {int(e.split(":")[1]) for e in errors}
    assert {5, 7} <= lines  # the bad per_page and the unknown key, both in one failure
    errors = failures(tmp_path, VALID.replace("https://example.com/", "example.com") + "timezone: No/Where\n")
    assert errors == [
        "site.yaml:2: base_url must be an absolute http(s) URL, got 'example.com'",
        "site.yaml:5: unknown timezone 'No/Where'",
    ]


@pytest.mark.parametrize(
    ("url", "normal", "base_path"),
    [
        ("https://example.com", "https://example.com/", "/"),
        ("https://example.com/", "https://example.com/", "/"),
        ("https://example.com/blog", "https://example.com/blog/", "/blog/"),
        ("http://localhost:8000/a/b/", "http://localhost:8000/a/b/", "/a/b/"),
    ],
)
def test_base_url_gets_a_trailing_slash_and_base_path(tmp_path: Path, url: str, normal: str, base_path: str) -> None:
    config = load_config(write_config(tmp_path, VALID.replace("https://example.com/", url)))
    assert config.base_url == normal
    assert config.base_path == base_path
    assert normalise_base_url(url) == normal


def test_with_base_url_returns_a_normalised_copy(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, VALID))
    local = config.with_base_url("http://localhost:8000/preview")
    assert local.base_url == "http://localhost:8000/preview/"
    assert local.base_path == "/preview/"
    assert config.base_url == "https://example.com/"
    assert dataclasses.replace(local, base_url=config.base_url) == config


def test_extra_accepts_any_values(tmp_path: Path) -> None:
    config = load_config(
        write_config(
            tmp_path,
            VALID
            + """\
extra:
  anything: [1, two, 3.0]
  nested:
    deep: {flag: true, none: null}
  when: 2024-01-05
""",
        )
    )
    assert config.extra["anything"] == [1, "two", 3.0]
    assert config.extra["nested"] == {"deep": {"flag": True, "none": None}}
    assert str(config.extra["when"]) == "2024-01-05"


def test_missing_config_file_is_a_build_failure(tmp_path: Path) -> None:
    with pytest.raises(BuildFailed) as info:
        load_config(tmp_path / "site.yaml")
    assert str(info.value).startswith("site.yaml: no site.yaml here")


def test_config_that_is_not_utf8_is_a_build_failure(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_bytes(b"title: caf\xe9\n")
    with pytest.raises(BuildFailed) as info:
        load_config(path)
    assert "cannot read" in str(info.value)


def test_empty_config_lists_the_missing_keys(tmp_path: Path) -> None:
    errors = failures(tmp_path, "")
    assert [e.rsplit(" ", 1)[-1] for e in errors] == ["'title'", "'base_url'", "'author'"]


@pytest.mark.parametrize("line", ["per_page:", "description:"])
def test_key_with_empty_value_is_an_error_at_its_line(tmp_path: Path, line: str) -> None:
    errors = failures(tmp_path, VALID + line + "\n")
    assert len(errors) == 1
    assert errors[0].startswith(f"site.yaml:5: {line.rstrip(':')} must be")
