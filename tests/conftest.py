"""Shared fixtures: real sites on disk, made from a dict, built for real into temp folders."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.build.incremental import build_site
from generator.build.options import BuildOptions, BuildResult

REPO_ROOT = Path(__file__).resolve().parent.parent

# A fixed "now" so future-post tests do not depend on the day they run.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

DEFAULT_CONFIG = """\
title: Test Site
base_url: https://example.com/
author:
  name: Test Author
  email: author@example.com
per_page: 2
"""

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def write_tree(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """`make_site({"content/posts/a.md": "..."}, config=...)` → the site's root folder."""
    counter = 0

    def make(files: dict[str, str | bytes] | None = None, config: str | None = DEFAULT_CONFIG) -> Path:
        nonlocal counter
        counter += 1
        root = tmp_path / f"site{counter}"
        root.mkdir()
        tree = dict(files or {})
        if config is not None:
            tree.setdefault("site.yaml", config)
        write_tree(root, tree)
        return root

    return make


def build(root: Path, output: Path | None = None, **options: object) -> BuildResult:
    """Build the site at `root` (into `root/public` unless `output`), with the fixed NOW."""
    opts = {"now": NOW, **options}
    return build_site(root / "site.yaml", BuildOptions(output_dir=output, **opts))  # type: ignore[arg-type]


def tree_digest(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file under `folder` with its content hash and mtime: to prove nothing changed."""
    if not folder.exists():
        return {}
    return {
        path.relative_to(folder).as_posix(): (
            hashlib.sha256(path.read_bytes()).hexdigest(),
            path.stat().st_mtime_ns,
        )
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `fireside` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        # The checkout itself first, so the command under test is this code even if not installed.
        env={
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")]),
            **(env or {}),
        },
    )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:  # pytest-playwright hook
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[Any]:
    """A headless Chromium for one test module (Playwright's sync API allows one at a time)."""
    require_chromium()  # skips without Chromium, fails instead under CI
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def require_chromium() -> None:
    """Skip a browser test when no Chromium is installed, except under CI where it must run."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but no Chromium at {CHROMIUM}; .ci/run must install it")
    pytest.skip("no Chromium found (install Debian's chromium or set CHROMIUM_PATH)")
