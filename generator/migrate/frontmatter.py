"""Front matter of other generators mapped to Fireside's, and written as YAML.

Every generator names the same things differently (Hugo's `lastmod`, Jekyll's
`redirect_from`, Pelican's `Status: draft`); `mapped` gives Fireside's key for each and
moves whatever has no meaning here into `extra:`, so nothing the author wrote is lost.
Dates are read as leniently as the source generators read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

import yaml

ORDER = (
    "title",
    "date",
    "updated",
    "slug",
    "url",
    "aliases",
    "author",
    "authors",
    "tags",
    "summary",
    "description",
    "draft",
    "lang",
    "extra",
)
_UPDATED = ("updated", "lastmod", "last_modified_at", "modified", "last_modified", "updated_at")
_ALIASES = ("aliases", "redirect_from", "alias")
_TAGS = ("tags", "tag", "categories", "category", "keywords_as_tags")
_SUMMARY = ("summary", "excerpt")
# Keys that only steered the old generator's templates or build: kept in `extra` all the same.
_DATE_TEXT = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})"  # date
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"  # time
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?\s*$",  # zone
    re.IGNORECASE,
)


def parse_date(value: Any) -> datetime | date | None:
    """A date or datetime as the source wrote it (naive when it named no zone), or None.

    Accepts YAML/TOML dates, ISO 8601 and the looser forms Jekyll, Hugo and Pelican read:
    `2013-11-22 5:00:00 +0000`, `2013/11/22 05:00`, one-digit months and days.
    """
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    match = _DATE_TEXT.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    try:
        if hour is None:
            if zone:
                return datetime(int(year), int(month), int(day), tzinfo=_zone(zone))
            return date(int(year), int(month), int(day))
        return datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second or 0),
            tzinfo=_zone(zone) if zone else None,
        )
    except ValueError:
        return None


def _zone(text: str) -> tzinfo:
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    digits = text.replace(":", "")
    sign = -1 if digits[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5])))


def aware(value: datetime | date | None, tz: tzinfo) -> datetime | None:
    """The moment the build will read: naive values are in the site's zone."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tz)
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def text_list(value: Any) -> list[str]:
    """Tags and the like: a list, or one string of names separated by commas (or spaces)."""
    if value is None:
        return []
    if isinstance(value, str):
        parts = value.split(",") if "," in value else value.split()
        return [p.strip() for p in parts if p.strip()]
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if v is not None and str(v).strip() and not isinstance(v, dict)]
    return [str(value)]


def merge_names(*groups: Iterable[str]) -> list[str]:
    """Names in order, duplicates (ignoring case) dropped."""
    seen: set[str] = set()
    merged = []
    for group in groups:
        for name in group:
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                merged.append(name)
    return merged


def authors_of(value: Any) -> list[str]:
    """Author names from a string, a list, or mappings with a `name`."""
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    names = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("display_name")
        if isinstance(item, str) and item.strip():
            names.append(item.strip())
    return names


def mapped(meta: Mapping[str, Any], *, site_author: str = "", skip: Iterable[str] = ()) -> dict[str, Any]:
    """Fireside front matter for `meta`: known keys renamed, the rest kept under `extra`.

    `skip` names keys the caller has handled itself (a permalink turned into a URL, a
    layout with no meaning here). Dates, tags, URLs and drafts are normalised.
    """
    handled = set(skip)
    out: dict[str, Any] = {}
    extra: dict[str, Any] = dict(meta.get("extra") or {}) if isinstance(meta.get("extra"), dict) else {}
    handled.add("extra")
    lowered = {k.lower(): k for k in meta}

    def take(*names: str) -> Any:
        for name in names:
            key = lowered.get(name)
            if key is not None and key not in handled:
                handled.add(key)
                return meta[key]
        return None

    if (title := take("title")) is not None:
        out["title"] = str(title)
    created = take("date", "created", "pubdate", "publishdate")
    if created is not None:
        parsed = parse_date(created)
        if parsed is not None:
            out["date"] = parsed
        else:
            extra["date"] = created
    updated = take(*_UPDATED)
    if updated is not None:
        parsed = parse_date(updated)
        if parsed is not None:
            out["updated"] = parsed
    if (slug := take("slug")) is not None and str(slug).strip():
        out["slug"] = str(slug).strip()
    aliases = merge_names(*(text_list(take(name)) for name in _ALIASES))
    if aliases:
        out["aliases"] = aliases
    names = authors_of(take("author")) + authors_of(take("authors"))
    names = [n for n in merge_names(names)]
    if names and names != [site_author]:
        if len(names) == 1:
            out["author"] = names[0]
        else:
            out["authors"] = names
    taxonomies = meta.get("taxonomies") if isinstance(meta.get("taxonomies"), dict) else {}
    if taxonomies:
        handled.add("taxonomies")
    tags = merge_names(
        *(text_list(take(name)) for name in _TAGS),
        *(text_list(values) for values in taxonomies.values()),
    )
    if tags:
        out["tags"] = tags
    summary = take(*_SUMMARY)
    if isinstance(summary, str) and summary.strip():
        out["summary"] = summary.strip()
    description = take("description")
    if isinstance(description, str) and description.strip():
        out["description"] = " ".join(description.split())
    draft = take("draft")
    published = take("published")
    status = take("status")
    if draft is True or published is False or (isinstance(status, str) and status.lower() == "draft"):
        out["draft"] = True
    elif isinstance(status, str) and status.lower() not in ("published", "publish"):
        extra["status"] = status
    if (lang := take("lang", "language")) is not None and isinstance(lang, str):
        out["lang"] = lang
    for key, value in meta.items():
        if key not in handled and value is not None:
            extra[key] = value
    if extra:
        out["extra"] = extra
    return out


def ordered(meta: Mapping[str, Any]) -> dict[str, Any]:
    rank = {key: index for index, key in enumerate(ORDER)}
    return dict(sorted(meta.items(), key=lambda item: rank.get(item[0], len(ORDER))))


def dump(meta: Mapping[str, Any]) -> str:
    """YAML front matter with its fences, keys in Fireside's usual order, no line folding."""
    if not meta:
        return "---\n---\n"
    text = yaml.dump(
        _plain(ordered(meta)),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
    )
    return f"---\n{text}---\n"


class _Dumper(yaml.SafeDumper):
    """Block style, except lists of plain values, written on one line: `tags: [a, b]`."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(isinstance(item, (str, int, float, bool)) and "\n" not in str(item) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flat and bool(data))


_Dumper.add_representer(list, _represent_list)


def _plain(value: Any) -> Any:
    """Values YAML's safe dumper writes: tuples as lists, unknown objects as text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool, date)):
        return value
    return str(value)
