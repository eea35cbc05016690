"""Where a build or a publish may write, and where never (the author's own folders).

A build writes into its output folder, and a publish into its target; both remove files
there (see output/ownership.py for which). Some places are refused whatever is in them:
the site folder and anything above it, its sources, its themes, the build cache, and
the reader inbox (the site's `inbox/`, and the folder `FIRESIDE_INBOX_DIR` names, the
one the inbox commands and the receiver use), inside it or above it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from generator.build.output.ownership import FolderRefused
from generator.site.config import SiteConfig, SiteLayout
from generator.site.errors import BuildFailed, SiteError

DEFAULT_INBOX = "inbox"  # beside site.yaml, as the inbox commands default to
# A folder of the build cache that Fireside's own commands build into (`fireside check`
# builds the site there as it would be published); nothing else may be an output in it.
OWN_OUTPUTS = "outputs"
INBOX_VARIABLE = "FIRESIDE_INBOX_DIR"


def inbox_folders(layout: SiteLayout, env: Mapping[str, str] | None = None) -> list[Path]:
    """The reader inboxes a write must keep away from: the site's, and the environment's."""
    env = os.environ if env is None else env
    found = [(layout.root / DEFAULT_INBOX).resolve()]
    if env.get(INBOX_VARIABLE):
        found.append(Path(env[INBOX_VARIABLE]).expanduser().resolve())
    return found


def place_problem(layout: SiteLayout, folder: Path, env: Mapping[str, str] | None = None) -> str | None:
    """Why writing (and removing) in the resolved `folder` could destroy the author's files."""
    root = layout.root.resolve()
    if root.is_relative_to(folder):
        return "it contains the site (or is the site folder itself)"
    inside = {
        "content/": layout.content.resolve(),
        "themes/": layout.themes.resolve(),
        "the build cache": layout.cache.resolve(),
        ".git/": (layout.root / ".git").resolve(),
    }
    for label, place in inside.items():
        if folder.is_relative_to(place) and not folder.is_relative_to(layout.cache.resolve() / OWN_OUTPUTS):
            return f"it is inside {label}"
    for inbox in inbox_folders(layout, env):
        shown = _shown(inbox, root)
        if folder.is_relative_to(inbox):
            where = "" if folder == inbox else "inside "
            return f"it is {where}the reader inbox {shown}"
        if inbox.is_relative_to(folder):
            return f"it contains the reader inbox {shown}"
    if folder.exists() and not folder.is_dir():
        return "it is a file"
    return None


def resolve_output_dir(layout: SiteLayout, config: SiteConfig, override: Path | None) -> Path:
    """The output folder, refused where writing it could destroy the author's own files."""
    chosen = override if override is not None else Path(config.output_dir)
    output = (layout.root / chosen).resolve() if not chosen.is_absolute() else chosen.resolve()
    problem = place_problem(layout, output)
    if problem:
        message = f"refusing output folder {output}: {problem}; choose another folder for the built site"
        raise BuildFailed([SiteError(output_label(layout, config, override), None, message)])
    return output


def refusal(refused: FolderRefused, where: str | None) -> BuildFailed:
    """The refusal of a build's output folder, with the way on."""
    ways_on = (
        "choose another output folder"
        if refused.letters
        else "use an empty or new folder, or build with --clean to delete everything in it "
        "that the site does not make"
    )
    message = f"refusing to build into {refused.folder}: {refused.problem}; {ways_on}"
    return BuildFailed([SiteError(where, None, message)])


def left_alone_warning(output_dir: Path, left: tuple[str, ...]) -> SiteError:
    """The warning of a build that found Fireside's marker but no record (ownership.py)."""
    shown = ", ".join(left[:3]) + (", ..." if len(left) > 3 else "")
    what = "1 file here was" if len(left) == 1 else f"{len(left)} files here were"
    message = (
        f"{what} not made by this build and left alone ({shown}): there is no record of what "
        "earlier builds made here (.fireside-cache/ was deleted); build with --clean to delete them"
    )
    return SiteError(output_dir, None, message)


def output_label(layout: SiteLayout, config: SiteConfig, override: Path | None) -> str:
    """Where the output folder was chosen, for messages: --output, or site.yaml's output_dir."""
    if override is None:
        return layout.config_file.name
    configured = (layout.root / config.output_dir).resolve()
    chosen = override if override.is_absolute() else layout.root / override
    return layout.config_file.name if chosen.resolve() == configured else "--output"


def _shown(folder: Path, root: Path) -> str:
    return folder.relative_to(root).as_posix() + "/" if folder.is_relative_to(root) else str(folder)
