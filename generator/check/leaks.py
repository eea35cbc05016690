"""Private and unpublished material in a built folder, as `fireside check` finds it (stdlib only).

Keys (by name, or by their contents under any name), environment files and
version-control folders are secrets wherever they appear;
the reader inbox holds letters that are private until the author publishes one; drafts
and future posts are the author's until their day. Each found in the output is an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.check.pages import Inventory, Problem

# Names that are secrets wherever they appear: keys, environment files, version control
# (a published .git folder hands out the whole history, drafts and all).
_PRIVATE_NAMES = frozenset(
    {".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".htpasswd", ".netrc", ".npmrc", ".pypirc"}
)
# Each name starts with a dot, which private_problems looks for before splitting a path.
_PRIVATE_FOLDERS = frozenset({".git", ".hg", ".svn", ".ssh", ".fireside-cache"})
_PRIVATE_SUFFIXES = (".key", ".pem", ".p12", ".pfx", ".kdbx")
INBOX = "inbox"  # the reader inbox: letters are private until the author publishes one
_INBOX_HASH_LIMIT = 20 * 1024 * 1024  # larger files in inbox/ are not compared byte for byte


@dataclass(frozen=True)
class Unpublished:
    """A draft or future post that must not be in the output."""

    source: str  # site-relative source file
    line: int | None  # of `draft:` or `date:`
    path: str  # the output folder it would have, e.g. "posts/slug/"
    title: str | None
    why: str  # "draft 'Title'", "future post 'Title' (dated 2027-01-01)"


def private_problems(
    inventory: Inventory, inbox_dir: Path | None, holds_key: Callable[[str], bool] | None = None
) -> list[Problem]:
    """Secrets and the reader inbox: never meant for a public folder. `holds_key(path)` tells
    whether a file holds a private key (by default, its first line is read here)."""
    if holds_key is None:
        root = inventory.root

        def holds_key(rel: str) -> bool:
            return holds_private_key(root / rel)

    problems = []
    reported_folders: set[str] = set()
    for rel in inventory.files:
        parts = rel.split("/")
        folder = None
        if "/." in "/" + rel:  # every private folder's name starts with a dot: most paths hold none
            folder = next((i for i, part in enumerate(parts[:-1]) if part in _PRIVATE_FOLDERS), None)
        name = parts[-1]
        if folder is not None:
            top = "/".join(parts[: folder + 1])
            if top not in reported_folders:
                reported_folders.add(top)
                problems.append(Problem("error", rel, None, f"private folder {top}/ is in the output"))
        elif name in _PRIVATE_NAMES or name.startswith(".env.") or name.lower().endswith(_PRIVATE_SUFFIXES):
            message = f"private file {name} (a key or secret) is in the output"
            problems.append(Problem("error", rel, None, message))
        elif INBOX in parts[:-1]:
            problems.append(Problem("error", rel, None, "a file from an inbox/ folder is in the output"))
        elif holds_key(rel):
            # Whatever its name: a key can be published as notes.txt (through a link, a copy).
            problems.append(Problem("error", rel, None, "a private key (by its contents) is in the output"))
    if inbox_dir is not None:
        problems.extend(inbox_copies(inventory.root, inventory.files, inbox_dir))
    return problems


def holds_private_key(path: Path) -> bool:
    """A PEM or OpenSSH private key, or a PGP secret key block, by its first line."""
    try:
        with path.open("rb") as handle:
            head = handle.read(80).lstrip()
    except OSError:
        return False
    first = head.split(b"\n", 1)[0]
    return first.startswith(b"-----BEGIN ") and first.rstrip().endswith((b"PRIVATE KEY-----",
                                                                         b"PRIVATE KEY BLOCK-----"))


def inbox_copies(
    root: Path, files: Iterable[str], inbox_dir: Path, size_of: Callable[[str], int | None] | None = None
) -> list[Problem]:
    """Output files with the very bytes of a letter in the site's inbox/, whatever their name
    (`size_of(rel)`: a file's size as already known, None if it is not a file; by default
    each file is looked at). Only files of a letter's size are read."""
    if not inbox_dir.is_dir():
        return []
    letters: dict[tuple[int, str], str] = {}
    for path in sorted(inbox_dir.rglob("*")):
        if path.is_file() and 0 < path.stat().st_size <= _INBOX_HASH_LIMIT:
            letters.setdefault(_fingerprint(path), path.relative_to(inbox_dir.parent).as_posix())
    if not letters:
        return []
    sizes = {size for size, _ in letters}
    problems = []
    for rel in files:
        path = root / rel
        size = size_of(rel) if size_of is not None else (path.stat().st_size if path.is_file() else None)
        if size not in sizes:
            continue
        try:
            letter = letters.get(_fingerprint(path))
        except OSError:  # gone since: checked as it is next time
            continue
        if letter is not None and INBOX not in rel.split("/")[:-1]:
            message = f"a copy of {letter} (the private inbox) is in the output"
            problems.append(Problem("error", rel, None, message))
    return problems


def _fingerprint(path: Path) -> tuple[int, str]:
    data = path.read_bytes()
    return len(data), hashlib.sha256(data).hexdigest()


def unpublished_problems(
    inventory: Inventory, unpublished: Sequence[Unpublished], quoted: Callable[[str, str], bool]
) -> list[Problem]:
    """Drafts and future posts whose pages, files or titles reached the output.

    `quoted(page, title)` tells whether a page shows the title (in its text or as its title).
    """
    problems = []
    for doc in unpublished:
        leaked = [rel for rel in inventory.files if rel.startswith(doc.path)]
        if leaked:
            more = f" (and {len(leaked) - 1} more files)" if len(leaked) > 1 else ""
            problems.append(
                Problem(
                    "error",
                    leaked[0],
                    None,
                    f"{doc.why} is in the output{more}",
                    source=doc.source,
                    source_line=doc.line,
                )
            )
            continue
        # Titles are only a hint (another page may quote one), hence a warning, and only
        # titles long enough not to match by chance.
        if doc.title and len(doc.title) >= 12:
            for rel in inventory.pages:
                if quoted(rel, doc.title):
                    problems.append(
                        Problem(
                            "warning",
                            rel,
                            None,
                            f"the title of {doc.why} ({doc.source}) appears here",
                            needles=(doc.title,),
                        )
                    )
                    break
    return problems
