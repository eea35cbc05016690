"""Tests for generator.site.slugs: table tests and properties of slugify and unique_slug."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.site.slugs import slugify, unique_slug


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello, World!", "hello-world"),
        ("  Café au lait ", "café-au-lait"),
        ("Ελληνικά κείμενα", "ελληνικά-κείμενα"),
        ("日本語のタイトル", "日本語のタイトル"),
        ("hindi: नमस्ते", "hindi-नमस्ते"),  # combining vowel signs (category M) are kept
        ("a--b__c", "a-b-c"),
        ("C++ & Rust", "c-rust"),
        ("file.name.md", "file-name-md"),
        ("a/b\\c", "a-b-c"),
        ("ﬁnance", "finance"),  # NFKC folds the ligature
        ("Straße", "strasse"),  # casefold, not lower
        ("２０２４年", "2024年"),  # full-width digits become ASCII
        ("2024-01-05-hello", "2024-01-05-hello"),
        ("---trim me---", "trim-me"),
    ],
)
def test_slugify_table(text: str, expected: str) -> None:
    assert slugify(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "!!!", "...", "/", "—", "\t\n"])
def test_slugify_of_nothing_usable_is_the_fallback(text: str) -> None:
    assert slugify(text) == "untitled"
    assert slugify(text, fallback="post") == "post"


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_slugify_is_one_safe_non_empty_path_part(text: str) -> None:
    slug = slugify(text)
    assert slug
    assert not any(bad in slug for bad in ("/", "\\", ".", "--"))
    assert not any(ch.isspace() for ch in slug)
    assert not slug.startswith("-")
    assert not slug.endswith("-")


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_slugify_is_idempotent(text: str) -> None:
    once = slugify(text)
    assert slugify(once) == once


@given(st.text(max_size=20), st.integers(min_value=1, max_value=12))
def test_unique_slug_gives_distinct_results_and_takes_them(base: str, count: int) -> None:
    taken: set[str] = set()
    results = [unique_slug(base, taken) for _ in range(count)]
    assert len(set(results)) == count
    assert set(results) == taken
    assert results[0] == base


def test_unique_slug_numbers_from_two_and_skips_taken_numbers() -> None:
    taken = {"post", "post-2"}
    assert unique_slug("post", taken) == "post-3"
    assert unique_slug("post", taken) == "post-4"
    assert unique_slug("other", taken) == "other"
    assert {"post-3", "post-4", "other"} <= taken
