"""A strict well-formedness check for generated HTML: every element we open, we close."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.problems: list[str] = []
        self.ids: dict[str, int] = {}
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            if name == "id" and value is not None:
                if value in self.ids:
                    self.problems.append(
                        f"line {line}: duplicate id {value!r} (first on line {self.ids[value]})"
                    )
                self.ids[value] = line
        if tag not in VOID:
            self.stack.append((tag, line))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID and tag not in (
            "path",
            "circle",
            "rect",
            "line",
            "polyline",
            "polygon",
            "ellipse",
        ):
            self.problems.append(f"line {self.getpos()[0]}: self-closed <{tag}/>")
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids[value] = self.getpos()[0]

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID:
            return
        if not self.stack:
            self.problems.append(f"line {line}: </{tag}> closes nothing")
            return
        open_tag, open_line = self.stack.pop()
        if open_tag != tag:
            self.problems.append(f"line {line}: </{tag}> closes <{open_tag}> from line {open_line}")


def html_problems(text: str) -> list[str]:
    """Problems that make `text` not a well-formed HTML5 document; [] when it is fine."""
    checker = _Balance()
    checker.feed(text)
    checker.close()
    problems = list(checker.problems)
    if not checker.doctype:
        problems.append("no <!doctype html>")
    problems += [f"line {line}: <{tag}> is never closed" for tag, line in checker.stack]
    return problems
