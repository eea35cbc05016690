"""What is in content/: the documents to build, the sections' settings, and everything else.

Folders under `content/posts/` are sections: their posts are found at any depth, and a
folder's `_index.md` holds the section's settings (it is never a post). A folder with an
`index.md` is one post with its own files. Nothing is skipped silently: every file under
content/ that the build neither builds nor copies is listed, so the build can name it.
Jekyll's `_posts` folders add nothing to a section's path, and its `_drafts` hold drafts.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from generator.build.sources import BUNDLE_INDEX, MARKDOWN_SUFFIXES, Kind, is_bundle_index, is_ignored

SECTION_INDEX = "_index.md"
# Folders of content/ with a meaning of their own; the rest of content/ is not built.
KIND_FOLDERS: dict[str, Kind] = {"posts": "post", "pages": "page"}
OWN_FOLDERS = ("static", "letters")
# Jekyll's folder names: `_posts` is where posts live (no section of its own), `_drafts`
# holds posts not yet published.
TRANSPARENT_FOLDERS = ("_posts",)
DRAFT_FOLDERS = ("_drafts",)
# Formats of other generators that Fireside does not render, by suffix, for the warning.
OTHER_FORMATS = {
    ".html": "HTML",
    ".htm": "HTML",
    ".rst": "reStructuredText",
    ".txt": "plain text",
    ".adoc": "AsciiDoc",
    ".asciidoc": "AsciiDoc",
    ".org": "Org",
    ".textile": "Textile",
    ".ipynb": "a Jupyter notebook",
    ".njk": "a Nunjucks template",
    ".liquid": "a Liquid template",
    ".mdx": "MDX",
    ".pandoc": "Pandoc Markdown",
    ".mmark": "mmark",
}


@dataclass
class ContentListing:
    """content/ as the build sees it, every list in a stable order."""

    documents: list[tuple[str, Kind]] = field(default_factory=list)  # (path, kind)
    sections: list[tuple[str, Kind]] = field(default_factory=list)  # `_index.md` files
    # Files that are neither built nor copied, by the folder holding them (relative to content/).
    unbuilt: dict[str, list[str]] = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)  # section folders under content/posts/ ("notes")


def list_content(content_dir: str | os.PathLike[str]) -> ContentListing:
    listing = ContentListing()
    root = os.fspath(content_dir)
    for name, kind in KIND_FOLDERS.items():  # posts first, then pages
        _walk(os.path.join(root, name), kind, listing, name)
    for name, is_dir, path in _entries(root):
        if name in KIND_FOLDERS or (is_dir and name in OWN_FOLDERS):
            continue
        elif is_dir:
            count = sum(len([f for f in files if not is_ignored(f)]) for _, _, files in os.walk(path))
            if count:
                listing.unbuilt.setdefault("", []).append(f"{name}/ ({count} files)")
        else:
            listing.unbuilt.setdefault("", []).append(name)
    return listing


def discover_paths(content_dir: str | os.PathLike[str]) -> list[tuple[str, Kind]]:
    """The Markdown documents under content/posts and content/pages, in a stable order."""
    return list_content(content_dir).documents


def _entries(folder: str) -> list[tuple[str, bool, str]]:
    try:
        # scandir knows each entry's type from the listing itself: no stat per entry.
        with os.scandir(folder) as listing:
            return sorted(
                (entry.name, entry.is_dir(), entry.path) for entry in listing if not is_ignored(entry.name)
            )
    except (FileNotFoundError, NotADirectoryError):
        return []


def _walk(folder: str, kind: Kind, listing: ContentListing, rel: str) -> None:
    entries = _entries(folder)
    subfolders = []
    for name, is_dir, path in entries:
        if is_dir:
            inside = [(n, p) for n, d, p in _entries(path) if not d]
            index = next((p for n, p in inside if n == BUNDLE_INDEX), None)
            if index is None:
                dated = [p for n, p in inside if is_bundle_index(n)]
                index = dated[0] if len(dated) == 1 else None
            if index is not None:
                listing.documents.append((index, kind))
                # Zola builds the other Markdown files of a post's folder as pages of their own.
                listing.documents += [(p, kind) for n, p in inside if p != index and _is_sibling_page(n)]
            else:
                subfolders.append((name, path))
        elif name == SECTION_INDEX:
            listing.sections.append((path, kind))
        elif os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES:
            listing.documents.append((path, kind))
        else:
            listing.unbuilt.setdefault(rel, []).append(name)
    for name, path in subfolders:  # after the folder's own files, as before sections existed
        if kind == "post":
            listing.folders.append(section_of(f"content/{rel}/{name}/x.md")[0])
        _walk(path, kind, listing, f"{rel}/{name}")


def _is_sibling_page(name: str) -> bool:
    return name != SECTION_INDEX and os.path.splitext(name)[1].lower() in MARKDOWN_SUFFIXES


def section_of(rel: PurePosixPath | str) -> tuple[str, bool]:
    """(section path, in a drafts folder) of a source path relative to the site root.

    "content/posts/notes/x.md" → ("notes", False); a post folder's own name is not part of
    its section; "content/posts/_drafts/x.md" → ("", True).
    """
    parts = PurePosixPath(rel).parts
    if len(parts) < 3 or parts[0] != "content" or parts[1] not in KIND_FOLDERS:
        return "", False
    folders = list(parts[2:-1])
    if is_bundle_index(parts[-1]) and folders:
        folders.pop()  # the post's own folder
    draft = any(part in DRAFT_FOLDERS for part in folders)
    kept = [part for part in folders if part not in TRANSPARENT_FOLDERS + DRAFT_FOLDERS]
    return "/".join(kept), draft


def unbuilt_message(folder: str, names: list[str]) -> str:
    """The warning naming files under content/ that the build does not build or copy."""
    if not folder:
        shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        return (
            f"not built: {shown} (Markdown is built from content/posts/ and content/pages/, "
            "files are copied from content/static/)"
        )
    formats = sorted(
        {OTHER_FORMATS[s] for s in (os.path.splitext(n)[1].lower() for n in names) if s in OTHER_FORMATS}
    )
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    what = f"; {', '.join(formats)} is not built (Fireside builds Markdown)" if formats else ""
    return (
        f"{len(names)} file{'s' if len(names) != 1 else ''} neither built nor copied: {shown}{what}; "
        "put files to publish in content/static/, or beside a post's index.md in its own folder"
    )
