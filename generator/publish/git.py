"""Publishing the output as a git branch, gh-pages style (for `fireside publish`).

The author's repository, working tree and index are never touched: the branch is built
in a bare repository of Fireside's own under `.fireside-cache/publish/`, with a private
index and the output folder as its work tree. Only the output's files (plus `.nojekyll`,
so GitHub Pages serves every file as it is) go into the commit, whose message names the
source commit. When the tree is the one the branch already holds, nothing is committed
or pushed; the cache keeps fetched history, so an unchanged publish transfers nothing.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.site.errors import SiteError

log = logging.getLogger(__name__)

DEFAULT_REMOTE = "origin"
DEFAULT_BRANCH = "gh-pages"
_PUBLISHED_REF = "refs/fireside/published"  # the branch as last fetched or pushed
# Variables that would point git at another repository than the one we mean.
_REPO_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
    "GIT_NAMESPACE",
)
# Blobs must be the output's bytes exactly, whatever the author's git settings.
_EXACT = ("-c", "core.autocrlf=false", "-c", "core.safecrlf=false", "-c", "core.symlinks=true")


@dataclass(frozen=True)
class BranchPublish:
    remote: str  # the URL or path pushed to
    branch: str
    message: str
    changes: tuple[str, ...]  # "A path", "M path", "D path" against the branch
    commit: str | None  # the commit pushed; None when nothing changed or on a dry run


@dataclass(frozen=True)
class Identity:
    name: str
    email: str


def publish_branch(
    output_dir: Path,
    site_root: Path,
    cache_dir: Path,
    remote: str,
    branch: str,
    fallback: Identity,
    *,
    dry_run: bool,
) -> BranchPublish:
    """Commit the output folder as the tip of `branch` on `remote` and push it (unless dry_run)."""
    git = _Git(cache_dir)
    url = _remote_url(remote, site_root)
    source = git.run(["rev-parse", "--short", "HEAD"], cwd=site_root, check=False, authors=True)
    head = source.stdout.strip() if source.returncode == 0 else ""
    message = f"Publish {head}" if head else "Publish (source not in git)"
    _ensure_cache(git, cache_dir)
    parent = _fetch(git, url, branch)
    tree = _output_tree(git, output_dir, cache_dir)
    if parent is not None and git.out(["rev-parse", f"{parent}^{{tree}}"]) == tree:
        log.info("%s on %s already holds this output", branch, url)
        return BranchPublish(url, branch, message, (), None)
    if parent is not None:
        listed = git.out(["diff-tree", "-r", "--no-renames", "--name-status", parent, tree])
        changes = tuple(line.replace("\t", " ", 1) for line in listed.splitlines())
    else:
        changes = tuple(f"A {path}" for path in git.out(["ls-tree", "-r", "--name-only", tree]).splitlines())
    if dry_run:
        return BranchPublish(url, branch, message, changes, None)
    identity = _identity(git, site_root, fallback)
    env = {
        "GIT_AUTHOR_NAME": identity.name,
        "GIT_AUTHOR_EMAIL": identity.email,
        "GIT_COMMITTER_NAME": identity.name,
        "GIT_COMMITTER_EMAIL": identity.email,
    }
    parents = ["-p", parent] if parent is not None else []
    commit = git.out(["commit-tree", tree, *parents, "-m", message], env=env)
    git.run(["push", "--quiet", url, f"{commit}:refs/heads/{branch}"])
    git.run(["update-ref", _PUBLISHED_REF, commit])
    return BranchPublish(url, branch, message, changes, commit)


class _Git:
    """git with a clean environment, run against Fireside's own repository by default."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.env = {k: v for k, v in os.environ.items() if k not in _REPO_VARIABLES}
        self.env["LC_ALL"] = "C"  # messages in errors we show are git's own, unlocalised

    def run(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        check: bool = True,
        authors: bool = False,
    ) -> subprocess.CompletedProcess[str]:
        """Run git on our repository, or with `authors` on the one around `cwd` (questions only)."""
        full_env = {**self.env, **(env or {})}
        if not authors:
            full_env["GIT_DIR"] = str(self.git_dir)
        try:
            done = subprocess.run(
                ["git", *_EXACT, *args],
                cwd=cwd or self.git_dir.parent,
                env=full_env,
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
            )
        except FileNotFoundError:
            raise SiteError(None, None, "git is not installed (it is needed for a git target)") from None
        if check and done.returncode != 0:
            detail = done.stderr.strip() or done.stdout.strip()
            raise SiteError(None, None, f"git {args[0]} failed: {detail}")
        return done

    def out(
        self,
        args: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        authors: bool = False,
    ) -> str:
        return self.run(args, cwd=cwd, env=env, authors=authors).stdout.strip()


def _remote_url(remote: str, site_root: Path) -> str:
    """A remote of the site's repository as its URL; else a URL; else a path from the site."""
    git = _Git(site_root)
    named = git.run(["remote", "get-url", remote], cwd=site_root, check=False, authors=True)
    if named.returncode == 0:
        url = named.stdout.strip()
        if "://" in url or ":" in url.split("/", 1)[0]:
            return url
        top = git.out(["rev-parse", "--show-toplevel"], cwd=site_root, authors=True)
        return str((Path(top) / url).resolve())  # git reads relative remotes from the top
    if "://" in remote or ":" in remote.split("/", 1)[0]:
        return remote  # https://host/x.git, ssh://…, user@host:x.git
    path = (site_root / Path(remote).expanduser()).resolve()
    if path.exists():
        return str(path)
    raise SiteError(
        None,
        None,
        f"git remote {remote!r} is neither a remote of the site's repository, a URL, "
        "nor an existing repository path (relative paths start at the site folder)",
    )


def _ensure_cache(git: _Git, cache_dir: Path) -> None:
    if (cache_dir / "HEAD").is_file():
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    git.run(["init", "--quiet", "--bare", str(cache_dir)], cwd=cache_dir)
    # The cache sits in the site folder: keep it out of the author's `git status`.
    ignore = cache_dir.parent / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Fireside's publish cache: never part of the site's repository\n*\n")


def _fetch(git: _Git, url: str, branch: str) -> str | None:
    """The branch's tip on the remote, fetched into the cache; None if there is no such branch."""
    listed = git.out(["ls-remote", "--heads", url, f"refs/heads/{branch}"])
    if not listed:
        git.run(["update-ref", "-d", _PUBLISHED_REF], check=False)
        return None
    git.run(["fetch", "--quiet", "--no-tags", url, f"+refs/heads/{branch}:{_PUBLISHED_REF}"])
    return git.out(["rev-parse", _PUBLISHED_REF])


def _output_tree(git: _Git, output_dir: Path, cache_dir: Path) -> str:
    """The tree of exactly the output's files, plus an empty `.nojekyll`."""
    index = cache_dir / "fireside-index"
    index.unlink(missing_ok=True)  # a fresh index: files gone from the output leave the tree
    env = {"GIT_INDEX_FILE": str(index), "GIT_WORK_TREE": str(output_dir)}
    # --force: the author's global ignore rules must not drop files of the site.
    git.run(["add", "--all", "--force", "--", "."], env=env, cwd=output_dir)
    blob = git.out(["hash-object", "-w", "--stdin"], env=env)  # stdin is empty: the empty blob
    git.run(["update-index", "--add", "--cacheinfo", f"100644,{blob},.nojekyll"], env=env)
    return git.out(["write-tree"], env=env)


def _identity(git: _Git, site_root: Path, fallback: Identity) -> Identity:
    """The author's git identity as the site's repository sees it, else the site's author."""
    name = git.run(["config", "user.name"], cwd=site_root, check=False, authors=True).stdout.strip()
    email = git.run(["config", "user.email"], cwd=site_root, check=False, authors=True).stdout.strip()
    return Identity(name or fallback.name, email or fallback.email)
