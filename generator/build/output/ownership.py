"""Whose folder is this? What a write may delete in a folder, decided before it starts.

The rule: a file Fireside did not make is never deleted unless the user asked for exactly
that (`--clean`). A folder is Fireside's own when the build cache records what an earlier
build wrote there (the ledger, see cache.py), or when it carries Fireside's marker: the
posts manifest every build writes at the top (build/manifest.py), as a publish target
holds it too once published to. Then:

    empty (or missing)             fill it
    recorded (a ledger)            write the plan; remove only files the ledger says an
                                   earlier build made there and that still hold its bytes
    marked (no ledger)             write the plan over Fireside's own paths; leave every
                                   other file alone (and say how many were left)
    anything else                  refuse, unless `clean`

`clean` (and a publish target that is Fireside's own, `mirror`) removes everything the
plan does not hold. Letters are never removed, not even then: a folder that holds a mail
folder (new/, cur/ and tmp/, as the inbox and any Maildir keep them) or a letter file
named as the inbox names them is refused whatever was asked.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

# The posts manifest, which every build writes (build/manifest.py); its first key says
# whose it is. Named here because this package may not import the build above it.
MARKER_FILE = "fireside-manifest.json"
MARKER_KEY = "fireside_manifest"
_MARKER_LIMIT = 64 * 1024 * 1024  # a larger file is not a manifest

# Entries at a folder's top that belong to someone else (a gh-pages worktree's .git, a
# host's CNAME): never removed, and no sign that the folder holds anything of the author's.
PRESERVED_NAMES = frozenset({".git", ".gitignore", ".nojekyll", "CNAME"})
# A commit's own work folder at the top of the folder it writes (see transaction.py).
WORK_PREFIX = ".fireside-commit-"

# Letters as the inbox stores them (inbox/thought.py: a UTC time and 32 random bits), the
# letter's file or the answer's .eml draft; the mail folders of a Maildir, and the names
# mail clients give messages in them ("1700000000.M20P3Q1.host:2,S": time.unique.host).
_LETTER_NAME = re.compile(r"\d{8}-\d{6}-[0-9a-f]{8}\.(?:md|eml)")
_MAIL_FOLDERS = frozenset({"new", "cur", "tmp"})
_MAILDIR_NAME = re.compile(r"\d{9,}\.[^/:]+\.[^/:]+(?::2,[A-Za-z]*)?")
_EXAMPLES = 3
_LOOK_BEFORE_REFUSING = 10_000  # entries: a refusal names letters if it finds them so soon


class FolderState(Enum):
    EMPTY = "empty"  # missing, or nothing but preserved names and leftovers of our own
    RECORDED = "recorded"  # the build cache records what an earlier build wrote here
    MARKED = "marked"  # no record, but Fireside's marker at the top
    FOREIGN = "foreign"  # files, and no sign of Fireside


@dataclass(frozen=True)
class Claim:
    """What a write may do in `folder`: the answer of `claim_folder`."""

    folder: Path
    state: FolderState
    prune_all: bool  # remove everything the plan does not hold (PRESERVED_NAMES excepted)


class FolderRefused(Exception):
    """Writing into `folder` could delete what Fireside did not make; callers say how to go on."""

    def __init__(self, folder: Path, letters: bool, examples: tuple[str, ...], more: bool) -> None:
        self.folder = folder
        self.letters = letters  # refused whatever was asked, not even --clean
        self.examples = examples  # folder-relative paths of what is in the way
        self.more = more  # there are more than the examples
        super().__init__(self.problem)

    @property
    def problem(self) -> str:
        """What is wrong, as the second half of "refusing to ... into FOLDER: <problem>"."""
        listed = ", ".join(self.examples) + (", ..." if self.more else "")
        if self.letters and self.examples and Path(self.examples[0]).is_absolute():
            return f"it is in a mail folder ({listed}), where Fireside deletes nothing, not even with --clean"
        if self.letters:
            return f"it holds letters ({listed}), which Fireside never deletes, not even with --clean"
        return f"it holds files Fireside did not make ({listed})"


def claim_folder(folder: Path, *, recorded: bool, clean: bool = False, mirror: bool = False) -> Claim:
    """How a write may treat `folder`; FolderRefused where it could destroy files not ours.

    `recorded`: the build cache has a ledger of this folder. `clean`: the user asked for
    everything the plan does not hold to go. `mirror`: the folder is to hold exactly the
    plan where it is Fireside's own (a publish target).
    """
    mail = mail_folder_around(folder)
    if mail is not None:  # a Maildir's own new/, cur/ or tmp/, or a folder inside one
        raise FolderRefused(folder, True, (mail.as_posix() + "/",), False)
    state = folder_state(folder, recorded=recorded)
    if state is FolderState.EMPTY:
        return Claim(folder, state, prune_all=False)
    prune_all = clean or (mirror and state is not FolderState.FOREIGN)
    if prune_all or state is FolderState.FOREIGN:
        # Before deleting, every file is looked at; before a refusal, enough to say why.
        letter = find_letters(folder, None if prune_all else _LOOK_BEFORE_REFUSING)
        if letter is not None:
            raise FolderRefused(folder, True, (letter,), False)
    if state is FolderState.FOREIGN and not clean:
        found = unknown_files(folder, set(), _EXAMPLES + 1)
        raise FolderRefused(folder, False, tuple(sorted(found[:_EXAMPLES])), len(found) > _EXAMPLES)
    return Claim(folder, state, prune_all)


def folder_state(folder: Path, *, recorded: bool) -> FolderState:
    try:
        with os.scandir(folder) as entries:
            if all(_ignored(entry.name) for entry in entries):
                return FolderState.EMPTY
    except FileNotFoundError:
        return FolderState.EMPTY
    except NotADirectoryError:
        return FolderState.FOREIGN
    if recorded:
        return FolderState.RECORDED
    return FolderState.MARKED if carries_marker(folder) else FolderState.FOREIGN


def _ignored(name: str) -> bool:
    return name in PRESERVED_NAMES or name.startswith(WORK_PREFIX)


def carries_marker(folder: Path) -> bool:
    """True if `folder` holds Fireside's marker: a posts manifest at its top."""
    path = folder / MARKER_FILE
    try:
        if not path.is_file() or path.stat().st_size > _MARKER_LIMIT:
            return False
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(document, dict) and MARKER_KEY in document


def mail_folder_around(folder: Path) -> Path | None:
    """The new/, cur/ or tmp/ of a mail folder that `folder` is, or is inside of."""
    for place in (folder, *folder.parents):
        if place.name in _MAIL_FOLDERS and all((place.parent / name).is_dir() for name in _MAIL_FOLDERS):
            return place
    return None


def find_letters(folder: Path, limit: int | None = None) -> str | None:
    """The first mail folder or letter file found under `folder` (relative), or None;
    with `limit`, None also once that many entries were looked at."""
    seen = 0
    # Plain strings, not paths: a publish looks at every file of its target (4,500 at 4,000 posts).
    for dirpath, dirnames, filenames in os.walk(folder):
        if set(dirnames) >= _MAIL_FOLDERS:
            return (Path(dirpath).relative_to(folder) / "new").as_posix() + "/"
        in_mail_folder = os.path.basename(dirpath) in _MAIL_FOLDERS
        for name in filenames:
            if _LETTER_NAME.fullmatch(name) or (in_mail_folder and _MAILDIR_NAME.fullmatch(name)):
                return (Path(dirpath) / name).relative_to(folder).as_posix()
        seen += len(dirnames) + len(filenames)
        if limit is not None and seen >= limit:
            return None
    return None


def unknown_files(folder: Path, known: set[str], limit: int | None = None) -> list[str]:
    """Files (and links) under `folder` that are not in `known`, in a stable order, up
    to `limit`; preserved names and work folders at the top are not counted.

    In each folder its files come first, by name, then its links to folders, then what
    its folders hold, folder by folder: the order of `os.walk`, in plain strings (this
    runs over every file of a publish target and of an output folder)."""
    found: list[str] = []
    pending = [(str(folder), "")]
    while pending:
        path, prefix = pending.pop()
        try:
            with os.scandir(path) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        top = not prefix
        files: list[str] = []
        linked: list[str] = []
        folders: list[str] = []
        for entry in entries:
            if top and _ignored(entry.name):
                continue
            try:
                is_folder = entry.is_dir()  # a link to a folder is one, as os.walk says
            except OSError:
                is_folder = False
            if not is_folder:
                files.append(entry.name)
            elif entry.is_symlink():
                linked.append(entry.name)  # named, not followed
            else:
                folders.append(entry.name)
        for name in (*files, *linked):
            rel = prefix + name
            if rel not in known:
                found.append(rel)
                if limit is not None and len(found) >= limit:
                    return found
        pending.extend((os.path.join(path, name), prefix + name + "/") for name in reversed(folders))
    return found
