"""The posts manifest: which posts exist, for the reader inbox (stdlib only).

The build writes it beside the site; the receiver reads it to accept letters only for
posts that really exist, so no reader-supplied path or slug ever reaches the disk.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

MANIFEST_PATH = "fireside-manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class ManifestPost:
    id: str  # the post's slug (or, for posts sharing one, words of its path)
    title: str
    url: str  # absolute permalink
    site: str = ""  # the site's base URL (absent from older manifests)


def manifest_bytes(posts: Sequence[ManifestPost], site: str = "") -> bytes:
    entries = [{"id": p.id, "title": p.title, "url": p.url} for p in sorted(posts, key=lambda p: p.id)]
    document: dict[str, object] = {"fireside_manifest": FORMAT_VERSION, "posts": entries}
    if site:  # posts' URLs follow the site's permalinks: the receiver cannot derive the site from them
        document["site"] = site
    return (json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(path: Path) -> dict[str, ManifestPost]:
    """Posts by id; raises ValueError if the file is not a manifest of a version we read."""
    return parse_manifest(path.read_bytes(), str(path))


def parse_manifest(data: bytes, where: str) -> dict[str, ManifestPost]:
    """Posts by id from a manifest's bytes (read from a file or a URL); ValueError if it is not one."""
    document = json.loads(data.decode("utf-8"))
    if not isinstance(document, dict) or document.get("fireside_manifest") != FORMAT_VERSION:
        raise ValueError(f"{where} is not a Fireside posts manifest (version {FORMAT_VERSION})")
    posts = {}
    site = str(document.get("site", ""))
    for entry in document.get("posts", []):
        post = ManifestPost(id=str(entry["id"]), title=str(entry["title"]), url=str(entry["url"]), site=site)
        posts[post.id] = post
    return posts
