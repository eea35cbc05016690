"""The README's layer table is the architecture: every module is in it, and none imports
from a layer above its own (lazy imports inside functions included)."""

from __future__ import annotations

import ast
import re
from fnmatch import fnmatch
from pathlib import Path

from .conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "generator"
# Not modules of the pipeline: the package itself, and `python -m generator` (the CLI).
SPECIAL = {"generator": 0, "generator.__main__": 6}


def layer_table() -> dict[str, int]:
    """Pattern ("build", "check*", "inbox/") → layer, as the README's Design section has it."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| layer | modules |") :].split("\n\n", 1)[0]
    patterns = {}
    for row in re.finditer(r"^\| (\d) \| (.+) \|$", table, re.MULTILINE):
        for name in re.findall(r"`([^`]+)`", row.group(2)):
            patterns[name] = int(row.group(1))
    return patterns


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str, patterns: dict[str, int]) -> int | None:
    if module in SPECIAL:
        return SPECIAL[module]
    short = module.removeprefix("generator.")
    if short.startswith("inbox"):
        return patterns.get("inbox/")
    for pattern, layer in patterns.items():
        if fnmatch(short, pattern):
            return layer
    return None


def imported_modules(path: Path, module: str | None = None) -> set[str]:
    """Every `generator` module `path` (the module `module`) imports, wherever it stands."""
    found: set[str] = set()
    module = module or module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("generator"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the module's own package
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("generator"):
                continue
            for alias in node.names:  # `from generator import build` names a module
                candidate = f"{base}.{alias.name}"
                is_module = (REPO_ROOT / Path(*candidate.split("."))).with_suffix(".py").is_file()
                found.add(candidate if is_module else base)
    return found


def test_every_module_has_a_layer() -> None:
    patterns = layer_table()
    missing = [
        module_name(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if layer_of(module_name(path), patterns) is None
    ]
    assert missing == [], "add these to the README's layer table"


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    patterns = layer_table()
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = layer_of(module_name(path), patterns)
        for target in sorted(imported_modules(path)):
            theirs = layer_of(target, patterns)
            assert theirs is not None, f"{module_name(path)} imports {target}, which has no layer"
            if own is not None and theirs > own:
                upward.append(f"{module_name(path)} (layer {own}) imports {target} (layer {theirs})")
    assert upward == []


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    # The test above must be able to fail: a layer-1 module importing the build is caught,
    # lazily inside a function or relatively.
    patterns = layer_table()
    source = tmp_path / "model.py"
    source.write_text(
        (PACKAGE / "model.py").read_text(encoding="utf-8")
        + "\n\ndef f():\n    from generator.build import Build\n    from . import pages\n"
    )
    targets = imported_modules(source, "generator.model")
    assert {"generator.build", "generator.pages"} <= targets
    assert all(layer_of(t, patterns) > layer_of("generator.model", patterns) for t in ("generator.build", "generator.pages"))  # type: ignore[operator]
