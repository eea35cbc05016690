"""What a build is asked to do (and where it may write), and what it reports back.

Kept apart from pipeline.py so that `fireside build` can tell an up-to-date site, and
`fireside publish` where the output folder is, without importing the whole pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from generator.build.output.writer import WriteStats
from generator.site.config import SiteConfig, SiteLayout
from generator.site.errors import BuildFailed, SiteError
from generator.site.progress import NO_PROGRESS, Progress

# A folder of the build cache that Fireside's own commands build into (`fireside check`
# builds the site there as it would be published); nothing else may be an output in it.
OWN_OUTPUTS = "outputs"


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


def resolve_output_dir(layout: SiteLayout, config: SiteConfig, override: Path | None) -> Path:
    """The output folder, refused where pruning it could destroy the author's own files."""
    chosen = override if override is not None else Path(config.output_dir)
    output = (layout.root / chosen).resolve() if not chosen.is_absolute() else chosen.resolve()
    root = layout.root.resolve()
    forbidden = {
        "content/": layout.content.resolve(),
        "themes/": layout.themes.resolve(),
        "the build cache": layout.cache.resolve(),
    }
    problem = None
    if root.is_relative_to(output):
        problem = "it contains the site (or is the site folder itself)"
    for label, place in forbidden.items():
        if output.is_relative_to(place) and not output.is_relative_to(layout.cache.resolve() / OWN_OUTPUTS):
            problem = f"it is inside {label}"
    if output.exists() and not output.is_dir():
        problem = "it is a file"
    if problem:
        where = "--output" if override is not None else layout.config_file.name
        message = (
            f"refusing output folder {output}: {problem}; "
            "everything in it that the build does not make is deleted"
        )
        raise BuildFailed([SiteError(where, None, message)])
    return output
