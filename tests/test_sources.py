"""Tests for generator.build.sources: front matter splitting, key lines, discovery, bundles, ignored names."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from generator.build.content import discover_paths
from generator.build.sources import (
    SourceFile,
    bundle_assets,
    is_ignored,
    read_source,
    split_front_matter,
)
from generator.site.errors import ErrorCollector


def read(tmp_path: Path, content: str | bytes, name: str = "post.md") -> tuple[SourceFile | None, list[str]]:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_bytes(content.encode("utf-8"))
    else:
        path.write_bytes(content)
    errors = ErrorCollector()
    source = read_source(path, Path(name), "post", errors)
    return source, [str(e) for e in errors.errors]


def split(text: str) -> tuple[object, list[str]]:
    errors = ErrorCollector()
    result = split_front_matter(text, Path("x.md"), errors)
    return result, [str(e) for e in errors.errors]


def test_yaml_front_matter_is_split_with_key_lines_and_body_line(tmp_path: Path) -> None:
    source, errors = read(
        tmp_path,
        "---\ntitle: Hello\n\ndate: 2024-01-05\ntags:\n  - a\n  - b\nslug: hi\n---\n# Body\n\ntext\n",
    )
    assert errors == []
    assert source is not None
    assert source.front_matter == "yaml"
    assert source.meta == {"title": "Hello", "date": dt.date(2024, 1, 5), "tags": ["a", "b"], "slug": "hi"}
    assert source.meta_lines == {"title": 2, "date": 4, "tags": 5, "slug": 8}
    assert source.body == "# Body\n\ntext\n"
    assert source.body_line == 10
    assert source.line_of("slug") == 8
    assert source.line_of("missing") == 1
    assert source.kind == "post"
    assert source.rel == Path("post.md")
    assert source.bundle_dir is None
    assert source.assets == ()
    assert source.mtime == (tmp_path / "post.md").stat().st_mtime


def test_toml_front_matter_is_split_with_key_lines_and_body_line(tmp_path: Path) -> None:
    source, errors = read(
        tmp_path,
        '+++\ntitle = "Hello"\n\n"date" = 2024-01-05\ntags = ["a", "b"]\n[extra]\nmood = "calm"\n+++\nBody\n',
    )
    assert errors == []
    assert source is not None
    assert source.front_matter == "toml"
    assert source.meta == {
        "title": "Hello",
        "date": dt.date(2024, 1, 5),
        "tags": ["a", "b"],
        "extra": {"mood": "calm"},
    }
    assert source.meta_lines["title"] == 2
    assert source.meta_lines["date"] == 4
    assert source.meta_lines["tags"] == 5
    assert source.body == "Body\n"
    assert source.body_line == 9


@pytest.mark.parametrize(
    "text",
    ["Just a body\n---\nnot: front matter\n---\n", "", "\n---\ntitle: x\n---\n", " ---\ntitle: x\n---\n"],
)
def test_text_without_an_opening_fence_is_all_body(text: str) -> None:
    result, errors = split(text)
    assert errors == []
    assert result == (None, {}, {}, text, 1)


def test_empty_front_matter_gives_empty_meta() -> None:
    result, errors = split("---\n---\nBody")
    assert errors == []
    assert result == ("yaml", {}, {}, "Body", 3)


def test_fences_may_carry_trailing_spaces_and_body_may_hold_more_fences() -> None:
    result, errors = split("---  \ntitle: a\n---\t\nBody\n---\nmore\n")
    assert errors == []
    assert result == ("yaml", {"title": "a"}, {"title": 2}, "Body\n---\nmore\n", 4)


@pytest.mark.parametrize("fence", ["---", "+++"])
def test_unclosed_front_matter_is_an_error_at_line_one(fence: str) -> None:
    result, errors = split(f"{fence}\ntitle: a\nbody text\n")
    assert result is None
    assert errors == [f"x.md:1: front matter opened with {fence!r} is never closed"]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("---\ntitle: a\n  foo: bar\n---\nbody", 3),
        ("---\ntitle: a\n\tfoo: bar\n---\nbody", 3),
        ("---\ntitle: a\n\ndate: [1, 2\n---\nbody", 4),  # an unclosed list: the line it opens on
        ('---\ntitle: "a\ndate: x\n---\nbody', 2),
    ],
)
def test_invalid_yaml_is_an_error_at_the_file_line(text: str, line: int) -> None:
    result, errors = split(text)
    assert result is None
    assert len(errors) == 1
    assert errors[0].startswith(f"x.md:{line}: invalid YAML front matter")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('+++\ntitle = "a"\ndate = nope\n+++\nbody', 3),
        ('+++\n\nkey value\n+++\nbody', 3),
    ],
)
def test_invalid_toml_is_an_error_at_the_file_line(text: str, line: int) -> None:
    result, errors = split(text)
    assert result is None
    assert len(errors) == 1
    assert errors[0].startswith(f"x.md:{line}: invalid TOML front matter")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('+++\ntitle = "a"\n\n\ntitle = "b"\n+++\nbody', 5),  # a key given twice
        ('+++\ntitle = "a"\ntags = ["a",\n+++\nbody', 3),  # an unclosed list
    ],
)
def test_invalid_toml_on_the_last_front_matter_line_is_reported_there(text: str, line: int) -> None:
    result, errors = split(text)
    assert result is None
    assert len(errors) == 1
    assert errors[0].startswith(f"x.md:{line}: invalid TOML front matter")


@pytest.mark.parametrize("meta", ["- a\n- b", "just text", "42"])
def test_front_matter_that_is_not_a_mapping_is_an_error(meta: str) -> None:
    result, errors = split(f"---\n{meta}\n---\nbody")
    assert result is None
    assert errors == ["x.md:2: front matter must be a mapping of keys to values"]


def test_crlf_files_are_read_like_lf_files(tmp_path: Path) -> None:
    source, errors = read(tmp_path, "---\r\ntitle: Hello\r\ndraft: true\r\n---\r\nLine one\r\nLine two\r\n")
    assert errors == []
    assert source is not None
    assert source.meta == {"title": "Hello", "draft": True}
    assert source.meta_lines == {"title": 2, "draft": 3}
    assert source.body == "Line one\nLine two\n"
    assert source.body_line == 5
    assert "\r" not in source.body


def test_old_mac_cr_line_endings_are_normalised(tmp_path: Path) -> None:
    source, errors = read(tmp_path, "---\rtitle: Hello\r---\rBody\r")
    assert errors == []
    assert source is not None
    assert (source.meta, source.body, source.body_line) == ({"title": "Hello"}, "Body\n", 4)


def test_utf8_bom_does_not_hide_the_front_matter(tmp_path: Path) -> None:
    source, errors = read(tmp_path, "\ufeff---\ntitle: Café\n---\nBody\n".encode())
    assert errors == []
    assert source is not None
    assert source.front_matter == "yaml"
    assert source.meta == {"title": "Café"}
    assert source.body == "Body\n"


def test_invalid_utf8_is_an_error_naming_its_line(tmp_path: Path) -> None:
    source, errors = read(tmp_path, b"---\ntitle: a\n---\nfine\ncaf\xe9 au lait\n")
    assert source is None
    assert errors == ["post.md:5: not valid UTF-8 text (save the file as UTF-8)"]


def test_invalid_utf8_after_a_bom_is_reported_at_its_line(tmp_path: Path) -> None:
    source, errors = read(tmp_path, b"\xef\xbb\xbfa\nb\n\xff\n")
    assert source is None
    assert errors == ["post.md:3: not valid UTF-8 text (save the file as UTF-8)"]


def test_bundle_source_knows_its_folder_and_assets(tmp_path: Path) -> None:
    bundle = tmp_path / "trip"
    (bundle / "img").mkdir(parents=True)
    (bundle / "img" / "photo.jpg").write_bytes(b"jpg")
    (bundle / "notes.pdf").write_bytes(b"pdf")
    source, errors = read(tmp_path, "---\ntitle: Trip\n---\nBody\n", name="trip/index.md")
    assert errors == []
    assert source is not None
    assert source.bundle_dir == bundle
    assert source.assets == (bundle / "img" / "photo.jpg", bundle / "notes.pdf")


def test_bundle_assets_skip_index_md_hidden_and_editor_files(tmp_path: Path) -> None:
    bundle = tmp_path / "b"
    files = [
        "index.md",
        "a.png",
        "sub/index.md",  # only the bundle's own index.md is the document
        "sub/deep/c.txt",
        ".hidden.png",
        ".secret/inside.txt",
        "a.png~",
        ".index.md.swp",
        "4913",
        "sub/#autosave#",
    ]
    for rel in files:
        (bundle / rel).parent.mkdir(parents=True, exist_ok=True)
        (bundle / rel).write_bytes(b"x")
    assert bundle_assets(bundle) == (bundle / "a.png", bundle / "sub/deep/c.txt", bundle / "sub/index.md")


def discover(content: Path) -> list[tuple[Path, str]]:
    return [(Path(path), kind) for path, kind in discover_paths(content)]


def test_discover_finds_markdown_bundles_and_sections_and_skips_the_rest(tmp_path: Path) -> None:
    content = tmp_path / "content"
    files = [
        "posts/b.md",
        "posts/a.markdown",
        "posts/C.MD",
        "posts/bundle/index.md",
        "posts/bundle/photo.jpg",
        "posts/folder-without-index/x.md",
        "posts/.hidden.md",
        "posts/x.md~",
        "posts/.x.md.swp",
        "posts/4913",
        "posts/notes.txt",
        "posts/image.png",
        "posts/.hidden-bundle/index.md",
        "pages/about.md",
        "pages/now/index.md",
        "static/page.md",
    ]
    for rel in files:
        (content / rel).parent.mkdir(parents=True, exist_ok=True)
        (content / rel).write_text("x", encoding="utf-8")
    found = [(path.relative_to(content).as_posix(), kind) for path, kind in discover(content)]
    assert found == [
        ("posts/C.MD", "post"),
        ("posts/a.markdown", "post"),
        ("posts/b.md", "post"),
        ("posts/bundle/index.md", "post"),
        ("posts/folder-without-index/x.md", "post"),  # a section's post
        ("pages/about.md", "page"),
        ("pages/now/index.md", "page"),
    ]


def test_discover_without_content_folders_finds_nothing(tmp_path: Path) -> None:
    assert discover(tmp_path / "content") == []
    (tmp_path / "content" / "posts").mkdir(parents=True)
    assert discover(tmp_path / "content") == []


@pytest.mark.parametrize(
    ("name", "ignored"),
    [
        ("post.md", False),
        ("index.md", False),
        ("photo.jpg", False),
        ("4913.md", False),
        ("a~b.md", False),
        (".hidden.md", True),
        (".git", True),
        ("x.md~", True),
        (".x.md.swp", True),
        ("x.swo", True),
        ("x.swx", True),
        ("x.tmp", True),
        ("x.bak", True),
        ("x.orig", True),
        ("download.part", True),
        ("#x.md#", True),
        ("~lock.md", True),
        ("4913", True),
        ("Thumbs.db", True),
        ("desktop.ini", True),
    ],
)
def test_is_ignored(name: str, ignored: bool) -> None:
    assert is_ignored(name) is ignored


def test_read_source_of_a_missing_file_is_an_error(tmp_path: Path) -> None:
    errors = ErrorCollector()
    assert read_source(tmp_path / "gone.md", Path("gone.md"), "page", errors) is None
    assert len(errors.errors) == 1
    assert str(errors.errors[0]).startswith("gone.md: cannot read")


def test_mtime_is_the_files_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "old.md"
    path.write_text("Body\n", encoding="utf-8")
    os.utime(path, (1_600_000_000, 1_600_000_000))
    errors = ErrorCollector()
    source = read_source(path, Path("old.md"), "post", errors)
    assert source is not None
    assert source.mtime == 1_600_000_000
    assert source.front_matter is None
    assert source.body == "Body\n"
