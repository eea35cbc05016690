"""`fireside publish`: real builds, real folders, a real bare git repository and Debian's rsync."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.build.incremental import build_site
from generator.build.options import BuildOptions
from generator.publish.publisher import PublishOptions, PublishRefused, PublishResult, publish_site
from generator.publish.rsync import destination_problem, rsync_command
from generator.site.config import PublishTarget, load_config
from generator.site.errors import BuildFailed, SiteError

from .conftest import NOW, MakeSite, run_cli, tree_digest, write_tree

CONFIG = """\
title: Published Site
description: A site that goes places.
base_url: https://example.com/
author:
  name: Test Author
  email: author@example.com
publish:
  - name: www
    kind: folder
    path: ../www
  - name: server
    kind: rsync
    destination: ../rsynced/
  - name: pages
    kind: git
    remote: {remote}
    branch: gh-pages
"""

FILES: dict[str, str | bytes] = {
    "content/posts/first.md": "---\ntitle: First\ndate: 2026-01-05\ntags: [notes]\n---\nHello, [second](second.md).\n",
    "content/posts/second.md": "---\ntitle: Second\ndate: 2026-02-05\ntags: [notes]\n---\nBack to [first](first.md).\n",
    "content/posts/draft.md": "---\ntitle: A Draft\ndate: 2026-01-01\ndraft: true\n---\nNot yet.\n",
    "content/pages/about.md": "---\ntitle: About\n---\nWho.\n",
}

# Test repositories commit without touching the machine's git configuration.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Tester",
    "GIT_AUTHOR_EMAIL": "tester@example.com",
    "GIT_COMMITTER_NAME": "Tester",
    "GIT_COMMITTER_EMAIL": "tester@example.com",
}


def site_with(make_site: MakeSite, remote: str = "origin", files: dict[str, str | bytes] | None = None) -> Path:
    return make_site({**FILES, **(files or {})}, config=CONFIG.format(remote=remote))


def publish(site: Path, target: str | None = None, **options: object) -> PublishResult:
    return publish_site(site / "site.yaml", PublishOptions(target=target, now=NOW, **options))  # type: ignore[arg-type]


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, env={**os.environ, **GIT_ENV}
    )
    return done.stdout.strip()


def files_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# -- output that deploys well -------------------------------------------------------------------


def test_two_builds_from_clean_are_byte_identical(make_site: MakeSite, tmp_path: Path) -> None:
    site = site_with(make_site)
    for name in ("one", "two"):
        build_site(site / "site.yaml", BuildOptions(output_dir=tmp_path / name, now=NOW))
    one, two = files_of(tmp_path / "one"), files_of(tmp_path / "two")
    assert one == two
    # Any static host serves it without configuration: folders with index.html, a root 404.
    assert {"index.html", "404.html", "posts/first/index.html", "about/index.html"} <= set(one)


def test_rebuilding_keeps_unchanged_files_and_removes_stale_ones(make_site: MakeSite) -> None:
    site = site_with(make_site)
    output = site / "public"
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    before = tree_digest(output)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert tree_digest(output) == before  # same bytes and same mtimes
    (site / "content/pages/about.md").unlink()
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    assert not (output / "about").exists()


# -- folder ---------------------------------------------------------------------------------------


def test_publish_to_a_folder_twice_changes_nothing_the_second_time(make_site: MakeSite) -> None:
    site = site_with(make_site)
    www = site.parent / "www"
    write_tree(www, {"stale.html": "old", "CNAME": "example.com\n"})
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    write_tree(site / "public", {"stray.txt": "left by hand in the output folder"})
    # A folder Fireside never published to, holding other files: only when asked.
    with pytest.raises(SiteError, match="--clean"):
        publish(site, "www")
    first = publish(site, "www", clean=True)
    assert "A index.html" in first.changes and "D stale.html" in first.changes
    assert files_of(www) == {**files_of(site / "public"), "CNAME": b"example.com\n"}  # CNAME is the host's
    assert not (www / "posts/draft").exists()
    # The author's own file in the output folder stays there, and is published with the site.
    assert (site / "public/stray.txt").read_text() == "left by hand in the output folder"
    assert (www / "stray.txt").is_file()
    assert any("stray.txt" in str(finding) for finding in first.report.warnings)
    before = tree_digest(www)
    second = publish(site, "www")  # the folder is Fireside's now: no --clean needed
    assert second.changes == ()
    assert tree_digest(www) == before
    # An edit reaches the folder, and only the files it changed are written.
    (site / "content/pages/about.md").write_text("---\ntitle: About\n---\nWho, and why.\n")
    third = publish(site, "www")
    assert third.changes == ("M about/index.html",)


def test_a_folder_changed_since_the_last_publish_is_put_right(make_site: MakeSite) -> None:
    # Publishing again with nothing changed reads no file (the states of both folders are
    # as the last publish left them): anything that differs since must still be seen.
    site = site_with(make_site)
    www = site.parent / "www"
    publish(site, "www")
    expected = files_of(www)
    (www / "index.html").write_text("defaced")
    (www / "posts/first/index.html").unlink()
    assert publish(site, "www").changes == ("M index.html", "A posts/first/index.html")
    assert files_of(www) == expected
    os.utime(site / "public/about/index.html", (1, 1))  # the output touched: looked at again
    (www / "about/index.html").write_text("also defaced")
    assert publish(site, "www").changes == ("M about/index.html",)
    assert files_of(www) == expected
    assert publish(site, "www").changes == ()


def test_a_publish_reads_only_the_files_changed_since_the_last(make_site: MakeSite) -> None:
    # A file whose state (size, time, inode) is on both sides the one the last publish
    # left is not read again, the way the build's stamp trusts states: an edit in the
    # target that keeps all three is not seen, until the publish's record is removed.
    site = site_with(make_site)
    www = site.parent / "www"
    publish(site, "www")
    page = www / "index.html"
    before = page.stat()
    with page.open("r+b") as handle:  # same size, same inode
        handle.write(b"X")
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    (site / "content/pages/about.md").write_text("---\ntitle: About\n---\nWho, and why.\n")
    assert publish(site, "www").changes == ("M about/index.html",)
    assert page.read_bytes().startswith(b"X")
    shutil.rmtree(site / ".fireside-cache/publish")
    assert publish(site, "www").changes == ("M index.html",)
    assert files_of(www) == files_of(site / "public")


def test_a_pipe_in_the_output_folder_is_not_published(make_site: MakeSite) -> None:
    site = site_with(make_site)
    build_site(site / "site.yaml", BuildOptions(now=NOW))
    os.mkfifo(site / "public/pipe")  # read as a file, it would wait for a writer forever
    for words in ("Who.", "Who, and why."):  # the second publish is one after an edit
        (site / "content/pages/about.md").write_text(f"---\ntitle: About\n---\n{words}\n")
        result = run_cli("publish", "www", cwd=site)
        assert result.returncode == 0, result.stdout + result.stderr
    assert not (site.parent / "www/pipe").exists() and (site.parent / "www/index.html").is_file()


def test_a_dry_run_to_a_folder_changes_nothing(make_site: MakeSite) -> None:
    site = site_with(make_site)
    result = run_cli("publish", "www", "--dry-run", cwd=site)
    assert result.returncode == 0, result.stderr
    assert "  A index.html" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].startswith("Dry run for www (../www): ")
    assert not (site.parent / "www").exists()


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        (".", "it contains the site"),
        ("..", "it contains the site"),
        ("content/www", "it is inside content/"),
        ("public", "it overlaps the output folder"),
        ("public/www", "it overlaps the output folder"),
    ],
)
def test_dangerous_folders_are_refused(make_site: MakeSite, path: str, problem: str) -> None:
    config = CONFIG.format(remote="origin").replace("path: ../www", f"path: {path}")
    site = make_site(FILES, config=config)
    before = tree_digest(site)
    with pytest.raises(SiteError) as refused:
        publish(site, "www")
    assert problem in str(refused.value)
    assert tree_digest(site) == before  # refused before building, too


# -- rsync ----------------------------------------------------------------------------------------


def require_rsync() -> None:
    if shutil.which("rsync"):
        return
    if os.environ.get("CI"):
        pytest.fail("CI is set but rsync is missing; .ci/run must install it")
    pytest.skip("rsync is not installed (Debian: apt-get install rsync)")


def test_rsync_publishes_and_a_second_run_transfers_nothing(make_site: MakeSite) -> None:
    require_rsync()
    site = site_with(make_site)
    target = site.parent / "rsynced"
    write_tree(target, {"stale.txt": "gone soon"})
    with pytest.raises(SiteError, match="--clean"):
        publish(site, "server")
    assert (target / "stale.txt").is_file()
    first = publish(site, "server", clean=True)
    assert first.command == (
        "rsync", "-rlptz", "--checksum", "--delete", "--itemize-changes", "public/", "../rsynced/",
    )
    assert any(line.endswith(" index.html") for line in first.changes)
    assert first.deleted == ("stale.txt",)
    assert files_of(target) == files_of(site / "public")
    second = publish(site, "server")
    assert second.changes == ()  # nothing sent, not even times or permissions


def test_rsync_command_for_a_server_uses_the_configured_shell() -> None:
    target = PublishTarget(name="server", kind="rsync", destination="me@host:/var/www/blog/", ssh="ssh -p 2222")
    command = rsync_command("public", target, dry_run=True)
    assert shlex.join(command) == (
        "rsync -rlptz --checksum --delete --itemize-changes -e 'ssh -p 2222' --dry-run public/ me@host:/var/www/blog/"
    )


def test_rsync_dry_run_shows_the_exact_command_and_changes_nothing(make_site: MakeSite) -> None:
    require_rsync()
    site = site_with(make_site)
    result = run_cli("publish", "server", "--dry-run", cwd=site)
    assert result.returncode == 0, result.stderr
    command = "$ rsync -rlptz --checksum --delete --itemize-changes --dry-run public/ ../rsynced/"
    assert command in result.stdout.splitlines()
    assert "nothing was changed" in result.stdout
    assert not (site.parent / "rsynced").exists()


@pytest.mark.parametrize("destination", [
    "me@host:", "me@host:.", "me@host:./", "host:~", "host:~/", "host:~me", "host:~me/", "host:~/.",
    "host:/", "host://", "host:/home/me", "host:/home/me/", "host:/root", "host:/Users/me", "host:/home",
    "host:/var", "host:/var/www/..", "host:..", "host:../other", "~", "/",
])
def test_rsync_refuses_a_home_folder_or_the_root(destination: str, tmp_path: Path) -> None:
    assert destination_problem(destination, tmp_path / "deep" / "site")


@pytest.mark.parametrize("destination", [
    "me@host:/var/www/blog/", "host:public_html/", "host:~/public_html", "host:www/blog",
    "rsync://host/module/", "../rsynced/",
])
def test_rsync_takes_a_folder_of_its_own(destination: str, tmp_path: Path) -> None:
    assert destination_problem(destination, tmp_path / "deep" / "site") is None


def test_an_rsync_target_at_a_home_folder_is_refused_before_anything_runs(make_site: MakeSite) -> None:
    site = site_with(make_site)
    config = (site / "site.yaml").read_text().replace("destination: ../rsynced/", "destination: \"me@example.invalid:\"")
    (site / "site.yaml").write_text(config)
    result = run_cli("publish", "server", "--dry-run", cwd=site)
    assert result.returncode == 1
    assert "refusing to rsync to me@example.invalid:" in result.stderr
    assert "home folder" in result.stderr and "--delete" in result.stderr
    assert "$ rsync" not in result.stdout  # nothing ran, not even the dry run


def test_the_dry_run_names_every_file_rsync_would_delete(make_site: MakeSite) -> None:
    require_rsync()
    site = site_with(make_site)
    target = site.parent / "rsynced"
    publish(site, "server")
    stale = {f"uploads/photo-{i:02}.jpg": "by hand" for i in range(60)}  # more than the listing of changes
    write_tree(target, {**stale, "notes.txt": "mine"})
    result = run_cli("publish", "server", "--dry-run", cwd=site)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    heading = "rsync --delete would delete 62 files in ../rsynced/ that the site does not have:"
    assert heading in lines
    listed = lines[lines.index(heading) + 1 : lines.index(heading) + 63]
    assert sorted(line.strip() for line in listed) == sorted([*stale, "notes.txt", "uploads/"])
    assert (target / "notes.txt").exists()  # a dry run


# -- git ------------------------------------------------------------------------------------------


def git_site(make_site: MakeSite) -> tuple[Path, Path]:
    """A site in its own git repository whose `origin` is a bare repository beside it."""
    site = site_with(make_site)
    bare = site.parent / "pages.git"
    git("init", "--quiet", "--bare", str(bare), cwd=site.parent)
    git("init", "--quiet", cwd=site)
    write_tree(site, {".gitignore": "/public/\n/.fireside-cache/\n"})
    git("add", "-A", cwd=site)
    git("commit", "--quiet", "-m", "Source", cwd=site)
    git("remote", "add", "origin", str(bare), cwd=site)
    return site, bare


def test_publish_to_a_git_branch_commits_only_the_output(make_site: MakeSite) -> None:
    site, bare = git_site(make_site)
    (site / "notes.txt").write_text("uncommitted work in progress\n")
    git("add", "notes.txt", cwd=site)  # staged, not committed: the index must survive publishing
    status_before = git("status", "--porcelain", cwd=site)
    index_before = (site / ".git/index").read_bytes()
    head = git("rev-parse", "--short", "HEAD", cwd=site)

    first = publish(site, "pages")
    assert first.commit is not None and first.message == f"Publish {head}"
    assert git("log", "--format=%s", "gh-pages", cwd=bare) == f"Publish {head}"
    published = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=bare).splitlines())
    assert published == set(files_of(site / "public")) | {".nojekyll"}
    assert git("show", "gh-pages:index.html", cwd=bare).encode() == (site / "public/index.html").read_bytes().strip()
    # The author's working tree, index and branches are as they were.
    assert git("status", "--porcelain", cwd=site) == status_before
    assert (site / ".git/index").read_bytes() == index_before
    assert git("branch", "--list", cwd=site) in ("* main", "* master")

    second = publish(site, "pages")
    assert second.commit is None and second.changes == ()
    assert git("rev-parse", "gh-pages", cwd=bare) == first.commit

    (site / "content/pages/about.md").unlink()
    third = publish(site, "pages")
    assert third.commit is not None and "D about/index.html" in third.changes
    assert git("rev-parse", "gh-pages^", cwd=bare) == first.commit
    assert "about/index.html" not in git("ls-tree", "-r", "--name-only", "gh-pages", cwd=bare)


def test_a_site_outside_git_publishes_to_a_repository_path(make_site: MakeSite) -> None:
    site = site_with(make_site, remote="../elsewhere.git")
    bare = site.parent / "elsewhere.git"
    git("init", "--quiet", "--bare", str(bare), cwd=site.parent)
    result = run_cli("publish", "pages", cwd=site, env=GIT_ENV)
    assert result.returncode == 0, result.stderr
    assert 'commit ' in result.stdout and '"Publish (source not in git)"' in result.stdout
    assert git("log", "--format=%s", "gh-pages", cwd=bare) == "Publish (source not in git)"
    again = run_cli("publish", "pages", cwd=site, env=GIT_ENV)
    assert again.stdout.strip().endswith("is up to date: nothing changed.")
    dry = run_cli("publish", "pages", "--dry-run", cwd=site, env=GIT_ENV)
    assert dry.returncode == 0 and "Dry run for pages (branch gh-pages of ../elsewhere.git)" in dry.stdout


def test_an_unknown_git_remote_is_an_error(make_site: MakeSite) -> None:
    site = site_with(make_site, remote="nowhere")
    result = run_cli("publish", "pages", cwd=site)
    assert result.returncode == 1
    assert "git remote 'nowhere' is neither a remote of the site's repository" in result.stderr


# -- check before publishing ---------------------------------------------------------------------


def test_check_errors_block_publishing_unless_forced(make_site: MakeSite) -> None:
    site = site_with(make_site, files={"content/posts/broken.md": "---\ntitle: B\ndate: 2026-03-01\n---\n[x](/missing/)\n"})
    www = site.parent / "www"
    with pytest.raises(PublishRefused) as refused:
        publish(site, "www")
    assert str(refused.value.report.errors[0]).startswith("content/posts/broken.md:5: broken link '/missing/'")
    assert not www.exists()
    result = run_cli("publish", "www", cwd=site)
    assert result.returncode == 1
    assert "error: content/posts/broken.md:5: broken link '/missing/'" in result.stdout
    assert "Not published to www: the check found 1 error (fix them, or use --force)." in result.stderr
    assert not www.exists()
    forced = run_cli("publish", "www", "--force", cwd=site)
    assert forced.returncode == 0, forced.stderr
    assert (www / "posts/broken/index.html").is_file()


def test_a_failed_build_is_never_published(make_site: MakeSite) -> None:
    site = site_with(make_site, files={"content/posts/bad.md": "---\ntitle: Bad\ndate: 2026-13-45\n---\nx\n"})
    result = run_cli("publish", "www", "--force", cwd=site)
    assert result.returncode == 1
    assert "error: content/posts/bad.md:3: front matter 'date': not a date" in result.stdout
    assert "Not published to www: the build failed." in result.stderr
    assert not (site.parent / "www").exists()


# -- site.yaml ------------------------------------------------------------------------------------


def test_targets_are_validated_with_their_line(make_site: MakeSite) -> None:
    site = make_site(FILES, config=CONFIG.format(remote="origin").replace("kind: rsync", "kind: ftp"))
    with pytest.raises(SiteError) as wrong:
        publish(site)
    assert str(wrong.value) == "site.yaml:11: publish target 'server': unknown kind 'ftp' (kinds: folder, rsync, git)"
    misplaced = make_site(FILES, config=CONFIG.format(remote="origin").replace("path: ../www", "destination: x"))
    with pytest.raises(SiteError) as needs:
        publish(misplaced, "www")
    assert "publish target 'www': `destination` does not apply to a folder target" in str(needs.value)
    unknown = make_site(FILES, config=CONFIG.format(remote="origin").replace("    branch:", "    brunch:"))
    with pytest.raises(BuildFailed) as strict:
        load_config(unknown / "site.yaml")
    assert "site.yaml:17: unknown key 'publish[2].brunch'" in str(strict.value)
    result = run_cli("publish", "nope", cwd=site_with(make_site))
    assert result.returncode == 1 and "no publish target named 'nope' (targets: www, server, pages)" in result.stderr
    bare = make_site(FILES)
    assert "no publish targets" in run_cli("publish", cwd=bare).stderr


def test_the_first_target_is_the_default(make_site: MakeSite) -> None:
    site = site_with(make_site)
    result = run_cli("publish", cwd=site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].startswith("Published to www (../www): ")
