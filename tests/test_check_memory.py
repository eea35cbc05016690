"""`fireside check` remembers what it read and found, and never reports from a stale memory:
after every kind of edit, a check with its memory gives exactly the report of a check
without one (as the build cache's tests compare incremental and clean builds)."""

from __future__ import annotations

import os
import shutil
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.build.incremental import build_site
from generator.build.options import BuildOptions
from generator.build.places import OWN_OUTPUTS
from generator.check.checker import CheckOptions, CheckReport, run_check
from generator.check.shelf import FILE_SHELF_NAME, FILE_SHELVES

from .conftest import NOW, run_cli, write_tree

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)

SITE: dict[str, str | bytes] = {
    "site.yaml": "title: Mem\ndescription: d\nbase_url: https://mem.example/\nauthor: {name: A, email: a@mem.example}\nper_page: 2\n",
    "content/posts/alpha.md": "---\ntitle: Alpha\ndate: 2026-01-01\ndescription: a\ntags: [one]\n---\n\nSee [beta's part](beta.md#a-part).\n\nA <a href=\"/files/notes.txt\">note</a> and <img src=\"/img/dot.png\" alt=\"dot\">.\n",
    "content/posts/beta.md": "---\ntitle: Beta\ndate: 2026-01-02\ndescription: b\ntags: [one, two]\n---\n\n## A part\n\nBack to [alpha](alpha.md).\n",
    "content/posts/gamma.md": "---\ntitle: Gamma\ndate: 2026-01-03\ndescription: g\n---\n\nGamma, <a href=\"/posts/beta/\">beta</a>.\n",
    "content/posts/draft.md": "---\ntitle: A Draft Not Yet Ready\ndate: 2026-01-04\ndraft: true\n---\nDraft.\n",
    "content/pages/about.md": "---\ntitle: About\ndescription: me\n---\nAbout me.\n",
    "content/static/files/notes.txt": "notes\n",
    "content/static/img/dot.png": PNG,
    "inbox/2026-01-01-ann.md": "---\nid: ann\n---\nA private letter.\n",
}

EDITS: dict[str, Callable[[Path], None]] = {
    "nothing": lambda s: None,
    "post body": lambda s: (s / "content/posts/gamma.md").write_text("---\ntitle: Gamma\ndate: 2026-01-03\ndescription: g\n---\n\nGamma, <a href=\"/posts/delta/\">delta</a>.\n"),
    "title": lambda s: (s / "content/posts/gamma.md").write_text("---\ntitle: Gamma Again\ndate: 2026-01-03\n---\n\nGamma.\n"),
    # Links in pages that do not change, broken by what they point at:
    "linked static file removed": lambda s: (s / "content/static/files/notes.txt").unlink(),
    "linked picture removed": lambda s: (s / "content/static/img/dot.png").unlink(),
    "linked heading removed": lambda s: (s / "content/posts/beta.md").write_text("---\ntitle: Beta\ndate: 2026-01-02\ndescription: b\ntags: [one, two]\n---\n\nBack to [alpha](alpha.md).\n"),
    "linked post made a draft": lambda s: (s / "content/posts/beta.md").write_text("---\ntitle: Beta\ndate: 2026-01-02\ndraft: true\n---\nNo more.\n"),
    "linked page's slug changed": lambda s: (s / "content/posts/beta.md").write_text("---\ntitle: Beta\ndate: 2026-01-02\nslug: b\ndescription: b\n---\n\n## A part\n"),
    "draft published": lambda s: (s / "content/posts/draft.md").write_text("---\ntitle: A Draft Not Yet Ready\ndate: 2026-01-04\n---\nDraft.\n"),
    "draft title quoted": lambda s: (s / "content/pages/about.md").write_text("---\ntitle: About\ndescription: me\n---\nSoon: A Draft Not Yet Ready.\n"),
    "post dated in the future": lambda s: (s / "content/posts/gamma.md").write_text("---\ntitle: Gamma\ndate: 2027-01-03\n---\n\nGamma.\n"),
    "secret added": lambda s: write_tree(s, {"content/static/.env": "KEY=1\n"}),
    "letter copied into static": lambda s: write_tree(s, {"content/static/letter.md": "---\nid: ann\n---\nA private letter.\n"}),
    "letter matching a static file": lambda s: write_tree(s, {"inbox/2026-01-02-bo.md": "notes\n"}),
    "page without a description": lambda s: (s / "content/pages/about.md").write_text("---\ntitle: About\n---\nAbout me.\n"),
    "template with a broken link": lambda s: write_tree(s, {"themes/default/templates/page.html": '{% extends "default:page.html" %}{% block content %}<a href="/nowhere/">x</a>{{ super() }}{% endblock %}'}),
    "base URL": lambda s: (s / "site.yaml").write_text(str(SITE["site.yaml"]).replace("mem.example/", "mem.example/sub/")),
    "static HTML page": lambda s: write_tree(s, {"content/static/old.html": "<!doctype html><title>Old</title><a href='gone.html'>x</a>\n"}),
    "static file touched, same bytes": lambda s: os.utime(s / "content/static/files/notes.txt", (1, 1)),
}


def keyed(report: CheckReport) -> tuple[object, ...]:
    return (
        [(f.severity, f.path, f.line, f.message, f.output) for f in report.findings],
        report.pages,
        report.files,
        report.build_failed,
    )


def fresh_check(site: Path, tmp_path: Path, **options: object) -> CheckReport:
    """The same site checked from scratch: no build cache, no check memory."""
    clean = tmp_path / "clean"
    shutil.rmtree(clean, ignore_errors=True)
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".fireside-cache", "public"), symlinks=True)
    return run_check(clean / "site.yaml", CheckOptions(now=NOW, **options))  # type: ignore[arg-type]


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_remembering_check_equals_a_fresh_one(tmp_path: Path, edit: Callable[[Path], None]) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = run_check(site / "site.yaml", CheckOptions(now=NOW))
    again = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(again) == keyed(first)
    assert again.files_read == 0, "an unchanged site was read again"
    edit(site)
    remembered = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(remembered) == keyed(fresh_check(site, tmp_path))
    strict = run_check(site / "site.yaml", CheckOptions(now=NOW, strict=True))
    assert keyed(strict) == keyed(fresh_check(site, tmp_path, strict=True))


FOLDER_EDITS: dict[str, Callable[[Path], None]] = {
    "page removed": lambda out: (out / "posts/beta/index.html").unlink(),
    "page changed in place": lambda out: (out / "posts/beta/index.html").write_text(
        (out / "posts/beta/index.html").read_text().replace('id="a-part"', 'id="b-part"')
    ),
    "stray file added": lambda out: write_tree(out, {"id_rsa": "key\n"}),
    "sitemap emptied": lambda out: (out / "sitemap.xml").write_text("<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'/>\n"),
    "feed broken": lambda out: (out / "atom.xml").write_text("<feed>\n"),
    "folder linked in": lambda out: (out / "elsewhere").symlink_to(out.parent / "content", target_is_directory=True),
}


@pytest.mark.parametrize("edit", FOLDER_EDITS.values(), ids=FOLDER_EDITS.keys())
def test_a_remembering_check_of_a_folder_equals_a_fresh_one(tmp_path: Path, edit: Callable[[Path], None]) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    first = run_check(site / "site.yaml", CheckOptions(now=NOW, folder=site / "public"))
    assert run_check(site / "site.yaml", CheckOptions(now=NOW, folder=site / "public")).files_read == 0
    edit(site / "public")
    remembered = run_check(site / "site.yaml", CheckOptions(now=NOW, folder=site / "public"))
    shutil.rmtree(site / ".fireside-cache")
    fresh = run_check(site / "site.yaml", CheckOptions(now=NOW, folder=site / "public"))
    assert keyed(remembered) == keyed(fresh)
    assert keyed(remembered) != keyed(first)


def test_an_edit_reads_only_what_changed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert first.files_read > first.pages  # every page, the feeds and the sitemap
    EDITS["post body"](site)
    edited = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert 0 < edited.files_read < first.files_read / 2


def test_a_damaged_memory_is_not_used(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = run_check(site / "site.yaml", CheckOptions(now=NOW))
    for path in (site / ".fireside-cache" / "check").iterdir():
        data = path.read_bytes()
        path.write_bytes(data[:-10] + bytes([data[-10] ^ 0xFF]) + data[-9:])
    again = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(again) == keyed(first) and again.files_read == first.files_read


def test_the_command_remembers_and_leaves_the_output_folder_alone(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = run_cli("check", cwd=site)
    second = run_cli("check", cwd=site)
    assert first.returncode == second.returncode == 0, first.stdout
    assert first.stdout == second.stdout
    assert not (site / "public").exists()


def _rename(site: Path, old: str, new: str) -> None:
    (site / new).parent.mkdir(parents=True, exist_ok=True)
    (site / old).rename(site / new)


ABOUT_TO_DELTA = "---\ntitle: About\ndescription: me\n---\nAbout me, and <a href=\"/posts/delta/\">delta</a>.\n"
DELTA = "---\ntitle: Delta\ndate: 2026-01-05\ndescription: d\n---\n\nDelta.\n"
ALPHA_TO_B_PART = "---\ntitle: Alpha\ndate: 2026-01-01\ndescription: a\n---\n\nSee [beta's other part](beta.md#b-part).\n"
BETA_WITH_B_PART = str(SITE["content/posts/beta.md"]).replace("## A part", "## A part\n\n## B part")
KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n"

# Two edits, each followed by a check: the second changes what the first check found in
# pages that it leaves as they are (a broken link mended, a file's bytes or name changed).
STAGED_EDITS: dict[str, tuple[Callable[[Path], None], Callable[[Path], None]]] = {
    "linked post added, mending a link in an unchanged page": (
        lambda s: (s / "content/pages/about.md").write_text(ABOUT_TO_DELTA),
        lambda s: (s / "content/posts/delta.md").write_text(DELTA),
    ),
    "linked heading added, mending an anchor in an unchanged page": (
        lambda s: (s / "content/posts/alpha.md").write_text(ALPHA_TO_B_PART),
        lambda s: (s / "content/posts/beta.md").write_text(BETA_WITH_B_PART),
    ),
    "linked file renamed": (
        lambda s: None,
        lambda s: _rename(s, "content/static/files/notes.txt", "content/static/files/notes-2.txt"),
    ),
    "linked file removed, then put back": (
        lambda s: (s / "content/static/img/dot.png").unlink(),
        lambda s: (s / "content/static/img/dot.png").write_bytes(PNG),
    ),
    "page renamed, its old address linked": (
        lambda s: None,
        lambda s: _rename(s, "content/pages/about.md", "content/pages/about-me.md"),
    ),
    "static file's bytes become a private key": (
        lambda s: None,
        lambda s: (s / "content/static/files/notes.txt").write_text(KEY),
    ),
}


@pytest.mark.parametrize("edits", STAGED_EDITS.values(), ids=STAGED_EDITS.keys())
def test_a_remembering_check_equals_a_fresh_one_after_two_edits(
    tmp_path: Path, edits: tuple[Callable[[Path], None], Callable[[Path], None]]
) -> None:
    site = tmp_path / "site"
    write_tree(site, {**SITE, "content/posts/gamma.md": SITE["content/posts/gamma.md"] + "\n[About](/about/).\n"})
    run_check(site / "site.yaml", CheckOptions(now=NOW))
    first, second = edits
    first(site)
    before = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(before) == keyed(fresh_check(site, tmp_path))
    second(site)
    after = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(after) == keyed(fresh_check(site, tmp_path))
    assert keyed(after) != keyed(before), "the second edit changes nothing the check finds"


def test_facts_lost_from_the_memory_are_read_again(tmp_path: Path) -> None:
    """The summaries say a file is known, its facts (links, ids) are gone: the check reads
    the file again rather than follow no link of it."""
    site = tmp_path / "site"
    write_tree(site, SITE)
    run_check(site / "site.yaml", CheckOptions(now=NOW))
    shelves = sorted((site / ".fireside-cache" / "check").glob("facts-*.pickle"))
    assert shelves
    for shelf in shelves:
        shelf.unlink()
    EDITS["linked static file removed"](site)  # every page's links are followed again
    remembered = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(remembered) == keyed(fresh_check(site, tmp_path))
    assert any("notes.txt" in f.message for f in remembered.findings)


def test_a_folder_checked_with_another_base_url_is_checked_again(tmp_path: Path) -> None:
    """Which links are the site's own depends on the base URL, not only on the bytes: a
    link written in full is broken under one base URL and not followed under another."""
    site = tmp_path / "site"
    nowhere = "---\ntitle: Far\ndescription: f\n---\n<a href=\"https://mem.example/nowhere/\">x</a>\n"
    write_tree(site, {**SITE, "content/pages/far.md": nowhere})
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    first = run_check(site / "site.yaml", CheckOptions(now=NOW, folder=site / "public"))
    assert any("mem.example/nowhere" in f.message for f in first.findings)
    other = CheckOptions(now=NOW, folder=site / "public", base_url="https://other.example/")
    remembered = run_check(site / "site.yaml", other)
    shutil.rmtree(site / ".fireside-cache")
    fresh = run_check(site / "site.yaml", other)
    assert keyed(remembered) == keyed(fresh)
    assert not any("mem.example/nowhere" in f.message for f in remembered.findings)


def test_a_save_cut_short_leaves_no_stale_link_memory(tmp_path: Path) -> None:
    """The memory is written in several files; a check stopped between two of them (Ctrl-C)
    leaves one file of the last check beside the others of this one. A page's remembered
    links are not trusted on the word of another file: they say which bytes of the pages
    they link into with a fragment they were checked against."""
    site = tmp_path / "site"
    write_tree(site, SITE)
    memory = site / ".fireside-cache" / "check"
    alpha, beta = (f"posts/{name}/index.html" for name in ("alpha", "beta"))
    alpha_shelf, beta_shelf = (zlib.crc32(rel.encode()) % FILE_SHELVES for rel in (alpha, beta))
    assert alpha_shelf != beta_shelf, "the test needs the two pages on different shelves"
    run_check(site / "site.yaml", CheckOptions(now=NOW))
    kept = (memory / FILE_SHELF_NAME.format(alpha_shelf)).read_bytes()  # alpha's link to beta#a-part: fine
    EDITS["linked heading removed"](site)
    broken = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert any("a-part" in f.message for f in broken.findings)
    (memory / FILE_SHELF_NAME.format(alpha_shelf)).write_bytes(kept)  # as if its save was cut short
    again = run_check(site / "site.yaml", CheckOptions(now=NOW, strict=True))
    assert keyed(again) == keyed(fresh_check(site, tmp_path, strict=True))


def test_letters_that_come_and_go_are_looked_for_without_reading_the_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    run_check(site / "site.yaml", CheckOptions(now=NOW))
    write_tree(site, {"inbox/2026-01-02-bo.md": "---\nid: bo\n---\nAnother letter.\n"})
    arrived = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(arrived) == keyed(fresh_check(site, tmp_path)) and arrived.files_read == 0
    write_tree(site, {"inbox/2026-01-03-cy.md": "notes\n"})  # the very bytes of files/notes.txt
    copied = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(copied) == keyed(fresh_check(site, tmp_path))
    assert any("a copy of inbox/2026-01-03-cy.md" in f.message for f in copied.errors)
    (site / "inbox/2026-01-03-cy.md").unlink()
    gone = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(gone) == keyed(arrived) == keyed(fresh_check(site, tmp_path)) and gone.files_read == 0


def test_the_checks_own_folder_is_what_the_build_made(tmp_path: Path) -> None:
    # Files put into the check's folder in .fireside-cache/ are not the site's: the check
    # takes the files from the build that has just made them, as it left them.
    site = tmp_path / "site"
    write_tree(site, SITE)
    first = run_check(site / "site.yaml", CheckOptions(now=NOW))
    write_tree(site / ".fireside-cache" / OWN_OUTPUTS / "check", {"id_rsa": "key\n", "posts/new/index.html": "<p>x"})
    EDITS["post body"](site)
    edited = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert keyed(edited) == keyed(fresh_check(site, tmp_path)) and edited.files == first.files


def test_site_maps_of_earlier_checks_are_removed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_tree(site, SITE)
    old = site / ".fireside-cache/check/sitemap-0123456789abcdef.pickle"
    write_tree(site, {str(old.relative_to(site)): b"old"})
    run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert not old.exists() and (site / ".fireside-cache/check").is_dir()
