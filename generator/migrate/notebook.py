"""A Jupyter notebook embedded in a post (Pelican's `{% notebook x.ipynb cells[2:] %}`) as
Markdown: its Markdown cells as they are, its code as fenced blocks, its outputs as text,
images (written as files of the site) or, for HTML tables, HTML."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from generator.migrate.htmldom import html_block, parse
from generator.migrate.mdtext import fence

_IMAGES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/svg+xml": "svg"}


@dataclass
class Converted:
    markdown: str
    images: list[tuple[str, bytes]] = field(default_factory=list)  # (file name, bytes)


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def cells_of(notebook: dict[str, Any]) -> list[dict[str, Any]]:
    if isinstance(notebook.get("cells"), list):
        return notebook["cells"]
    worksheets = notebook.get("worksheets") or [{}]  # nbformat 3
    return list(worksheets[0].get("cells") or [])


def convert(text: str, cells: slice, stem: str) -> Converted:
    """Markdown for the notebook in `text`; ValueError if it is not one."""
    notebook = json.loads(text)
    if not isinstance(notebook, dict):
        raise ValueError("not a notebook")
    language = str((notebook.get("metadata") or {}).get("language_info", {}).get("name") or "python")
    out = Converted("")
    blocks: list[str] = []
    for number, cell in enumerate(cells_of(notebook)[cells]):
        kind = cell.get("cell_type")
        source = _text(cell.get("source") if "source" in cell else cell.get("input"))
        if kind in ("markdown", "heading"):
            level = cell.get("level")
            blocks.append(f"{'#' * int(level)} {source}" if kind == "heading" and level else source)
        elif kind == "code":
            if source.strip():
                blocks.append(fence(source.rstrip("\n"), language))
            for index, output in enumerate(cell.get("outputs") or []):
                blocks.extend(_output(output, f"{stem}-{number}-{index}", out))
        elif kind == "raw" and source.strip():
            blocks.append(source)
    out.markdown = "\n\n".join(b.strip("\n") for b in blocks if b.strip()) + "\n"
    return out


def _output(output: dict[str, Any], name: str, out: Converted) -> list[str]:
    data = output.get("data") or {
        k: v for k, v in output.items() if k in ("png", "jpeg", "text", "html", "svg")
    }
    aliases = {
        "png": "image/png",
        "jpeg": "image/jpeg",
        "svg": "image/svg+xml",
        "text": "text/plain",
        "html": "text/html",
    }
    data = {aliases.get(k, k): v for k, v in data.items()}
    if output.get("output_type") == "stream" or ("text" in output and not data.get("text/plain")):
        text = _text(output.get("text"))
        return [fence(text.rstrip("\n"), "text")] if text.strip() else []
    if output.get("output_type") in ("error", "pyerr"):
        return [fence("\n".join(output.get("traceback") or [str(output.get("evalue", ""))]), "text")]
    for mime, suffix in _IMAGES.items():
        if mime in data:
            raw = _text(data[mime])
            try:
                content = raw.encode() if suffix == "svg" else base64.b64decode(raw)
            except (binascii.Error, ValueError):
                continue
            out.images.append((f"{name}.{suffix}", content))
            return [f"![output]({name}.{suffix})"]
    if "text/html" in data:
        return [html_block(child) for child in parse(_text(data["text/html"])).children if str(child).strip()]
    if "text/plain" in data:
        return [fence(_text(data["text/plain"]).rstrip("\n"), "text")]
    return []
