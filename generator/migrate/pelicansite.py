"""How Pelican names things: its settings files (read with `ast`, never run), its
slugify and URL formatting, and the metadata headers of its Markdown, reStructuredText
and HTML articles."""

from __future__ import annotations

import ast
import re
import unicodedata
from datetime import date, datetime
from typing import Any

from generator.migrate.sourcetree import SourceProblem, SourceTree, split_front_matter

DEFAULTS: dict[str, Any] = {
    "PATH": "content",
    "ARTICLE_PATHS": [""],
    "PAGE_PATHS": ["pages"],
    "STATIC_PATHS": ["images"],
    "ARTICLE_EXCLUDES": [],
    "PAGE_EXCLUDES": [],
    "ARTICLE_SAVE_AS": "{slug}.html",
    "PAGE_SAVE_AS": "pages/{slug}.html",
    "FILENAME_METADATA": r"(?P<date>\d{4}-\d{2}-\d{2}).*",
    "USE_FOLDER_AS_CATEGORY": True,
    "DEFAULT_CATEGORY": "misc",
    "SLUGIFY_SOURCE": "title",
    "TIMEZONE": "UTC",
    "DEFAULT_LANG": "en",
    "FEED_ALL_ATOM": "feeds/all.atom.xml",
    "EXTRA_PATH_METADATA": {},
}


def read_settings(tree: SourceTree, name: str, settings: dict[str, Any]) -> None:
    """Simple assignments of a Pelican settings file (`X = literal`, `X = Y + "..."`)."""
    try:
        module = ast.parse(tree.read_text(name))
    except (SyntaxError, SourceProblem) as problem:
        raise SourceProblem(f"{name}: cannot read it: {problem}") from None
    for node in module.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                settings[node.targets[0].id] = _value(node.value, settings)
            except ValueError:
                continue


def _value(node: ast.expr, settings: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name) and node.id in settings:
        return settings[node.id]
    if isinstance(node, ast.Name) and node.id in ("None", "True", "False"):
        return {"None": None, "True": True, "False": False}[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _value(node.left, settings) + _value(node.right, settings)
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        raise ValueError("not a literal") from None


def slugify(text: str, preserve_case: bool = False, use_unicode: bool = False) -> str:
    """Pelican's slugify with its default substitutions."""
    value = unicodedata.normalize("NFKD", text)
    if not use_unicode:
        value = value.encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip()
    value = re.sub(r"[-\s]+", "-", value)
    return value if preserve_case else value.lower()


def format_url(pattern: str, values: dict[str, Any]) -> str:
    """`str.format` as Pelican uses it for URLs: `{slug}`, `{date:%Y}`, `{category}`, metadata."""

    def field(match: re.Match[str]) -> str:
        name, _, spec = match.group(1).partition(":")
        value = values.get(name.split(".")[0].lower())
        if value is None:
            raise KeyError(name)
        if isinstance(value, (date, datetime)) and spec:
            return value.strftime(spec)
        return str(value)

    return re.sub(r"\{([^{}]+)\}", field, pattern)


def markdown_metadata(text: str) -> tuple[dict[str, Any], str]:
    """Python-Markdown's meta header (`Key: value` lines, indented continuations), or YAML."""
    front = split_front_matter(text)
    if front.format:
        return front.meta, front.body
    lines = text.split("\n")
    meta: dict[str, Any] = {}
    key = None
    index = 0
    for number, line in enumerate(lines):
        index = number
        match = re.match(r"^([A-Za-z][\w-]*):\s*(.*)$", line)
        if match:
            key = match.group(1).lower()
            meta[key] = match.group(2).strip()
        elif key and line.startswith(("    ", "\t")) and line.strip():
            meta[key] = f"{meta[key]} {line.strip()}".strip()
        else:
            break
    else:
        index = len(lines)
    if not meta:
        return {}, text
    return meta, "\n".join(lines[index:]).lstrip("\n")


def rst_metadata(text: str) -> tuple[dict[str, Any], str]:
    """The document title and the field list that follows it (`:date:`, `:tags:`...)."""
    lines = text.split("\n")
    meta: dict[str, Any] = {}
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    adornment = re.compile(r"^([=\-`:'\"~^_*+#<>])\1{2,}\s*$")
    if (
        index + 1 < len(lines)
        and adornment.match(lines[index])
        and index + 2 < len(lines)
        and adornment.match(lines[index + 2])
    ):
        meta["title"] = lines[index + 1].strip()
        index += 3
    elif index + 1 < len(lines) and adornment.match(lines[index + 1]) and lines[index].strip():
        meta["title"] = lines[index].strip()
        index += 2
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines):
        match = re.match(r"^:([\w-]+):\s*(.*)$", lines[index])
        if not match:
            break
        meta[match.group(1).lower()] = match.group(2).strip()
        index += 1
    return meta, "\n".join(lines[index:]).lstrip("\n")


def html_metadata(text: str) -> tuple[dict[str, Any], str]:
    meta: dict[str, Any] = {}
    title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
    if title:
        meta["title"] = title.group(1).strip()
    for name, content in re.findall(r'<meta\s+name="([^"]+)"\s+content="([^"]*)"', text, re.I):
        meta[name.lower()] = content
    body = re.search(r"<body[^>]*>(.*)</body>", text, re.I | re.S)
    return meta, body.group(1) if body else text
