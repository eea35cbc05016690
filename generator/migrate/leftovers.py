"""Finding what is left of another generator's syntax in a converted body, with its line.

Converters change what they can and leave the rest exactly as it was; this module then
finds every template tag still there outside code (`{% ... %}`, `{{ ... }}`, Hugo's
`{{< ... >}}`, Pelican's `{static}`, WordPress shortcodes), so the author gets a list of
`path:line` places to finish by hand. Code (fenced blocks, inline code, `<pre>`, `<code>`)
and HTML comments are left out: there such text is what the author shows, not a tag.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
_HTML_CODE = re.compile(r"<pre\b.*?</pre\s*>|<code\b.*?</code\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")

_PATTERNS = (
    (re.compile(r"\{\{[<%].*?[>%]\}\}", re.DOTALL), "Hugo shortcode"),
    (re.compile(r"\{%-?\s*[\w.]*.*?-?%\}", re.DOTALL), "template tag"),
    (re.compile(r"\{\{(?![<%])-?.*?-?\}\}", re.DOTALL), "template expression"),
    (
        re.compile(
            r"\{(?:filename|static|attach|tag|category|author|index|author)\}|\|(?:filename|static|attach)\|"
        ),
        "Pelican link",
    ),
)
WORDPRESS_SHORTCODES = (
    "audio",
    "caption",
    "wp_caption",
    "code",
    "embed",
    "gallery",
    "playlist",
    "video",
    "sourcecode",
    "source",
    "youtube",
    "vimeo",
    "tweet",
    "twitter",
    "googlemaps",
    "contact-form",
    "soundcloud",
    "instagram",
    "slideshow",
    "latex",
    "spotify",
    "polldaddy",
    "archives",
    "recipe",
    "gist",
    "ted",
)
_WP_SHORTCODE = re.compile(
    r"\[(/?)(" + "|".join(re.escape(n) for n in WORDPRESS_SHORTCODES) + r")\b[^\]\n]*\]"
)
_LIMIT = 80


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Sorted (start, end) character ranges of `text` that are code or HTML comments."""
    ranges: list[tuple[int, int]] = []
    position = 0
    fence: tuple[str, int, int] | None = None  # (character, length, start)
    prose_start = 0
    for line in text.split("\n"):
        end = position + len(line)
        match = _FENCE.match(line)
        if fence is None and match:
            ranges.extend(_inline_code(text, prose_start, position))
            fence = (match.group(1)[0], len(match.group(1)), position)
        elif (
            fence is not None
            and match
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= fence[1]
            and not line[match.end() :].strip()
        ):
            ranges.append((fence[2], end))
            fence = None
            prose_start = end
        position = end + 1
    if fence is not None:
        ranges.append((fence[2], len(text)))
    else:
        ranges.extend(_inline_code(text, prose_start, len(text)))
    return _merge(ranges)


def _inline_code(text: str, start: int, end: int) -> list[tuple[int, int]]:
    found = [(m.start() + start, m.end() + start) for m in _HTML_CODE.finditer(text[start:end])]
    segment = text[start:end]
    at = 0
    while True:
        opening = _BACKTICKS.search(segment, at)
        if opening is None:
            break
        width = len(opening.group(0))
        paragraph_end = _BLANK_LINE.search(segment, opening.end())
        limit = paragraph_end.start() if paragraph_end else len(segment)
        closing = None
        for candidate in _BACKTICKS.finditer(segment, opening.end(), limit):
            if len(candidate.group(0)) == width:
                closing = candidate
                break
        if closing is None:
            at = opening.end()
            continue
        found.append((start + opening.start(), start + closing.end()))
        at = closing.end()
    return found


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


class CodeMap:
    """Answers "is this position inside code?" for one text."""

    def __init__(self, text: str) -> None:
        self._ranges = code_ranges(text)
        self._starts = [start for start, _ in self._ranges]

    def inside(self, position: int) -> bool:
        index = bisect.bisect_right(self._starts, position) - 1
        return index >= 0 and self._ranges[index][0] <= position < self._ranges[index][1]


def line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def snippet(tag: str) -> str:
    one_line = " ".join(tag.split())
    return one_line if len(one_line) <= _LIMIT else one_line[: _LIMIT - 1] + "…"


def _kind(tag: str) -> str:
    return next((what for pattern, what in _PATTERNS if pattern.match(tag)), "template tag")


def scan(
    body: str, reasons: Mapping[str, str] | None = None, *, wordpress: bool = False
) -> list[tuple[int, str]]:
    """(line in `body`, message) for every template tag left outside code, in order."""
    code = CodeMap(body)
    found: dict[int, tuple[int, str]] = {}
    # A statement a converter left whole (a loop with its body) is one place, not one per tag.
    for source, why in (reasons or {}).items():
        at = body.find(source)
        while at >= 0:
            if not code.inside(at) and not any(s <= at < s + n for s, (n, _) in found.items()):
                opening = next(
                    (m.group(0) for pattern, _ in _PATTERNS if (m := pattern.match(source))), source
                )
                found[at] = (len(source), f"{_kind(opening)} {snippet(opening)} left as it was: {why}")
            at = body.find(source, at + len(source))
    patterns = list(_PATTERNS)
    if wordpress:
        patterns.append((_WP_SHORTCODE, "WordPress shortcode"))
    for pattern, what in patterns:
        for match in pattern.finditer(body):
            if match.start() in found or code.inside(match.start()):
                continue
            if any(start <= match.start() < start + length for start, (length, _) in found.items()):
                continue  # part of a tag already found ({{< >}} holds {{ ... }})
            tag = match.group(0)
            why = (reasons or {}).get(tag.strip())
            message = f"{what} {snippet(tag)} left as it was" + (f": {why}" if why else "")
            found[match.start()] = (len(tag), message)
    return [(line_at(body, start), message) for start, (_, message) in sorted(found.items())]
