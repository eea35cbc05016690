"""The build cache never serves stale output: after any edit, an incremental build gives
exactly the bytes a clean build of the same sources gives."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.incremental import build_site
from generator.build.options import BuildOptions
from generator.build.output.cache import CACHE_FILE, SHARDS, BuildCache, _shard_number
from generator.site.errors import BuildFailed

from .conftest import NOW, REPO_ROOT, write_tree

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000003000000020806000000"
    "b8b0b5e40000000d49444154789c63f8ffff3f0300050001ff5a4a05d50000000049454e44ae426082"
)

SITE = {
    "site.yaml": "title: Inc\nbase_url: https://inc.example/\nauthor: {name: A, email: a@inc.example}\nper_page: 2\n",
    "content/posts/alpha.md": "---\ntitle: Alpha\ndate: 2026-01-01\ntags: [one, two]\n---\nAlpha body, see [beta](beta.md).\n",
    "content/posts/beta.md": "---\ntitle: Beta\ndate: 2026-01-02\ntags: [two]\n---\nBeta body ![img](/img/dot.png).\n",
    "content/posts/gamma/index.md": "---\ntitle: Gamma\ndate: 2026-01-03\ntags: [three]\n---\n![local](pic.png)\n",
    "content/posts/gamma/pic.png": PNG,
    "content/posts/delta.md": "---\ntitle: Delta\ndate: 2026-01-04\n---\nDelta.\n\n```python\nprint(1)\n```\n",
    "content/posts/epsilon.md": "---\ntitle: Epsilon\ndate: 2026-01-05\ntags: [one]\n---\nEpsilon.\n",
    "content/pages/about.md": "---\ntitle: About\n---\nAbout me.\n",
    "content/static/img/dot.png": PNG,
    "content/static/files/a.txt": "a",
    "themes/default/templates/partials/tags.html": '{% for tag in post.tags %}<a href="{{ tag.url }}">{{ tag.name }}</a> {% endfor %}\n',
}

EDITS: dict[str, Callable[[Path], None]] = {
    "post body": lambda s: (s / "content/posts/alpha.md").write_text("---\ntitle: Alpha\ndate: 2026-01-01\ntags: [one, two]\n---\nNew words.\n"),
    "post title": lambda s: (s / "content/posts/beta.md").write_text("---\ntitle: Beta Renamed\ndate: 2026-01-02\ntags: [two]\n---\nBeta body ![img](/img/dot.png).\n"),
    "page": lambda s: (s / "content/pages/about.md").write_text("---\ntitle: About\n---\nAbout me, again.\n"),
    "template": lambda s: write_tree(s, {"themes/default/templates/page.html": '{% extends "default:page.html" %}{% block content %}<p>X</p>{{ super() }}{% endblock %}'}),
    "partial": lambda s: (s / "themes/default/templates/partials/tags.html").write_text("{% for tag in post.tags %}#{{ tag.name }} {% endfor %}\n"),
    "static file": lambda s: (s / "content/static/files/a.txt").write_text("changed"),
    "static file deleted": lambda s: (s / "content/static/files/a.txt").unlink(),
    "linked image resized": lambda s: (s / "content/static/img/dot.png").write_bytes(PNG.replace(b"\x00\x00\x00\x02", b"\x00\x00\x00\x07", 1)),
    "theme static": lambda s: write_tree(s, {"themes/default/static/css/extra.css": "p{}"}),
    "site.yaml": lambda s: (s / "site.yaml").write_text(SITE["site.yaml"].replace("title: Inc", "title: Inc 2").replace("per_page: 2", "per_page: 3")),
    "base url": lambda s: (s / "site.yaml").write_text(SITE["site.yaml"].replace("inc.example/", "inc.example/sub/")),
    "tag rename": lambda s: (s / "content/posts/epsilon.md").write_text("---\ntitle: Epsilon\ndate: 2026-01-05\ntags: [uno]\n---\nEpsilon.\n"),
    "draft flip": lambda s: (s / "content/posts/delta.md").write_text("---\ntitle: Delta\ndate: 2026-01-04\ndraft: true\n---\nDelta.\n"),
    "deleted post": lambda s: (s / "content/posts/epsilon.md").unlink(),
    "added post": lambda s: write_tree(s, {"content/posts/zeta.md": "---\ntitle: Zeta\ndate: 2026-01-06\ntags: [two]\n---\nZeta.\n"}),
    "slug of a linked post": lambda s: (s / "content/posts/beta.md").write_text("---\ntitle: Beta\ndate: 2026-01-02\nslug: b\ntags: [two]\n---\nBeta body ![img](/img/dot.png).\n"),
    "image in a post folder": lambda s: (s / "content/posts/gamma/pic.png").write_bytes(PNG.replace(b"\x00\x00\x00\x03", b"\x00\x00\x00\x09", 1)),
    "file added to a post folder": lambda s: write_tree(s, {"content/posts/gamma/notes.txt": "notes"}),
    "letter published": lambda s: write_tree(s, {"content/letters/l1.md": "---\npost: alpha\nname: Bo\nreceived: 2026-02-01T10:00:00Z\n---\nHi!\n"}),
    "prose beside a code block": lambda s: (s / "content/posts/delta.md").write_text(SITE["content/posts/delta.md"].replace("Delta.", "Delta, longer.")),
    "code of a code block": lambda s: (s / "content/posts/delta.md").write_text(SITE["content/posts/delta.md"].replace("print(1)", "print(2)")),
    "language of a code block": lambda s: (s / "content/posts/delta.md").write_text(SITE["content/posts/delta.md"].replace("```python", "```ruby")),
    "date moves a post": lambda s: (s / "content/posts/alpha.md").write_text("---\ntitle: Alpha\ndate: 2026-02-01\ntags: [one, two]\n---\nAlpha body, see [beta](beta.md).\n"),
}


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(site: Path, tmp_path: Path) -> dict[str, bytes]:
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".fireside-cache", "public"))
    build_site(clean / "site.yaml", BuildOptions(now=NOW))
    return files_under(clean / "public")


def assert_same_as_clean(site: Path, tmp_path: Path) -> None:
    incremental = files_under(site / "public")
    expected = clean_build(site, tmp_path)
    assert sorted(incremental) == sorted(expected)
    assert [rel for rel in expected if incremental[rel] != expected[rel]] == []


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_incremental_build_equals_clean_build(tmp_path: Path, edit: Callable[[Path], None]) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert (site / ".fireside-cache" / CACHE_FILE).is_file()
    again = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert again.rendered == 0 and again.stats.written == 0, "an unchanged site re-rendered something"
    assert first.rendered > 0
    edit(site)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert_same_as_clean(site, tmp_path)


def test_a_deleted_linked_image_fails_the_incremental_build_as_a_clean_one(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    (site / "content/static/img/dot.png").unlink()
    expected = ["content/posts/beta.md:6: missing image '/img/dot.png': the site has no file /img/dot.png"]
    with pytest.raises(BuildFailed) as incremental:
        build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert [str(e) for e in incremental.value.errors] == expected
    shutil.rmtree(site / ".fireside-cache")
    with pytest.raises(BuildFailed) as clean:
        build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert [str(e) for e in clean.value.errors] == expected


def test_an_edit_renders_only_what_shows_the_post(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = build_site(site / "site.yaml", BuildOptions(now=NOW))
    EDITS["post body"](site)
    second = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert 0 < second.rendered < first.rendered / 2
    assert "posts/alpha/index.html" in second.stats.changed_paths
    assert "posts/delta/index.html" not in second.stats.changed_paths
    # Lists show cards (title, date, summary...), not bodies: a new second paragraph leaves them.
    (site / "content/posts/delta.md").write_text(SITE["content/posts/delta.md"] + "\nA new last paragraph.\n")
    third = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert "posts/delta/index.html" in third.stats.changed_paths
    assert not {"archive/index.html", "index.html", "tags/index.html"} & set(third.stats.changed_paths)


def test_a_theme_whose_lists_show_bodies_gets_them_updated(tmp_path: Path) -> None:
    site = tmp_path / "site"
    home = "{% extends 'default:home.html' %}{% block content %}{% for post in posts %}{{ post.content }}{% endfor %}{% endblock %}"
    write_tree(site, {**SITE, "themes/default/templates/home.html": home})
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    (site / "content/posts/epsilon.md").write_text(SITE["content/posts/epsilon.md"] + "\nOn the home page too.\n")
    result = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert "index.html" in result.stats.changed_paths
    assert "On the home page too." in (site / "public/index.html").read_text()
    assert_same_as_clean(site, tmp_path)


def test_in_memory_cache_of_a_preview_matches_clean_builds(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    cache = BuildCache()
    build_site(site / "site.yaml", BuildOptions(now=NOW), cache=cache)
    for edit in (EDITS["post body"], EDITS["tag rename"], EDITS["template"], EDITS["deleted post"]):
        edit(site)
        build_site(site / "site.yaml", BuildOptions(now=NOW), cache=cache)
        assert_same_as_clean(site, tmp_path)
        shutil.rmtree(tmp_path / "clean")


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "garbage", "empty"])
def test_a_damaged_cache_is_ignored_and_rebuilt(tmp_path: Path, damage: str) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    cache_file = site / ".fireside-cache" / CACHE_FILE
    data = cache_file.read_bytes()
    damaged = {
        "truncate": data[: len(data) // 2],
        "flip a byte": data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:],
        "garbage": os.urandom(500),
        "empty": b"",
    }[damage]
    cache_file.write_bytes(damaged)
    EDITS["post body"](site)
    result = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert result.rendered > 0
    assert_same_as_clean(site, tmp_path)


def test_output_changed_behind_the_builds_back_is_repaired(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    (site / "public/posts/alpha/index.html").write_text("vandalised")
    (site / "public/about/index.html").unlink()
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert_same_as_clean(site, tmp_path)


def test_a_cache_from_an_older_layout_is_ignored(tmp_path: Path) -> None:
    from generator.build.output.cache import read_checked, write_checked

    site = tmp_path / "site"
    write_tree(site, SITE)
    old = BuildCache()
    del old.__dict__["list_reads"]  # as a cache pickled before that field existed
    cache_file = site / ".fireside-cache" / CACHE_FILE
    write_checked(cache_file, old)
    assert read_checked(cache_file) is not None  # readable: only its layout is old
    assert BuildCache.load(cache_file) == BuildCache()
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert_same_as_clean(site, tmp_path)


def shard_files(site: Path) -> dict[str, int]:
    """Each shard file of the site's cache, with its modification time."""
    folder = site / ".fireside-cache" / (Path(CACHE_FILE).stem + "-shards")
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_an_edit_rewrites_a_few_shards_of_the_cache(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    before = shard_files(site)
    assert len(before) == SHARDS
    EDITS["post body"](site)
    edited = build_site(site / "site.yaml", BuildOptions(now=NOW))
    after = shard_files(site)
    rewritten = {name for name in after if after[name] != before[name]}
    # The post's own shard (its reading, document and body), and those of the outputs
    # rendered again (its page, the feeds carrying it...); never the whole cache.
    assert f"{_shard_number('content/posts/alpha.md'):02d}.pickle" in rewritten
    assert len(rewritten) <= 1 + edited.rendered < SHARDS // 4
    loaded = BuildCache.load(site / ".fireside-cache" / CACHE_FILE)
    assert {doc.title for doc, _ in loaded.documents.values()} >= {"Alpha", "Beta", "About"}
    assert_same_as_clean(site, tmp_path)


@pytest.mark.parametrize("damage", ["truncate", "flip a byte", "delete"])
def test_a_damaged_shard_only_loses_its_documents(tmp_path: Path, damage: str) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = build_site(site / "site.yaml", BuildOptions(now=NOW))
    folder = site / ".fireside-cache" / (Path(CACHE_FILE).stem + "-shards")
    full = [p for p in sorted(folder.iterdir()) if p.stat().st_size > 200]
    victim = full[0]
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "flip a byte":
        victim.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    else:
        victim.unlink()
    loaded = BuildCache.load(site / ".fireside-cache" / CACHE_FILE)
    assert 0 < len(loaded.documents) < 6  # the others are still there
    EDITS["page"](site)
    again = build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert 0 < again.rendered < first.rendered
    assert_same_as_clean(site, tmp_path)


def test_a_cache_folder_that_cannot_be_written_only_makes_builds_slower(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    (site / ".fireside-cache").write_text("a file where the cache folder would go")
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert (site / ".fireside-cache").is_file()
    assert_same_as_clean(site, tmp_path)


def test_a_cache_made_with_other_library_versions_is_ignored(tmp_path: Path) -> None:
    # A Pygments or markdown-it release may render the same Markdown differently.
    site = tmp_path / "site"
    write_tree(site, SITE)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    cache_file = site / ".fireside-cache" / CACHE_FILE
    cache = BuildCache.load(cache_file)
    assert cache.documents and "pygments" in cache.version
    cache.version = cache.version.replace("pygments", "pygments0.")
    cache.save(cache_file)
    assert BuildCache.load(cache_file) == BuildCache()


# Run in a process of its own (not importing pytest, which loads Pygments itself).
REBUILD_AND_REPORT = """
import sys
from datetime import datetime
from pathlib import Path
from generator.build.incremental import build_site
from generator.build.options import BuildOptions
build_site(Path(sys.argv[1]), BuildOptions(now=datetime.fromisoformat(sys.argv[2])))
print(sorted(name for name in sys.modules if name.split(".")[0] == "pygments" and name != "pygments"))
"""


def test_a_prose_edit_beside_code_does_not_run_pygments(tmp_path: Path) -> None:
    """The edited post's code blocks come from its last render, the stylesheet from the cache:
    the rebuild's process never loads a Pygments lexer (10-25 ms each)."""
    site = tmp_path / "site"
    write_tree(site, SITE)

    def rebuild() -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", REBUILD_AND_REPORT, str(site / "site.yaml"), NOW.isoformat()],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return ast.literal_eval(done.stdout.strip().splitlines()[-1])

    assert any(name.startswith("pygments.lexers.") for name in rebuild()), "the cold build highlights"
    EDITS["prose beside a code block"](site)
    assert rebuild() == []
    assert_same_as_clean(site, tmp_path / "after-prose")
    EDITS["code of a code block"](site)
    assert any(name.startswith("pygments.lexers.") for name in rebuild())
    assert_same_as_clean(site, tmp_path / "after-code")
