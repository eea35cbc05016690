"""The `fireside` command as a writer runs it: real subprocesses, real folders."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .conftest import REPO_ROOT, run_cli, tree_digest, write_tree


def test_new_site_builds_at_once(tmp_path: Path) -> None:
    created = run_cli("new", "site", "blog", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    site = tmp_path / "blog"
    assert (site / "site.yaml").is_file() and (site / "content/pages/about.md").is_file()
    assert "/inbox/" in (site / ".gitignore").read_text()  # the private inbox never goes to git
    built = run_cli("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert built.stdout.startswith("Built ") and " ms" in built.stdout
    assert (site / "public/posts/hello-reader/index.html").is_file()
    assert (site / "public/about/index.html").is_file()


def test_new_site_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "blog").mkdir()
    (tmp_path / "blog/notes.txt").write_text("keep me")
    result = run_cli("new", "site", "blog", cwd=tmp_path)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert [p.name for p in (tmp_path / "blog").iterdir()] == ["notes.txt"]


def test_new_post_is_a_draft_and_never_overwrites(tmp_path: Path) -> None:
    run_cli("new", "site", "blog", cwd=tmp_path)
    site = tmp_path / "blog"
    made = run_cli("new", "post", 'On "Slow" Letters: a note', cwd=site)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip() == "content/posts/on-slow-letters-a-note.md"
    text = (site / made.stdout.strip()).read_text()
    assert 'title: "On \\"Slow\\" Letters: a note"' in text
    assert f"date: {date.today().isoformat()}" in text and "draft: true" in text
    again = run_cli("new", "post", 'On "Slow" Letters: a note', cwd=site)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert (site / made.stdout.strip()).read_text() == text
    # The draft is invisible to a normal build and visible with --drafts.
    run_cli("build", cwd=site)
    assert not (site / "public/posts/on-slow-letters-a-note").exists()
    run_cli("build", "--drafts", "--output", "preview", cwd=site)
    assert (site / "preview/posts/on-slow-letters-a-note/index.html").is_file()


def test_build_errors_exit_1_with_path_and_line(tmp_path: Path) -> None:
    run_cli("new", "site", "blog", cwd=tmp_path)
    site = tmp_path / "blog"
    assert run_cli("build", cwd=site).returncode == 0
    before = tree_digest(site / "public")
    (site / "content/posts/broken.md").write_text("---\ntitle: ok\ndate: 2026-13-45\n---\nx\n")
    result = run_cli("build", cwd=site)
    assert result.returncode == 1
    assert "error: content/posts/broken.md:3: front matter 'date': not a date" in result.stderr
    assert "nothing was written" in result.stderr
    assert tree_digest(site / "public") == before


def test_build_options_output_and_base_url(tmp_path: Path) -> None:
    result = run_cli(
        "build",
        "--config",
        str(REPO_ROOT / "site.yaml"),
        "--output",
        str(tmp_path / "out"),
        "--base-url",
        "https://staging.example.net/essays",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    home = (tmp_path / "out/index.html").read_text()
    assert 'href="/essays/posts/an-inch-wide/"' in home
    assert 'href="https://staging.example.net/essays/"' in home  # canonical


def test_missing_site_yaml_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("build", cwd=tmp_path)
    assert result.returncode == 1
    assert "site.yaml: no site.yaml here" in result.stderr


def test_version_and_help(tmp_path: Path) -> None:
    assert run_cli("--version", cwd=tmp_path).stdout.startswith("fireside ")
    helped = run_cli("--help", cwd=tmp_path)
    assert helped.returncode == 0 and "build" in helped.stdout and "new" in helped.stdout


def test_build_reports_everything_before_its_immediate_exit(tmp_path: Path) -> None:
    """`fireside build` ends the process at once (cli.ending.exit_now): what it printed to pipes,
    warnings included, still arrives, and it leaves no staging folder behind."""
    site = tmp_path / "site"
    write_tree(
        site,
        {
            "site.yaml": "title: T\nbase_url: https://t.example/\nauthor: {name: A, email: a@t.example}\n",
            "content/posts/untitled.md": "# Heading as title\n\nText.\n",
        },
    )
    built = run_cli("build", cwd=site)
    assert built.returncode == 0, built.stderr
    assert "warning: content/posts/untitled.md:1: no title in front matter" in built.stderr
    assert built.stdout.startswith("Built ") and built.stdout.endswith(" ms\n")
    assert [p.name for p in (site / ".fireside-cache").iterdir() if p.name.startswith("staging")] == []
    again = run_cli("build", cwd=site)  # from the cache this time: the same report
    assert again.returncode == 0 and "no title in front matter" in again.stderr


def test_build_called_in_process_returns_and_leaves_the_collector_as_it_was(tmp_path: Path) -> None:
    """Only the console command ends its process after a build; `main()` called from Python
    returns its exit code, with the cycle collector as the caller had it."""
    import gc

    from generator.cli.command import main

    site = tmp_path / "site"
    write_tree(
        site,
        {
            "site.yaml": "title: T\nbase_url: https://t.example/\nauthor: {name: A, email: a@t.example}\n",
            "content/posts/one.md": "---\ntitle: One\ndate: 2026-01-02\n---\nText.\n",
        },
    )
    was_enabled = gc.isenabled()
    try:
        for collecting in (True, False):
            (gc.enable if collecting else gc.disable)()
            assert (
                main(["build", "--config", str(site / "site.yaml"), "--output", str(tmp_path / "out")]) == 0
            )
            assert gc.isenabled() is collecting
        assert (tmp_path / "out/posts/one/index.html").is_file()
    finally:
        (gc.enable if was_enabled else gc.disable)()
