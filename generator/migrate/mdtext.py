"""Small pieces of Markdown every converter writes: fenced code that no backtick in it can
end, embeds as plain links (pages make no request to other sites), and text the author
meant to show that must never be read as a template tag."""

from __future__ import annotations

import re

from generator.migrate.leftovers import CodeMap


def fence(code: str, lang: str) -> str:
    longest = max((len(m) for m in re.findall(r"`+", code)), default=0)
    marks = "`" * max(3, longest + 1)
    return f"{marks}{lang}\n{code}\n{marks}"


def embed_link(name: str, args: list[str]) -> str:
    """An embed as a plain link: the page makes no request to the other site."""
    first = args[0].strip()
    if name == "youtube":
        video = re.sub(r"^.*(?:v=|youtu\.be/|embed/)", "", first).split("&")[0]
        return f"[Watch on YouTube](https://www.youtube.com/watch?v={video})"
    if name == "vimeo":
        return f"[Watch on Vimeo](https://vimeo.com/{first.rsplit('/', 1)[-1]})"
    if name == "gist":
        return f"[View the gist {first}](https://gist.github.com/{first})"
    if name == "codepen":
        url = first if first.startswith("http") else f"https://codepen.io/pen/{first}"
        return f"[See the pen on CodePen]({url})"
    url = first if first.startswith("http") else f"https://twitter.com/i/status/{first}"
    return f"[View the post]({url})"


def restore_raw(text: str, raws: list[str]) -> str:
    """Put raw blocks back; outside code their braces become entities, so no build warns
    about syntax the author meant to show."""
    if not raws:
        return text
    code = CodeMap(text)
    out = []
    at = 0
    for match in re.finditer("\x00raw(\\d+)\x00", text):
        out.append(text[at : match.start()])
        raw = raws[int(match.group(1))]
        out.append(raw if code.inside(match.start()) else escape_braces(raw))
        at = match.end()
    out.append(text[at:])
    return "".join(out)


def escape_braces(text: str) -> str:
    """`{{` and `{%` outside code as HTML entities: shown as written, never read as a tag."""
    code = CodeMap(text)
    return "".join(
        "&#123;" if ch == "{" and text[i + 1 : i + 2] in ("{", "%") and not code.inside(i) else ch
        for i, ch in enumerate(text)
    )


def image_tag(name: str, args: list[str]) -> str | None:
    """Eleventy's `{% image "src", "alt" %}`, Octopress's `{% img [class] src [w h] [title] %}`."""
    if not args:
        return None
    if name == "img":
        parts = [a for a in args if not re.fullmatch(r"left|right|center|\d+", a)]
        if not parts:
            return None
        return f"![{' '.join(parts[1:]).strip(chr(34) + chr(39))}]({parts[0]})"
    alt = args[1] if len(args) > 1 else ""
    image = f"![{alt}]({args[0]})"
    if name == "figure" and len(args) > 2 and args[2]:
        return f'<figure><img src="{args[0]}" alt="{alt}"><figcaption>{args[2]}</figcaption></figure>'
    return image
