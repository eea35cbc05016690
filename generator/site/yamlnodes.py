"""YAML nodes to typed frozen dataclasses, every error at its line (stdlib and PyYAML only).

Like Zola's `deny_unknown_fields`: an unknown key is an error naming its line and the
nearest known key, never silently ignored. The YAML is composed into nodes (not loaded into
plain dicts) so that every error can point at the line of the value it is about.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from generator.site.errors import ErrorCollector
from generator.site.suggest import did_you_mean


def setting_line(root: yaml.Node | None, keys: tuple[str, ...]) -> int | None:
    """The line of a nested value in site.yaml's node tree ("highlight", "light"), if there."""
    node = root
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((value for name, value in node.value if name.value == key), None)
    return node.start_mark.line + 1 if node is not None else None


def config_line(config_file: Path, keys: tuple[str, ...]) -> int | None:
    """`setting_line` for a site.yaml on disk (for errors found after the settings were read)."""
    try:
        text = config_file.read_text(encoding="utf-8")
        return setting_line(yaml.compose(text, Loader=yaml.SafeLoader), keys)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


_SCALAR_TYPES: dict[type, str] = {
    str: "a string",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
}


def convert(node: yaml.Node, target: Any, display: str, errors: ErrorCollector, where: str) -> Any:
    """Turn a YAML node into `target` (a dataclass, scalar, tuple or dict type), or record why not."""
    line = _line(node)
    label = where or "site.yaml"
    origin = typing.get_origin(target)
    if origin in (typing.Union, types.UnionType):
        options = [t for t in typing.get_args(target) if t is not type(None)]
        if _is_null(node):
            return None
        return convert(node, options[0], display, errors, where)
    if dataclasses.is_dataclass(target):
        if not isinstance(node, yaml.MappingNode):
            errors.error(display, line, f"{label} must be a mapping of keys to values")
            return None
        return _convert_dataclass(node, target, display, errors, where)
    if origin is tuple:
        if not isinstance(node, yaml.SequenceNode):
            errors.error(display, line, f"{label} must be a list")
            return ()
        item_type = typing.get_args(target)[0]
        return tuple(
            convert(item, item_type, display, errors, f"{label}[{i}]") for i, item in enumerate(node.value)
        )
    if origin is dict or target is Any:
        if origin is dict and not isinstance(node, yaml.MappingNode):
            errors.error(display, line, f"{label} must be a mapping")
            return {}
        return _value(node)
    if target in _SCALAR_TYPES:
        return _convert_scalar(node, target, display, errors, label)
    raise TypeError(f"config field type {target!r} is not supported")


def _convert_dataclass(
    node: yaml.MappingNode, target: Any, display: str, errors: ErrorCollector, where: str
) -> Any:
    hints = typing.get_type_hints(target)
    fields = {f.name: f for f in dataclasses.fields(target)}
    values: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = key_node.value
        dotted = f"{where}.{key}" if where else key
        if key not in fields:
            known = ", ".join(sorted(fields))
            errors.error(
                display,
                key_node.start_mark.line + 1,
                f"unknown key {dotted!r}{did_you_mean(str(key), fields)} (known keys here: {known})",
            )
            continue
        if key in values:
            errors.error(display, key_node.start_mark.line + 1, f"key {dotted!r} is given twice")
            continue
        values[key] = convert(value_node, hints[key], display, errors, dotted)
    missing = [
        name
        for name, f in fields.items()
        if name not in values
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    for name in missing:
        dotted = f"{where}.{name}" if where else name
        errors.error(display, _line(node), f"missing required key {dotted!r}")
    if missing or any(v is None and not _optional(hints[k]) for k, v in values.items()):
        return None
    return target(**values)


def _convert_scalar(node: yaml.Node, target: type, display: str, errors: ErrorCollector, label: str) -> Any:
    line = _line(node)
    expected = _SCALAR_TYPES[target]
    if not isinstance(node, yaml.ScalarNode):
        errors.error(display, line, f"{label} must be {expected}")
        return None
    value = _value(node)
    if target is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if target is str and isinstance(value, (int, float)) and not isinstance(value, bool):
        value = node.value  # a title like 1984 is still a title
    if value is None and target is str:
        errors.error(display, line, f"{label} must be {expected}, but it is empty")
        return None
    if not isinstance(value, target) or (target is int and isinstance(value, bool)):
        errors.error(display, line, f"{label} must be {expected}, got {node.value!r}")
        return None
    return value


def _value(node: yaml.Node) -> Any:
    """The plain Python value of a node (an empty `key:` is None, as YAML says)."""
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1 if node.start_mark is not None else 1


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _optional(hint: Any) -> bool:
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)
