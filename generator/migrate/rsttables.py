"""reStructuredText tables, in grid or simple form, as Markdown pipe tables.

A grid table with merged cells has no Markdown form: it is kept as text, and listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from generator.migrate.mdtext import fence
from generator.migrate.rstlines import until_blank


def simple_table(lines: list[str], index: int, inline: Callable[[str], str]) -> tuple[str, int]:
    """The simple table (`===` borders) at `lines[index]` as Markdown, and the index after it."""
    border = lines[index]
    columns = [(m.start(), m.end()) for m in re.finditer(r"=+", border)]
    rows, cursor, borders = [], index + 1, 1
    while cursor < len(lines) and borders < 3:
        line = lines[cursor]
        if line.strip() and set(line.strip()) <= {"=", " "}:
            borders += 1
            cursor += 1
            continue
        if not line.strip():
            cursor += 1
            if borders >= 2 and (cursor >= len(lines) or not lines[cursor].strip()):
                break
            continue
        cells = [
            line[start : (columns[i + 1][0] if i + 1 < len(columns) else len(line))].strip()
            for i, (start, _) in enumerate(columns)
        ]
        rows.append(cells)
        cursor += 1
    if len(rows) < 1 or borders < 2:
        return "* * *", index + 1
    return markdown_table([[inline(c).replace("|", "\\|") for c in row] for row in rows]), cursor


def grid_table(
    lines: list[str], index: int, inline: Callable[[str], str]
) -> tuple[str, int, tuple[str, str] | None]:
    """The grid table (`+---+` borders) at `lines[index]` as Markdown, the index after it,
    and the leftover to list when it has merged cells (then it is kept as text)."""
    block, end = until_blank(lines, index)
    rows: list[list[str]] = []
    current: list[list[str]] | None = None
    for line in block:
        text = line.strip()
        if text.startswith("+"):
            if current:
                rows.append([" ".join(" ".join(part).split()) for part in current])
            current = None
            continue
        cells = [c.strip() for c in text.strip("|").split("|")]
        if current is None:
            current = [[c] for c in cells]
        elif len(cells) == len(current):
            for column, cell in zip(current, cells, strict=True):
                column.append(cell)
    if not rows or len({len(r) for r in rows}) != 1:
        leftover = (block[0].strip(), "a reStructuredText table with merged cells, kept as text")
        return fence("\n".join(block), "text"), end, leftover
    return markdown_table([[inline(c).replace("|", "\\|") for c in row] for row in rows]), end, None


def markdown_table(rows: list[list[str]]) -> str:
    """A pipe table, the first row its header; short rows are filled with empty cells."""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join(["---"] * width) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)
