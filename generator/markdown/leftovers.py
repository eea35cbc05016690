"""Other generators' template syntax left in a post, found so it is never published silently.

Liquid and Nunjucks tags (`{% highlight %}`, `{{ site.baseurl }}`), Hugo shortcodes
(`{{< figure >}}`, `{{% notice %}}`), Pelican's `{static}` and `{filename}` links and
kramdown's `{::options}` mean nothing to Fireside: they would be printed as text. They
are looked for in prose, raw HTML and link targets, never in code, where they are
usually the subject of the post.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

_FOUND = re.compile(
    r"""(?P<hugo>\{\{[<%](?:.*?[>%]\}\}|[^\n]*))
    |(?P<liquid_tag>\{%-?\s*\w+(?:[^\n]*?-?%\}|[^\n]*))
    |(?P<output>\{\{-?[^\S\n]*(?P<inner>[^{}\n]*?)[^\S\n]*-?\}\})
    |(?P<pelican>\{(?:static|filename|attach|author|category|tag|index)\}|\|(?:filename|static)\|)
    |(?P<kramdown>\{::\w+[^}\n]*\}?)""",
    re.VERBOSE | re.DOTALL,
)
# Code spans and HTML comments (code, or hidden), and Pelican's links by content path in a
# link's target (the build resolves those): never leftovers.
_CODE_SPAN = re.compile(
    r"(`+)(?!`).+?(?<!`)\1(?!`)|<!--.*?-->|\]\((?:\{(?:filename|static|attach)\}|\|(?:filename|static|attach)\|)",
    re.DOTALL,
)
_KINDS = {
    "hugo": "a Hugo shortcode",
    "liquid_tag": "a template tag (Liquid, Nunjucks, Zola or a Pelican plugin)",
    "output": "a template value or Zola shortcode",
    "pelican": "a Pelican link",
    "kramdown": "a kramdown extension",
}
SNIPPET_LIMIT = 60


def find_leftovers(tokens: Sequence[Token]) -> list[tuple[int, str, str]]:
    """(line, snippet, what it is) of each piece of template syntax outside code.

    The Markdown source of each block is searched (not its rendered text, which the
    typographer has changed), with code spans and comments blanked out. Lines are 1-based
    in the Markdown text that was parsed.
    """
    found: list[tuple[int, str, str]] = []
    for token in tokens:
        if token.map is None or token.type not in ("inline", "html_block"):
            continue
        text = token.content
        if "{" not in text and "|" not in text:
            continue
        blanked = _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
        for match in _FOUND.finditer(blanked):
            kind = str(match.lastgroup if match.lastgroup != "inner" else "output")
            if kind == "output" and not re.search(r"[\s.|'\"]", match.group("inner") or ""):
                continue  # `{{a}}` is more often TeX than a template
            snippet = " ".join(match.group(0).split())
            if len(snippet) > SNIPPET_LIMIT:
                snippet = snippet[: SNIPPET_LIMIT - 1] + "…"
            found.append((token.map[0] + 1 + text.count("\n", 0, match.start()), snippet, _KINDS[kind]))
    return found
