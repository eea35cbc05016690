"""Reading the source site: its files, its configuration and its front matter.

The source is only ever read. Symbolic links are followed only where they stay inside the
source folder, so nothing outside it is read into the new site; version-control folders,
dependencies and build output are never walked.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

NEVER_WALKED = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".bundle",
        "vendor",
        "__pycache__",
        ".sass-cache",
        ".jekyll-cache",
        ".cache",
        ".venv",
        "venv",
        ".idea",
        ".vscode",
        ".github",
        ".netlify",
        ".vercel",
    }
)
TEXT_LIMIT = 16 * 1024 * 1024  # a "post" larger than this is not one


class SourceProblem(Exception):
    """A source that cannot be imported at all (no such folder, unreadable configuration)."""


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the source file where the body starts
    format: str  # "yaml", "toml", "json" or "" (none)
    problem: str = ""  # why the front matter could not be read (it is then kept in the body)


class SourceTree:
    def __init__(self, root: Path) -> None:
        if not root.is_dir():
            raise SourceProblem(f"{root}: no such folder")
        self.root = root.resolve()

    def path(self, rel: str) -> Path:
        return self.root / rel

    def inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.root)
        except OSError:
            return False

    def is_file(self, rel: str) -> bool:
        path = self.root / rel
        return path.is_file() and self.inside(path)

    def is_dir(self, rel: str) -> bool:
        path = self.root / rel
        return path.is_dir() and self.inside(path)

    def files(
        self, under: str = "", *, skip: frozenset[str] = frozenset(), hidden: bool = False
    ) -> Iterator[str]:
        """Every file under `under` (a folder relative to the root), as sorted POSIX paths.

        Folders named in NEVER_WALKED or `skip` (names, or paths relative to the root) are
        left out, and so are hidden files unless `hidden`.
        """
        start = self.root / under if under else self.root
        if not start.is_dir() or not self.inside(start):
            return
        for folder, dirs, names in os.walk(start, followlinks=True):
            here = Path(folder)
            rel_folder = here.relative_to(self.root).as_posix()
            kept = []
            for name in sorted(dirs):
                rel = f"{rel_folder}/{name}" if rel_folder != "." else name
                if (
                    name in NEVER_WALKED
                    or name in skip
                    or rel in skip
                    or (name.startswith(".") and not hidden)
                ):
                    continue
                if not self.inside(here / name):
                    continue  # a link out of the source
                kept.append(name)
            dirs[:] = kept
            for name in sorted(names):
                if name.startswith(".") and not hidden:
                    continue
                path = here / name
                if not path.is_file() or not self.inside(path):
                    continue
                yield (PurePosixPath(rel_folder) / name).as_posix() if rel_folder != "." else name

    def read_text(self, rel: str) -> str:
        """A text file's content, newlines made \\n; SourceProblem if it is not UTF-8 text."""
        path = self.root / rel
        try:
            if path.stat().st_size > TEXT_LIMIT:
                raise SourceProblem(f"{rel}: over {TEXT_LIMIT // (1024 * 1024)} MB, not read as text")
            data = path.read_bytes()
        except OSError as exc:
            raise SourceProblem(f"{rel}: cannot read: {exc.strerror}") from exc
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")  # older blogs, written on Windows
            except UnicodeDecodeError as exc:
                raise SourceProblem(f"{rel}: not UTF-8 text") from exc
        return text.replace("\r\n", "\n").replace("\r", "\n")

    def config(self, *names: str) -> tuple[str, dict[str, Any]] | None:
        """The first of `names` that exists, read as YAML, TOML or JSON by its suffix."""
        for name in names:
            if self.is_file(name):
                return name, read_config_text(name, self.read_text(name))
        return None


def read_config_text(name: str, text: str) -> dict[str, Any]:
    try:
        if name.endswith(".toml"):
            loaded: Any = tomllib.loads(text)
        elif name.endswith(".json"):
            loaded = json.loads(text)
        else:
            loaded = yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, yaml.YAMLError) as exc:
        raise SourceProblem(f"{name}: cannot read it: {str(exc).splitlines()[0]}") from exc
    if loaded is None:
        return {}
    if not isinstance(loaded, dict):
        raise SourceProblem(f"{name}: not a mapping of settings")
    return loaded


class _LenientLoader(yaml.SafeLoader):
    """SafeLoader whose impossible dates stay text instead of failing the whole file."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_LenientLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)

_JSON_FRONT = re.compile(r"\A\{\s*\n")


def split_front_matter(text: str) -> FrontMatter:
    """Front matter as the source generators write it: YAML between `---` (closed by `---`
    or `...`), TOML between `+++`, or a JSON object first in the file (Hugo)."""
    first = text.split("\n", 1)[0].rstrip()
    lines = text.split("\n")
    if first in ("---", "+++"):
        closers = ("---", "...") if first == "---" else ("+++",)
        end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
        if end is None:
            return FrontMatter({}, text, 1, "", f"front matter opened with {first!r} is never closed")
        meta_text = "\n".join(lines[1:end])
        body = "\n".join(lines[end + 1 :])
        try:
            if first == "+++":
                loaded: Any = tomllib.loads(meta_text)
            else:
                loaded = yaml.load(meta_text, Loader=_LenientLoader)
        except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            return FrontMatter({}, text, 1, "", f"front matter not readable: {str(exc).splitlines()[0]}")
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            return FrontMatter({}, text, 1, "", "front matter is not a mapping of keys to values")
        return FrontMatter(
            {str(k): v for k, v in loaded.items()}, body, end + 2, "toml" if first == "+++" else "yaml"
        )
    if _JSON_FRONT.match(text):
        decoder = json.JSONDecoder()
        try:
            loaded, end_at = decoder.raw_decode(text)
        except json.JSONDecodeError:
            return FrontMatter({}, text, 1, "")
        if isinstance(loaded, dict):
            body = text[end_at:].lstrip(" \t").removeprefix("\n")
            return FrontMatter(loaded, body, text[: len(text) - len(body)].count("\n") + 1, "json")
    return FrontMatter({}, text, 1, "")
