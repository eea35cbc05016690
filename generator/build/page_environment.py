"""What every page of a build is rendered with, made once per build before any page.

The template renderer and the globals templates see (`site`, `link`, `asset`, the
"Reply by email" link), the highlight stylesheet, the fingerprinted names of the
stylesheets and scripts, and the key that changes when any of these or a template does.
The pipeline (pipeline.py) makes them; a preview keeps the renderer while the key stays.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path

from generator import __version__
from generator.build import mailto
from generator.build.assets import FINGERPRINTED_SUFFIXES, AssetLinks, fingerprinted
from generator.build.output.cache import BuildCache, digest_text
from generator.build.templates import SiteView, TemplateRenderer, ThemeStack, make_environment
from generator.site import urls
from generator.site.config import HighlightConfig, SiteConfig, SiteLayout
from generator.site.errors import ErrorCollector
from generator.site.files import walk_files
from generator.site.model import Post
from generator.site.urls import UrlScheme
from generator.site.yamlnodes import config_line


def template_renderer(
    layout: SiteLayout,
    config: SiteConfig,
    themes: ThemeStack,
    site_urls: UrlScheme,
    assets: AssetLinks,
    drafts: bool,
) -> TemplateRenderer:
    """The site's templates, with the globals every page may use."""
    globals_ = {
        "site": SiteView.of(config, site_urls),
        "link": site_urls.link,
        "absolute": site_urls.absolute,
        "asset": assets,
        "feed_url": site_urls.link(urls.FEED_PATH),
        "drafts_shown": drafts,
        "letter_mailto": functools.partial(letter_mailto, config.author.email),
        "letter_mail_footer": lambda post: mailto.footer_head(post.title, post.permalink),
    }
    env = make_environment(themes, globals_, bytecode_dir=layout.cache / "templates")
    return TemplateRenderer(env, layout.root)


def letter_mailto(address: str, post: Post, with_body: bool = True) -> str:
    """The post's "Reply by email" link (templates: `letter_mailto(post)`); "" without author.email."""
    return mailto.href(address, post.title, post.letter_id, post.permalink, with_body=with_body)


def highlight_css(
    highlight: HighlightConfig,
    config_file: Path,
    cache: BuildCache,
    next_cache: BuildCache,
    errors: ErrorCollector,
) -> bytes | None:
    """The stylesheet of highlighted code (light and dark), or None with its errors collected."""
    styles = (highlight.light, highlight.dark)
    css = cache.stylesheets.get(styles)
    if css is None:
        # Imported here: a rebuild with the stylesheet cached and no new code to
        # highlight never loads Pygments.
        from pygments.util import ClassNotFound

        from generator.markdown.highlight import style_problems, stylesheet

        try:
            css = stylesheet(*styles).encode()
        except ClassNotFound:
            for key, message in style_problems(styles):
                line = config_line(config_file, ("highlight", key))
                errors.error(config_file.name, line, message)
            return None
    next_cache.stylesheets[styles] = css
    return css


def asset_names(static: Mapping[str, Path], highlight: bytes | None, fingerprint: bool) -> dict[str, str]:
    """Fingerprinted names of the stylesheets and scripts (see assets.py)."""
    if not fingerprint:
        return {}
    names = {
        rel: fingerprinted(rel, path.read_bytes())
        for rel, path in static.items()
        if rel.endswith(FINGERPRINTED_SUFFIXES)
    }
    if highlight is not None:
        names[urls.HIGHLIGHT_CSS_PATH] = fingerprinted(urls.HIGHLIGHT_CSS_PATH, highlight)
    return names


def global_key(themes: ThemeStack, config: SiteConfig, drafts: bool, names: Mapping[str, str]) -> str:
    """What every generated page depends on: settings, options and every template's text.
    (Fireside's own code is in the cache's version: cache.cache_version.)"""
    templates = []
    for place, folder in enumerate(themes.template_dirs):
        for path in walk_files(folder):
            # Named within their folder, not by where the site or Fireside lies: a cache
            # restored into a checkout elsewhere (another CI runner's folder) still matches.
            templates.append((place, path.relative_to(folder).as_posix(), path.read_bytes()))
    return digest_text(__version__, config, drafts, templates, names)
