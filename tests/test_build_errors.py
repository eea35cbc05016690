"""Bad input: every problem reported as path:line, and the previous output left exactly as it was."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.build.output.staging import STAGING_PREFIX
from generator.site.errors import BuildFailed, SiteError

from .conftest import DEFAULT_CONFIG, MakeSite, build, tree_digest, write_tree

GOOD_POST = """\
---
title: A good post
date: 2026-01-05
---
Fine words.
"""


def failing_build(site: Path) -> list[str]:
    """Build a good site, break it, rebuild: return the errors, and prove the output untouched."""
    output = site / "public"
    before = tree_digest(output)
    assert before, "the good build wrote nothing"
    with pytest.raises(BuildFailed) as failed:
        build(site)
    assert tree_digest(output) == before, "a failed build changed the output"
    staged = site / ".fireside-cache"
    assert not [p for p in staged.iterdir() if p.name.startswith(STAGING_PREFIX)] if staged.is_dir() else True
    return [str(error) for error in failed.value.errors]


@pytest.fixture
def good_site(make_site: MakeSite) -> Path:
    site = make_site({"content/posts/good.md": GOOD_POST, "content/pages/about.md": "# About\n\nMe.\n"})
    build(site)
    return site


CASES = {
    "invalid YAML front matter": (
        {"content/posts/bad.md": "---\ntitle: ok\ntags: [unclosed\n---\nbody\n"},
        "content/posts/bad.md:3: invalid YAML front matter",
    ),
    "invalid TOML front matter": (
        {"content/posts/bad.md": '+++\ntitle = "ok"\ndate = not-a-date\n+++\nbody\n'},
        "content/posts/bad.md:3: invalid TOML front matter",
    ),
    "unclosed front matter": (
        {"content/posts/bad.md": "---\ntitle: never closed\n\nbody\n"},
        "content/posts/bad.md:1: front matter opened with '---' is never closed",
    ),
    "bad date": (
        {"content/posts/bad.md": "---\ntitle: x\ndate: last tuesday\n---\nbody\n"},
        "content/posts/bad.md:3: front matter 'date': not a date",
    ),
    "no title can be guessed": (
        {"content/posts/empty.md": "---\ndate: 2026-01-01\n---\n\n"},
        "content/posts/empty.md:1: no title",
    ),
    "two posts with the same URL": (
        {"content/posts/other.md": "---\ntitle: Other\ndate: 2026-01-02\nslug: good\n---\nbody\n"},
        "two pages with the same URL /posts/good/",
    ),
    "a page that takes a generated URL": (
        {"content/pages/tags.md": "---\ntitle: Tags, by hand\n---\nbody\n"},
        "two pages with the same URL: tags/index.html",
    ),
    "a link to a missing post source": (
        {
            "content/posts/linker.md": "---\ntitle: L\ndate: 2026-01-02\n---\n\nIntro.\n\n"
            "See [this](gone.md).\n"
        },
        "content/posts/linker.md:8: links to 'gone.md': no such file",
    ),
    "a link to a missing post source on a later line of its paragraph": (
        {
            "content/posts/linker.md": "---\ntitle: L\ndate: 2026-01-02\n---\n\nIntro, which\n"
            "runs over lines before\nit says: see [this](gone.md).\n"
        },
        "content/posts/linker.md:8: links to 'gone.md': no such file",
    ),
    "a missing picture linked from Markdown, relative to its post": (
        {
            "content/posts/linker.md": "---\ntitle: L\ndate: 2026-01-02\n---\n\nA picture\n"
            "of the sea: ![the sea](sea.jpg)\n"
        },
        "content/posts/linker.md:7: missing image 'sea.jpg': the site has no file /posts/linker/sea.jpg",
    ),
    "a missing picture linked from Markdown by its site path": (
        {
            "content/posts/linker.md": "---\ntitle: L\ndate: 2026-01-02\n---\n\n"
            "![the sea](/images/sea.jpg)\n",
            "content/static/images/sky.jpg": "not the sea",
        },
        "content/posts/linker.md:6: missing image '/images/sea.jpg': the site has no file /images/sea.jpg",
    ),
    "a missing file linked from Markdown": (
        {
            "content/posts/linker.md": "---\ntitle: L\ndate: 2026-01-02\n---\n\nThe slides\n"
            "are [here](/files/slides.pdf), the feed [there](/atom.xml).\n"
        },
        "content/posts/linker.md:7: missing file '/files/slides.pdf': the site has no file /files/slides.pdf",
    ),
    "a link to a draft": (
        {
            "content/posts/linker.md": "---\ntitle: L\ndate: 2026-01-02\n---\nSee [this](secret.md).\n",
            "content/posts/secret.md": "---\ntitle: S\ndate: 2026-01-02\ndraft: true\n---\nShh.\n",
        },
        "content/posts/linker.md:5: links to 'secret.md', which is a draft",
    ),
    "undefined variable in a template": (
        {
            "themes/default/templates/page.html": '{% extends "default:page.html" %}\n{% block content %}\n'
            "{{ page.no_such_field }}\n{% endblock %}\n"
        },
        "themes/default/templates/page.html:3: template error (undefined variable)",
    ),
    "template syntax error": (
        {"themes/default/templates/post.html": "<p>\n{% if post.title %}\nunclosed\n"},
        "themes/default/templates/post.html:3: template syntax error",
    ),
    "unknown key in site.yaml": (
        {"site.yaml": DEFAULT_CONFIG + "per_pgae: 3\n"},
        "site.yaml:7: unknown key 'per_pgae'",
    ),
    "mistyped value in site.yaml": (
        {"site.yaml": DEFAULT_CONFIG.replace("per_page: 2", "per_page: many")},
        "site.yaml:6: per_page must be a whole number",
    ),
    "invalid YAML in site.yaml": (
        {"site.yaml": DEFAULT_CONFIG + "menu: [unclosed\n"},
        "site.yaml:7: invalid YAML",
    ),
    "unknown highlight style": (
        {"site.yaml": DEFAULT_CONFIG + "highlight:\n  light: no-such-style\n"},
        "site.yaml:8: highlight.light: unknown Pygments style 'no-such-style'",
    ),
    "unknown theme": (
        {"site.yaml": DEFAULT_CONFIG + "theme: nope\n"},
        "site.yaml: theme 'nope' not found",
    ),
}


@pytest.mark.parametrize("breakage,expected", CASES.values(), ids=CASES.keys())
def test_error_names_place_and_keeps_output(good_site: Path, breakage: dict[str, str], expected: str) -> None:
    write_tree(good_site, breakage)
    errors = failing_build(good_site)
    assert any(expected in error for error in errors), errors


def test_every_error_is_reported_at_once(good_site: Path) -> None:
    write_tree(
        good_site,
        {
            "content/posts/a.md": "---\ntitle: [x\n---\n",
            "content/posts/b.md": "---\ntitle: b\ndate: soon\n---\n",
            "content/posts/c.md": "---\ntitle: c\ndate: 2026-01-01\ndraft: maybe\n---\n",
        },
    )
    errors = failing_build(good_site)
    assert [e.split(":")[0] for e in errors] == [
        "content/posts/a.md",
        "content/posts/b.md",
        "content/posts/c.md",
    ]


@pytest.mark.parametrize("where", [".", "content", "content/posts", "themes", "..", "/"])
def test_output_folder_that_would_destroy_the_site_is_refused(good_site: Path, where: str) -> None:
    target = Path(where) if where == "/" else good_site / where
    before = tree_digest(good_site)
    with pytest.raises(BuildFailed, match="refusing output folder"):
        build(good_site, output=target)
    assert tree_digest(good_site) == before


def test_only_what_the_build_made_is_ever_deleted(good_site: Path, tmp_path: Path) -> None:
    neighbour = good_site.parent / "neighbour.txt"
    neighbour.write_text("mine")
    output = good_site / "public"
    (output / "notes-i-put-here.txt").write_text("mine too")
    (good_site / "content/posts/good.md").unlink()
    build(good_site)
    assert not (output / "posts/good").exists()  # made by an earlier build, no longer made
    assert (output / "notes-i-put-here.txt").read_text() == "mine too"
    assert neighbour.read_text() == "mine"


def test_a_first_build_into_a_folder_of_another_generator_leaves_only_the_site_when_asked(
    make_site: MakeSite,
) -> None:
    site = make_site({"content/posts/good.md": GOOD_POST})
    (site / "public/old-generator").mkdir(parents=True)
    (site / "public/old-generator/page.html").write_text("from the generator used before")
    with pytest.raises(BuildFailed, match="--clean"):
        build(site)
    assert (site / "public/old-generator/page.html").is_file()
    build(site, clean=True)
    assert not (site / "public/old-generator").exists()


@pytest.mark.parametrize("enabled", [True, False])
def test_a_build_leaves_the_cycle_collector_as_it_found_it(good_site: Path, enabled: bool) -> None:
    # A build pauses Python's cycle collector (build.without_cycle_collection); a failed one too
    # must hand it back as it was, or a long-running preview would never collect again.
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        build(good_site)
        assert gc.isenabled() is enabled
        write_tree(good_site, {"content/posts/bad.md": "---\ntitle: [unclosed\n---\nx\n"})
        with pytest.raises(BuildFailed):
            build(good_site)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_pictures_and_files_the_site_has_are_no_error(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/linker.md": "---\ntitle: L\ndate: 2026-01-02\ntags: [sea]\n---\n\n"
            "![a](/images/sea.jpg) ![b](/posts/trip/pic.png) [c](/posts/trip/notes.txt)\n"
            "[feed](/atom.xml) [tag feed](/tags/sea/atom.xml) [css](/css/style.css) [home](/)\n"
            "[page](/no-such-page/) [old](/old.html)\n",
            "content/posts/trip/index.md": "---\ntitle: Trip\ndate: 2026-01-01\n---\n![p](pic.png)\n",
            "content/posts/trip/pic.png": "png",
            "content/posts/trip/notes.txt": "notes",
            "content/static/images/sea.jpg": "jpg",
        }
    )
    build(site)  # pages (/no-such-page/, /old.html) are `fireside check`'s to find
    assert (site / "public/posts/linker/index.html").is_file()


def test_a_site_error_passes_through_a_context_manager_as_itself() -> None:
    # contextlib sets __traceback__ on what it re-raises; a frozen dataclass refused that
    # and the author saw FrozenInstanceError instead of their error.
    @contextlib.contextmanager
    def around() -> Iterator[None]:
        yield

    error = SiteError("content/posts/a.md", 3, "broken")
    with pytest.raises(SiteError) as raised, around():
        raise error
    assert raised.value is error and str(raised.value) == "content/posts/a.md:3: broken"
    with pytest.raises(dataclasses.FrozenInstanceError):
        error.message = "changed"  # type: ignore[misc]
