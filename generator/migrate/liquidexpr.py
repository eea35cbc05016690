"""Liquid expressions: values, variable paths, conditions and the filters posts use.

Only what can be answered from the source itself is evaluated: literals, `include.*`,
`page.*` (front matter), `site.*` (configuration and `_data`), and variables the post
assigns. Anything that needs the old generator at build time (`site.posts`, a plugin's
filter) raises `Unsupported`, and the construct is left as written.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, quote_plus

_STRING = r"""(?:"[^"]*"|'[^']*')"""
_PART = re.compile(rf"""\s*({_STRING}|[^|"']+(?:{_STRING}[^|"']*)*)\s*""")
_PATH = re.compile(r"""[\w-]+|\[(?:"[^"]*"|'[^']*'|\d+|[\w.]+)\]""")
_COMPARISON = re.compile(r"\s(==|!=|<>|>=|<=|>|<|contains)\s")


class Unsupported(Exception):
    """A construct that cannot be evaluated from the source; the message says why."""


class Missing:
    """A variable the source does not define: nil, as Liquid has it."""


class BuildTime:
    """A value only the old generator knew while building (`site.posts`, `page.content`)."""

    def __init__(self, what: str) -> None:
        self.what = what


def split_outside_quotes(text: str, separator: str) -> list[str]:
    parts, current, quote_char = [], [], ""
    for ch in text:
        if quote_char:
            current.append(ch)
            if ch == quote_char:
                quote_char = ""
        elif ch in "\"'":
            quote_char = ch
            current.append(ch)
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


class Evaluator:
    """Evaluates expressions against scopes; `roots` answers the top-level names."""

    def __init__(
        self, roots: Callable[[str], Any], filters: Mapping[str, Callable[..., Any]] | None = None
    ) -> None:
        self.roots = roots
        self.scopes: list[dict[str, Any]] = [{}]
        self.extra_filters = dict(filters or {})

    def assign(self, name: str, value: Any) -> None:
        self.scopes[-1][name] = value

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return _known(self.roots(name))

    # -- values --------------------------------------------------------------------------

    def value(self, text: str) -> Any:
        text = text.strip()
        if not text:
            raise Unsupported("an empty expression")
        if re.fullmatch(_STRING, text):
            return text[1:-1]
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        if re.fullmatch(r"-?\d+\.\d+", text):
            return float(text)
        if text in ("true", "false"):
            return text == "true"
        if text in ("nil", "null", "empty", "blank"):
            return None if text in ("nil", "null") else ""
        if re.fullmatch(r"\(\s*\S+\s*\.\.\s*\S+\s*\)", text):
            low, high = text[1:-1].split("..")
            return list(range(int(self.value(low)), int(self.value(high)) + 1))
        parts = _PATH.findall(text)
        if (
            not parts
            or "".join(parts).replace("[", "").replace("]", "") == ""
            or not re.fullmatch(r"[\w.\[\]\"' -]+", text)
        ):
            raise Unsupported(f"cannot read {text!r}")
        current = self.lookup(parts[0])
        for part in parts[1:]:
            current = _index(current, self.value(part[1:-1]) if part.startswith("[") else part)
        return current

    def expression(self, text: str) -> Any:
        """`value | filter: arg, arg | filter`."""
        pieces = split_outside_quotes(text, "|")
        result = self.value(pieces[0])
        for piece in pieces[1:]:
            name, _, args_text = piece.strip().partition(":")
            args = [self.value(a) for a in split_outside_quotes(args_text, ",")] if args_text.strip() else []
            result = self.filter(name.strip(), result, args)
        return result

    def condition(self, text: str) -> bool:
        ors = re.split(r"\s+or\s+", text)
        if len(ors) > 1:
            return any(self.condition(part) for part in ors)
        ands = re.split(r"\s+and\s+", text)
        if len(ands) > 1:
            return all(self.condition(part) for part in ands)
        match = _COMPARISON.search(f" {text} ")
        if match:
            left = self.value(text[: match.start()].strip() if match.start() else "")
            right = self.value(f" {text} "[match.end() :].strip())
            return _compare(match.group(1), left, right)
        return truthy(self.value(text))

    def filter(self, name: str, value: Any, args: list[Any]) -> Any:
        if name in self.extra_filters:
            return self.extra_filters[name](value, *args)
        function = FILTERS.get(name)
        if function is None:
            raise Unsupported(f"the filter {name!r} is not Liquid's own (a plugin's?)")
        return function(value, *args)


def _known(value: Any) -> Any:
    if isinstance(value, BuildTime):
        raise Unsupported(f"{value.what} is only known to the old generator while it builds")
    return value


def _index(current: Any, key: Any) -> Any:
    if isinstance(current, Missing) or current is None:
        return Missing()
    if isinstance(current, Mapping):
        return _known(current[key]) if key in current else (len(current) if key == "size" else Missing())
    if isinstance(current, (list, tuple, str)):
        if key == "size":
            return len(current)
        if key in ("first", "last") and current:
            return current[0] if key == "first" else current[-1]
        if isinstance(key, int) and -len(current) <= key < len(current):
            return current[key]
        return Missing()
    raise Unsupported(f"cannot look up {key!r}")


def truthy(value: Any) -> bool:
    return not (value is None or value is False or isinstance(value, Missing))


def _compare(operator: str, left: Any, right: Any) -> bool:
    left = None if isinstance(left, Missing) else left
    right = None if isinstance(right, Missing) else right
    if operator == "contains":
        return (
            right is not None and left is not None and str(right) in left
            if not isinstance(left, list)
            else right in left
        )
    if operator == "==":
        return left == right or (right == "" and left in (None, "", [], {}))
    if operator in ("!=", "<>"):
        return not (left == right or (right == "" and left in (None, "", [], {})))
    try:
        return {">": left > right, "<": left < right, ">=": left >= right, "<=": left <= right}[operator]
    except TypeError:
        return False


def text_of(value: Any) -> str:
    """How Liquid prints a value."""
    if value is None or isinstance(value, Missing):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S %z").strip()
    if isinstance(value, (list, tuple)):
        return "".join(text_of(v) for v in value)
    if isinstance(value, dict):
        raise Unsupported("prints a whole mapping")
    return str(value)


def _date(value: Any, fmt: str = "%Y-%m-%d") -> str:
    moment = value
    if isinstance(value, str):
        from generator.migrate.frontmatter import parse_date

        if value in ("now", "today"):
            raise Unsupported("the date of the build")
        moment = parse_date(value)
    if not isinstance(moment, (date, datetime)):
        return text_of(value)
    return moment.strftime(
        fmt.replace("%-d", str(moment.day)).replace("%-m", str(moment.month)).replace("%e", str(moment.day))
    )


def _markdownify(value: Any) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(text_of(value)).strip()


def _slug(value: Any, *_: Any) -> str:
    return re.sub(r"[^\w]+", "-", text_of(value).replace("_", "-")).strip("-").lower()


FILTERS: dict[str, Callable[..., Any]] = {
    "default": lambda v, d="": d if not truthy(v) or v in ("", [], {}) else v,
    "append": lambda v, s: text_of(v) + text_of(s),
    "prepend": lambda v, s: text_of(s) + text_of(v),
    "downcase": lambda v: text_of(v).lower(),
    "upcase": lambda v: text_of(v).upper(),
    "capitalize": lambda v: text_of(v)[:1].upper() + text_of(v)[1:],
    "strip": lambda v: text_of(v).strip(),
    "lstrip": lambda v: text_of(v).lstrip(),
    "rstrip": lambda v: text_of(v).rstrip(),
    "escape": lambda v: html.escape(text_of(v)),
    "escape_once": lambda v: html.escape(html.unescape(text_of(v))),
    "xml_escape": lambda v: html.escape(text_of(v)),
    "url_encode": lambda v: quote_plus(text_of(v)),
    "cgi_escape": lambda v: quote_plus(text_of(v)),
    "uri_escape": lambda v: quote(text_of(v), safe="/:?#[]@!$&'()*+,;=%"),
    "url_escape": lambda v: quote(text_of(v), safe="/:?#[]@!$&'()*+,;=%"),
    "strip_html": lambda v: re.sub(r"<[^>]*>", "", text_of(v)),
    "strip_newlines": lambda v: text_of(v).replace("\n", ""),
    "newline_to_br": lambda v: text_of(v).replace("\n", "<br />\n"),
    "replace": lambda v, a, b="": text_of(v).replace(text_of(a), text_of(b)),
    "replace_first": lambda v, a, b="": text_of(v).replace(text_of(a), text_of(b), 1),
    "remove": lambda v, a: text_of(v).replace(text_of(a), ""),
    "remove_first": lambda v, a: text_of(v).replace(text_of(a), "", 1),
    "truncate": lambda v, n=50, end="...": (
        text_of(v) if len(text_of(v)) <= n else text_of(v)[: max(0, n - len(end))] + end
    ),
    "size": lambda v: 0 if not truthy(v) else len(v) if hasattr(v, "__len__") else 0,
    "first": lambda v: v[0] if isinstance(v, (list, str)) and v else Missing(),
    "last": lambda v: v[-1] if isinstance(v, (list, str)) and v else Missing(),
    "join": lambda v, s=" ": text_of(s).join(text_of(x) for x in v) if isinstance(v, list) else text_of(v),
    "split": lambda v, s: text_of(v).split(text_of(s)),
    "jsonify": lambda v: json.dumps(None if isinstance(v, Missing) else v, default=str),
    "markdownify": _markdownify,
    "smartify": text_of,
    "slugify": _slug,
    "number_of_words": lambda v: len(text_of(v).split()),
    "date": _date,
    "date_to_string": lambda v, *_: _date(v, "%d %b %Y"),
    "date_to_long_string": lambda v, *_: _date(v, "%d %B %Y"),
    "date_to_xmlschema": lambda v: _date(v, "%Y-%m-%dT%H:%M:%S%z"),
    "date_to_rfc822": lambda v: _date(v, "%a, %d %b %Y %H:%M:%S %z"),
    "plus": lambda v, n: (v or 0) + n,
    "minus": lambda v, n: (v or 0) - n,
}
