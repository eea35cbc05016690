"""site.yaml → frozen dataclasses.

Like Zola's `deny_unknown_fields`: a misspelt key is an error naming its line, never
silently ignored. The YAML is composed into nodes (not loaded into plain dicts) so that
every error can point at the line of the value it is about.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.site.errors import ErrorCollector, yaml_error_mark
from generator.site.permalinks import pattern_problem, tag_alias_problem, tag_slug_problem
from generator.site.suggest import did_you_mean, timezone_names
from generator.site.yamlnodes import convert, setting_line

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
    max_body: int = 0  # bytes of a request body; 0: what the limits above need in any script
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
    # Old addresses of the site feed ("/feed.xml"): the same feed is written at each.
    feed_aliases: tuple[str, ...] = ()
    # Old addresses of every tag's page ("/tag/:slug.html"): each answers with a redirect.
    tag_aliases: tuple[str, ...] = ()
    # A tag's slug on the old site where it differs from the one made from its name
    # ("mustread": "must-read"): its old addresses under tag_aliases answer too.
    tag_old_slugs: dict[str, str] = field(default_factory=dict)
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
    config = convert(node, SiteConfig, display, errors, "")
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
        hint = did_you_mean(config.timezone, timezone_names())
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
    for index, old in enumerate(config.feed_aliases):
        problem = feed_alias_problem(old)
        if problem:
            errors.error(display, setting_line(root, ("feed_aliases",)), f"feed_aliases[{index}]: {problem}")
    _check_tag_aliases(config.tag_aliases, root, display, errors)
    for old, new in config.tag_old_slugs.items():
        problem = tag_slug_problem(str(old)) or (tag_slug_problem(new) if isinstance(new, str) else "")
        if problem is not None:
            where = setting_line(root, ("tag_old_slugs", str(old)))
            why = problem or "must be the tag's slug, a text"
            errors.error(display, where, f"tag_old_slugs: {old!r}: {why}")
    for name in ("per_page", "feed_entries"):
        if getattr(config, name) < 1:
            errors.error(display, line_of(name), f"{name} must be at least 1")
    if not config.theme or "/" in config.theme or "\\" in config.theme or config.theme in (".", ".."):
        errors.error(display, line_of("theme"), f"theme must be a folder name, got {config.theme!r}")


def _check_tag_aliases(
    patterns: tuple[str, ...], root: yaml.Node, display: str, errors: ErrorCollector
) -> None:
    listed = setting_line(root, ("tag_aliases",))
    items = next((value.value for key, value in getattr(root, "value", ()) if key.value == "tag_aliases"), [])
    seen: set[str] = set()
    for index, pattern in enumerate(patterns):
        # Each pattern's own line where the list is written one item a line.
        line = items[index].start_mark.line + 1 if index < len(items) else listed
        problem = tag_alias_problem(pattern)
        if problem is None and pattern in seen:
            problem = f"{pattern!r} is listed twice"
        seen.add(pattern)
        if problem:
            errors.error(display, line, f"tag_aliases[{index}]: {problem}")


def feed_alias_problem(path: str) -> str | None:
    """Why an old feed address cannot be written as a file of the site, or None."""
    name = path.rsplit("/", 1)[-1]
    if not path.startswith("/") or ".." in path.split("/") or "\\" in path:
        return f"{path!r} must be a path from the site's root, like /feed.xml"
    if not name or "." not in name:
        return (f"{path!r} is a folder address: a static host serves a page there, not a feed "
                "(have your host redirect it to /atom.xml instead)")
    if path.strip("/") in ("atom.xml", "sitemap.xml", "robots.txt", "fireside-manifest.json"):
        return f"{path!r} is a file Fireside already makes"
    return None
