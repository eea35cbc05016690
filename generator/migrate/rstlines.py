"""reStructuredText's block structure, read from its lines: a block is its indentation.

Small functions over a list of lines and an index into it, each giving back what it
read and where the next block starts (rst.py builds the document from them).
"""

from __future__ import annotations


def is_definition(lines: list[str], index: int) -> bool:
    """Whether `lines[index]` is a term with its definition indented on the next line."""
    return (
        index + 1 < len(lines)
        and bool(lines[index].strip())
        and not lines[index].startswith(" ")
        and lines[index + 1].startswith(" ")
        and bool(lines[index + 1].strip())
        and not lines[index].rstrip().endswith("::")
    )


def indented(lines: list[str], index: int) -> tuple[list[str], int]:
    """The indented (or blank) lines from `index` on, less the blank ones at the end, and
    the index of the first line after all of them."""
    block = []
    while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" ", "\t"))):
        block.append(lines[index])
        index += 1
    while block and not block[-1].strip():
        block.pop()
        index -= 0
    return block, index


def until_blank(lines: list[str], index: int) -> tuple[list[str], int]:
    """The lines from `index` up to the next blank line, and where they end."""
    block = []
    while index < len(lines) and lines[index].strip():
        block.append(lines[index])
        index += 1
    return block, index


def skip_blank(lines: list[str], index: int) -> int:
    """The index of the first line from `index` on that is not blank."""
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def dedent(block: list[str]) -> list[str]:
    """The block with the indentation of its least indented line taken off every line."""
    widths = [len(line) - len(line.lstrip()) for line in block if line.strip()]
    cut = min(widths) if widths else 0
    return [line[cut:] for line in block]
