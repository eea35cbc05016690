"""reStructuredText (Pelican's other format) as Markdown, for the constructs posts use.

Titles, paragraphs, emphasis, literals, links and their targets, lists, definition and
field lists, block and line quotes, literal blocks, tables in grid or simple form, and the
directives with a Markdown form (`code-block`, `image`, `figure`, admonitions, `raw html`,
`youtube`/`vimeo`) are converted; `contents` is dropped (Fireside shows a post's contents
itself). Any other directive is left in place as written, and listed. Inline markup is
read by rstinline.py, tables by rsttables.py.
"""

from __future__ import annotations

import html
import re

from generator.migrate.mdtext import embed_link, fence
from generator.migrate.rstinline import ANONYMOUS_TARGET, SUBSTITUTION, TARGET, InlineMarkup
from generator.migrate.rstlines import dedent, indented, is_definition, skip_blank, until_blank
from generator.migrate.rsttables import grid_table, simple_table

_ADORNMENT = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_BULLET = re.compile(r"^(\s*)([-*+•])(\s+)(.*)$")
_ENUMERATED = re.compile(r"^(\s*)(\d+|#|[a-zA-Z])([.)])(\s+)(.*)$")
_DIRECTIVE = re.compile(r"^\.\.\s+([\w:-]+)::\s*(.*)$")
_FOOTNOTE = re.compile(r"^\.\.\s+\[(#?[\w-]*|\d+)\]\s+(.*)$")
_FIELD = re.compile(r"^:([^:]+):\s*(.*)$")
_ADMONITIONS = (
    "note",
    "warning",
    "tip",
    "important",
    "attention",
    "caution",
    "danger",
    "error",
    "hint",
    "seealso",
    "admonition",
)
_CODE = ("code-block", "code", "sourcecode")
_SETTINGS = ("contents", "role", "default-role", "sectnum", "meta", "title", "highlight", "tabularcolumns")


class _Document:
    def __init__(self, text: str) -> None:
        self.lines = text.expandtabs(8).split("\n")
        self.markup = InlineMarkup(self.lines)
        self.inline = self.markup.inline
        self.styles: list[str] = []
        self.leftovers: list[tuple[str, str]] = []

    # -- blocks -----------------------------------------------------------------------------

    def blocks(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        index = 0
        while index < len(lines):
            line = lines[index]
            if not line.strip():
                index += 1
                continue
            index = self._block(lines, index, out)
        return out

    def _block(self, lines: list[str], index: int, out: list[str]) -> int:
        line = lines[index]
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if indent:
            block, end = indented(lines, index)
            inner = self.blocks(dedent(block))
            quoted = "\n\n".join(inner)
            out.append("\n".join(f"> {q}" if q else ">" for q in quoted.split("\n")))
            return end
        if (
            _ADORNMENT.match(stripped)
            and index + 2 < len(lines)
            and _ADORNMENT.match(lines[index + 2].strip())
            and nxt.strip()
        ):
            out.append(self._heading(stripped[0] + "o", nxt.strip()))
            return index + 3
        if (
            nxt
            and _ADORNMENT.match(nxt.strip())
            and len(nxt.strip()) >= len(stripped) * 0.6
            and not _ADORNMENT.match(stripped)
        ):
            out.append(self._heading(nxt.strip()[0], stripped))
            return index + 2
        if re.fullmatch(r"=+(\s+=+)+\s*", stripped):
            return self._simple_table(lines, index, out)
        if _ADORNMENT.match(stripped) and len(stripped) >= 4 and not nxt.strip():
            out.append("* * *")
            return index + 1
        if stripped.startswith("+-") and stripped.endswith("+"):
            return self._grid_table(lines, index, out)
        if stripped.startswith(".."):
            return self._explicit(lines, index, out)
        if stripped.startswith(">>>"):
            block, end = until_blank(lines, index)
            out.append(fence("\n".join(block), "python"))
            return end
        if stripped.startswith("| ") or stripped == "|":
            block, end = until_blank(lines, index)
            out.append("\\\n".join(self.inline(b.strip()[2:]) or "&nbsp;" for b in block))
            return end
        if _BULLET.match(line) or _ENUMERATED.match(line):
            return self._list(lines, index, out)
        if _FIELD.match(stripped) and not stripped.startswith(":" + ":"):
            block, end = until_blank(lines, index)
            fields = []
            for entry in block:
                match = _FIELD.match(entry.strip())
                fields.append(
                    f"**{self.inline(match.group(1))}:** {self.inline(match.group(2))}"
                    if match
                    else self.inline(entry.strip())
                )
            out.append("\\\n".join(fields))
            return end
        paragraph, end = until_blank(lines, index)
        if (
            end < len(lines)
            and len(paragraph) == 1
            and lines[end - 1 + 1 : end + 1]
            and is_definition(lines, index)
        ):
            return self._definitions(lines, index, out)
        text = "\n".join(p.strip() for p in paragraph)
        literal = text.endswith("::")
        if literal:
            text = text[:-2].rstrip() + (
                ":" if text[:-2].rstrip() and not text[:-2].rstrip().endswith(":") else ""
            )
        if text.strip():
            out.append(self.inline(text))
        if literal:
            end = skip_blank(lines, end)
            block, after = indented(lines, end)
            if block:
                out.append(fence("\n".join(dedent(block)).strip("\n"), ""))
            return after
        return end

    def _heading(self, style: str, title: str) -> str:
        if style not in self.styles:
            self.styles.append(style)
        level = min(6, self.styles.index(style) + 2)
        return f"{'#' * level} {self.inline(title)}"

    def _list(self, lines: list[str], index: int, out: list[str]) -> int:
        items: list[tuple[str, list[str]]] = []
        ordered = None
        number = 1
        while index < len(lines):
            line = lines[index]
            bullet, enum = _BULLET.match(line), _ENUMERATED.match(line)
            match = bullet or enum
            if not match or (len(line) - len(line.lstrip())) != 0:
                if not line.strip():
                    index += 1
                    continue
                break
            is_ordered = enum is not None and bullet is None
            if ordered is None:
                ordered = is_ordered
                if enum and enum.group(2).isdigit():
                    number = int(enum.group(2))
            elif ordered != is_ordered:
                break
            width = (
                len(match.group(1))
                + len(match.group(2))
                + (len(enum.group(3)) if enum and not bullet else 0)
                + len(match.group(3 if bullet else 4))
            )
            content = [" " * width + match.group(4 if bullet else 5)]
            index += 1
            while index < len(lines) and (
                not lines[index].strip() or len(lines[index]) - len(lines[index].lstrip()) >= width
            ):
                content.append(lines[index])
                index += 1
            while content and not content[-1].strip():
                content.pop()
            items.append(("", self.blocks(dedent(content))))
        loose = any(len(blocks) > 1 for _, blocks in items)
        rendered = []
        for offset, (_, blocks) in enumerate(items):
            marker = f"{number + offset}. " if ordered else "- "
            body = ("\n\n" if loose else "\n").join(blocks)
            pad = " " * len(marker)
            rendered.append(
                marker + "\n".join((pad + b if b and i else b) for i, b in enumerate(body.split("\n")))
            )
        out.append(("\n\n" if loose else "\n").join(rendered))
        return index

    def _definitions(self, lines: list[str], index: int, out: list[str]) -> int:
        entries = []
        while (
            index < len(lines)
            and lines[index].strip()
            and not lines[index].startswith(" ")
            and is_definition(lines, index)
        ):
            term = lines[index].strip()
            block, index = indented(lines, index + 1)
            definition = "\n\n".join(self.blocks(dedent(block)))
            entries.append(f"{self.inline(term)}\n:   " + definition.replace("\n", "\n    "))
            index = skip_blank(lines, index)
        out.append("\n\n".join(entries))
        return index

    def _explicit(self, lines: list[str], index: int, out: list[str]) -> int:
        stripped = lines[index].strip()
        block, end = indented(lines, index + 1)
        if TARGET.match(stripped) or ANONYMOUS_TARGET.match(stripped) or SUBSTITUTION.match(stripped):
            return end
        if match := _FOOTNOTE.match(stripped):
            label = match.group(1).lstrip("#") or str(len(self.markup.footnotes) + 1)
            self.markup.footnotes[match.group(1)] = label
            text = " ".join([match.group(2), *(b.strip() for b in block)])
            out.append(f"[^{label}]: {self.inline(text)}")
            return end
        match = _DIRECTIVE.match(stripped)
        if match is None:
            comment = "\n".join([stripped[2:].strip(), *(dedent(block))]).strip().replace("--", "- -")
            if comment:
                out.append(f"<!-- {comment} -->")
            return end
        name, argument = match.group(1).lower(), match.group(2).strip()
        options: dict[str, str] = {}
        body = dedent(block)
        while body and _FIELD.match(body[0].strip()):
            field = _FIELD.match(body[0].strip())
            assert field is not None
            options[field.group(1).lower()] = field.group(2).strip()
            body = body[1:]
        while body and not body[0].strip():
            body = body[1:]
        converted = self._directive(name, argument, options, body)
        if converted is None:
            source = "\n".join(lines[index:end]).rstrip()
            out.append(source)
            self.leftovers.append(
                (stripped, f"reStructuredText directive '{name}' left as it was: it has no Markdown form")
            )
        elif converted:
            out.append(converted)
        return end

    def _directive(self, name: str, argument: str, options: dict[str, str], body: list[str]) -> str | None:
        if name in _CODE:
            lang = argument.split()[0] if argument else ""
            return fence("\n".join(body).strip("\n"), lang)
        if name in _SETTINGS:
            return ""  # settings of the document, not its text (Fireside shows a post's contents itself)
        if name == "image":
            image = f"![{options.get('alt', '')}]({argument})"
            return f"[{image}]({options['target']})" if options.get("target") else image
        if name == "figure":
            paragraphs = "\n".join(body).strip().split("\n\n")
            caption = self.inline(" ".join(paragraphs[0].split())) if paragraphs and paragraphs[0] else ""
            alt = html.escape(options.get("alt", ""))
            image = f'<img src="{html.escape(argument)}" alt="{alt}">'
            if options.get("target"):
                image = f'<a href="{html.escape(options["target"])}">{image}</a>'
            from markdown_it import MarkdownIt

            caption_html = MarkdownIt("commonmark").renderInline(caption) if caption else ""
            return (
                f"<figure>{image}"
                + (f"<figcaption>{caption_html}</figcaption>" if caption_html else "")
                + "</figure>"
            )
        if name in _ADMONITIONS:
            label = argument if name == "admonition" and argument else name.capitalize()
            inner = "\n\n".join(
                self.blocks(([argument] if argument and name != "admonition" else []) + [""] + body)
            )
            quoted = "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
            return f"> **{self.inline(label)}:**\n>\n{quoted}"
        if name == "raw" and "html" in argument:
            return "\n".join(body).strip("\n")
        if name in ("youtube", "vimeo"):
            return embed_link(name, [argument])
        if name in (
            "pull-quote",
            "epigraph",
            "highlights",
            "container",
            "compound",
            "rubric",
            "topic",
            "sidebar",
        ):
            inner = "\n\n".join(self.blocks(body))
            if name == "rubric" or name == "topic":
                inner = f"**{self.inline(argument)}**\n\n{inner}" if argument else inner
            return (
                "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
                if name != "container"
                else inner
            )
        return None

    def _simple_table(self, lines: list[str], index: int, out: list[str]) -> int:
        table, end = simple_table(lines, index, self.inline)
        out.append(table)
        return end

    def _grid_table(self, lines: list[str], index: int, out: list[str]) -> int:
        table, end, leftover = grid_table(lines, index, self.inline)
        out.append(table)
        if leftover is not None:
            self.leftovers.append(leftover)
        return end


def to_markdown(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Markdown for an rST body (its title and metadata already taken), and what was left."""
    document = _Document(text)
    blocks = document.blocks(document.lines)
    return "\n\n".join(b for b in blocks if b.strip()) + "\n", document.leftovers
