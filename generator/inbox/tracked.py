"""Is the private inbox in git? For `fireside check` (under inbox).

Readers' letters and addresses must never be pushed with the site's source. `fireside new
site` writes a .gitignore that keeps `inbox/` out, but a `git add -f`, an older site or an
edited .gitignore can still let them in; this finds them. It only reads (`git ls-files`).
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from generator.inbox.settings import DEFAULT_INBOX

log = logging.getLogger(__name__)


def tracked_inbox_files(site_root: Path, inbox_dir: Path | None = None) -> list[str]:
    """Files of the inbox (default `<site_root>/inbox/`) that git tracks or has staged.

    Paths are relative to `site_root`, sorted. Empty when the site is not in a git
    repository, git is not installed, or the inbox lies outside the site.
    """
    root = site_root.resolve()
    inbox = (inbox_dir if inbox_dir is not None else root / DEFAULT_INBOX).resolve()
    if not inbox.is_relative_to(root) or shutil.which("git") is None:
        return []
    rel = inbox.relative_to(root).as_posix() or "."
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--", rel],
            capture_output=True,
            timeout=30,
            # No prompts, no pager, no hooks: this only ever reads the index.
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"},
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.debug("git ls-files failed: %s", exc)
        return []
    if result.returncode != 0:  # not a repository, most likely
        return []
    names = [n for n in result.stdout.decode("utf-8", "surrogateescape").split("\0") if n]
    return sorted(names)
