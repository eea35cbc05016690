"""Templates: the Jinja environment, theme lookup and template errors.

Lookup order for a template or static file, first match wins:
  1. the site's chosen theme  `themes/<theme>/`
  2. the site's own `themes/default/` (small overrides without a theme of one's own)
  3. Fireside's built-in default theme.
`default:NAME` always names the built-in default, so a template can extend the very
template it replaces, block by block.
"""

from __future__ import annotations

import contextlib
import dataclasses
import traceback
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from generator.site.config import SiteConfig, builtin_theme_dir
from generator.site.errors import SiteError
from generator.site.urls import UrlScheme


@dataclass(frozen=True)
class SiteView:
    """What templates see as `site`: settings with the menu resolved under the base path."""

    title: str
    description: str
    language: str
    author: Any
    base_url: str
    menu: tuple[Any, ...]
    inbox: Any
    extra: dict[str, Any]

    @classmethod
    def of(cls, config: SiteConfig, urls: UrlScheme) -> SiteView:
        return cls(
            title=config.title,
            description=config.description,
            language=config.language,
            author=config.author,
            base_url=config.base_url,
            menu=tuple(dataclasses.replace(item, url=urls.link(item.url)) for item in config.menu),
            inbox=config.inbox,
            extra=config.extra,
        )


@dataclass(frozen=True)
class ThemeStack:
    """The theme folders in lookup order, most specific first; no duplicates."""

    dirs: tuple[Path, ...]

    @classmethod
    def for_site(cls, themes_dir: Path, theme: str) -> ThemeStack:
        candidates = [themes_dir / theme, themes_dir / "default", builtin_theme_dir()]
        seen: list[Path] = []
        for candidate in candidates:
            resolved = candidate.resolve()
            if resolved.is_dir() and resolved not in seen:
                seen.append(resolved)
        return cls(tuple(seen))

    @property
    def template_dirs(self) -> list[Path]:
        return [d / "templates" for d in self.dirs if (d / "templates").is_dir()]

    @property
    def static_dirs(self) -> list[Path]:
        """Static folders, least specific first, so later ones override earlier ones."""
        return [d / "static" for d in reversed(self.dirs) if (d / "static").is_dir()]


def readable_date(moment: datetime | None) -> str:
    """ "14 September 2026": unambiguous in every English locale, no locale lookup needed."""
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y}"


def isodate(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else ""


class _QuietBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept on disk between builds (Jinja checks each template's source
    checksum, so an edited template is compiled again). A cache that cannot be written,
    on a read-only site for instance, only makes the build slower, never fail."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, ValueError, EOFError):
            bucket.reset()


def make_environment(
    stack: ThemeStack,
    globals_: Mapping[str, Any],
    *,
    bytecode_dir: Path | None = None,
) -> jinja2.Environment:
    choice = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([str(d) for d in stack.template_dirs]),
            jinja2.PrefixLoader(
                {"default": jinja2.FileSystemLoader(str(builtin_theme_dir() / "templates"))}, delimiter=":"
            ),
        ]
    )
    env = jinja2.Environment(
        loader=choice,
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
        bytecode_cache=_bytecode_cache(bytecode_dir),
    )
    env.filters["readable_date"] = readable_date
    env.filters["isodate"] = isodate
    env.globals.update(globals_)
    return env


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _QuietBytecodeCache(str(folder))


class TemplateRenderer:
    """Renders named templates and turns any Jinja failure into a `SiteError` at template:line."""

    def __init__(self, env: jinja2.Environment, site_root: Path) -> None:
        self.env = env
        self.site_root = site_root
        self._cache: dict[str, jinja2.Template] = {}

    def exists(self, name: str) -> bool:
        try:
            self._template(name)
        except jinja2.TemplateNotFound:
            return False
        except jinja2.TemplateError:
            return True
        return True

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        try:
            return self._template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise SiteError(
                self._display(exc.filename, exc.name), exc.lineno, f"template syntax error: {exc.message}"
            ) from exc
        except jinja2.TemplateNotFound as exc:
            where, line = self._template_frame(exc)
            raise SiteError(where or name, line, f"template not found: {exc.name}") from exc
        except Exception as exc:  # any failure inside a template is the author's to fix
            where, line = self._template_frame(exc)
            kind = "undefined variable" if isinstance(exc, jinja2.UndefinedError) else type(exc).__name__
            raise SiteError(where or name, line, f"template error ({kind}): {exc}") from exc

    def _template(self, name: str) -> jinja2.Template:
        template = self._cache.get(name)
        if template is None:
            template = self.env.get_template(name)
            self._cache[name] = template
        return template

    def _template_frame(self, exc: BaseException) -> tuple[str | None, int | None]:
        """The innermost template file and line in the traceback (Jinja rewrites frames to them)."""
        found: tuple[str | None, int | None] = (None, None)
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith((".html", ".xml", ".txt", ".j2", ".jinja")):
                found = (self._display(frame.filename, None), frame.lineno)
        return found

    def _display(self, filename: str | None, name: str | None) -> str:
        if filename is None:
            return name or "<template>"
        path = Path(filename).resolve()
        if path.is_relative_to(self.site_root.resolve()):
            return str(path.relative_to(self.site_root.resolve()))
        if path.is_relative_to(builtin_theme_dir()):
            return f"(built-in default theme)/{path.relative_to(builtin_theme_dir()).as_posix()}"
        return str(path)
