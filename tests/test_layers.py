"""The README's package table is the architecture: every module is in it, a package imports
only from packages of a lower rank, and a module only from earlier groups of its own
package (lazy imports inside functions and relative imports included)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from .conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "generator"
# Not part of any package's order: the root package (it holds only `__version__`, which
# every package may read) and `python -m generator`, which is the CLI.
ROOT_MODULE = "generator"
MAIN_MODULE = "generator.__main__"


@dataclass(frozen=True)
class Place:
    package: str  # "generator.build.output"
    rank: int  # of the package
    group: int  # within the package; a package's __init__ is above all its groups


def package_table() -> dict[str, tuple[int, list[list[str]]]]:
    """"generator.build" → (rank, [["parallel", ...], ["assets", ...], ...]) from the README."""
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| rank | package | modules |") :].split("\n\n", 1)[0]
    packages = {}
    for row in re.finditer(r"^\| (\d+) \| `([a-z_.]+)` \| (.+) \|$", table, re.MULTILINE):
        groups = [re.findall(r"`([a-z_]+)`", group) for group in row.group(3).split("→")]
        packages[f"generator.{row.group(2)}"] = (int(row.group(1)), groups)
    return packages


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def place_of(module: str, table: dict[str, tuple[int, list[list[str]]]]) -> Place | None:
    if module in table:  # a package's __init__: the top of its own package
        return Place(module, table[module][0], 1_000)
    package, _, name = module.rpartition(".")
    if package not in table:
        return None
    rank, groups = table[package]
    for index, group in enumerate(groups):
        if name in group:
            return Place(package, rank, index)
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
            for alias in node.names:  # `from generator.build import pages` names a module
                candidate = f"{base}.{alias.name}"
                as_path = REPO_ROOT / Path(*candidate.split("."))
                is_module = as_path.with_suffix(".py").is_file() or (as_path / "__init__.py").is_file()
                found.add(candidate if is_module else base)
    return found


def violation(module: str, target: str, table: dict[str, tuple[int, list[list[str]]]]) -> str | None:
    """Why `module` may not import `target`, or None when it may."""
    if target == ROOT_MODULE or module == MAIN_MODULE:
        return None
    own, theirs = place_of(module, table), place_of(target, table)
    assert own is not None and theirs is not None, f"{module} or {target} is not in the README's table"
    if own.package != theirs.package:
        # A package's own modules may be imported by its __init__ (which sits above them).
        if module in table and theirs.package.startswith(module + "."):
            return None
        if theirs.rank >= own.rank:
            return f"{module} ({own.package}, rank {own.rank}) imports {target} (rank {theirs.rank})"
        return None
    if theirs.group >= own.group:
        return f"{module} imports {target}, which is not in an earlier group of {own.package}"
    return None


def test_every_module_has_a_place() -> None:
    table = package_table()
    missing = [
        module_name(path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if module_name(path) not in (ROOT_MODULE, MAIN_MODULE) and place_of(module_name(path), table) is None
    ]
    assert missing == [], "add these to the README's package table"


def test_every_listed_module_exists() -> None:
    stale = [
        f"{package}.{name}"
        for package, (_, groups) in package_table().items()
        for group in groups
        for name in group
        if not (REPO_ROOT / Path(*package.split("."), f"{name}.py")).is_file()
    ]
    assert stale == [], "the README's package table names modules that are gone"


def test_no_module_imports_upward() -> None:
    table = package_table()
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for target in sorted(imported_modules(path)):
            problem = violation(module_name(path), target, table)
            if problem:
                upward.append(problem)
    assert upward == []


def test_the_top_folder_reads_as_the_architecture() -> None:
    # Packages, not a flat folder of modules: only the package's own two files beside them.
    loose = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py"]
    assert all((folder / "__init__.py").is_file() for folder in PACKAGE.iterdir() if folder.is_dir()
               and folder.name != "__pycache__")


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    # The rules above must be able to fail: a module of `site` importing the build (lazily,
    # inside a function) and a module importing a later module of its own package are caught.
    table = package_table()
    source = tmp_path / "model.py"
    source.write_text(
        (PACKAGE / "site" / "model.py").read_text(encoding="utf-8")
        + "\n\ndef f():\n    from generator.build.pipeline import Build\n    from . import config\n"
    )
    targets = imported_modules(source, "generator.site.model")
    assert {"generator.build.pipeline", "generator.site.config"} <= targets
    assert violation("generator.site.model", "generator.build.pipeline", table)
    assert violation("generator.site.model", "generator.site.config", table)
    assert violation("generator.site.config", "generator.site.model", table) is None
    assert violation("generator.preview.server", "generator.inbox.receiver", table)  # same rank
