"""Static files and their fingerprinted names.

Every stylesheet and script is also published as `name.<hash>.ext`, and templates link
to that name through `asset()`. A changed file gets a new name, so hosts and browsers
may cache assets for a year without ever showing a stale one. The plain name is
published too, for links written by hand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.build.sources import is_ignored
from generator.site.files import walk_files
from generator.site.urls import UrlScheme

FINGERPRINTED_SUFFIXES = (".css", ".js")
HASH_LENGTH = 10


def collect_static(layers: Sequence[Path]) -> dict[str, Path]:
    """Output path → source file; a later layer (theme, then content/static) overrides."""
    chosen: dict[str, Path] = {}
    for layer in layers:
        if layer.is_dir():
            # Linked files and folders alike (the build has checked that none leads out).
            for path in walk_files(layer):
                rel_parts = path.relative_to(layer).parts
                if not any(is_ignored(part) for part in rel_parts):
                    chosen[path.relative_to(layer).as_posix()] = path
    return dict(sorted(chosen.items()))


def fingerprinted(rel: str, data: bytes) -> str:
    """"css/style.css" → "css/style.3f2a9c0d1e.css"."""
    path = PurePosixPath(rel)
    digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


@dataclass(frozen=True)
class AssetLinks:
    """The `asset()` function of templates: a site path → its (fingerprinted) link."""

    urls: UrlScheme
    names: Mapping[str, str]  # "css/style.css" → "css/style.<hash>.css"

    def __call__(self, path: str) -> str:
        rel = path.lstrip("/")
        return self.urls.link("/" + self.names.get(rel, rel))
