"""The site's own files: symbolic links are followed only where they stay inside the site.

A cloned site or theme can hold a link such as `static/notes.txt -> ~/.ssh/id_rsa`; a
build that followed it would publish the key under a harmless name. So every link under
the folders a build reads (content/, the site's themes) is looked at first: one whose
target is outside the site folder is reported with both paths, and the build stops
before reading anything. Links that stay inside the site, to files or to folders, are
followed like the files and folders they lead to.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.site.errors import ErrorCollector


@dataclass(frozen=True)
class LinkOut:
    link: Path  # the link, as found under the folder
    target: Path  # where it leads, outside the site (resolved)


def links_out(root: Path, folders: Iterable[Path]) -> list[LinkOut]:
    """Every symbolic link under `folders` (or a folder itself) that leads outside `root`."""
    boundary = root.resolve()
    found: list[LinkOut] = []
    seen: set[tuple[int, int]] = set()
    for folder in folders:
        if folder.is_symlink():
            target = folder.resolve()
            if not target.is_relative_to(boundary):
                found.append(LinkOut(folder, target))
                continue
        if folder.is_dir():
            _scan(folder, boundary, found, seen)
    return sorted(found, key=lambda link: link.link)


def report_links_out(root: Path, folders: Iterable[Path], errors: ErrorCollector) -> None:
    """An error for each link under `folders` that leads outside the site folder `root`."""
    for found in links_out(root, dict.fromkeys(folders)):
        where = found.link.relative_to(root) if found.link.is_relative_to(root) else found.link
        errors.error(
            where,
            None,
            f"a symbolic link to {found.target}, outside the site folder: not followed, so that "
            "nothing from outside the site is published (copy what it points at into the site if "
            "it belongs there, or remove the link)",
        )


def _scan(folder: str | Path, boundary: Path, found: list[LinkOut], seen: set[tuple[int, int]]) -> None:
    # Strings and scandir's own file types: a site of thousands of posts is looked through
    # in a few milliseconds, with a stat only for each folder and a resolve for each link.
    try:
        here = os.stat(folder)
        if (here.st_dev, here.st_ino) in seen:  # a link loop, or a folder linked twice
            return
        seen.add((here.st_dev, here.st_ino))
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink():
            try:
                target = Path(entry.path).resolve(strict=True)
            except (OSError, RuntimeError):
                continue  # a dangling link or a loop: nothing to read through it
            if not target.is_relative_to(boundary):
                found.append(LinkOut(Path(entry.path), target))
            elif target.is_dir():
                _scan(entry.path, boundary, found, seen)
        elif entry.is_dir(follow_symlinks=False):
            _scan(entry.path, boundary, found, seen)


def walk_files(folder: Path) -> Iterator[Path]:
    """Every file under `folder`, sorted, through links to files and to folders alike (paths
    as found under `folder`, so a linked folder's files appear under the link's name); each
    real folder once, so a link loop ends. Check `links_out` first."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        try:
            here = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (here.st_dev, here.st_ino) in seen:
            dirnames[:] = []
            continue
        seen.add((here.st_dev, here.st_ino))
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            if path.is_file():  # not a dangling link
                yield path
