"""reStructuredText's inline markup as Markdown: emphasis, literals, roles, links and
their targets, footnote references, substitutions, standalone URLs."""

from __future__ import annotations

import html
import re

from generator.migrate.htmlmd import code_span

TARGET = re.compile(r"^\.\.\s+_(`[^`]+`|[^:`]+):\s*(.*)$")  # a quoted name may hold a colon
ANONYMOUS_TARGET = re.compile(r"^(?:\.\.\s+)?__\s*:?\s+(\S+)\s*$")
SUBSTITUTION = re.compile(r"^\.\.\s+\|([^|]+)\|\s+([\w-]+)::\s*(.*)$")


class InlineMarkup:
    """One document's inline markup, with the targets and substitutions it defines anywhere."""

    def __init__(self, lines: list[str]) -> None:
        self.targets: dict[str, str] = {}
        self.anonymous: list[str] = []
        self.substitutions: dict[str, str] = {}
        self.footnotes: dict[str, str] = {}
        self._collect(lines)

    def _collect(self, lines: list[str]) -> None:
        """Targets and substitutions anywhere in the document, for links before them."""
        for line in lines:
            stripped = line.strip()
            if match := TARGET.match(stripped):
                name = match.group(1).strip("`").strip()
                self.targets[_key(name)] = match.group(2).strip()
            elif match := ANONYMOUS_TARGET.match(stripped):
                self.anonymous.append(match.group(1))
            elif match := SUBSTITUTION.match(stripped):
                name, kind, argument = match.groups()
                if kind == "image":
                    self.substitutions[name] = f"![{name}]({argument.strip()})"
                elif kind == "replace":
                    self.substitutions[name] = argument.strip()
                elif kind == "unicode":
                    self.substitutions[name] = _unicode(argument)

    def inline(self, text: str) -> str:
        parts = re.split(r"(``.+?``)", text)
        out = []
        for part in parts:
            if part.startswith("``") and part.endswith("``") and len(part) > 4:
                out.append(code_span(part[2:-2]))
            else:
                out.append(self._inline_text(part))
        return "".join(out)

    def _inline_text(self, text: str) -> str:
        """Inline markup outside literals: each construct converted, the text between escaped."""
        out, at = [], 0
        for match in _INLINE.finditer(text):
            out.append(_escape(text[at : match.start()]))
            out.append(self._construct(match))
            at = match.end()
        out.append(_escape(text[at:]))
        return "".join(out)

    def _construct(self, match: re.Match[str]) -> str:
        kind = match.lastgroup
        if kind == "role":
            return _role(match.group("role_name"), match.group("role_text"))
        if kind == "link":
            label, target, anonymous = (
                match.group("link_text"),
                match.group("link_target"),
                match.group("link_end") == "__",
            )
            if target is not None:
                url = target.strip()
                label = label.strip()
                if not anonymous and label:
                    self.targets.setdefault(_key(label), url)
                if url.endswith("_") and not url.startswith(("http", "/")):
                    url = self.targets.get(_key(url[:-1]), url)
                return f"[{_escape(label or url)}]({_destination(url)})"
            url = self.anonymous.pop(0) if anonymous and self.anonymous else self.targets.get(_key(label))
            if url is None:
                return f"[{_escape(label)}](#{_anchor(label)})"
            return f"[{_escape(label)}]({_destination(url)})"
        if kind == "interpreted":
            return f"*{_escape(match.group('interpreted_text'))}*"
        if kind == "reference":
            word = match.group("reference_word")
            url = self.targets.get(_key(word))
            return f"[{_escape(word)}]({_destination(url)})" if url else _escape(word)
        if kind == "footnote":
            label = match.group("footnote_label")
            return f"[^{self.footnotes.get(label, label.lstrip('#') or '1')}]"
        if kind == "substitution":
            name = match.group("substitution_name")
            return self.substitutions.get(name, _escape(match.group(0)))
        if kind == "url":
            return f"<{match.group(0)}>"
        if kind in ("strong", "emphasis"):
            mark = "**" if kind == "strong" else "*"
            return f"{mark}{_escape(match.group(kind + '_text'))}{mark}"
        return _escape(match.group(0))


_INLINE = re.compile(
    r"(?P<role>:(?P<role_name>[\w-]+):`(?P<role_text>[^`]+)`)"
    r"|(?P<link>`(?P<link_text>[^`<]*?)\s*(?:<(?P<link_target>[^>]+)>)?`(?P<link_end>__?))"
    r"|(?P<interpreted>`(?P<interpreted_text>[^`]+)`(?!_))"
    r"|(?P<strong>\*\*(?P<strong_text>[^*\s](?:[^*]*[^*\s])?)\*\*)"
    r"|(?P<emphasis>(?<![\w*])\*(?P<emphasis_text>[^*\s](?:[^*]*[^*\s])?)\*(?![\w*]))"
    r"|(?P<footnote>\[(?P<footnote_label>#?[\w-]*|\d+)\]_)"
    r"|(?P<substitution>\|(?P<substitution_name>[^|\s][^|]*)\|)"
    r"|(?P<url>https?://[^\s<>`]+[^\s<>`.,;:!?)])"
    r"|(?P<reference>(?<![\w`])(?P<reference_word>[\w-]+)_(?!\w))"
)


def _escape(text: str) -> str:
    """Text that Markdown shows as written: its own markup characters escaped."""
    text = re.sub(r"(?<!\\)([`*_\[\]])", r"\\\1", text)
    return re.sub(r"<(?=[A-Za-z/!])", r"\\<", text)


def _role(name: str, content: str) -> str:
    if name in ("code", "file", "samp", "literal", "command", "program", "envvar", "option", "math"):
        return code_span(content)
    if name in ("emphasis", "title-reference", "title", "t", "dfn"):
        return f"*{_escape(content)}*"
    if name == "strong":
        return f"**{_escape(content)}**"
    if name in ("sup", "superscript", "sub", "subscript"):
        tag = "sup" if name.startswith("sup") else "sub"
        return f"<{tag}>{html.escape(content)}</{tag}>"
    if name == "kbd":
        return f"<kbd>{html.escape(content)}</kbd>"
    if name == "abbr":
        short, _, long = content.partition(" (")
        return (
            f'<abbr title="{html.escape(long.rstrip(")"))}">{html.escape(short)}</abbr>'
            if long
            else _escape(short)
        )
    return _escape(re.sub(r"\s*<[^>]*>$", "", content))


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def _anchor(label: str) -> str:
    from generator.site.slugs import slugify

    return slugify(label, fallback="section")


def _destination(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()]", url) else url


def _unicode(argument: str) -> str:
    chars = []
    for part in argument.split():
        if re.fullmatch(r"(0x|U\+|u|\\x)?[0-9a-fA-F]+", part):
            chars.append(chr(int(re.sub(r"^(0x|U\+|u|\\x)", "", part), 16)))
        else:
            chars.append(part)
    return "".join(chars)
