"""Published letters: readers' messages the author chose, with consent, to show.

`fireside inbox publish ID` writes one file per letter to `content/letters/<id>.md`:
front matter names the post, the name the reader allowed to be shown, when it arrived
and, optionally, the author's answer (Markdown: the author's own words). The body is the
reader's text, verbatim. Reader text is never rendered as Markdown or HTML: it is escaped
and only its paragraphs and line breaks are kept.
"""

from __future__ import annotations

import contextlib
import html
import re
from collections.abc import Callable, Collection, Mapping
from datetime import tzinfo
from pathlib import Path

from markupsafe import Markup

from generator.build.dates import to_datetime
from generator.build.sources import is_ignored, read_source
from generator.site.errors import ErrorCollector
from generator.site.model import Letter

LETTERS_DIR = "letters"


# Characters HTML forbids in text: C0 controls but tab, line feed, form feed and carriage
# return; DEL and the C1 controls; non-characters. A reader's text can hold them (pasted
# terminal output, ESC[31m; a Windows-1252 text read as Latin-1, where U+0085 was "…").
_NONCHARACTERS = "".join(chr(plane << 16 | low) for plane in range(17) for low in (0xFFFE, 0xFFFF))
_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef{_NONCHARACTERS}]")


def _repaired(match: re.Match[str]) -> str:
    # A C1 control is nearly always Windows-1252 read as Latin-1: give back what was meant.
    char = match.group()
    if "\x80" <= char <= "\x9f":
        with contextlib.suppress(UnicodeDecodeError):
            return char.encode("latin-1").decode("cp1252")
    return ""


def printable(text: str) -> str:
    """`text` without the characters HTML forbids (C1 controls mended from Windows-1252)."""
    return _FORBIDDEN.sub(_repaired, text.replace("\r\n", "\n"))


def reader_text_html(text: str) -> Markup:
    """Plain reader text as safe HTML: escaped, paragraphs on blank lines, <br> within."""
    paragraphs = [p.strip("\n") for p in printable(text).split("\n\n")]
    rendered = [
        "<p>" + "<br>\n".join(html.escape(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
        if paragraph.strip()
    ]
    return Markup("\n".join(rendered))


def read_letters(
    content_dir: Path,
    site_root: Path,
    tz: tzinfo,
    render_answer: Callable[[str], str],
    errors: ErrorCollector,
    post_slugs: Collection[str],
    old_slugs: Mapping[str, str],
) -> dict[str, list[Letter]]:
    """Letters by post slug, oldest first.

    `post_slugs` are every post's, published or not (a draft's letters wait for it);
    `old_slugs` maps the last part of each post's aliases to its slug. A letter whose post
    is none of them was orphaned by a rename and would be shown nowhere, silently: the
    build warns at its `post:` line and names the post it most likely belongs to.
    """
    folder = content_dir / LETTERS_DIR
    by_post: dict[str, list[Letter]] = {}
    if not folder.is_dir():
        return by_post
    for path in sorted(folder.glob("*.md")):
        if is_ignored(path.name):
            continue
        rel = path.relative_to(site_root)
        source = read_source(path, rel, "page", errors)
        if source is None:
            continue
        meta = source.meta
        post, name = meta.get("post"), meta.get("name")
        received = to_datetime(meta.get("received"), tz)
        if not isinstance(post, str) or not post:
            errors.error(rel, source.line_of("post"), "a letter needs `post:` (the post's slug)")
            continue
        if not isinstance(name, str) or not name.strip():
            errors.error(rel, source.line_of("name"), "a letter needs `name:` (as the reader allowed)")
            continue
        if received is None:
            errors.error(rel, source.line_of("received"), "a letter needs `received:` (a date and time)")
            continue
        if post not in post_slugs:
            errors.warn(rel, source.line_of("post"), _orphaned(post, post_slugs, old_slugs))
        answer = meta.get("answer")
        letter = Letter(
            id=path.stem,
            post=post,
            name=printable(name).strip(),
            received=received,
            html=reader_text_html(source.body.strip("\n")),
            answer=Markup(render_answer(printable(answer)))
            if isinstance(answer, str) and answer.strip()
            else None,
        )
        by_post.setdefault(post, []).append(letter)
    for letters in by_post.values():
        letters.sort(key=lambda letter: (letter.received, letter.id))
    return by_post


def _orphaned(slug: str, post_slugs: Collection[str], old_slugs: Mapping[str, str]) -> str:
    """Why a letter is shown nowhere, and the post it most likely belongs to."""
    import difflib  # here, where a letter's post is missing: every build would load it otherwise

    close = difflib.get_close_matches(slug, sorted(post_slugs), n=1, cutoff=0.6)
    guess = old_slugs.get(slug) or (close[0] if close else None)
    if guess:
        return (
            f"no post {slug!r}, so this published letter is shown nowhere: "
            f"was the post renamed to {guess!r}? then set `post: {guess}`"
        )
    return (
        f"no post {slug!r}, so this published letter is shown nowhere: "
        "if its post was renamed, set `post:` to its new slug"
    )
