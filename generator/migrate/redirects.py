"""The old host's redirects (`.htaccess`, Netlify's `_redirects` and `netlify.toml`,
`vercel.json`): each one that leads to an imported post becomes one of its aliases, so the
old short or former URLs still answer on any host. The rest are counted for the report.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable

from generator.migrate.sourcetree import SourceProblem, SourceTree

HOST_FILES = (
    ".htaccess",
    "_redirects",
    "netlify.toml",
    "vercel.json",
    "static/_redirects",
    "public/_redirects",
    "src/_redirects",
    "source/.htaccess",
    "static/.htaccess",
)
_APACHE = re.compile(
    r"^\s*Redirect(?:Permanent|Temp)?\s+(?:(?:30[1278]|permanent|temp)\s+)?(\S+)\s+(\S+)\s*$", re.I
)
_NETLIFY = re.compile(r"^\s*(/\S*)\s+(\S+)(?:\s+(\d{3})!?)?\s*$")


def read_redirects(tree: SourceTree, candidates: Iterable[str] = HOST_FILES) -> list[tuple[str, str]]:
    """(from, to) pairs of plain redirects; patterns (`*`, `:splat`, regular expressions) are left out."""
    found: list[tuple[str, str]] = []
    for rel in dict.fromkeys(candidates):
        if not tree.is_file(rel):
            continue
        try:
            text = tree.read_text(rel)
        except SourceProblem:
            continue
        name = rel.rsplit("/", 1)[-1]
        if name == ".htaccess":
            pairs = [m.groups() for m in map(_APACHE.match, text.splitlines()) if m]
        elif name == "_redirects":
            pairs = []
            for line in text.splitlines():
                match = _NETLIFY.match(line)
                if (
                    match
                    and not line.lstrip().startswith("#")
                    and (match.group(3) or "301") in ("301", "302", "308")
                ):
                    pairs.append((match.group(1), match.group(2)))
        elif name == "netlify.toml":
            try:
                entries = tomllib.loads(text).get("redirects", [])
            except tomllib.TOMLDecodeError:
                continue
            pairs = [
                (e.get("from", ""), e.get("to", ""))
                for e in entries
                if isinstance(e, dict) and int(e.get("status", 301)) in (301, 302, 308)
            ]
        else:
            try:
                entries = json.loads(text).get("redirects", [])
            except (ValueError, AttributeError):
                continue
            pairs = [(e.get("source", ""), e.get("destination", "")) for e in entries if isinstance(e, dict)]
        for source, target in pairs:
            if (
                source.startswith("/")
                and not re.search(r"[*:^$()\[\]]", source)
                and target
                and "*" not in target
                and ":splat" not in target
            ):
                found.append((source, target))
    return list(dict.fromkeys(found))
