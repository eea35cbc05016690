"""Tests for generator.markdown.highlight: class-only markup and readable default styles."""

from __future__ import annotations

import re

import pytest
from pygments.styles import get_style_by_name
from pygments.token import STANDARD_TYPES, Whitespace
from pygments.util import ClassNotFound

from generator.markdown.highlight import (
    DARK_STYLE,
    LIGHT_STYLE,
    contrast_ratio,
    highlight_code,
    style_colors,
    stylesheet,
)

WRAPPER = re.compile(
    r'^<div class="highlight"><pre tabindex="0"><code( class="language-[^"]+")?>.*</code></pre></div>$', re.S
)


def test_known_language_uses_classes_only() -> None:
    html = highlight_code('def f(x):\n    return "<b>" # note\n', "python")
    assert html.startswith('<div class="highlight"><pre tabindex="0"><code class="language-python">')
    assert WRAPPER.match(html)
    assert "style=" not in html
    assert '<span class="k">def</span>' in html
    assert '<span class="c1"># note</span>' in html
    assert "&lt;b&gt;" in html and "<b>" not in html


def test_language_name_is_case_insensitive_and_aliases_work() -> None:
    assert 'class="language-js"' in highlight_code("let a = 1;\n", "JS")
    assert '<span class="kd">let</span>' in highlight_code("let a = 1;\n", "js")


@pytest.mark.parametrize("lang", [None, "", "no-such-language", 'x" onmouseover="y'])
def test_unknown_or_missing_language_is_escaped_plain(lang: str | None) -> None:
    html = highlight_code('a < b && c > "d"\n', lang)
    assert html == (
        '<div class="highlight"><pre tabindex="0"><code>a &lt; b &amp;&amp; c &gt; &quot;d&quot;\n</code></pre></div>'
    )


def test_code_is_kept_as_written() -> None:
    html = highlight_code("\n\nx = 1\n", "python")
    inner = re.sub(r"<[^>]+>", "", html)
    assert inner == "\n\nx = 1\n"


def test_stylesheet_has_light_and_dark_rules_without_global_selectors() -> None:
    css = stylesheet()
    light, _, dark = css.partition("@media (prefers-color-scheme: dark) {")
    assert dark, "dark rules must sit in a prefers-color-scheme media query"
    assert ".highlight .c1 {" in light and ".highlight .c1 {" in dark
    for line in css.splitlines():
        line = line.strip()
        if line and not line.startswith(("/*", "@media", "}")):
            assert line.startswith(".highlight"), line
    assert "linenos" not in css and "style=" not in css


def test_dark_rules_undo_light_properties_the_dark_style_lacks() -> None:
    # "friendly" makes keywords bold; "monokai" names no weight for some of them.
    css = stylesheet("friendly", "monokai")
    dark = css.partition("@media")[2]
    rules = dict(re.findall(r"(\.highlight \.\w+) \{ ([^}]*) \}", dark))
    light_rules = dict(re.findall(r"^(\.highlight \.\w+) \{ ([^}]*) \}", css, re.M))
    for selector, body in light_rules.items():
        for prop in re.findall(r"([\w-]+):", body):
            assert prop in rules.get(selector, ""), (selector, prop)


def test_unknown_style_raises() -> None:
    with pytest.raises(ClassNotFound):
        stylesheet("no-such-style")


def _token_contrasts(name: str) -> list[tuple[str, float]]:
    """Contrast of each coloured token, and of plain text, against its background."""
    style = get_style_by_name(name)
    text, background = style_colors(name)
    found = [("text", contrast_ratio(text, background))]
    for token, cls in STANDARD_TYPES.items():
        if token in Whitespace:
            continue  # whitespace has no visible glyphs
        spec = style.style_for_token(token)
        if spec["color"]:
            behind = f"#{spec['bgcolor']}" if spec["bgcolor"] else background
            found.append((cls or "token", contrast_ratio(f"#{spec['color']}", behind)))
    return found


@pytest.mark.parametrize("name", [LIGHT_STYLE, DARK_STYLE])
def test_default_styles_meet_wcag_aa(name: str) -> None:
    failing = [(cls, round(ratio, 2)) for cls, ratio in _token_contrasts(name) if ratio < 4.5]
    assert not failing, f"{name}: {failing}"


def test_comment_contrast_of_default_styles() -> None:
    for name in (LIGHT_STYLE, DARK_STYLE):
        assert dict(_token_contrasts(name))["c"] >= 4.5


def test_stylesheet_uses_the_measured_background() -> None:
    css = stylesheet()
    for name in (LIGHT_STYLE, DARK_STYLE):
        text, background = style_colors(name)
        assert f".highlight {{ background-color: {background}; color: {text}; }}" in css


def test_contrast_ratio_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#fff", "#fff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
