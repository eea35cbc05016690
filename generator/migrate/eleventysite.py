"""How Eleventy names things: its configuration (JavaScript, read for what it plainly
says, never run), its data files, ignores, passthrough copies, and `slugify`."""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import unicodedata
from typing import Any

from generator.migrate.liquidexpr import BuildTime
from generator.migrate.sourcetree import SourceProblem, SourceTree

CONFIG_FILES = (
    "eleventy.config.js",
    "eleventy.config.mjs",
    "eleventy.config.cjs",
    ".eleventy.js",
    ".eleventy.cjs",
)
DATED = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
_PASSTHROUGH = re.compile(r"addPassthroughCopy\(\s*([\"'`])(.+?)\1")
_PASSTHROUGH_MAP = re.compile(r"addPassthroughCopy\(\s*\{(.*?)\}", re.DOTALL)
_PAIR = re.compile(r"""["'`]([^"'`]+)["'`]\s*:\s*["'`]([^"'`]*)["'`]""")
_JS_PERMALINK = re.compile(
    r"permalink\s*:\s*(?:(?:function\s*)?\([^)]*\)\s*(?:=>)?\s*\{?\s*(?:return\s+)?)?([`\"'])(.*?)\1",
    re.DOTALL,
)
STRUCTURAL_TAGS = {"post", "posts", "all"}
TEMPLATES = (".njk", ".liquid", ".js", ".webc", ".hbs", ".ejs", ".pug", ".html")


def slugify(text: str) -> str:
    """Eleventy's `slugify` filter (@sindresorhus/slugify): ASCII, lower case, hyphens."""
    text = text.replace("&", " and ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def setting(config: str, key: str, default: str) -> str:
    match = re.search(rf"\b{key}\s*:\s*[\"'`]([^\"'`]+)[\"'`]", config)
    return match.group(1) if match else default


def global_data(tree: SourceTree, data_dir: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for rel in tree.files(data_dir):
        stem, suffix = posixpath.splitext(posixpath.basename(rel))
        if suffix == ".json":
            try:
                data[stem] = json.loads(tree.read_text(rel))
            except (ValueError, SourceProblem):
                continue
        elif suffix in (".js", ".cjs", ".mjs"):
            data[stem] = BuildTime(f"_data/{stem}{suffix} (JavaScript)")
    return data


def ignores(tree: SourceTree, input_dir: str, includes: str, data_dir: str) -> list[str]:
    """What Eleventy leaves out: its own folders and `.eleventyignore`."""
    patterns = ["node_modules", "_site", includes, data_dir]
    for name in (".eleventyignore", posixpath.join(input_dir, ".eleventyignore")):
        if tree.is_file(name):
            patterns += [
                line.strip().strip("/")
                for line in tree.read_text(name).splitlines()
                if line.strip() and not line.startswith("#")
            ]
    return [p.removeprefix("./") for p in patterns if p]


def is_ignored(rel: str, patterns: list[str]) -> bool:
    return any(rel == p or rel.startswith(p + "/") or fnmatch.fnmatch(rel, p) for p in patterns)


def passthrough(config: str, files: list[str], input_dir: str) -> dict[str, str]:
    """Source file → site path, for what the configuration copies as it is."""
    chosen: dict[str, str] = {}
    rules: list[tuple[str, str]] = [(m.group(2), m.group(2)) for m in _PASSTHROUGH.finditer(config)]
    for block in _PASSTHROUGH_MAP.finditer(config):
        rules += [(source, target) for source, target in _PAIR.findall(block.group(1))]
    for rel in files:
        inner = rel[len(input_dir) + 1 :] if input_dir else rel
        for source, target in rules:
            source = source.removeprefix("./").rstrip("/")
            if any(ch in source for ch in "*?{"):
                pattern = re.sub(r"\{([^}]+)\}", lambda m: "(" + m.group(1).replace(",", "|") + ")", source)
                regex = (
                    fnmatch.translate(pattern.replace("**/", "*"))
                    .replace("\\(", "(")
                    .replace("\\)", ")")
                    .replace("\\|", "|")
                )
                if re.match(regex, rel) or re.match(regex, inner):
                    chosen[rel] = inner
            elif rel == source or rel.startswith(source + "/"):
                suffix = rel[len(source) :].lstrip("/")
                destination = target.strip("/") if target != source else source
                chosen[rel] = posixpath.join(destination, suffix).strip("/") if suffix else destination
    return chosen


def directory_data(tree: SourceTree, rel: str) -> dict[str, Any]:
    """The data files of `rel`'s folders, outermost first, merged."""
    merged: dict[str, Any] = {}
    parts = rel.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        folder = "/".join(parts[:depth])
        name = parts[depth - 1]
        for candidate in (f"{folder}/{name}.json", f"{folder}/{name}.11tydata.json"):
            if tree.is_file(candidate):
                try:
                    loaded = json.loads(tree.read_text(candidate))
                except (ValueError, SourceProblem):
                    continue
                if isinstance(loaded, dict):
                    merged.update(loaded)
        script = f"{folder}/{name}.11tydata.js"
        if tree.is_file(script):
            text = tree.read_text(script)
            if match := _JS_PERMALINK.search(text):
                merged["permalink"] = re.sub(r"\$\{\s*(?:data\.)?(.*?)\s*\}", r"{{ \1 }}", match.group(2))
            if tags := re.search(r"\btags\s*:\s*(\[[^\]]*\]|[\"'][^\"']*[\"'])", text):
                merged["tags"] = re.findall(r"[\"']([^\"']+)[\"']", tags.group(1))
    return merged


def template_data(tree: SourceTree, rel: str) -> dict[str, Any]:
    """What a template's own data file (`x.json` beside `x.md`) says of it."""
    stem = posixpath.splitext(rel)[0]
    for candidate in (f"{stem}.11tydata.json", f"{stem}.json"):
        if tree.is_file(candidate):
            try:
                loaded = json.loads(tree.read_text(candidate))
            except (ValueError, SourceProblem):
                return {}
            keys = ("permalink", "title", "date", "tags", "draft", "description", "layout")
            return {k: v for k, v in loaded.items() if k in keys} if isinstance(loaded, dict) else {}
    return {}
