"""site.yaml → frozen dataclasses.

Like Zola's `deny_unknown_fields`: a misspelt key is an error naming its line, never
silently ignored. The YAML is composed into nodes (not loaded into plain dicts) so that
every error can point at the line of the value it is about.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.site.errors import ErrorCollector, yaml_error_mark
from generator.site.permalinks import pattern_problem

CONFIG_NAME = "site.yaml"
_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the generator package


@dataclass(frozen=True)
class Author:
    name: str
    email: str = ""
    url: str = ""


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str


@dataclass(frozen=True)
class HighlightConfig:
    # Pygments styles whose every token colour meets WCAG AA on its own background.
    light: str = "xcode"
    dark: str = "github-dark"


@dataclass(frozen=True)
class MarkdownConfig:
    # How headings get their ids: "fireside" (Fireside's slugs, kept for every language),
    # "github" (GitHub's and Hugo's) or "eleventy" (markdown-it-anchor's): old anchors of an
    # imported site keep working.
    heading_ids: str = "fireside"


HEADING_ID_STYLES = ("fireside", "github", "eleventy")


@dataclass(frozen=True)
class ImapConfig:
    # The mailbox `fireside inbox fetch` reads readers' emails from. The password only ever
    # comes from FIRESIDE_IMAP_PASSWORD or the system keyring, never from this file.
    host: str = ""
    port: int = 0  # 0: 993 for tls, 143 for starttls and none
    user: str = ""
    security: str = "tls"  # tls (implicit TLS), starttls, or none (refused except to this machine)
    folders: tuple[str, ...] = ("INBOX",)  # where readers' letters arrive
    sent: str = ""  # the author's Sent folder; empty: the one the server marks \Sent
    junk: str = ""  # the spam folder; empty: the one the server marks \Junk
    cafile: str = ""  # a certificate to trust (a server with a certificate of its own), relative to the site


@dataclass(frozen=True)
class InboxConfig:
    # Where the reply form posts to. Empty: posts offer a "Reply by email" link instead.
    endpoint: str = ""
    # What the receiver accepts (the form's maxlength attributes use the same numbers).
    max_name: int = 100  # characters
    max_email: int = 254  # characters (RFC 5321's limit for a path)
    max_message: int = 10000  # characters
    max_links: int = 5  # http(s):// and www. links in one letter
    max_body: int = 65536  # bytes of a request body; larger ones get 413 unread
    # Letters per email address and per network (IPv4 /24, IPv6 /64) within `rate_window`
    # seconds; 0 means no limit.
    per_address: int = 5
    per_network: int = 20
    rate_window: int = 3600
    # With JavaScript the form says how long the page was open; quicker than this is a bot.
    min_seconds: int = 3
    # Origins whose pages may post (CORS); empty: the site's own origin, and no refusals.
    allowed_origins: tuple[str, ...] = ()
    # Outgoing mail for `fireside inbox reply`; the password only ever comes from
    # FIRESIDE_SMTP_PASSWORD, never from this file (it is usually in git).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # starttls, tls or none
    smtp_user: str = ""
    # Readers' emails, for `fireside inbox fetch` (no server of one's own needed).
    imap: ImapConfig = field(default_factory=ImapConfig)


@dataclass(frozen=True)
class PublishTarget:
    """A place `fireside publish` puts the built site; which keys apply depends on `kind`."""

    name: str
    kind: str  # "folder", "rsync" or "git"
    path: str = ""  # folder: where, relative to the site
    destination: str = ""  # rsync: user@host:/path/, or a local folder relative to the site
    ssh: str = ""  # rsync: the remote shell, e.g. "ssh -p 2222"; empty: rsync's default
    remote: str = ""  # git: a remote of the site's repository, a URL or a path; empty: origin
    branch: str = ""  # git: the branch that holds the output; empty: gh-pages


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str
    author: Author
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    theme: str = "default"
    output_dir: str = "public"
    per_page: int = 10
    feed_entries: int = 20
    menu: tuple[MenuItem, ...] = ()
    highlight: HighlightConfig = field(default_factory=HighlightConfig)
    # URL patterns by `posts`, `pages` or a section's path (see permalinks.py); unlisted: today's.
    permalinks: dict[str, str] = field(default_factory=dict)
    markdown: MarkdownConfig = field(default_factory=MarkdownConfig)
    inbox: InboxConfig = field(default_factory=InboxConfig)
    publish: tuple[PublishTarget, ...] = ()  # the first is what `fireside publish` uses by default
    # Free-form values for themes, like Zola's `extra`: the only place unknown keys go.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def base_path(self) -> str:
        """The path part of base_url, always with a trailing slash: "/" or "/blog/"."""
        return urlsplit(self.base_url).path or "/"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_base_url(self, base_url: str) -> SiteConfig:
        return dataclasses.replace(self, base_url=normalise_base_url(base_url))


@dataclass(frozen=True)
class SiteLayout:
    """Where a site's parts live on disk."""

    root: Path
    config_file: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def themes(self) -> Path:
        return self.root / "themes"

    @property
    def cache(self) -> Path:
        return self.root / ".fireside-cache"


def builtin_theme_dir() -> Path:
    """The default theme: packaged inside the wheel, or at the top of a source checkout."""
    packaged = _PACKAGE_DIR / "themes" / "default"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / "themes" / "default"


def normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def load_config(config_file: Path) -> SiteConfig:
    """Read and validate site.yaml; raise BuildFailed listing every problem with its line."""
    errors = ErrorCollector()
    display = config_file.name
    try:
        text = config_file.read_text(encoding="utf-8")
    except FileNotFoundError:
        errors.error(display, None, "no site.yaml here (run `fireside new site DIR` to make one)")
        errors.raise_if_any()
        raise AssertionError("unreachable") from None
    except (OSError, UnicodeDecodeError) as exc:
        errors.error(display, None, f"cannot read: {exc}")
        errors.raise_if_any()
        raise AssertionError("unreachable") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = yaml_error_mark(exc, text)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        errors.error(display, line, f"invalid YAML: {problem}")
        errors.raise_if_any()
        raise AssertionError("unreachable") from None
    if node is None:
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])
    config = _convert(node, SiteConfig, display, errors, "")
    if isinstance(config, SiteConfig):
        _check_values(config, node, display, errors)
    errors.raise_if_any()
    assert isinstance(config, SiteConfig)
    return dataclasses.replace(config, base_url=normalise_base_url(config.base_url))


def _check_values(config: SiteConfig, root: yaml.Node, display: str, errors: ErrorCollector) -> None:
    def line_of(key: str) -> int | None:
        if isinstance(root, yaml.MappingNode):
            for key_node, value_node in root.value:
                if key_node.value == key:
                    return value_node.start_mark.line + 1
        return None

    parts = urlsplit(config.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        errors.error(
            display, line_of("base_url"), f"base_url must be an absolute http(s) URL, got {config.base_url!r}"
        )
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        hint = did_you_mean(config.timezone, _timezone_names())
        errors.error(display, line_of("timezone"), f"unknown timezone {config.timezone!r}{hint}")
    for key, pattern in config.permalinks.items():
        where = setting_line(root, ("permalinks", str(key)))
        problem = pattern_problem(pattern) if isinstance(pattern, str) else "must be a text pattern"
        if problem is not None:
            errors.error(display, where, f"permalinks.{key}: {problem}")
        elif str(key).startswith("/") or ".." in str(key).split("/"):
            errors.error(display, where, f"permalinks: {key!r} is not 'posts', 'pages' or a section's folder")
    if config.markdown.heading_ids not in HEADING_ID_STYLES:
        choices = ", ".join(HEADING_ID_STYLES[:-1]) + " or " + HEADING_ID_STYLES[-1]
        hint = did_you_mean(config.markdown.heading_ids, HEADING_ID_STYLES)
        message = f"markdown.heading_ids must be {choices}, got {config.markdown.heading_ids!r}{hint}"
        errors.error(display, setting_line(root, ("markdown", "heading_ids")), message)
    for name in ("per_page", "feed_entries"):
        if getattr(config, name) < 1:
            errors.error(display, line_of(name), f"{name} must be at least 1")
    if not config.theme or "/" in config.theme or "\\" in config.theme or config.theme in (".", ".."):
        errors.error(display, line_of("theme"), f"theme must be a folder name, got {config.theme!r}")


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the nearest of `choices`, a case-only difference included; else ''."""
    options = list(choices)
    folded = {option.casefold(): option for option in options}
    if word.casefold() in folded and folded[word.casefold()] != word:
        return f" (did you mean {folded[word.casefold()]!r}?)"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    if not close:
        close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.75)
        close = [folded[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _timezone_names() -> set[str]:
    from zoneinfo import available_timezones  # only for an unknown zone: it reads the whole database

    return available_timezones()


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


def _convert(node: yaml.Node, target: Any, display: str, errors: ErrorCollector, where: str) -> Any:
    """Turn a YAML node into `target` (a dataclass, scalar, tuple or dict type), or record why not."""
    line = _line(node)
    label = where or "site.yaml"
    origin = typing.get_origin(target)
    if origin in (typing.Union, types.UnionType):
        options = [t for t in typing.get_args(target) if t is not type(None)]
        if _is_null(node):
            return None
        return _convert(node, options[0], display, errors, where)
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
            _convert(item, item_type, display, errors, f"{label}[{i}]") for i, item in enumerate(node.value)
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
        values[key] = _convert(value_node, hints[key], display, errors, dotted)
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
