"""Syntax highlighting of code blocks with Pygments, using CSS classes only.

Pages carry a Content-Security-Policy without 'unsafe-inline' styles in mind, so the
HTML never has `style=` attributes: tokens get Pygments' short class names ("k", "c1")
and `stylesheet()` produces the matching CSS, a light style plus a dark one under
`prefers-color-scheme: dark`.

The default styles were chosen by measuring, not by taste: every coloured token of
"xcode" (light) and "github-dark" (dark) has a contrast of at least 4.5:1 against its
background (WCAG AA for normal text). Popular styles such as "friendly" or "monokai"
comments fail or barely pass that bar; tests/test_highlight.py recomputes it.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

from pygments import highlight as _pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.style import StyleMeta
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Token
from pygments.util import ClassNotFound

LIGHT_STYLE = "xcode"
DARK_STYLE = "github-dark"

SCOPE = ".highlight"

# Pygments token types are tuples of names, e.g. ("Comment", "Single").
TokenType = tuple[str, ...]

# Every property a token rule can set, and the value that undoes it. The dark rules are
# emitted after the light ones inside a media query, so any property the light style
# sets on a token that the dark style leaves alone must be reset explicitly, or a light
# colour would leak onto the dark background.
_RESET = {
    "color": "inherit",
    "background-color": "transparent",
    "font-weight": "inherit",
    "font-style": "inherit",
    "text-decoration": "inherit",
    "border": "0",
}


@lru_cache(maxsize=256)
def _lexer(lang: str) -> Lexer | None:
    """The lexer for a fence's language name, or None; cached as lookup scans plugins."""
    try:
        # stripnl=False keeps the author's leading blank lines: the code is shown as written.
        return get_lexer_by_name(lang, stripnl=False)
    except (ClassNotFound, ValueError):
        return None


@lru_cache(maxsize=1)
def _formatter() -> HtmlFormatter:
    """One shared formatter: nowrap=True emits only the token spans, no <div>/<pre>."""
    return HtmlFormatter(nowrap=True)


def _escape(code: str) -> str:
    # Quotes are escaped as Pygments does, so no literal `"` appears outside of tags.
    return escape(code, quote=False).replace('"', "&quot;")


def _wrap(inner: str, lang_class: str | None) -> str:
    cls = f' class="language-{escape(lang_class)}"' if lang_class else ""
    # tabindex: a long line scrolls sideways, and keyboard users must be able to scroll it.
    return f'<div class="highlight"><pre tabindex="0"><code{cls}>{inner}</code></pre></div>'


def highlight_code(code: str, lang: str | None) -> str:
    """Return `code` highlighted for `lang` inside `<div class="highlight"><pre><code>`.

    An unknown or missing language gives the escaped code in the same wrapper, without a
    language class; this never raises, because one odd fence must not fail a build.
    """
    name = (lang or "").strip().lower()
    lexer = _lexer(name) if name else None
    if lexer is None:
        return _wrap(_escape(code), None)
    try:
        inner = _pygments_highlight(code, lexer, _formatter())
    except Exception:  # a lexer bug on odd input: show the code plain rather than fail
        return _wrap(_escape(code), None)
    return _wrap(inner, name)


def _luminance(hex_colour: str) -> float:
    """Relative luminance of "#rrggbb" / "#rgb" as defined by WCAG 2."""
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(ch * 2 for ch in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio between two hex colours, from 1.0 to 21.0."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def style_colors(name: str) -> tuple[str, str]:
    """The (text, background) colours `stylesheet()` gives `.highlight` for style `name`.

    Many styles leave plain text uncoloured (it would inherit the page's colour, which
    in the other colour scheme may be unreadable), so black or white is picked then,
    whichever contrasts more with the style's background.
    """
    style = get_style_by_name(name)
    background = style.background_color or "#ffffff"
    colour = style.style_for_token(Token)["color"]
    if colour:
        return f"#{colour}", background
    black, white = contrast_ratio("#000000", background), contrast_ratio("#ffffff", background)
    return ("#000000" if black >= white else "#ffffff"), background


def _declarations(style: StyleMeta, token: TokenType) -> dict[str, str]:
    spec = style.style_for_token(token)
    found: dict[str, str] = {}
    if spec["color"]:
        found["color"] = f"#{spec['color']}"
    if spec["bgcolor"]:
        found["background-color"] = f"#{spec['bgcolor']}"
    if spec["bold"]:
        found["font-weight"] = "bold"
    if spec["italic"]:
        found["font-style"] = "italic"
    if spec["underline"]:
        found["text-decoration"] = "underline"
    if spec["border"]:
        found["border"] = f"1px solid #{spec['border']}"
    return found


def _token_classes() -> list[tuple[TokenType, str]]:
    # Parents first, so that a more specific token's rule wins when both apply.
    pairs = [(tok, cls) for tok, cls in STANDARD_TYPES.items() if cls]
    return sorted(pairs, key=lambda pair: (len(pair[0]), pair[1]))


def _rules(
    name: str, undo: dict[str, dict[str, str]] | None, indent: str
) -> tuple[str, dict[str, dict[str, str]]]:
    """CSS rules for style `name`; `undo` are the light rules the dark ones must override."""
    style = get_style_by_name(name)
    text, background = style_colors(name)
    lines = [
        # On the wrapper only: themes commonly make the inner <pre> transparent.
        f"{indent}{SCOPE} {{ background-color: {background}; color: {text}; }}",
    ]
    emitted: dict[str, dict[str, str]] = {}
    for token, cls in _token_classes():
        decls = _declarations(style, token)
        for prop in (undo or {}).get(cls, {}):
            decls.setdefault(prop, _RESET[prop])
        if not decls:
            continue
        emitted[cls] = decls
        body = "; ".join(f"{prop}: {value}" for prop, value in decls.items())
        lines.append(f"{indent}{SCOPE} .{cls} {{ {body} }}")
    return "\n".join(lines), emitted


@lru_cache(maxsize=8)
def stylesheet(light: str = LIGHT_STYLE, dark: str = DARK_STYLE) -> str:
    """CSS for highlighted code: `light` by default, `dark` when the reader prefers dark.

    Only `.highlight`-scoped rules are emitted (Pygments' own get_style_defs adds global
    `pre` and line-number rules that would restyle the theme). The background is set
    on `.highlight` too, because the measured contrast holds only on the style's own
    background: load this after the theme's CSS. Raises
    pygments.util.ClassNotFound for an unknown style name.
    """
    light_css, light_rules = _rules(light, None, "")
    dark_css, _ = _rules(dark, light_rules, "  ")
    return (
        f"/* Code highlighting: Pygments styles {light!r} (light) and {dark!r} (dark). */\n"
        f"{light_css}\n"
        f"@media (prefers-color-scheme: dark) {{\n{dark_css}\n}}\n"
    )


def style_problems(styles: tuple[str, str]) -> list[tuple[str, str]]:
    """(setting, message) for each of the light and dark styles Pygments does not have."""
    from pygments.styles import get_all_styles

    from generator.site.suggest import did_you_mean

    known = sorted(get_all_styles())
    return [
        (key, f"highlight.{key}: unknown Pygments style {style!r}{did_you_mean(style, known)}")
        for key, style in zip(("light", "dark"), styles, strict=True)
        if style not in known
    ]
