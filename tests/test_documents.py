"""Tests for generator.build.documents: front matter → DocumentMeta, dates, titles (read from real files)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.build.documents import (
    DocumentMeta,
    guess_title,
    read_meta,
    take_leading_heading,
    to_datetime,
)
from generator.build.sources import read_source
from generator.site.errors import ErrorCollector

BERLIN = ZoneInfo("Europe/Berlin")


def meta_of(
    tmp_path: Path, text: str, name: str = "posts/hello.md", kind: str = "post", mtime: int | None = None
) -> tuple[DocumentMeta | None, list[str]]:
    path = tmp_path / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mtime is not None:
        os.utime(path, (mtime, mtime))
    errors = ErrorCollector()
    source = read_source(path, Path("content") / name, kind, errors)  # type: ignore[arg-type]
    assert source is not None, errors.errors
    meta = read_meta(source, BERLIN, errors)
    return meta, [str(e) for e in errors.errors]


def ok(tmp_path: Path, text: str, **kwargs: object) -> DocumentMeta:
    meta, errors = meta_of(tmp_path, text, **kwargs)  # type: ignore[arg-type]
    assert errors == []
    assert meta is not None
    return meta


def test_plain_post_front_matter(tmp_path: Path) -> None:
    meta = ok(
        tmp_path,
        "---\ntitle: '  Hello  '\ndate: 2024-03-01\nsummary: A *short* one\ndescription: Plain\n"
        "template: essay.html\nlang: de\n---\nBody\n",
    )
    assert meta.title == "Hello"
    assert meta.slug == "hello"
    assert meta.path == "posts/hello/"
    assert meta.kind == "post"
    assert meta.date == datetime(2024, 3, 1, tzinfo=BERLIN)
    assert meta.updated is None
    assert meta.summary == "A *short* one"
    assert meta.description == "Plain"
    assert meta.template == "essay.html"
    assert meta.lang == "de"
    assert meta.draft is False
    assert meta.tag_names == ()
    assert meta.aliases == ()
    assert meta.extra == {}
    assert meta.date_guessed_from is None


def test_page_path_and_no_date(tmp_path: Path) -> None:
    meta = ok(tmp_path, "---\ntitle: About me\n---\nHi\n", name="pages/about.md", kind="page")
    assert meta.slug == "about"
    assert meta.path == "about/"
    assert meta.date is None
    assert meta.date_guessed_from is None


def test_jekyll_file_name_gives_date_and_slug(tmp_path: Path) -> None:
    meta = ok(tmp_path, "---\ntitle: X\n---\n", name="posts/2019-05-17-old-post.md")
    assert meta.slug == "old-post"
    assert meta.date == datetime(2019, 5, 17, tzinfo=BERLIN)
    assert meta.date_guessed_from is None


def test_jekyll_bundle_folder_name_gives_date_and_slug(tmp_path: Path) -> None:
    meta = ok(tmp_path, "---\ntitle: X\n---\n", name="posts/2020-02-29-leap/index.md")
    assert (meta.slug, meta.date) == ("leap", datetime(2020, 2, 29, tzinfo=BERLIN))
    assert meta.path == "posts/leap/"


def test_front_matter_date_wins_over_the_file_name(tmp_path: Path) -> None:
    meta = ok(tmp_path, "---\ntitle: X\ndate: 2021-01-02\n---\n", name="posts/2019-05-17-old.md")
    assert meta.date == datetime(2021, 1, 2, tzinfo=BERLIN)


def test_impossible_jekyll_date_keeps_the_whole_name_as_slug(tmp_path: Path) -> None:
    meta = ok(tmp_path, "---\ntitle: X\n---\n", name="posts/2019-02-30-nope.md", mtime=1_700_000_000)
    assert meta.slug == "2019-02-30-nope"
    assert meta.date_guessed_from == "the file's modification time"


def test_slug_from_front_matter_is_slugified(tmp_path: Path) -> None:
    meta = ok(tmp_path, "---\ntitle: X\nslug: My Great Post!\n---\n", name="posts/2019-05-17-old.md")
    assert meta.slug == "my-great-post"
    assert meta.path == "posts/my-great-post/"


def test_post_without_date_uses_the_file_mtime(tmp_path: Path) -> None:
    meta = ok(tmp_path, "---\ntitle: X\n---\n", mtime=1_700_000_000)
    assert meta.date == datetime.fromtimestamp(1_700_000_000, BERLIN)
    assert meta.date is not None and meta.date.tzinfo is BERLIN
    assert meta.date_guessed_from == "the file's modification time"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-05", datetime(2024, 1, 5, tzinfo=BERLIN)),
        ("2024-01-05 10:30:00", datetime(2024, 1, 5, 10, 30, tzinfo=BERLIN)),  # naive → site zone
        ("2024-01-05T10:30:00+02:00", datetime(2024, 1, 5, 10, 30, tzinfo=timezone(timedelta(hours=2)))),
        ("2024-01-05T10:30:00Z", datetime(2024, 1, 5, 10, 30, tzinfo=UTC)),
        ('"2024-01-05T10:30"', datetime(2024, 1, 5, 10, 30, tzinfo=BERLIN)),  # an ISO string
        ('"2024-01-05T10:30:00Z"', datetime(2024, 1, 5, 10, 30, tzinfo=UTC)),
        ('"2015-11-17 16:16:01 -0600"', datetime(2015, 11, 17, 16, 16, 1, tzinfo=timezone(timedelta(hours=-6)))),
    ],
)
def test_date_forms(tmp_path: Path, value: str, expected: datetime) -> None:
    meta = ok(tmp_path, f"---\ntitle: X\ndate: {value}\n---\n")
    assert meta.date == expected
    assert meta.date is not None and meta.date.utcoffset() == expected.utcoffset()


def test_toml_datetime_is_accepted(tmp_path: Path) -> None:
    meta = ok(tmp_path, '+++\ntitle = "X"\ndate = 2024-01-05T08:00:00Z\nupdated = 2024-02-01\n+++\n')
    assert meta.date == datetime(2024, 1, 5, 8, tzinfo=UTC)
    assert meta.updated == datetime(2024, 2, 1, tzinfo=BERLIN)


@pytest.mark.parametrize("value", ["yesterday", "2024-13-01", "12", "[2024]", "'2024/01/05/06'"])
def test_garbage_date_is_an_error_naming_its_line(tmp_path: Path, value: str) -> None:
    meta, errors = meta_of(tmp_path, f"---\ntitle: X\ntags: a\ndate: {value}\n---\n")
    assert meta is None
    assert len(errors) == 1
    assert errors[0].startswith("content/posts/hello.md:4: front matter 'date': not a date")


@pytest.mark.parametrize("key", ["updated", "lastmod", "last_modified_at"])
def test_updated_and_its_aliases(tmp_path: Path, key: str) -> None:
    meta = ok(tmp_path, f"---\ntitle: X\ndate: 2024-01-01\n{key}: 2024-06-01 12:00\n---\n")
    assert meta.updated == datetime(2024, 6, 1, 12, tzinfo=BERLIN)


def test_bad_lastmod_is_an_error_at_its_line(tmp_path: Path) -> None:
    meta, errors = meta_of(tmp_path, "---\ntitle: X\ndate: 2024-01-01\nlastmod: soon\n---\n")
    assert meta is None
    assert errors == ["content/posts/hello.md:4: front matter 'lastmod': not a date: 'soon' "
                      "(use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"]


@pytest.mark.parametrize(
    ("lines", "draft"),
    [
        ("", False),
        ("draft: true\n", True),
        ("draft: false\n", False),
        ("published: false\n", True),
        ("published: true\n", False),
        ("draft: false\npublished: false\n", False),  # an explicit draft flag wins
    ],
)
def test_draft_and_jekyll_published(tmp_path: Path, lines: str, draft: bool) -> None:
    assert ok(tmp_path, f"---\ntitle: X\ndate: 2024-01-01\n{lines}---\n").draft is draft


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[Life, Letters]", ("Life", "Letters")),
        ("['  padded ', '', 2024]", ("padded", "2024")),
        ("'life, long letters,'", ("life", "long letters")),
        ("'life letters'", ("life", "letters")),
        ("[]", ()),
    ],
)
def test_tags_as_list_comma_string_or_space_string(tmp_path: Path, value: str, expected: tuple[str, ...]) -> None:
    assert ok(tmp_path, f"---\ntitle: X\ndate: 2024-01-01\ntags: {value}\n---\n").tag_names == expected


def test_aliases_are_normalised(tmp_path: Path) -> None:
    meta = ok(
        tmp_path,
        "---\ntitle: X\ndate: 2024-01-01\naliases:\n  - /2019/05/old/\n  - old.html\n"
        "  - https://old.example.com/p?id=3\n---\n",
    )
    assert meta.aliases == ("2019/05/old/", "old.html", "p/")


def test_unusable_alias_is_an_error_at_its_line(tmp_path: Path) -> None:
    meta, errors = meta_of(tmp_path, "---\ntitle: X\ndate: 2024-01-01\naliases: ['/']\n---\n")
    assert meta is None
    assert errors == ["content/posts/hello.md:4: front matter 'aliases': '/' is not a usable path on this site"]


def test_alias_with_dot_dot_is_rejected(tmp_path: Path) -> None:
    meta, errors = meta_of(tmp_path, "---\ntitle: X\ndate: 2024-01-01\naliases: ['../../escape/']\n---\n")
    assert meta is None
    assert len(errors) == 1
    assert errors[0].startswith("content/posts/hello.md:4: front matter 'aliases'")


def test_unknown_keys_are_kept_in_extra(tmp_path: Path) -> None:
    meta = ok(
        tmp_path,
        "---\ntitle: X\ndate: 2024-01-01\nlayout: post\ncover: {src: a.jpg, alt: A}\ncategories: [x]\n---\n",
    )
    assert meta.extra == {"layout": "post", "cover": {"src": "a.jpg", "alt": "A"}}
    assert meta.tag_names == ("x",)  # categories are read as tags


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("draft: 'yes'", "front matter 'draft': must be true or false, got 'yes'"),
        ("published: 0", "front matter 'published': must be true or false, got 0"),
        ("title: [a, b]", "front matter 'title': must be text, got list"),
        ("title: true", "front matter 'title': must be text, got bool"),
        ("slug: {a: 1}", "front matter 'slug': must be text, got dict"),
        ("aliases: {a: 1}", "front matter 'aliases': must be a list of text"),
        ("template: ../../etc/passwd", "front matter 'template': '../../etc/passwd' must name a template"),
    ],
)
def test_wrong_types_are_errors_at_their_line(tmp_path: Path, line: str, message: str) -> None:
    meta, errors = meta_of(tmp_path, f"---\ndate: 2024-01-01\n\n{line}\n---\nBody\n")
    assert meta is None
    assert len(errors) == 1
    assert errors[0].startswith(f"content/posts/hello.md:4: {message}")


def test_several_field_errors_are_all_reported(tmp_path: Path) -> None:
    meta, errors = meta_of(tmp_path, "---\ntitle: [x]\ndate: never\ndraft: maybe\n---\n")
    assert meta is None
    assert sorted(int(e.split(":")[1]) for e in errors) == [2, 3, 4]


@pytest.mark.parametrize("line", ["tags: {a: 1}", "description: [a]"])
def test_bad_late_field_makes_read_meta_return_none(tmp_path: Path, line: str) -> None:
    meta, errors = meta_of(tmp_path, f"---\ntitle: X\ndate: 2024-01-01\n{line}\n---\n")
    assert len(errors) == 1
    assert meta is None


def test_post_with_empty_date_gets_a_date_or_an_error(tmp_path: Path) -> None:
    meta, errors = meta_of(tmp_path, "---\ntitle: X\ndate:\n---\n", mtime=1_700_000_000)
    assert errors or (meta is not None and meta.date is not None)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 1, 5), datetime(2024, 1, 5, tzinfo=BERLIN)),
        (datetime(2024, 1, 5, 9), datetime(2024, 1, 5, 9, tzinfo=BERLIN)),
        (datetime(2024, 1, 5, 9, tzinfo=UTC), datetime(2024, 1, 5, 9, tzinfo=UTC)),
        ("2024-07-01", datetime(2024, 7, 1, tzinfo=BERLIN)),
        (" 2024-07-01 08:00 ", datetime(2024, 7, 1, 8, tzinfo=BERLIN)),
        ("2024-07-01T08:00:00Z", datetime(2024, 7, 1, 8, tzinfo=UTC)),
        ("garbage", None),
        ("", None),
        (20240701, None),
        (None, None),
        ([2024], None),
    ],
)
def test_to_datetime(value: object, expected: datetime | None) -> None:
    result = to_datetime(value, BERLIN)
    assert result == expected
    if result is not None:
        assert result.tzinfo is not None
        assert expected is not None and result.utcoffset() == expected.utcoffset()


def test_to_datetime_naive_uses_the_zones_offset_for_that_day() -> None:
    winter = to_datetime("2024-01-05 12:00", BERLIN)
    summer = to_datetime("2024-07-05 12:00", BERLIN)
    assert winter is not None and summer is not None
    assert winter.utcoffset() == timedelta(hours=1)
    assert summer.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Just some text here\nmore", "Just some text here"),
        ("\n\n> **Quoted** opening\n", "Quoted opening"),
        ("<!-- note -->\n* _first_ item\n", "first item"),
        ("## Second level\n", "Second level"),
        ("", None),
        ("\n   \n", None),
        ("x" * 100, "x" * 80),
    ],
)
def test_guess_title(body: str, expected: str | None) -> None:
    assert guess_title(body) == expected


@pytest.mark.parametrize(
    ("body", "title", "rest"),
    [
        ("# Hello\nText", "Hello", "\nText"),
        ("\n\n# Hello world #\n\nText", "Hello world", "\n\n\n\nText"),  # blanked, lines kept
        ("   # Indented\n", "Indented", "\n"),
        ("## Not h1\n# Later", None, "## Not h1\n# Later"),
        ("Text first\n# Later", None, "Text first\n# Later"),
        ("#NoSpace\n", None, "#NoSpace\n"),
        ("", None, ""),
    ],
)
def test_take_leading_heading(body: str, title: str | None, rest: str) -> None:
    assert take_leading_heading(body) == (title, rest)
    assert rest.count("\n") == body.count("\n")
