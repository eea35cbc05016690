"""Symbolic links in a site: followed where they stay inside the site (to files and to
folders alike), refused with both paths where they lead outside it, so that a cloned site
or theme can never publish a private file under a harmless name. Real builds, real links."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.check.checker import CheckOptions, run_check
from generator.site.errors import BuildFailed

from .conftest import MakeSite, build, tree_digest

KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"
POST = "---\ntitle: Hello\ndate: 2024-01-02\n---\n\nHello.\n"


@pytest.fixture
def private(tmp_path: Path) -> Path:
    """A folder beside the sites (the author's home, say) with a key and notes in it."""
    folder = tmp_path / "home"
    (folder / ".ssh").mkdir(parents=True)
    (folder / ".ssh" / "id_ed25519").write_text(KEY)
    (folder / "diary").mkdir()
    (folder / "diary" / "index.md").write_text("---\ntitle: Private\ndate: 2024-01-01\n---\n\nMy diary.\n")
    (folder / "diary" / "photo.txt").write_text("private photo")
    return folder


def link(path: Path, target: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target, target_is_directory=target.is_dir())


OUTSIDE = [
    ("content/static/notes.txt", ".ssh/id_ed25519"),
    ("themes/default/static/css/notes.css", ".ssh/id_ed25519"),
    ("content/static/keys", ".ssh"),  # a folder
    ("content/posts/diary", "diary"),  # a post's folder
    ("content/posts/diary.md", "diary/index.md"),
    ("content/posts/hello/photo.txt", "diary/photo.txt"),  # beside a post's index.md
    ("content/letters/a.md", "diary/index.md"),
    ("themes/default/templates/partials/footer.html", "diary/photo.txt"),
    ("themes/default", "diary"),  # the theme folder itself
]


@pytest.mark.parametrize(("where", "to"), OUTSIDE)
def test_a_link_out_of_the_site_fails_the_build_naming_both_paths(
    make_site: MakeSite, private: Path, where: str, to: str
) -> None:
    root = make_site({"content/posts/hello/index.md": POST})
    build(root)
    before = tree_digest(root / "public")
    link(root / where, private / to)
    with pytest.raises(BuildFailed) as failed:
        build(root)
    messages = [str(error) for error in failed.value.errors]
    assert any(where in m and str((private / to).resolve()) in m and "outside the site folder" in m
               for m in messages), messages
    assert tree_digest(root / "public") == before  # the last good output, as it was
    published = "".join(p.read_text(errors="replace") for p in (root / "public").rglob("*") if p.is_file())
    assert "PRIVATE KEY" not in published and "My diary" not in published


def test_a_link_inside_the_site_is_followed_for_folders_as_for_files(make_site: MakeSite) -> None:
    root = make_site({
        "content/posts/hello/index.md": POST,
        "media/photos/a.txt": "photo a",
        "media/photos/deeper/b.txt": "photo b",
        "media/poster.txt": "poster",
        "shared/figure.txt": "a figure",
    })
    link(root / "content/static/photos", root / "media/photos")  # a folder: skipped until now
    link(root / "content/static/poster.txt", root / "media/poster.txt")
    link(root / "content/posts/hello/figures", root / "shared")
    link(root / "content/static/photos/deeper/loop", root / "media")  # a loop must end
    link(root / "content/posts/notes/loop", root / "content/posts")  # and one among the posts
    build(root)
    out = root / "public"
    assert (out / "photos/a.txt").read_text() == "photo a"
    assert (out / "photos/deeper/b.txt").read_text() == "photo b"
    assert (out / "poster.txt").read_text() == "poster"
    assert (out / "posts/hello/figures/figure.txt").read_text() == "a figure"
    assert not any(p.is_symlink() for p in out.rglob("*"))  # copies, never links


def test_check_finds_a_key_published_under_any_name(make_site: MakeSite, tmp_path: Path) -> None:
    root = make_site({"content/posts/hello.md": POST})
    out = tmp_path / "built"
    build(root, out)
    (out / "notes.txt").write_text(KEY)  # as an older build would have copied it
    report = run_check(root / "site.yaml", CheckOptions(folder=out))
    found = [(Path(str(f.path)).name, f.message) for f in report.errors if "private key" in f.message]
    assert found == [("notes.txt", "a private key (by its contents) is in the output")]


def test_the_check_command_reports_the_link(make_site: MakeSite, private: Path) -> None:
    root = make_site({"content/posts/hello.md": POST})
    link(root / "content/static/notes.txt", private / ".ssh/id_ed25519")
    report = run_check(root / "site.yaml", CheckOptions())
    assert report.build_failed
    assert any("content/static/notes.txt" in str(f) and "outside the site folder" in str(f) for f in report.findings)
    assert os.path.islink(root / "content/static/notes.txt")  # nothing of the author's is touched
