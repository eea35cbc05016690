"""Tests for generator.markdown.markup: fixture files (markdown-it style) plus the derived data."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest

from generator.markdown.markup import MarkdownRenderer, RenderedMarkdown
from generator.site.model import TocEntry

FIXTURES = Path(__file__).parent / "fixtures" / "markup"


# --- tiny image files, written with the stdlib only -------------------------------------


def png_bytes(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def gif_bytes(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00;"


def jpeg_bytes(width: int, height: int) -> bytes:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


@pytest.fixture(scope="module")
def image_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("images")
    (root / "img").mkdir()
    (root / "pic.png").write_bytes(png_bytes(4, 3))
    (root / "anim.gif").write_bytes(gif_bytes(5, 7))
    (root / "photo.jpg").write_bytes(jpeg_bytes(640, 480))
    (root / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 60"></svg>', encoding="utf-8"
    )
    (root / "img" / "deep.png").write_bytes(png_bytes(8, 2))
    return root


class BlogLinks:
    """A LinkContext for a site under /blog: other.md is the post /blog/posts/other/."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.calls: list[tuple[str, int | None]] = []

    def resolve(self, url: str, line: int | None) -> str:
        self.calls.append((url, line))
        path, hash_mark, fragment = url.partition("#")
        if path == "other.md":
            return "/blog/posts/other/" + hash_mark + fragment
        if url.startswith("/"):
            return "/blog" + url
        return url

    def image_file(self, url: str) -> Path | None:
        if self.root is None:
            return None
        candidate = self.root / url.lstrip("/")
        return candidate if candidate.is_file() else None


# --- fixture files --------------------------------------------------------------------


def read_fixtures(path: Path) -> list[tuple[int, str, str, str]]:
    """Cases of `description`, `.`, markdown, `.`, expected HTML, `.` -> (line, d, md, html)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    cases: list[tuple[int, str, str, str]] = []
    index = 0

    def block() -> str:
        nonlocal index
        start = index
        while lines[index] != ".\n":
            index += 1
        index += 1
        return "".join(lines[start : index - 1])

    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        line_number, description = index + 1, lines[index].rstrip("\n")
        assert lines[index + 1] == ".\n", f"{path.name}:{index + 2}: expected '.'"
        index += 2
        markdown = block()
        expected = block()
        cases.append((line_number, description, markdown, expected))
    return cases


def fixture_cases() -> list[pytest.ParameterSet]:
    params = []
    for path in sorted(FIXTURES.glob("*.txt")):
        for line, description, markdown, expected in read_fixtures(path):
            case_id = f"{path.stem}:{line}:{description}"
            params.append(pytest.param(markdown, expected, id=case_id))
    return params


@pytest.fixture(scope="module")
def renderer() -> MarkdownRenderer:
    return MarkdownRenderer()


def test_fixture_files_exist() -> None:
    assert len(fixture_cases()) >= 30


@pytest.mark.parametrize(("markdown", "expected"), fixture_cases())
def test_fixture(renderer: MarkdownRenderer, image_root: Path, markdown: str, expected: str) -> None:
    assert renderer.render(markdown, BlogLinks(image_root)).html == expected


# --- derived data ----------------------------------------------------------------------


def render(text: str, links: BlogLinks | None = None) -> RenderedMarkdown:
    return MarkdownRenderer().render(text, links or BlogLinks())


def test_toc_nesting() -> None:
    result = render("# Title\n\n## A\n\n### A1\n\n### A2\n\n## B\n\n#### B deep\n\n## C\n")
    assert result.toc == (
        TocEntry(
            1,
            "title",
            "Title",
            (
                TocEntry(2, "a", "A", (TocEntry(3, "a1", "A1"), TocEntry(3, "a2", "A2"))),
                TocEntry(2, "b", "B", (TocEntry(4, "b-deep", "B deep"),)),
                TocEntry(2, "c", "C"),
            ),
        ),
    )


def test_toc_without_h1_has_several_roots_and_typographic_titles() -> None:
    result = render('## "Quoted" one\n\n### Child\n\n## Two\n')
    assert [(e.id, e.title) for e in result.toc] == [("quoted-one", "“Quoted” one"), ("two", "Two")]
    assert result.toc[0].children == (TocEntry(3, "child", "Child"),)


def test_toc_skips_headings_inside_blockquotes_but_they_get_ids() -> None:
    result = render("## Real\n\n> ## Quoted\n")
    assert [e.id for e in result.toc] == ["real"]
    assert '<h2 id="quoted">' in result.html


def test_ids_restart_for_every_document() -> None:
    renderer = MarkdownRenderer()
    first = renderer.render("## Notes\n", BlogLinks())
    second = renderer.render("## Notes\n", BlogLinks())
    assert first.html == second.html
    assert 'id="notes"' in second.html


def test_more_marker_summary_and_removal() -> None:
    text = "# Title\n\nFirst *para*.\n\nSecond[^1].\n\n<!-- more -->\n\nThe rest.\n\n[^1]: Note.\n"
    result = render(text)
    assert result.has_more_marker
    assert result.summary_html == "<p>First <em>para</em>.</p>\n<p>Second.</p>\n"
    assert "more" not in result.html.replace("The rest", "")
    assert "<!--" not in result.html
    assert "<p>The rest.</p>" in result.html
    assert result.description == "First para. Second."


@pytest.mark.parametrize("marker", ["<!--more-->", "<!-- more -->", "<!--   MORE\t-->"])
def test_more_marker_variants(marker: str) -> None:
    result = render(f"One.\n\nTwo.\n\n{marker}\n\nThree.\n")
    assert result.has_more_marker
    assert result.summary_html == "<p>One.</p>\n<p>Two.</p>\n"
    assert marker not in result.html


def test_more_marker_summary_strips_ids_and_anchors() -> None:
    result = render("Intro.\n\n## Part one\n\nText.\n\n<!--more-->\n\nRest.\n")
    assert result.summary_html == "<p>Intro.</p>\n<h2>Part one</h2>\n<p>Text.</p>\n"


def test_more_marker_at_top_falls_back_to_first_paragraph() -> None:
    result = render("<!-- more -->\n\nOnly paragraph.\n")
    assert result.has_more_marker
    assert result.summary_html == "<p>Only paragraph.</p>\n"


def test_first_paragraph_summary_without_footnote_refs() -> None:
    text = "# Heading\n\nFirst[^n] paragraph^[inline] with a [link](/x).\n\nSecond.\n\n[^n]: Note.\n"
    result = render(text)
    assert not result.has_more_marker
    assert result.summary_html == '<p>First paragraph with a <a href="/blog/x">link</a>.</p>\n'
    assert "footnote" not in result.summary_html
    assert "id=" not in result.summary_html
    assert result.description == "First paragraph with a link."
    assert 'class="footnote-ref"' in result.html


def test_summary_skips_leading_non_paragraph_blocks() -> None:
    result = render("## Sub\n\n```\ncode\n```\n\nThe paragraph.\n")
    assert result.summary_html == "<p>The paragraph.</p>\n"


def test_summary_of_document_without_paragraphs() -> None:
    result = render("## Only a heading\n")
    assert result.summary_html == ""
    assert result.description == ""


def test_summary_never_comes_from_footnotes() -> None:
    result = render("- a list\n\nText^[inline note].\n")
    assert result.summary_html == "<p>Text.</p>\n"
    result = render("- a list\n")
    assert result.summary_html == ""


def test_word_count_excludes_code_blocks() -> None:
    text = (
        "# Two words\n\nThree more *words* here.\n\n"
        "```python\nnot counted at all\n```\n\n    nor this\n\n"
        "Inline `code` counts, images ![alt text](x.png) do not.\n"
    )
    # 2 + 4 + "Inline code counts, images do not." (6)
    assert render(text).word_count == 12


def test_word_count_joins_split_text_and_breaks_lines() -> None:
    assert render("foo*bar*baz\nnext line\n").word_count == 3


def test_description_truncation() -> None:
    words = " ".join(f"word{i}" for i in range(80))
    result = render(f"{words}\n")
    assert len(result.description) <= 200
    assert result.description.endswith("…")
    body = result.description[:-1]
    assert words.startswith(body)
    assert words[len(body)] == " "  # cut on a word boundary


def test_description_collapses_whitespace_and_keeps_short_text() -> None:
    result = render("Short\nparagraph   with  *spaces*.\n")
    assert result.description == "Short paragraph with spaces."


def test_description_of_one_very_long_word() -> None:
    result = render("x" * 500 + "\n")
    assert len(result.description) == 200
    assert result.description.endswith("…")


def test_first_heading() -> None:
    assert render("Intro.\n\n## Two\n\n# The *real* title\n\n# Later\n").first_heading == ("The real title")
    assert render("## No h1\n").first_heading is None
    assert render("> # Quoted h1\n").first_heading is None


def test_resolve_gets_the_line_of_each_link() -> None:
    links = BlogLinks()
    text = (
        "Para [a](a.md)\nsecond line [b](/b)\n\n"
        "| x |\n|---|\n| [c](c.md) |\n\n"
        "![img](i.png)\n\nText^[see [d](d.md)] [e](#frag) [f](https://x.org/)\n\n"
        # A code span and raw HTML that run over lines, a quote, a picture inside a link
        # whose label runs over a line, a reference link (its use is where the link is).
        "Some `code\nspan` and <span\nclass=x>html</span> [g](g.md)\n\n"
        "> quoted\n> [h](h.md)\n\n"
        "[![i](i2.png)\nlabel](j.md) [k][ref]\n\n[ref]: k.md\n"
    )
    render(text, links)
    assert links.calls == [
        ("a.md", 1),
        ("/b", 2),
        ("c.md", 6),
        ("i.png", 8),
        ("g.md", 14),
        ("h.md", 17),
        ("j.md", 19),
        ("i2.png", 19),
        ("k.md", 20),
        ("d.md", None),  # inline footnotes are rendered with the footnotes, after the text
    ]


def test_image_file_gets_original_src(image_root: Path) -> None:
    seen: list[str] = []

    class Recording(BlogLinks):
        def image_file(self, url: str) -> Path | None:
            seen.append(url)
            return super().image_file(url)

    result = render("![x](/img/deep.png)\n", Recording(image_root))
    assert seen == ["/img/deep.png"]
    assert 'src="/blog/img/deep.png"' in result.html
    assert 'width="8" height="2"' in result.html


def test_render_inline() -> None:
    renderer = MarkdownRenderer()
    links = BlogLinks()
    html = renderer.render_inline('An *essay* about "letters" -- see [this](other.md)^[n].', links)
    assert html == ('An <em>essay</em> about “letters” – see <a href="/blog/posts/other/">this</a>.')
    assert renderer.render_inline("", links) == ""


@pytest.mark.parametrize(
    ("summary", "text"),
    [
        ("A **fully** *plain* summary -- with `code`.", "A fully plain summary – with code."),
        ("See [the notes](https://example.org/n) and ![a *sunset*](/img/s.png).", "See the notes and a sunset."),
        ("Footnote^[never shown] &amp; \\*escaped\\* ~~gone~~", "Footnote & *escaped* gone"),
        ("Costs **$2.5–3 per 1,000**, <abbr>roughly</abbr>", "Costs $2.5–3 per 1,000, roughly"),
        ("", ""),
    ],
)
def test_a_summary_as_plain_text(summary: str, text: str) -> None:
    assert MarkdownRenderer().inline_text(summary) == text


def test_typographer_can_be_disabled() -> None:
    result = MarkdownRenderer(typographer=False).render('"q" -- ...\n', BlogLinks())
    assert result.html == "<p>&quot;q&quot; -- ...</p>\n"


def test_raw_html_is_allowed() -> None:
    assert render('<div class="x">raw</div>\n').html == '<div class="x">raw</div>\n'


# --- highlighted code blocks reused by the next render of an edited document -------------

CODE_DOC = """\
Intro with `inline` code.

```python
def f(x):
    return x + 1
```

Middle.

```python
def f(x):
    return x + 1
```

    indented block

```nosuchlanguage
plain <text>
```
"""


def test_code_blocks_are_located_in_the_html() -> None:
    from generator.markdown.highlight import highlight_code

    result = render(CODE_DOC)
    expected = [
        highlight_code("def f(x):\n    return x + 1\n", "python"),
        highlight_code("def f(x):\n    return x + 1\n", "python"),
        highlight_code("indented block\n", None),
        highlight_code("plain <text>\n", "nosuchlanguage"),
    ]
    assert [result.html[b.start : b.end] for b in result.code_blocks] == expected
    assert result.code_blocks[0].key == result.code_blocks[1].key  # same code, same language
    assert len({b.key for b in result.code_blocks}) == 3
    starts = [b.start for b in result.code_blocks]
    assert starts == sorted(starts) and result.code_blocks[0].end <= result.code_blocks[1].start


def test_an_edited_document_reuses_its_earlier_code_blocks() -> None:
    renderer = MarkdownRenderer()
    first = renderer.render(CODE_DOC, BlogLinks())
    edited = CODE_DOC.replace("Middle.", "Middle, with more words.")
    again = renderer.render(edited, BlogLinks(), first.highlighted_blocks())
    assert again.html == renderer.render(edited, BlogLinks()).html
    assert again.code_blocks and again.highlighted_blocks() == first.highlighted_blocks()
    # Proof that the earlier HTML is what is used: a planted block shows up verbatim.
    planted = {key: f"<pre>PLANTED {n}</pre>" for n, key in enumerate(first.highlighted_blocks())}
    reused = renderer.render(edited, BlogLinks(), planted)
    assert reused.html.count("PLANTED") == 4
    assert reused.highlighted_blocks() == planted


def test_changed_code_or_language_is_highlighted_again() -> None:
    renderer = MarkdownRenderer()
    first = renderer.render(CODE_DOC, BlogLinks())
    planted = {key: "<pre>PLANTED</pre>" for key in first.highlighted_blocks()}
    for edited in (
        CODE_DOC.replace("return x + 1", "return x + 2"),
        CODE_DOC.replace("```python", "```ruby"),
        CODE_DOC.replace("    indented block", "    indented block, longer"),
    ):
        again = renderer.render(edited, BlogLinks(), planted)
        fresh = renderer.render(edited, BlogLinks())
        assert again.html.count("PLANTED") < 4
        stale = [key for key in again.highlighted_blocks() if key not in planted]
        assert stale and all(fresh.highlighted_blocks()[key] == again.highlighted_blocks()[key] for key in stale)


def test_a_code_block_in_the_summary_is_not_counted_twice() -> None:
    doc = "```python\nx = 1\n```\n\n<!-- more -->\n\nRest.\n"
    result = render(doc)
    assert len(result.code_blocks) == 1
    assert result.html[result.code_blocks[0].start : result.code_blocks[0].end].startswith('<div class="highlight">')
