"""Reading the author's Markdown files and splitting off their front matter.

Front matter is YAML between `---` lines (closed by `---` or `...`), TOML between `+++`
lines, or Pelican's `Key: value` header, so posts from Hugo, Jekyll, Eleventy, Zola and
Pelican move in unchanged. Each key's line is kept so a bad value can be reported at
`path:line`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from generator.site.errors import ErrorCollector, SiteError, yaml_error_mark
from generator.site.files import walk_files

Kind = Literal["post", "page"]

MARKDOWN_SUFFIXES = (".md", ".markdown")
BUNDLE_INDEX = "index.md"
# A post folder's own Markdown: index.md, or Eleventy's dated `2017-03-08-index.md`.
_BUNDLE_INDEX_NAME = re.compile(r"^(?:\d{4}-\d{1,2}-\d{1,2}-)?index\.(?:md|markdown)$", re.IGNORECASE)


def is_bundle_index(name: str) -> bool:
    return _BUNDLE_INDEX_NAME.match(name) is not None
_TOML_ERROR_LINE = re.compile(r"line (\d+)")
# Pelican's (Python-Markdown's) metadata header: `Key: value` lines from the first line on.
_HEADER_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*))?$")
# The keys a Pelican header may open with: a post whose first line is "Note: ..." is prose.
_HEADER_OPENERS = frozenset(
    {"title", "date", "modified", "tags", "category", "slug", "author", "authors", "summary", "status"}
    | {"lang"}
)
FrontMatterFormat = Literal["yaml", "toml", "pelican"]


class SourceChanged(SiteError):
    """A source file no longer holds what the build read from it a moment ago."""


@dataclass(frozen=True)
class SourceFile:
    """One Markdown document read from disk, front matter split from body."""

    path: Path  # absolute
    rel: Path  # relative to the site root, for messages
    kind: Kind
    meta: dict[str, Any]
    meta_lines: dict[str, int]  # front matter key → 1-based line in the file
    body: str
    body_line: int  # 1-based line of the file where the body starts
    front_matter: FrontMatterFormat | None
    bundle_dir: Path | None  # a post folder holding index.md and its own files
    assets: tuple[Path, ...] = field(default=())
    mtime: float = 0.0
    real_path: Path | None = None  # `path` with links resolved, which is how links find it
    body_digest: str = ""  # sha256 of `body`: a cached entry keeps this, not the text
    body_offset: int = 0  # where the body starts in the file's text (newlines made \n)
    file_digest: str = ""  # sha256 of the file's bytes: finds this reading again in a fresh clone

    def without_body(self) -> SourceFile:
        """A copy without the text: kept in the cache and through a build, read again to render."""
        return dataclasses.replace(self, body="")

    def read_body(self) -> str:
        """The body as this source read it, from disk again (for a copy without its text).

        Raises SourceChanged if the file no longer holds that body: rendering what is there
        now under the metadata read before would mix two versions of the file.
        """
        if self.body or not self.body_digest:
            return self.body
        try:
            text = _normalised(self.path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            text = None
        body = text[self.body_offset :] if text is not None else None
        if body is None or _digest(body) != self.body_digest:
            raise SourceChanged(self.rel, None, "changed while the site was being built: build again")
        return body

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)


def is_ignored(name: str) -> bool:
    """Hidden, editor swap/backup and temp files: never content, never a reason to rebuild."""
    return (
        name.startswith((".", "#", "~"))
        or name.endswith(("~", ".swp", ".swo", ".swx", ".tmp", ".bak", ".orig", ".part"))
        or name in ("4913", "Thumbs.db", "desktop.ini")  # vim's write probe, OS litter
        or name.endswith(("___jb_tmp___", "___jb_old___"))  # JetBrains' safe write
    )


def bundle_assets(bundle_dir: Path) -> tuple[Path, ...]:
    """Files beside a bundle's index.md (images, downloads), recursively, minus its own Markdown."""
    assets = []
    for path in sorted(walk_files(bundle_dir)):  # linked folders too, as the static folder's
        rel_parts = path.relative_to(bundle_dir).parts
        if any(is_ignored(part) for part in rel_parts):
            continue
        if path.parent == bundle_dir and path.suffix.lower() in MARKDOWN_SUFFIXES:
            continue  # index.md, and other pages of the folder (see content.py)
        assets.append(path)
    return tuple(assets)


def read_source(path: Path, rel: Path, kind: Kind, errors: ErrorCollector) -> SourceFile | None:
    """Read one document; on a problem record it (with its line) and return None."""
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig counts positions after a byte order mark; the line count needs the raw bytes.
        offset = exc.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        line = raw[:offset].count(b"\n") + 1
        errors.error(rel, line, "not valid UTF-8 text (save the file as UTF-8)")
        return None
    except OSError as exc:
        errors.error(rel, None, f"cannot read: {exc.strerror}")
        return None
    text = _normalised(text)
    parsed = split_front_matter(text, rel, errors)
    if parsed is None:
        return None
    fmt, meta, meta_lines, body, body_line = parsed
    bundle_dir = path.parent if is_bundle_index(path.name) else None
    real_path = path.resolve()
    return SourceFile(
        path=path,
        rel=rel,
        kind=kind,
        meta=meta,
        meta_lines=meta_lines,
        body=body,
        body_line=body_line,
        front_matter=fmt,
        bundle_dir=bundle_dir,
        assets=bundle_assets(bundle_dir) if bundle_dir else (),
        mtime=path.stat().st_mtime,
        # The same object when no link is on the way: thousands are kept, in the cache too.
        real_path=path if real_path == path else real_path,
        body_digest=_digest(body),
        body_offset=len(text) - len(body),  # the body is always the end of the text
        file_digest=hashlib.sha256(raw).hexdigest(),
    )


def _normalised(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()


FrontMatter = tuple[FrontMatterFormat | None, dict[str, Any], dict[str, int], str, int]


def split_front_matter(text: str, rel: Path, errors: ErrorCollector) -> FrontMatter | None:
    """Split `text` into (format, meta, key lines, body, body's first line)."""
    first_line, _, _ = text.partition("\n")
    fence = first_line.rstrip()
    if fence not in ("---", "+++"):
        return _pelican_header(text)
    lines = text.split("\n")
    # YAML's own end-of-document marker `...` closes it too (Jekyll and Hugo accept it).
    closers = ("---", "...") if fence == "---" else (fence,)
    closing = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closers), None)
    if closing is None:
        errors.error(rel, 1, f"front matter opened with {fence!r} is never closed")
        return None
    meta_text = "\n".join(lines[1:closing])
    body = "\n".join(lines[closing + 1 :])
    body_line = closing + 2
    if fence == "---":
        loaded = _load_yaml(meta_text, rel, errors)
        fmt: FrontMatterFormat = "yaml"
    else:
        loaded = _load_toml(meta_text, rel, errors)
        fmt = "toml"
    if loaded is None:
        return None
    meta, meta_lines = loaded
    return fmt, meta, meta_lines, body, body_line


def _pelican_header(text: str) -> FrontMatter:
    """Pelican's `Title: ...` lines up to the first blank line, as front matter (values are text).

    A text that does not open with a known key is all body. Indented lines continue the
    value above them, as in Python-Markdown's meta extension.
    """
    lines = text.split("\n")
    opening = _HEADER_LINE.match(lines[0])
    if opening is None or opening.group(1).lower() not in _HEADER_OPENERS:
        return None, {}, {}, text, 1
    meta: dict[str, Any] = {}
    meta_lines: dict[str, int] = {}
    last = None
    index = 0
    for index, line in enumerate(lines):
        if not line.strip():
            break
        match = _HEADER_LINE.match(line)
        if match is not None:
            last = match.group(1).lower()
            meta[last] = (match.group(2) or "").strip()
            meta_lines.setdefault(last, index + 1)
        elif line[:1] in (" ", "\t") and last is not None:
            meta[last] = f"{meta[last]} {line.strip()}".strip()
        else:
            break  # the body starts here, without a blank line
    else:
        index = len(lines)
    body_start = index + 1 if index < len(lines) and not lines[index].strip() else index
    body = "\n".join(lines[body_start:])
    return "pelican", meta, meta_lines, body, body_start + 1


# libyaml's parser (shipped in PyYAML's wheels) is several times faster than the pure
# Python one, and front matter is parsed for every post of every build.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _FrontMatterLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader whose impossible dates (2026-13-45) stay text, to be reported with their line."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _load_yaml(meta_text: str, rel: Path, errors: ErrorCollector) -> tuple[dict, dict] | None:
    # Line 1 of the file is the opening fence, so front matter line n is file line n + 1.
    loader = _FrontMatterLoader(meta_text)
    try:
        # One parse gives both the node tree (for key lines) and the values.
        node = loader.get_single_node()
        meta = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        # An unclosed list or quote is noticed only at the end of the text; the context
        # mark is where it was opened, which is the line the author has to fix.
        mark = yaml_error_mark(exc, meta_text)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.error(rel, line, f"invalid YAML front matter: {problem}")
        return None
    finally:
        loader.dispose()
    if meta is None:
        return {}, {}
    if not isinstance(meta, dict) or not isinstance(node, yaml.MappingNode):
        errors.error(rel, 2, "front matter must be a mapping of keys to values")
        return None
    lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    return {str(k): v for k, v in meta.items()}, lines


def _load_toml(meta_text: str, rel: Path, errors: ErrorCollector) -> tuple[dict, dict] | None:
    import tomllib  # here: most sites have YAML front matter only

    try:
        # With a final newline tomllib names the line of a problem on the last line too,
        # instead of "end of document".
        meta = tomllib.loads(meta_text + "\n")
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no line attribute; its message names the line.
        found = _TOML_ERROR_LINE.search(str(exc))
        if found:
            line = int(found.group(1)) + 1
        else:  # "at end of document": something opened (a list, a string) was never closed
            lines = meta_text.rstrip().split("\n")
            line = len(lines) + 1 if meta_text.strip() else 1
        errors.error(rel, line, f"invalid TOML front matter: {exc}")
        return None
    lines: dict[str, int] = {}
    key_pattern = re.compile(r"""^\s*["']?([A-Za-z0-9_\-]+)["']?\s*=""")
    for number, text_line in enumerate(meta_text.split("\n"), start=2):
        match = key_pattern.match(text_line)
        if match and match.group(1) not in lines:
            lines[match.group(1)] = number
    return meta, lines
