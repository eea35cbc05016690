"""What a build is asked to do, and what it reports back (plain data).

Kept apart from pipeline.py so that `fireside build` can tell an up-to-date site without
importing the whole pipeline (see incremental.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.build.output.writer import WriteStats
from generator.site.errors import SiteError
from generator.site.progress import NO_PROGRESS, Progress


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False  # include drafts and future posts
    output_dir: Path | None = None  # default: site.yaml's output_dir, under the site root
    base_url: str | None = None  # override site.yaml's base_url (previews, staging)
    now: datetime | None = None  # what "the future" is measured against; default: the clock
    inbox_endpoint: str | None = None  # override site.yaml's inbox.endpoint (the preview's own)
    # The output folder is this process's own (a preview's temp folder): what the last
    # build recorded writing there is trusted without looking at each file again.
    private_output: bool = False
    # Publish stylesheets and scripts also as name.<hash>.ext and link to those (off for
    # the preview, where a stylesheet edit is swapped into open tabs under its own name).
    fingerprint_assets: bool = True
    # Told of each stage and of the items done (the command line shows it on a terminal).
    progress: Progress = field(default=NO_PROGRESS, compare=False, repr=False)
    # Delete whatever the output folder holds that the build does not make, whoever made
    # it (`--clean`); without it, only files an earlier build made are ever deleted.
    clean: bool = False


@dataclass(frozen=True)
class LeftOut:
    """What a build without drafts did not publish, so that it can say so."""

    drafts: int = 0  # posts and pages marked draft
    scheduled: int = 0  # posts and pages dated in the future (drafts aside)
    next_due: datetime | None = None  # the earliest of those dates


@dataclass(frozen=True)
class BuildResult:
    output_dir: Path
    pages: int  # HTML pages in the site
    files: int
    stats: WriteStats
    warnings: tuple[SiteError, ...]
    seconds: float
    rendered: int = 0  # outputs rendered by this build (the rest were confirmed unchanged)
    # Nothing the build reads had changed since the last one: nothing was built (stamp.py).
    up_to_date: bool = False
    left_out: LeftOut = LeftOut()
    # Every file the build made, by output-relative path, with its state as the build left
    # it and saw it with its own calls (size, mtime in ns, inode): what a check of the
    # build's own folder reads instead of looking at the folder again. None: not known.
    outputs: Mapping[str, tuple[int, int, int]] | None = field(default=None, compare=False, repr=False)
