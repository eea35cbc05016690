"""Hugo's shortcodes (`{{< name args >}}`, `{{% name %}}inner{{% /name %}}`) in Markdown.

Hugo's own shortcodes with a Markdown meaning are converted: `ref`/`relref` become the
target's old URL (the link pass points it at the new file), `figure` a figure, `highlight`
a fenced block, `details` an HTML `<details>`, `param` its value, and embeds (`youtube`,
`vimeo`, `gist`, `tweet`, `instagram`) plain links. A site's own shortcodes are templates
that cannot be run here; the common kinds are recognised by name and arguments: an image
(`img`, `image`, `photo`... with a `src`), a notice or callout (a quote with its label),
a gallery (its images), a video with a `src`, and one that prints the base URL. Every
other shortcode is left as written, for `leftovers` to list.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.migrate.leftovers import CodeMap
from generator.migrate.mdtext import embed_link, escape_braces, fence

_OPEN = re.compile(r"\{\{([<%])(/\*)?\s*(/?)\s*([\w./-]+)(.*?)\s*(\*/)?\s*(/?)\s*[>%]\}\}", re.DOTALL)
_ARG = re.compile(
    r"""([\w-]+)\s*=\s*("(?:[^"\\]|\\.)*"|`[^`]*`|'[^']*'|\S+)|("(?:[^"\\]|\\.)*"|`[^`]*`|'[^']*'|\S+)"""
)
_IMAGE_NAMES = re.compile(
    r"^(img|image|imgproc|picture|photo|figure-?\w*|screenshot|resize|responsive-?image|imgur)$"
)
_NOTICE_NAMES = re.compile(
    r"^(notice|note|alert|callout|admonition|hint|tip|info|warning|caution|important|aside|update|box)$"
)
_SRC = ("src", "source", "url", "image", "file", "path")
_VIDEO_NAMES = re.compile(r"^(video|figure-video|mp4)$")


@dataclass
class ShortcodeContext:
    ref: Callable[[str], str | None]  # a `ref` target → its old URL
    base_path: str = "/"
    params: Mapping[str, Any] = field(default_factory=dict)  # the site's params
    base_url_shortcodes: frozenset[str] = frozenset()  # the site's shortcodes that print the base URL


@dataclass
class Call:
    name: str
    positional: list[str]
    named: dict[str, str]
    inner: str | None
    source: str


def parse_args(text: str) -> tuple[list[str], dict[str, str]]:
    positional: list[str] = []
    named: dict[str, str] = {}
    for match in _ARG.finditer(text):
        key, value, bare = match.group(1), match.group(2), match.group(3)
        if key:
            named[key] = _unquote(value)
        elif bare:
            positional.append(_unquote(bare))
    return positional, named


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'`":
        inner = text[1:-1]
        return inner.replace('\\"', '"') if text[0] == '"' else inner
    return text


def convert(text: str, context: ShortcodeContext) -> tuple[str, dict[str, str]]:
    """`text` with the shortcodes that have a Markdown meaning converted (innermost first)."""
    reasons: dict[str, str] = {}
    escaped: list[str] = []

    def keep_escaped(match: re.Match[str]) -> str:
        escaped.append(match.group(0).replace("/*", "", 1).replace("*/", "", 1))
        return f"\x00sc{len(escaped) - 1}\x00"

    text = re.sub(r"\{\{[<%]/\*.*?\*/[>%]\}\}", keep_escaped, text, flags=re.DOTALL)
    for _ in range(20):  # innermost first: each round converts the calls holding no other call
        changed = False
        out, at = [], 0
        for call, start, end in _calls(text):
            out.append(text[at:start])
            converted = convert_call(call, context)
            if converted is None:
                reasons.setdefault(
                    call.source.split("\n", 1)[0].strip() if call.inner is None else _opening(call.source),
                    _why(call),
                )
                out.append(call.source)
            else:
                out.append(converted)
                changed = True
            at = end
        out.append(text[at:])
        text = "".join(out)
        if not changed:
            break
    return _restore(text, escaped), reasons


def _opening(source: str) -> str:
    match = _OPEN.match(source)
    return match.group(0).strip() if match else source.strip()


def _why(call: Call) -> str:
    return f"the site's own shortcode {call.name!r} is a template that cannot be run here"


def _calls(text: str) -> list[tuple[Call, int, int]]:
    """Shortcode calls that hold no other call: self-closing ones, and innermost pairs."""
    found = []
    tokens = list(_OPEN.finditer(text))
    index = 0
    while index < len(tokens):
        token = tokens[index]
        closing, name = token.group(3), token.group(4)
        if closing:
            index += 1
            continue
        positional, named = parse_args(token.group(5))
        # A pair only when the next token closes this very name.
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.group(3) and following.group(4) == name:
            inner = text[token.end() : following.start()]
            found.append(
                (
                    Call(name, positional, named, inner, text[token.start() : following.end()]),
                    token.start(),
                    following.end(),
                )
            )
            index += 2
            continue
        if not _closed_later(tokens, index, name) or token.group(7):
            found.append((Call(name, positional, named, None, token.group(0)), token.start(), token.end()))
        index += 1
    return found


def _closed_later(tokens: list[re.Match[str]], index: int, name: str) -> bool:
    return any(t.group(3) and t.group(4) == name for t in tokens[index + 1 :])


def _restore(text: str, escaped: list[str]) -> str:
    if not escaped:
        return text
    code = CodeMap(text)
    return re.sub(
        "\x00sc(\\d+)\x00",
        lambda m: (
            escaped[int(m.group(1))] if code.inside(m.start()) else escape_braces(escaped[int(m.group(1))])
        ),
        text,
    )


def _get(call: Call, *names: str, position: int | None = None) -> str:
    for name in names:
        if name in call.named:
            return call.named[name]
    if position is not None and position < len(call.positional):
        return call.positional[position]
    return ""


def convert_call(call: Call, context: ShortcodeContext) -> str | None:
    """Markdown (or HTML) for one call, or None when it has no meaning outside its site."""
    name = call.name
    if name in ("ref", "relref"):
        target = _get(call, "path", position=0)
        page, _, anchor = target.partition("#")
        found = context.ref(page) if page else ""
        if found is None:
            return None
        return found + (f"#{anchor}" if anchor else "")
    if name in ("youtube", "vimeo", "gist", "tweet", "twitter", "instagram"):
        if name == "gist":
            user, gist = _get(call, "user", position=0), _get(call, "id", position=1)
            return embed_link("gist", [f"{user}/{gist}" if user and gist else user or gist])
        if name in ("tweet", "twitter"):
            user, post = _get(call, "user"), _get(call, "id", position=0)
            return f"[View the post](https://twitter.com/{user or 'i'}/status/{post})"
        if name == "instagram":
            return f"[View on Instagram](https://www.instagram.com/p/{_get(call, 'id', position=0)}/)"
        return embed_link(name, [_get(call, "id", position=0)])
    if name == "highlight" and call.inner is not None:
        return fence(call.inner.strip("\n"), _get(call, "lang", position=0))
    if name == "details" and call.inner is not None:
        summary = html.escape(_get(call, "summary", position=0) or "Details")
        opened = " open" if _get(call, "open") in ("true", "open") else ""
        return f"<details{opened}>\n<summary>{summary}</summary>\n\n{call.inner.strip()}\n\n</details>"
    if name == "param":
        value = _lookup(context.params, _get(call, "name", position=0))
        return None if value is None else str(value)
    if name in context.base_url_shortcodes or name in ("baseurl", "base_url", "baseURL"):
        return context.base_path
    if _VIDEO_NAMES.match(name) and _get(call, "src", "path", "url", position=0):
        source = _get(call, "src", "path", "url", position=0)
        if re.search(r"youtube\.com|youtu\.be|vimeo\.com", source):
            return embed_link("vimeo" if "vimeo" in source else "youtube", [source])
        src = html.escape(source)
        caption = _get(call, "caption", "title")
        video = f'<video controls src="{src}"></video>'
        return (
            f"<figure>{video}<figcaption>{html.escape(caption)}</figcaption></figure>"
            if caption
            else f"<div>{video}</div>"
        )
    if name == "figure" or (_IMAGE_NAMES.match(name) and _get(call, *_SRC, position=0)):
        return _figure(call)
    if _NOTICE_NAMES.match(name) and call.inner is not None:
        label = (_get(call, "title", "type", position=0) or name).strip().capitalize()
        inner = call.inner.strip("\n")
        quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
        return f"> **{label}:**\n>\n{quoted}" if label.lower() not in inner[:40].lower() else quoted
    if name in ("gallery", "images", "row", "columns") and call.inner is not None:
        return call.inner.strip("\n")
    return None


def _figure(call: Call) -> str:
    src = _get(call, *_SRC, position=0)
    alt = _get(call, "alt", "title", position=1 if call.name != "figure" else None)
    caption = _get(call, "caption", "title") if call.name == "figure" else _get(call, "caption")
    if _get(call, "credits"):
        caption = (
            f"{caption} (Source: {_get(call, 'credits')})" if caption else f"Source: {_get(call, 'credits')}"
        )
    link = _get(call, "link", "href")
    if not caption:
        image = f"![{alt}]({_destination(src)})"
        return f"[{image}]({link})" if link else image
    image_html = f'<img src="{html.escape(src)}" alt="{html.escape(alt)}">'
    if link:
        image_html = f'<a href="{html.escape(link)}">{image_html}</a>'
    # The caption is Markdown in Hugo: its links and emphasis, as HTML.
    from markdown_it import MarkdownIt

    caption_html = MarkdownIt("commonmark", {"html": True}).renderInline(caption)
    return f"<figure>{image_html}<figcaption>{caption_html}</figcaption></figure>"


def _destination(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()<>]", url) else url


def _lookup(values: Mapping[str, Any], dotted: str) -> Any:
    current: Any = values
    for part in dotted.split("."):
        if not isinstance(current, Mapping):
            return None
        lowered = {str(k).lower(): v for k, v in current.items()}
        current = lowered.get(part.lower())
    return current if isinstance(current, (str, int, float)) else None
