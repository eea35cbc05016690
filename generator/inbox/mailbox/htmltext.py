"""HTML email to readable plain text (stdlib only).

Many mail programs send only HTML (Thunderbird in its default mode, phones, webmail). A
letter is kept as the reader's plain words, so the HTML is read as a person would read
it: paragraphs and line breaks kept, lists as "- " lines, links as their text (with the
address after it when the two differ), quoted mail (`<blockquote>`, Gmail's
`gmail_quote`, Apple Mail's `type=cite`) as "> " lines so that it can be told apart from
the reader's own words, and signature blocks (`gmail_signature`, `moz-signature`) after a
"-- " line. Scripts, styles and the head are dropped; nothing is ever rendered.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {
    "p", "div", "section", "article", "header", "footer", "table", "ul", "ol",
    "h1", "h2", "h3", "h4", "h5", "h6", "pre", "address", "center", "dl", "hr",
    "figure", "figcaption", "main", "nav", "aside", "form", "fieldset",
}  # fmt: skip
_LINES = {"li", "tr", "dt", "dd"}  # a line of their own, without a blank line between them
_SKIPPED = {"script", "style", "head", "title", "template", "noscript", "svg", "object"}
_VOID = {"br", "img", "hr", "meta", "link", "input", "wbr", "area", "base", "col", "embed", "source"}
# Quoted mail is a <blockquote> (Gmail, Apple Mail, Thunderbird, Outlook on the web); Yahoo
# wraps it in a div. Gmail's and Thunderbird's "On ..., X wrote:" line stays outside it.
_QUOTE_CLASSES = ("yahoo_quoted",)
_SIGNATURE_CLASSES = ("gmail_signature", "moz-signature", "signature")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0
        self.pre_depth = 0
        self.stack: list[tuple[str, bool, bool]] = []  # tag, opened a quote, opened a signature
        self.links: list[str | None] = []
        self.link_text: list[list[str]] = []
        self.signature_started = False

    # -- building lines -------------------------------------------------------------------

    def _flush(self, force: bool = False) -> None:
        text = "".join(self.current)
        self.current = []
        if self.pre_depth == 0:
            text = _SPACES.sub(" ", text).strip()
        if text or force:
            self.lines.append(("> " * self.quote_depth if text else ">" * min(self.quote_depth, 1)) + text)

    def _block_break(self) -> None:
        self._flush()
        if self.lines and self.lines[-1].strip("> ") != "":
            self.lines.append(">" if self.quote_depth else "")

    # -- parser callbacks -----------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip_depth or tag in _SKIPPED:
            if tag not in _VOID:
                self.skip_depth += 1
            return
        values = {name: (value or "") for name, value in attrs}
        classes = values.get("class", "").split()
        if tag == "br":
            self._flush(force=True)
            return
        if tag in _VOID:
            if tag == "img" and values.get("alt", "").strip():
                self.current.append(f"[{values['alt'].strip()}]")
            elif tag == "hr":
                self._block_break()
            return
        quote = tag == "blockquote" or any(c in _QUOTE_CLASSES for c in classes)
        signature = (not self.signature_started and any(c in _SIGNATURE_CLASSES for c in classes)
                     and self.quote_depth == 0)
        if tag in _BLOCKS or quote or signature:
            self._block_break()
        elif tag in _LINES:
            self._flush()
        if signature:
            self.signature_started = True
            while self.lines and self.lines[-1].strip() in ("", "--"):
                self.lines.pop()  # Gmail writes its own "-- " line before the signature block
            self.lines += ["", "-- "]
        if quote:
            self.quote_depth += 1
        if tag == "pre":
            self.pre_depth += 1
        if tag == "li":
            self.current.append("- ")
        if tag == "a":
            self.links.append(values.get("href"))
            self.link_text.append([])
        self.stack.append((tag, quote, signature))

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth:
            if tag in _SKIPPED or tag not in _VOID:
                self.skip_depth -= 1
            return
        # Close up to the matching start tag (mail HTML is often not well nested).
        if not any(open_tag == tag for open_tag, _, _ in self.stack):
            return
        while self.stack:
            open_tag, quote, _signature = self.stack.pop()
            if open_tag == "a" and self.links:
                self._end_link()
            if open_tag in _LINES:
                self._flush()
            if open_tag == "pre":
                self._flush()
                self.pre_depth -= 1
            if quote:
                self._flush()
                self.quote_depth -= 1
                self._block_break()
            if open_tag in _BLOCKS:
                self._block_break()
            if open_tag == tag:
                break

    def _end_link(self) -> None:
        href = self.links.pop() or ""
        text = "".join(self.link_text.pop()).strip()
        shown = href.removeprefix("mailto:")
        if href and not href.startswith("#") and shown not in text and text not in (href, shown):
            self.current.append(f" <{shown}>")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.pre_depth:
            parts = data.split("\n")
            for i, part in enumerate(parts):
                if i:
                    self._flush(force=True)
                self.current.append(part)
        else:
            self.current.append(data)
        for text in self.link_text:
            text.append(data)

    def text(self) -> str:
        while self.stack:
            self.handle_endtag(self.stack[-1][0])
        self._flush()
        lines = [line.rstrip() if line != "-- " else line for line in self.lines]
        out: list[str] = []
        for line in lines:  # no runs of empty lines, one signature line
            if line in ("", ">") and (not out or out[-1] in ("", ">")):
                continue
            if line.rstrip() == "--" and out and out[-1] == "-- ":
                continue
            out.append(line)
        while out and out[-1] in ("", ">"):
            out.pop()
        return "\n".join(out) + ("\n" if out else "")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML email body."""
    reader = _Reader()
    try:
        reader.feed(html)
        reader.close()
    except (AssertionError, ValueError):  # html.parser's rare complaints about broken markup
        pass
    return reader.text()
