"""Small pieces every source generator's reader uses: names, settings, static files."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.migrate.model import CopiedFile, ImportPlan
from generator.migrate.sourcetree import SourceTree
from generator.migrate.urlplan import is_reserved

PLACEHOLDER_BASE_URL = "https://example.com/"
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd", ".mdwn")
# Files of a source project that were never part of the site it built.
PROJECT_FILES = re.compile(
    r"^(Gemfile(\.lock)?|Rakefile|Makefile|Procfile|Dockerfile|docker-compose\.ya?ml|package(-lock)?\.json|"
    r"yarn\.lock|pnpm-lock\.yaml|gulpfile\.js|Gruntfile\.js|netlify\.toml|vercel\.json|wrangler\.toml|"
    r"README(\.\w+)?|LICENSE(\.\w+)?|COPYING|CHANGELOG(\.\w+)?|CONTRIBUTING(\.\w+)?|.*\.gemspec|"
    r"requirements\.txt|Pipfile(\.lock)?|pyproject\.toml|tasks\.py|fabfile\.py|flake\.(nix|lock)|"
    r"staticman\.yml|.*\.py|.*\.rb|.*\.sh|tsconfig\.json|.*\.config\.(js|cjs|mjs|ts))$",
    re.IGNORECASE,
)


def base_url(url: Any, path: Any = "") -> tuple[str, bool]:
    """(the base URL, whether it is a placeholder) from a URL and an optional base path."""
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        text, placeholder = PLACEHOLDER_BASE_URL.rstrip("/"), True
    else:
        placeholder = False
        text = f"{parts.scheme}://{parts.netloc}{parts.path}"
    extra = str(path or "").strip().strip("/")
    joined = text.rstrip("/") + ("/" + extra if extra else "")
    return joined + "/", placeholder


def language(value: Any) -> str:
    text = str(value or "en").strip().replace("_", "-")
    return text if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", text) else "en"


def timezone(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        return "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def unique(path: str, taken: set[str]) -> str:
    """`path`, or `stem-2.md`, `stem-3.md`... whichever is free; then taken."""
    candidate = path
    stem, suffix = posixpath.splitext(path)
    if posixpath.basename(path) == "index.md":
        stem, suffix = posixpath.dirname(path), "/index.md"
    number = 2
    while candidate.lower() in taken:
        candidate = f"{stem}-{number}{suffix}"
        number += 1
    taken.add(candidate.lower())
    return candidate


def copy_static(plan: ImportPlan, tree: SourceTree, rel: str, site_rel: str) -> None:
    """Copy a source file to content/static/<site_rel>, unless Fireside makes that path itself."""
    if is_reserved(site_rel):
        plan.leftover(rel, None, f"not imported: Fireside makes /{site_rel} itself")
        return
    plan.files.append(CopiedFile(f"content/static/{site_rel}", source=tree.path(rel), old_url=site_rel))


def date_only(value: datetime | date | None) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value


def first_text(*values: Any) -> str:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def names(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values if isinstance(v, (str, int, float)) and str(v).strip()]
