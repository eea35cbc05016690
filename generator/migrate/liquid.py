"""Liquid in Markdown (Jekyll, and Eleventy's Liquid and Nunjucks): evaluated where the
source itself holds the answer, left as written where it does not.

Each top-level statement is converted on its own: `{% raw %}` keeps its text,
`{% highlight %}` becomes a fenced block, `{% include %}` is rendered from the include
file (with its parameters, `if`, `assign`, `for` and Liquid's own filters), `{% link %}`
and `{% post_url %}` become the old URL (which the link pass points at the new file),
`{{ site.x }}`, `{{ page.x }}` and `_data` values their text, and embeds (`youtube`,
`gist`, `tweet`) plain links, since pages make no request to other sites. A statement
that needs the old generator at build time (`site.posts`, a plugin's tag or filter) is
left exactly as written, with the reason, for `leftovers` to list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.migrate.liquidexpr import (
    Evaluator,
    Missing,
    Unsupported,
    split_outside_quotes,
    text_of,
    truthy,
)
from generator.migrate.mdtext import embed_link, fence, image_tag, restore_raw

_RAW = re.compile(r"\{%-?\s*raw\s*-?%\}(.*?)\{%-?\s*endraw\s*-?%\}", re.DOTALL)
_COMMENT = re.compile(r"\{%-?\s*comment\s*-?%\}(.*?)\{%-?\s*endcomment\s*-?%\}", re.DOTALL)
_TOKEN = re.compile(r"\{%(-?)\s*(.*?)\s*(-?)%\}|\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.DOTALL)
_ENDS = {
    "if": "endif",
    "unless": "endunless",
    "case": "endcase",
    "for": "endfor",
    "capture": "endcapture",
    "highlight": "endhighlight",
    "blockquote": "endblockquote",
    "codeblock": "endcodeblock",
    "tablerow": "endtablerow",
    "renderTemplate": "endrenderTemplate",
    "set": "endset",
    "macro": "endmacro",
    "filter": "endfilter",
    "call": "endcall",
}
_MIDDLES = {
    "if": ("elsif", "elif", "else"),
    "unless": ("elsif", "else"),
    "case": ("when", "else"),
    "for": ("else",),
}
_PARAM = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[\w.\[\]'"-]+)""")
_PLACEHOLDER = "\x00raw{}\x00"
_EMBEDS = ("youtube", "vimeo", "gist", "tweet", "twitter", "codepen")
_MAX_DEPTH = 12
_NOTICE = re.compile(
    r"^(notice|note|alert|callout|admonition|hint|tip|info|warning|caution|important|aside)$"
)
_FIGURE = re.compile(r"^(figure|fig|image_block|img_block)$")


@dataclass
class LiquidContext:
    """What the converter may ask about the site while converting one document."""

    post_url: Callable[[str], str | None]  # `{% post_url 2010-07-21-name %}` → the post's old URL
    link: Callable[[str], str | None]  # `{% link _posts/x.md %}` → its old URL
    include: Callable[[str, bool], str | None]  # (name, relative) → the include file's text
    roots: Callable[[str], Any]  # a top-level variable's value; Missing(); or Unsupported
    filters: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # The source generator's own tags (Pelican's liquid_tags): their words → text, or
    # None to leave the tag as it is (the callable may say why by raising Unsupported).
    tags: Mapping[str, Callable[[list[str]], str | None]] = field(default_factory=dict)


@dataclass
class _Text:
    text: str


@dataclass
class _Output:
    expression: str
    source: str


@dataclass
class _Tag:
    name: str
    args: str
    source: str


@dataclass
class _Block:
    name: str
    branches: list[tuple[str, str, list[Any]]]  # (keyword, its arguments, the nodes it holds)
    source: str
    inner: str  # the source between the opening and closing tags


def parse(text: str) -> list[Any]:
    tokens = list(_TOKEN.finditer(text))
    names = {t.group(2).partition(" ")[0].strip() for t in tokens if t.group(2) is not None}
    # A plugin's tag with an `end` tag of its own ({% figure %}...{% endfigure %}) is a block.
    ends = {**_ENDS, **{name: f"end{name}" for name in names if f"end{name}" in names and name not in _ENDS}}
    nodes, _, _ = _parse(text, tokens, 0, 0, None, ends)
    return nodes


def _parse(
    text: str, tokens: list[re.Match[str]], index: int, at: int, block: str | None, ends: dict[str, str]
) -> tuple[list[Any], int, int]:
    """Nodes until `block`'s middle or end tag; (nodes, index of that tag, text position)."""
    nodes: list[Any] = []
    while index < len(tokens):
        token = tokens[index]
        if token.start() > at:
            nodes.append(_Text(text[at : token.start()]))
        if token.group(5) is not None:
            nodes.append(_Output(token.group(5), token.group(0)))
            index, at = index + 1, token.end()
            continue
        name, _, args = token.group(2).partition(" ")
        name = name.strip()
        if block is not None and (name == ends[block] or name in _MIDDLES.get(block, ())):
            return nodes, index, token.start()
        if name in ends:
            branches: list[tuple[str, str, list[Any]]] = []
            keyword, keyword_args, cursor, start_at = name, args.strip(), index + 1, token.end()
            while True:
                body, cursor, _ = _parse(text, tokens, cursor, start_at, name, ends)
                branches.append((keyword, keyword_args, body))
                if cursor >= len(tokens):
                    break  # never closed: only the opening tag is a statement
                closing = tokens[cursor]
                keyword, _, rest = closing.group(2).partition(" ")
                keyword_args = rest.strip()
                if keyword.strip() == ends[name]:
                    inner = text[token.end() : closing.start()]
                    nodes.append(_Block(name, branches, text[token.start() : closing.end()], inner))
                    index, at = cursor + 1, closing.end()
                    break
                cursor, start_at = cursor + 1, closing.end()
            if cursor >= len(tokens):
                nodes.append(_Tag(name, args.strip(), token.group(0)))
                index, at = index + 1, token.end()
            continue
        nodes.append(_Tag(name, args.strip(), token.group(0)))
        index, at = index + 1, token.end()
    if at < len(text):
        nodes.append(_Text(text[at:]))
    return nodes, index, len(text)


class _Break(Exception):
    def __init__(self, kind: str) -> None:
        self.kind = kind


class _Renderer:
    def __init__(self, context: LiquidContext) -> None:
        self.context = context
        self.evaluator = Evaluator(self._root, context.filters)
        self.include_scopes: list[dict[str, Any]] = []
        self.depth = 0

    def _root(self, name: str) -> Any:
        if name == "include":
            return self.include_scopes[-1] if self.include_scopes else Missing()
        return self.context.roots(name)

    def render(self, nodes: list[Any]) -> str:
        return "".join(self.node(node) for node in nodes)

    def node(self, node: Any) -> str:
        if isinstance(node, _Text):
            return node.text
        if isinstance(node, _Output):
            return text_of(self.evaluator.expression(node.expression))
        if isinstance(node, _Block):
            return self.block(node)
        return self.tag(node)

    def tag(self, tag: _Tag) -> str:
        name, args = tag.name, tag.args
        if name in self.context.tags:
            made = self.context.tags[name](_args(args))
            if made is None:
                raise Unsupported(f"the tag {name!r} has no Markdown form")
            return made
        if name in ("assign", "set") and "=" in args:
            variable, _, expression = args.partition("=")
            self.evaluator.assign(variable.strip(), self.evaluator.expression(expression))
            return ""
        if name in ("break", "continue"):
            raise _Break(name)
        if name in ("include", "include_relative", "render", "include_cached"):
            return self.include(args, relative=name == "include_relative")
        if name in ("post_url", "link"):
            target = self.render(parse(args)).strip().strip("\"'")
            found = (self.context.post_url if name == "post_url" else self.context.link)(target)
            if found is None:
                raise Unsupported(f"no {'post' if name == 'post_url' else 'file'} {target!r} was imported")
            return found
        if name in _EMBEDS:
            values = [self.argument(a) for a in _args(args)]
            if values:
                return embed_link(name, values)
        if name in ("image", "img", "figure"):
            values = [self.argument(a) for a in _args(args)]
            image = image_tag(name, values)
            if image:
                return image
        if name in ("increment", "decrement", "cycle", "layout", "extends", "import", "from", "block", "seo"):
            raise Unsupported("template logic with no meaning in a post")
        raise Unsupported(f"the tag {name!r} is not Liquid's own (a plugin's, or a shortcode?)")

    def argument(self, word: str) -> str:
        """A plugin tag's argument: quoted text, a variable that is set, else the word itself."""
        if word[:1] in "\"'" and word[-1:] == word[:1]:
            return word[1:-1]
        try:
            value = self.evaluator.value(word)
        except Unsupported:
            return word
        return word if isinstance(value, Missing) or value is None else text_of(value)

    def include(self, args: str, *, relative: bool) -> str:
        name, params_text = [*re.split(r"\s+", args.strip(), maxsplit=1), ""][:2]
        if "{{" in name:
            name = self.render(parse(name))
        name = name.strip().strip("\"'").rstrip(",")
        text = self.context.include(name, relative)
        if text is None:
            raise Unsupported(f"the include file {name!r} is not in the source")
        if self.depth >= _MAX_DEPTH:
            raise Unsupported("includes nested too deep")
        params = {key: self.evaluator.value(value) for key, value in _PARAM.findall(params_text)}
        if "," in params_text and not params:  # Nunjucks: include "x.njk", with a data object
            raise Unsupported("an include with data")
        self.include_scopes.append(params)
        self.evaluator.scopes.append({})
        self.depth += 1
        try:
            return self.render(parse(_strip_raw_markers(text)))
        finally:
            self.depth -= 1
            self.evaluator.scopes.pop()
            self.include_scopes.pop()

    def block(self, block: _Block) -> str:
        name = block.name
        if name in ("if", "unless"):
            for index, (keyword, args, body) in enumerate(block.branches):
                if keyword == "else":
                    return self.render(body)
                holds = self.evaluator.condition(args)
                if (name == "unless" and index == 0 and not holds) or ((name == "if" or index) and holds):
                    return self.render(body)
            return ""
        if name == "case":
            subject = self.evaluator.value(block.branches[0][1])
            for keyword, args, body in block.branches[1:]:
                if keyword == "else" or any(
                    self.evaluator.value(a) == subject
                    for a in split_outside_quotes(args.replace(" or ", ","), ",")
                ):
                    return self.render(body)
            return ""
        if name == "for":
            return self.loop(block)
        if name in ("capture", "set"):
            self.evaluator.assign(block.branches[0][1].strip(), self.render(block.branches[0][2]))
            return ""
        if name in ("highlight", "codeblock"):
            words = block.branches[0][1].replace(",", " ").split()
            lang = words[0].strip("\"'") if words else ""
            return fence(block.inner.strip("\n"), lang if re.fullmatch(r"[\w+#.-]+", lang) else "")
        if name == "renderTemplate":  # Eleventy: the body in another template language, usually Markdown
            return self.render(block.branches[0][2]).strip("\n")
        if name == "blockquote":
            inner = self.render(block.branches[0][2]).strip("\n")
            quote = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            words = block.branches[0][1].strip()
            return quote + (f"\n>\n> — {words}" if words else "")
        if _NOTICE.match(name):  # a plugin's callout: a quote with its label
            inner = self.render(block.branches[0][2]).strip("\n")
            label = block.branches[0][1].strip().strip("\"'") or name
            quote = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            return f"> **{label.capitalize()}:**\n>\n{quote}"
        if _FIGURE.match(name):  # a plugin's figure: its images, then its caption
            inner = self.render(block.branches[0][2]).strip("\n")
            caption = re.search(r"""caption\s*[:=]\s*("[^"]*"|'[^']*')""", block.branches[0][1])
            return inner + (
                f"\n\n*{caption.group(1)[1:-1].strip()}*"
                if caption and caption.group(1)[1:-1].strip()
                else ""
            )
        raise Unsupported(f"the block {name!r} has no meaning in a post")

    def loop(self, block: _Block) -> str:
        header = block.branches[0][1]
        match = re.match(r"(\w+)\s+in\s+(\S+)(.*)$", header)
        if not match:
            raise Unsupported("a loop Fireside cannot read")
        items = self.evaluator.value(match.group(2))
        if isinstance(items, Missing) or items is None:
            items = []
        if isinstance(items, dict):
            items = [[k, v] for k, v in items.items()]
        if not isinstance(items, list):
            raise Unsupported("a loop over something that is not a list")
        options = match.group(3)
        if (limit := re.search(r"limit\s*:\s*(\d+)", options)) is not None:
            items = items[: int(limit.group(1))]
        if "reversed" in options:
            items = list(reversed(items))
        if not items:
            return self.render(block.branches[1][2]) if len(block.branches) > 1 else ""
        out = []
        self.evaluator.scopes.append({})
        try:
            for index, item in enumerate(items):
                self.evaluator.assign(match.group(1), item)
                self.evaluator.assign(
                    "forloop",
                    {
                        "index": index + 1,
                        "index0": index,
                        "first": index == 0,
                        "last": index == len(items) - 1,
                        "length": len(items),
                    },
                )
                try:
                    out.append(self.render(block.branches[0][2]))
                except _Break as stop:
                    if stop.kind == "break":
                        break
        finally:
            self.evaluator.scopes.pop()
        return "".join(out)


def _args(text: str) -> list[str]:
    parts = (
        [p.strip() for p in split_outside_quotes(text, ",")]
        if "," in text
        else re.findall(r"""("[^"]*"|'[^']*'|\S+)""", text)
    )
    return [p for p in parts if p]


def _strip_raw_markers(text: str) -> str:
    return _RAW.sub(lambda m: m.group(1), text)


def convert(text: str, context: LiquidContext) -> tuple[str, dict[str, str]]:
    """`text` with every Liquid statement the source can answer converted; the reasons why
    each other one was left (by its source text)."""
    reasons: dict[str, str] = {}
    raws: list[str] = []

    def keep_raw(match: re.Match[str]) -> str:
        raws.append(match.group(1))
        return _PLACEHOLDER.format(len(raws) - 1)

    text = _RAW.sub(keep_raw, text)
    text = _COMMENT.sub(lambda m: "<!--" + m.group(1).replace("--", "- -") + "-->", text)
    renderer = _Renderer(context)
    out = []
    for node in parse(text):
        if isinstance(node, _Text):
            out.append(node.text)
            continue
        try:
            out.append(renderer.node(node))
        except Unsupported as why:
            reasons[node.source.strip()] = str(why)
            out.append(node.source)
        except (
            _Break,
            RecursionError,
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            AttributeError,
        ) as problem:
            reasons[node.source.strip()] = f"could not be evaluated ({type(problem).__name__})"
            out.append(node.source)
    return restore_raw("".join(out), raws), reasons


__all__ = ["LiquidContext", "Missing", "Unsupported", "convert", "embed_link", "fence", "text_of", "truthy"]
