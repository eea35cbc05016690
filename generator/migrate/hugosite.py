"""How Hugo names things: its configuration (in any of its files), `urlize`, permalinks."""

from __future__ import annotations

import posixpath
import re
import string
import unicodedata
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from generator.migrate import shared
from generator.migrate.sourcetree import SourceTree, read_config_text

CONFIG_FILES = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
)
_DATED_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[-_](.+))?$")


def read_config(tree: SourceTree) -> tuple[str, dict[str, Any]]:
    """Hugo's settings, keys lower-cased as Hugo reads them, from hugo.* / config.* or config/_default/."""
    merged: dict[str, Any] = {}
    name = ""
    found = tree.config(*CONFIG_FILES)
    if found:
        name, merged = found[0], _lower(found[1])
    folder = "config/_default"
    if tree.is_dir(folder):
        for rel in tree.files(folder):
            stem, suffix = posixpath.splitext(posixpath.basename(rel))
            if suffix not in (".toml", ".yaml", ".yml", ".json"):
                continue
            values = _lower(read_config_text(rel, tree.read_text(rel)))
            if stem in ("hugo", "config"):
                merged.update(values)
            else:
                merged.setdefault(stem.lower(), {}).update(values) if isinstance(
                    merged.get(stem.lower()), dict
                ) else merged.__setitem__(stem.lower(), values)
            name = name or folder
    return name, merged


def _lower(values: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in values.items()}


def urlize(text: str, *, lower: bool = True) -> str:
    """Hugo's URLize (its UnicodeSanitize, then lower case): what `:title` and paths become."""
    out: list[str] = []
    prepend_hyphen = was_hyphen = False
    for index, ch in enumerate(text):
        allowed = (
            ch in "./\\_#+~-@" or ch.isalpha() or ch.isdigit() or unicodedata.category(ch).startswith("M")
        )
        if (
            ch == "%"
            and all(c in string.hexdigits for c in text[index + 1 : index + 3])
            and index + 2 < len(text)
        ):
            allowed = True
        if allowed:
            was_hyphen = ch == "-"
            if prepend_hyphen:
                if not was_hyphen:
                    out.append("-")
                prepend_hyphen = False
            out.append(ch)
        elif out and not was_hyphen and ch.isspace():
            prepend_hyphen = True
    result = "".join(out)
    return result.lower() if lower else result


def dated_name(stem: str) -> tuple[date | None, str]:
    """Hugo's `:filename` date: `2019-01-02-name` → (that day, "name")."""
    match = _DATED_NAME.match(stem)
    if not match:
        return None, stem
    try:
        day = date.fromisoformat(match.group(1))
    except ValueError:
        return None, stem
    return day, match.group(2) or stem


class HugoSite:
    def __init__(self, tree: SourceTree, config: dict[str, Any]) -> None:
        self.tree = tree
        self.config = config
        self.tz = ZoneInfo(shared.timezone(config.get("timezone")))
        self.content = str(config.get("contentdir") or "content").strip("/")
        static = config.get("staticdir") or "static"
        self.static = [str(s).strip("/") for s in (static if isinstance(static, list) else [static])]
        self.lower = not config.get("disablepathtolower")
        permalinks = {str(k).lower(): v for k, v in (config.get("permalinks") or {}).items()}
        page_links = permalinks.get("page") if isinstance(permalinks.get("page"), dict) else {}
        self.permalinks = {k: str(v) for k, v in {**permalinks, **page_links}.items() if isinstance(v, str)}
        ugly = config.get("uglyurls")
        self.ugly = ugly if isinstance(ugly, (bool, dict)) else False
        front = config.get("frontmatter") if isinstance(config.get("frontmatter"), dict) else {}
        order = front.get("date") or [":default"]
        self.date_keys = [str(k).lower() for k in (order if isinstance(order, list) else [order])]
        params = config.get("params") if isinstance(config.get("params"), dict) else {}
        self.params: dict[str, Any] = params
        languages = config.get("languages") if isinstance(config.get("languages"), dict) else {}
        self.default_language = str(config.get("defaultcontentlanguage") or "en").lower()
        self.other_languages = {str(k).lower() for k in languages} - {self.default_language}

    def is_ugly(self, section: str) -> bool:
        if isinstance(self.ugly, dict):
            return bool(self.ugly.get(section))
        return bool(self.ugly)

    def date_of(
        self, meta: dict[str, Any], stem: str, mtime: float
    ) -> tuple[date | datetime | None, str | None]:
        """(the date, the slug its file name gives) as Hugo's `frontmatter.date` setting says."""
        from generator.migrate.frontmatter import parse_date

        lowered = {k.lower(): v for k, v in meta.items()}
        for key in self.date_keys:
            keys = (
                ["date", "publishdate", "pubdate", "published", "lastmod", "modified"]
                if key == ":default"
                else [key]
            )
            if key == ":filename":
                day, rest = dated_name(stem)
                if day is not None:
                    return day, rest
                continue
            if key == ":filemodtime":
                return datetime.fromtimestamp(mtime, self.tz).replace(tzinfo=None), None
            for name in keys:
                parsed = parse_date(lowered.get(name)) if lowered.get(name) is not None else None
                if parsed is not None:
                    return parsed, None
        return None, None


def expand(pattern: str, values: dict[str, str]) -> str:
    """A Hugo permalink pattern with its tokens replaced (unknown ones kept)."""

    def token(match: re.Match[str]) -> str:
        return values.get(match.group(1), match.group(0))

    path = re.sub(r":(sections\[\d*:\d*\]|[a-z]+)", token, pattern)
    return "/" + re.sub(r"/{2,}", "/", path).lstrip("/")


def date_values(moment: date | datetime | None) -> dict[str, str]:
    if moment is None:
        return {}
    when = moment if isinstance(moment, datetime) else datetime.combine(moment, time())
    return {
        "year": f"{when:%Y}",
        "month": f"{when:%m}",
        "monthname": f"{when:%B}".lower(),
        "day": f"{when:%d}",
        "weekday": str(when.isoweekday() % 7),
        "weekdayname": f"{when:%A}".lower(),
        "yearday": str(when.timetuple().tm_yday),
    }
