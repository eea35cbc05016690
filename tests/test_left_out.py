"""`fireside build` and `fireside publish` say what they left out: drafts and scheduled posts
(the real command, a real site)."""

from __future__ import annotations

from pathlib import Path

from .conftest import DEFAULT_CONFIG, run_cli, write_tree
from .test_stamp import age

FILES = {
    "content/posts/out.md": "---\ntitle: Out\ndate: 2026-01-01\n---\nPublished.\n",
    "content/posts/half.md": "---\ntitle: Half done\ndate: 2026-01-02\ndraft: true\n---\nNot yet.\n",
    "content/pages/now.md": "---\ntitle: Now\npublished: false\n---\nA Jekyll-style draft page.\n",
    "content/posts/later.md": "---\ntitle: Later\ndate: 2099-03-04\n---\nOne day.\n",
}
BOTH = "2 drafts and 1 scheduled post not published (fireside build --drafts shows drafts)"


def _site(tmp_path: Path, files: dict[str, str], config: str = DEFAULT_CONFIG) -> Path:
    site = tmp_path / "site"
    write_tree(site, {"site.yaml": config, **files})
    return site


def test_the_build_summary_counts_drafts_and_scheduled_posts(tmp_path: Path) -> None:
    site = _site(tmp_path, FILES)
    built = run_cli("build", cwd=site)
    assert built.returncode == 0, built.stderr
    lines = built.stdout.splitlines()
    assert lines[0].startswith("Built ") and lines[1:] == [BOTH]
    age(site)  # settled sources: the next build trusts its stamp
    run_cli("build", cwd=site)
    again = run_cli("build", cwd=site)  # nothing changed: still said
    assert again.stdout.startswith("Up to date") and again.stdout.splitlines()[1:] == [BOTH]
    everything = run_cli("build", "--drafts", "--output", "preview", cwd=site)
    assert everything.returncode == 0 and "not published" not in everything.stdout


def test_scheduled_posts_alone_say_when_the_next_is_due(tmp_path: Path) -> None:
    site = _site(tmp_path, {k: v for k, v in FILES.items() if "later" in k or "out" in k})
    built = run_cli("build", cwd=site)
    assert built.stdout.splitlines()[1:] == ["1 scheduled post not published (the next is due 2099-03-04)"]


def test_a_site_with_nothing_left_out_says_nothing_more(tmp_path: Path) -> None:
    site = _site(tmp_path, {"content/posts/out.md": FILES["content/posts/out.md"]})
    built = run_cli("build", cwd=site)
    assert len(built.stdout.splitlines()) == 1 and "not published" not in built.stdout


def test_publish_says_what_it_leaves_out_before_it_publishes(tmp_path: Path) -> None:
    config = DEFAULT_CONFIG + "publish:\n  - name: www\n    kind: folder\n    path: ../www\n"
    site = _site(tmp_path, FILES, config)
    dry = run_cli("publish", "--dry-run", cwd=site)
    assert dry.returncode == 0, dry.stderr
    assert BOTH in dry.stdout.splitlines()
    done = run_cli("publish", cwd=site)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    said, published = lines.index(BOTH), next(i for i, x in enumerate(lines) if x.startswith("Published to"))
    changes = [i for i, x in enumerate(lines) if x.startswith("  ")]
    assert said < min(changes) < published  # said first, then what was sent
