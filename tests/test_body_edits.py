"""The preview's short way for a save that only changes posts' text (body_edits.replan).

Every case that takes it must give exactly the bytes a clean build gives; every case that
is more than a body edit must be refused (None), so the whole build decides.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from markupsafe import Markup

from generator.build.incremental import build_site
from generator.build.pipeline import BuildCache, BuildOptions, PlannedSite, plan_site, write_site
from generator.markdown.markup import CodeBlock
from generator.preview.body_edits import replan

from .conftest import NOW, tree_digest, write_tree
from .test_incremental import SITE, files_under

# A site where only the two newest posts are in the feeds, so an old post's edit leaves them.
CONFIG = SITE["site.yaml"] + "feed_entries: 2\n"


def front(title: str, date: str, tags: str = "[]", extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\ntags: {tags}\n{extra}---\n"


class Preview:
    """A site built once into its own folder, then rebuilt the way `fireside serve` does."""

    def __init__(
        self, tmp_path: Path, files: dict[str, str | bytes] | None = None, now: datetime | None = NOW
    ) -> None:
        self.tmp_path = tmp_path
        self.site = tmp_path / "site"
        write_tree(self.site, {**SITE, "site.yaml": CONFIG, **(files or {})})
        self.options = BuildOptions(now=now, private_output=True, output_dir=tmp_path / "served")
        self.cache = BuildCache()
        self.last = self._full()

    def _full(self) -> PlannedSite:
        planned = plan_site(self.site / "site.yaml", self.options, self.cache)
        write_site(planned)
        return planned

    def save(self, files: dict[str, str | bytes]) -> PlannedSite | None:
        """Write `files` and take the short way; None when it declines (then build everything)."""
        write_tree(self.site, files)
        planned = replan(self.last, tuple(files))
        if planned is None:
            self.last = self._full()
            return None
        write_site(planned)
        self.last = planned
        return planned

    def assert_same_as_clean(self) -> None:
        clean = self.tmp_path / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        shutil.copytree(self.site, clean)
        build_site(clean / "site.yaml", BuildOptions(now=NOW, output_dir=self.tmp_path / "expected"))
        served, expected = files_under(self.tmp_path / "served"), files_under(self.tmp_path / "expected")
        assert sorted(served) == sorted(expected)
        assert [rel for rel in expected if served[rel] != expected[rel]] == []


ALPHA = "Alpha body, see [beta](beta.md).\n"  # its first paragraph: the summary lists show
BODY_EDITS: dict[str, dict[str, str | bytes]] = {
    "newest post, in every feed": {
        "content/posts/epsilon.md": front("Epsilon", "2026-01-05", "[one]") + "Epsilon.\n\nA second paragraph.\n",
    },
    "old post, in no feed": {
        "content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]") + ALPHA + "\nSee [gamma](gamma/index.md).\n",
    },
    "post folder": {"content/posts/gamma/index.md": front("Gamma", "2026-01-03", "[three]") + "![local](pic.png)\n\nMore.\n"},
    "code block": {"content/posts/delta.md": front("Delta", "2026-01-04") + "Delta.\n\n```python\nprint(2)\n```\n"},
    "two posts at once": {
        "content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]") + ALPHA + "\nOnce more.\n",
        "content/posts/epsilon.md": front("Epsilon", "2026-01-05", "[one]") + "Epsilon.\n\nOnce more.\n",
    },
}


@pytest.mark.parametrize("files", BODY_EDITS.values(), ids=BODY_EDITS.keys())
def test_a_body_edit_takes_the_short_way_and_equals_a_clean_build(tmp_path: Path, files: dict) -> None:
    preview = Preview(tmp_path)
    planned = preview.save(files)
    assert planned is not None, "a body-only edit was not taken the short way"
    assert planned.rendered >= 1
    preview.assert_same_as_clean()


def test_edits_in_a_row_stay_exact(tmp_path: Path) -> None:
    preview = Preview(tmp_path)
    for n in range(4):
        path = "content/posts/epsilon.md" if n % 2 else "content/posts/beta.md"
        title, date, tags = ("Epsilon", "2026-01-05", "[one]") if n % 2 else ("Beta", "2026-01-02", "[two]")
        first = "Beta body ![img](/img/dot.png).\n" if path.endswith("beta.md") else "Epsilon.\n"
        assert preview.save({path: front(title, date, tags) + first + f"\nVersion {n}.\n"}) is not None
        preview.assert_same_as_clean()


def test_only_the_post_and_the_feeds_carrying_it_are_rendered(tmp_path: Path) -> None:
    preview = Preview(tmp_path)
    served = tmp_path / "served"

    def changed_by(files: dict[str, str | bytes]) -> set[str]:
        before = tree_digest(served)
        assert preview.save(files) is not None
        after = tree_digest(served)
        return {rel for rel in after if after[rel] != before.get(rel)}

    # The oldest post: past the site feed's two entries, but in its tags' feeds.
    alpha = changed_by({"content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]") + ALPHA + "\nQuiet.\n"})
    assert alpha == {"posts/alpha/index.html", "tags/one/atom.xml", "tags/two/atom.xml"}
    epsilon = changed_by({"content/posts/epsilon.md": front("Epsilon", "2026-01-05", "[one]") + "Epsilon.\n\nLoud.\n"})
    assert epsilon == {"posts/epsilon/index.html", "atom.xml", "tags/one/atom.xml"}


DECLINED: dict[str, Callable[[Path], dict[str, str | bytes]]] = {
    "title changed": lambda s: {"content/posts/alpha.md": front("Alpha 2", "2026-01-01", "[one, two]") + "x\n"},
    "tags changed": lambda s: {"content/posts/alpha.md": front("Alpha", "2026-01-01", "[one]") + "x\n"},
    "draft flip": lambda s: {"content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]", "draft: true\n") + "x\n"},
    "summary changed": lambda s: {"content/posts/epsilon.md": front("Epsilon", "2026-01-05", "[one]") + "A new first one.\n"},
    "new post": lambda s: {"content/posts/zeta.md": front("Zeta", "2026-01-06") + "Zeta.\n"},
    "a page": lambda s: {"content/pages/about.md": "---\ntitle: About\n---\nAbout me, again.\n"},
    "template": lambda s: {"themes/default/templates/partials/tags.html": "{{ post.tags|length }}\n"},
    "site.yaml": lambda s: {"site.yaml": CONFIG.replace("title: Inc", "title: Inc 2")},
    "static file": lambda s: {"content/static/files/a.txt": "b"},
    "reading time": lambda s: {
        "content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]", "summary: Same.\n") + "word " * 500 + "\n"
    },
}


@pytest.mark.parametrize("make", DECLINED.values(), ids=DECLINED.keys())
def test_more_than_a_body_edit_is_declined(tmp_path: Path, make: Callable[[Path], dict]) -> None:
    preview = Preview(tmp_path)
    assert preview.save(make(preview.site)) is None
    preview.assert_same_as_clean()


def test_an_edit_with_an_error_is_declined(tmp_path: Path) -> None:
    preview = Preview(tmp_path)
    broken = {"content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]") + "[x](missing.md)\n"}
    write_tree(preview.site, broken)
    assert replan(preview.last, tuple(broken)) is None  # the whole build reports it, at its line


def test_an_edit_linking_a_missing_picture_is_declined(tmp_path: Path) -> None:
    # Only the whole plan knows every file the site makes (see missing_linked_files).
    preview = Preview(tmp_path)
    broken = {"content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]") + ALPHA + "\n![x](gone.png)\n"}
    write_tree(preview.site, broken)
    assert replan(preview.last, tuple(broken)) is None


def test_a_deleted_post_is_declined(tmp_path: Path) -> None:
    preview = Preview(tmp_path)
    (preview.site / "content/posts/alpha.md").unlink()
    assert replan(preview.last, ("content/posts/alpha.md",)) is None


def test_a_theme_whose_lists_show_bodies_is_never_taken_the_short_way(tmp_path: Path) -> None:
    preview = Preview(tmp_path)
    home = "{% extends 'default:home.html' %}{% block content %}{% for post in posts %}{{ post.content }}{% endfor %}{% endblock %}"
    assert preview.save({"themes/default/templates/home.html": home}) is None
    body = {"content/posts/epsilon.md": front("Epsilon", "2026-01-05", "[one]") + "Epsilon.\n\nShown on the home page.\n"}
    assert preview.save(body) is None
    preview.assert_same_as_clean()
    assert "Shown on the home page." in (tmp_path / "served/index.html").read_text()


def test_a_post_whose_date_has_come_is_declined(tmp_path: Path) -> None:
    preview = Preview(tmp_path, {"content/posts/later.md": front("Later", "2999-01-01") + "Not yet.\n"}, now=None)
    alpha = {"content/posts/alpha.md": front("Alpha", "2026-01-01", "[one, two]") + ALPHA + "\nMore.\n"}
    write_tree(preview.site, alpha)
    assert replan(preview.last, tuple(alpha)) is not None  # by the clock, "later" is still to come
    assert replan(preview.last, tuple(alpha), now=datetime(2999, 1, 2, tzinfo=UTC)) is None


def test_a_prose_edit_reuses_the_posts_highlighted_code(tmp_path: Path) -> None:
    """The short way renders the edited post with its last render's code blocks (found by
    its metadata then): planted HTML in that render shows up in the new page."""
    preview = Preview(tmp_path)
    bodies = preview.last.next_cache.bodies
    key, (environment, body) = next((k, v) for k, v in bodies.items() if v[1].rendered.code_blocks)
    block = body.rendered.code_blocks[0]
    planted_html = Markup('<div class="highlight">PLANTED</div>')
    html = body.rendered.html[: block.start] + planted_html + body.rendered.html[block.end :]
    rendered = dataclasses.replace(
        body.rendered,
        html=Markup(html),
        code_blocks=(CodeBlock(block.key, block.start, block.start + len(planted_html)),),
    )
    bodies[key] = (environment, dataclasses.replace(body, rendered=rendered))
    delta = SITE["content/posts/delta.md"]
    assert isinstance(delta, str) and "```python" in delta
    # A paragraph after the code: the summary, and so the lists, stay as they are.
    assert preview.save({"content/posts/delta.md": delta + "\nA last paragraph.\n"}) is not None
    page = (tmp_path / "served/posts/delta/index.html").read_text()
    assert "A last paragraph." in page and "PLANTED" in page
