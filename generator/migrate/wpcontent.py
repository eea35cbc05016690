"""A WordPress post's body as Markdown: blocks, shortcodes and paragraphs as WordPress
shows them.

Block editor comments are dropped (their HTML stays), reusable blocks are put in place,
embeds become links; `[caption]` becomes a `<figure>`, `[gallery]` its images, `[code]`
and `[sourcecode]` fenced code, `[embed]`, `[youtube]` and `[audio]`/`[video]` links or
players. Classic posts get WordPress's paragraphs (a blank line parts them, a single line
break is a `<br>`), then the HTML is converted (`htmlmd`) or, if asked, kept as HTML.
Dynamic blocks (latest posts, archives...) and other shortcodes stay as written, listed.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from generator.migrate.htmldom import autop, html_block, parse
from generator.migrate.htmlmd import escape_text, to_markdown
from generator.migrate.leftovers import WORDPRESS_SHORTCODES, snippet

_BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([\w/-]+)(\s+\{.*?\})?\s*(/?)-->", re.DOTALL)
_EMBED_BLOCK = re.compile(
    r"<!--\s*wp:(?:core-)?embed(?:/[\w-]+)?\s+(\{.*?\})\s*-->(.*?)<!--\s*/wp:(?:core-)?embed(?:/[\w-]+)?\s*-->",
    re.DOTALL,
)
_REUSABLE = re.compile(r"<!--\s*wp:block\s+(\{.*?\})\s*/-->", re.DOTALL)
_SHORTCODE_ARG = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))|"([^"]*)"|(\S+)""")
_CODE_NAMES = (
    "code",
    "sourcecode",
    "source",
    "python",
    "php",
    "js",
    "javascript",
    "css",
    "html",
    "xml",
    "bash",
    "shell",
    "sql",
    "ruby",
    "java",
    "cpp",
    "c",
    "csharp",
    "go",
    "text",
    "plain",
    "diff",
    "perl",
    "powershell",
)
_DYNAMIC = (
    "latest-posts",
    "archives",
    "categories",
    "tag-cloud",
    "calendar",
    "rss",
    "search",
    "latest-comments",
    "page-list",
    "query",
    "loginout",
    "navigation",
    "site-title",
    "site-logo",
    "post-title",
    "social-links",
)


# A shortcode still there: a known name, or any `[name attr=...]` / `[/name]`.
_LEFT_SHORTCODE = re.compile(
    r"\[/?(?:" + "|".join(WORDPRESS_SHORTCODES) + r")\b[^\]\n]*\]"
    r"|\[[a-z][\w-]*(?:\s+[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s\]]+))+\s*/?\]|\[/[a-z][\w-]*\]"
)


@dataclass
class Attachment:
    url: str
    title: str = ""
    caption: str = ""
    alt: str = ""
    parent: str = ""


@dataclass
class WordPressContext:
    attachments: Mapping[str, Attachment]  # post id → attachment
    reusable: Mapping[str, str]  # a reusable block's id → its content
    post_id: str
    left: list[tuple[str, str]] = field(default_factory=list)  # (text kept in the body, why)


def shortcode_args(text: str) -> tuple[list[str], dict[str, str]]:
    positional, named = [], {}
    for match in _SHORTCODE_ARG.finditer(text):
        if match.group(1):
            named[match.group(1).lower()] = next(g for g in match.group(2, 3, 4) if g is not None)
        else:
            positional.append(match.group(5) if match.group(5) is not None else match.group(6))
    return positional, named


def _shortcodes(
    text: str,
    names: tuple[str, ...],
    handle: Callable[[str, list[str], dict[str, str], str | None], str | None],
) -> str:
    """Replace `[name ...]...[/name]` and `[name ...]` for `names` (innermost enclosing first)."""
    pattern = re.compile(
        r"\[(" + "|".join(re.escape(n) for n in names) + r")(=[^\]\s]+)?((?:\s[^\]]*)?)\](?:(.*?)\[/\1\])?",
        re.DOTALL | re.IGNORECASE,
    )

    def one(match: re.Match[str]) -> str:
        name = match.group(1).lower()
        args = match.group(3)
        positional, named = shortcode_args(args)
        if match.group(2):  # WordPress.com's [youtube=URL]
            positional.insert(0, match.group(2)[1:])
        converted = handle(name, positional, named, match.group(4))
        return match.group(0) if converted is None else converted

    return pattern.sub(one, text)


def convert(content: str, context: WordPressContext, *, keep_html: bool = False) -> str:
    """Markdown (or HTML kept as HTML) for one post's body."""
    blocks = "<!-- wp:" in content
    text = _REUSABLE.sub(
        lambda m: context.reusable.get(str(_json(m.group(1)).get("ref", "")), m.group(0)), content
    )
    text = _EMBED_BLOCK.sub(lambda m: _embed_block(m, context), text)
    text = _BLOCK_COMMENT.sub(lambda m: _block_comment(m, context), text)
    protected: list[str] = []

    def protect(html_text: str) -> str:
        protected.append(html_text)
        return f"<!--protected {len(protected) - 1}-->"

    text = _shortcodes(text, _CODE_NAMES, lambda name, pos, named, body: _code(name, named, body, protect))
    text = re.sub(r"<pre\b.*?</pre\s*>", lambda m: protect(m.group(0)), text, flags=re.DOTALL | re.IGNORECASE)
    text = _shortcodes(text, ("caption", "wp_caption"), lambda name, pos, named, body: _caption(named, body))
    text = _shortcodes(text, ("gallery",), lambda name, pos, named, body: _gallery(named, context))
    text = _shortcodes(
        text,
        ("embed", "youtube", "vimeo", "tweet", "twitter", "soundcloud", "spotify", "ted", "instagram"),
        lambda name, pos, named, body: _embed(name, pos, named, body),
    )
    text = _shortcodes(text, ("audio", "video"), lambda name, pos, named, body: _media(name, pos, named))
    for match in _LEFT_SHORTCODE.finditer(text):
        shown = match.group(0) if keep_html else escape_text(match.group(0))
        why = "a shortcode of a WordPress plugin or theme: nothing here can run it"
        context.left.append((shown, f"WordPress shortcode {snippet(match.group(0))} left as it was: {why}"))
    text = re.sub(r"<!--protected (\d+)-->", lambda m: protected[int(m.group(1))], text)
    if keep_html:
        root = parse(text)
        if not blocks:
            autop(root)
        return (
            "\n\n".join(html_block(child) for child in _grouped(root.children) if str(child).strip()) + "\n"
        )
    return to_markdown(text, paragraphs=not blocks)


def _grouped(children: list) -> list:
    """Top-level nodes for kept HTML: inline runs wrapped in paragraphs, so each is a block."""
    from generator.migrate.htmldom import BLOCK, PARAGRAPH_BREAK, Comment, Element

    out, run = [], []
    for child in [*children, Element(PARAGRAPH_BREAK)]:
        if isinstance(child, Comment) or (
            isinstance(child, Element) and (child.tag in BLOCK or child.tag == PARAGRAPH_BREAK)
        ):
            if run and any(str(r).strip() if isinstance(r, str) else True for r in run):
                out.append(Element("p", {}, run))
            run = []
            if not (isinstance(child, Element) and child.tag == PARAGRAPH_BREAK):
                out.append(child)
        else:
            run.append(child)
    return out


def _json(text: str) -> dict:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _block_comment(match: re.Match[str], context: WordPressContext) -> str:
    _, name, _, self_closing = match.groups()
    name = name.removeprefix("core/")
    if self_closing and (name in _DYNAMIC or name.startswith(("woocommerce/", "jetpack/"))):
        marker = f"<!-- wp:{name}: a block WordPress filled in on each visit -->"
        why = f"WordPress's dynamic block '{name}' has nothing to import: remove it, or write what it showed"
        context.left.append((marker, why))
        return marker
    return ""


def _embed_block(match: re.Match[str], context: WordPressContext) -> str:
    attrs = _json(match.group(1))
    url = str(attrs.get("url") or "")
    caption = re.search(r"<figcaption[^>]*>(.*?)</figcaption>", match.group(2), re.DOTALL)
    if not url:
        return match.group(2)
    link = _link_for(url)
    return f"<p>{link}</p>" + (f"<p>{caption.group(1)}</p>" if caption else "")


def _link_for(url: str) -> str:
    if re.search(r"youtube\.com|youtu\.be", url):
        video = re.sub(r"^.*(?:v=|youtu\.be/|embed/)", "", url).split("&")[0].split("?")[0]
        return f'<a href="https://www.youtube.com/watch?v={html.escape(video)}">Watch on YouTube</a>'
    if "vimeo.com" in url:
        return f'<a href="{html.escape(url)}">Watch on Vimeo</a>'
    return f'<a href="{html.escape(url)}">{html.escape(url)}</a>'


def _code(name: str, named: dict[str, str], body: str | None, protect: Callable[[str], str]) -> str | None:
    if body is None:
        return None
    lang = (
        named.get("language")
        or named.get("lang")
        or ("" if name in ("code", "sourcecode", "source") else name)
    )
    code = html.unescape(body.strip("\n")) if "&lt;" in body or "&amp;" in body else body.strip("\n")
    css = f' class="language-{html.escape(lang)}"' if lang else ""
    return protect(f"<pre><code{css}>{html.escape(code, quote=False)}</code></pre>")


def _caption(named: dict[str, str], body: str | None) -> str | None:
    if body is None:
        return None
    match = re.match(r"\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", body, re.DOTALL)
    if match is None:
        return None
    caption = (named.get("caption") or match.group(2)).strip()
    image = re.sub(r"\s(class|width|height|srcset|sizes)=\"[^\"]*\"", "", match.group(1))
    return f"<figure>{image}<figcaption>{caption}</figcaption></figure>" if caption else image


def _gallery(named: dict[str, str], context: WordPressContext) -> str | None:
    if named.get("ids"):
        ids = [i.strip() for i in named["ids"].split(",") if i.strip()]
    else:
        ids = [key for key, a in context.attachments.items() if a.parent == context.post_id]
    images = [context.attachments[i] for i in ids if i in context.attachments]
    if not images:
        return None
    parts = []
    for image in images:
        alt = html.escape(image.alt or image.title)
        img = f'<img src="{html.escape(image.url)}" alt="{alt}">'
        parts.append(
            f"<figure>{img}<figcaption>{html.escape(image.caption)}</figcaption></figure>"
            if image.caption
            else f"<p>{img}</p>"
        )
    return "\n".join(parts)


def _embed(name: str, positional: list[str], named: dict[str, str], body: str | None) -> str | None:
    url = (body or "").strip() or named.get("url") or named.get("id") or (positional[0] if positional else "")
    if not url:
        return None
    if name == "youtube" and not url.startswith("http"):
        url = f"https://www.youtube.com/watch?v={url}"
    elif name == "vimeo" and not url.startswith("http"):
        url = f"https://vimeo.com/{url}"
    return f"<p>{_link_for(url)}</p>"


def _media(name: str, positional: list[str], named: dict[str, str]) -> str | None:
    source = named.get("src") or next(
        (named[k] for k in ("mp3", "m4a", "ogg", "wav", "mp4", "m4v", "webm", "ogv") if k in named), ""
    )
    if not source:
        return None
    return f'<div><{name} controls src="{html.escape(source)}"></{name}></div>'
