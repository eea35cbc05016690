"""Markdown as other generators' writers wrote it: attribute lists, heading ids, Zola links,
old URLs, and template syntax that would otherwise be published as text."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.markdown.headings import github_id
from generator.markdown.markup import MarkdownRenderer
from generator.site.errors import BuildFailed

from .conftest import DEFAULT_CONFIG, MakeSite, build


class NoLinks:
    def resolve(self, url: str, line: int | None) -> str:
        return url

    def image_file(self, url: str) -> Path | None:
        return None


def html(text: str, **options: str) -> str:
    return MarkdownRenderer(**options).render(text, NoLinks()).html


def warnings_of(result: object) -> list[str]:
    return [str(w) for w in result.warnings]  # type: ignore[attr-defined]


def test_heading_attributes_set_id_and_class() -> None:
    out = html("## Install it {#setup .wide}\n\n[to it](#setup)\n")
    assert '<h2 id="setup" class="wide">Install it' in out and "{#setup" not in out


def test_kramdown_block_attributes_after_a_paragraph_a_heading_and_a_list() -> None:
    out = html("A note.\n{: .note}\n\n# Title\n{: #top}\n\n- a\n- b\n\n{: .list}\n")
    assert '<p class="note">A note.</p>' in out
    assert '<h1 id="top">' in out
    assert '<ul class="list">' in out
    assert "{:" not in out


def test_kramdown_inline_attributes_on_links_and_images() -> None:
    out = html('[site](https://example.com){:target="_blank"} ![x](https://example.com/a.png){: width="50%"}\n')
    assert '<a href="https://example.com" target="_blank">site</a>' in out
    assert 'width="50%"' in out and "{:" not in out


def test_kramdown_toc_marker_list_is_dropped() -> None:
    out = html("* TOC\n{:toc}\n\n## One\n\nText.\n")
    assert "TOC" not in out and "{:toc}" not in out and "<h2" in out


def test_braces_in_prose_are_prose() -> None:
    assert "<p>a set {like this} and {1, 2}</p>" in html("a set {like this} and {1, 2}\n")


def test_no_script_handler_from_an_attribute_list() -> None:
    assert "onclick" not in html('Para\n{: onclick="alert(1)" .x}\n')


@pytest.mark.parametrize(
    ("title", "expected"),
    [("Hello, World!", "hello-world"), ("A -- B", "a----b"), ("snake_case here", "snake_case-here"), ("Ünïcode Ok", "ünïcode-ok")],
)
def test_github_ids(title: str, expected: str) -> None:
    assert github_id(title, set()) == expected


def test_github_style_ids_number_repeats_from_one(make_site: MakeSite) -> None:
    site = make_site(
        {"content/posts/x.md": "---\ntitle: X\ndate: 2020-01-01\n---\n## Q&A\n\n## Q&A\n\n## Keep {#mine}\n"},
        config=DEFAULT_CONFIG + "markdown:\n  heading_ids: github\n",
    )
    build(site)
    page = (site / "public/posts/x/index.html").read_text()
    assert 'id="qa"' in page and 'id="qa-1"' in page and 'id="mine"' in page


def test_zola_internal_links_and_old_urls_resolve_to_the_posts(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/blog/first.md": "---\ntitle: First\ndate: 2020-01-01\naliases: [/2020/01/first.html]\n---\nx\n",
            "content/posts/blog/second.md": (
                "---\ntitle: Second\ndate: 2020-01-02\n---\n[zola](@/blog/first.md#part) "
                "[old](/2020/01/first.html) [bare](/posts/first)\n"
            ),
        }
    )
    build(site)
    page = (site / "public/posts/second/index.html").read_text()
    assert '<a href="/posts/first/#part">zola</a>' in page
    assert '<a href="/posts/first/">old</a>' in page and '<a href="/posts/first/">bare</a>' in page


def test_pelican_links_by_content_path_resolve(make_site: MakeSite) -> None:
    site = make_site(
        {
            "content/posts/other.md": "Title: Other\nDate: 2020-01-01\n\nx\n",
            "content/posts/p.md": "Title: P\nDate: 2020-01-02\n\n[o]({filename}/other.md) ![i]({static}/images/i.png)\n",
            "content/static/images/i.png": "not really a png",
        }
    )
    result = build(site)
    page = (site / "public/posts/p/index.html").read_text()
    assert '<a href="/posts/other/">o</a>' in page and 'src="/images/i.png"' in page
    assert not [w for w in warnings_of(result) if "published as text" in w]


def test_a_zola_link_to_nothing_is_an_error_at_its_line(make_site: MakeSite) -> None:
    site = make_site({"content/posts/x.md": "---\ntitle: X\ndate: 2020-01-01\n---\n\n[gone](@/blog/gone.md)\n"})
    with pytest.raises(BuildFailed) as failed:
        build(site)
    assert [str(e) for e in failed.value.errors] == [
        "content/posts/x.md:6: links to '@/blog/gone.md': no such file under content/"
    ]


def test_template_syntax_outside_code_is_a_warning_at_its_line(make_site: MakeSite) -> None:
    body = (
        "---\ntitle: X\ndate: 2020-01-01\n---\n"  # lines 1-4
        "Intro.\n\n"  # 5-6
        "{% highlight ruby %}\nputs 1\n{% endhighlight %}\n\n"  # 7-10
        "`{{ in code }}` and\n\n```liquid\n{% if x %}{{ y }}{% endif %}\n```\n"  # 11-15
    )
    site = make_site(
        {
            "content/posts/x.md": body,
            "content/posts/h.md": "---\ntitle: H\ndate: 2020-01-01\n---\nSee:\n\n{{< figure src=\"a.png\" >}}\n",
            "content/posts/p.md": "Title: P\nDate: 2020-01-01\n\nSee <img src=\"{static}/i.png\" alt=\"\">\n",
            "content/posts/clean.md": "---\ntitle: Clean\ndate: 2020-01-01\n---\nNo {templates} here, only {{a}} TeX.\n",
        }
    )
    warnings = [w for w in warnings_of(build(site)) if "published as text" in w]
    assert len(warnings) == 3, warnings
    x = next(w for w in warnings if w.startswith("content/posts/x.md:"))
    assert x.startswith("content/posts/x.md:7: a template tag (Liquid, Nunjucks, Zola or a Pelican plugin) is published as text: '{% highlight ruby %}' (and 1 more")
    assert next(w for w in warnings if "h.md" in w).startswith("content/posts/h.md:7: a Hugo shortcode")
    assert next(w for w in warnings if "p.md" in w).startswith("content/posts/p.md:4: a Pelican link")


def test_leftover_warnings_come_again_from_a_cached_build(make_site: MakeSite) -> None:
    site = make_site({"content/posts/x.md": "---\ntitle: X\ndate: 2020-01-01\n---\n{{ site.baseurl }}/x\n"})
    first = [w for w in warnings_of(build(site)) if "published as text" in w]
    (site / "content/posts/y.md").write_text("---\ntitle: Y\ndate: 2020-01-02\n---\nY\n")
    again = [w for w in warnings_of(build(site)) if "published as text" in w]
    assert first == again and len(first) == 1


@pytest.mark.parametrize("marker", ["<!-- PELICAN_END_SUMMARY -->", "<!--excerpt-->", "<!-- more -->"])
def test_other_generators_summary_markers_end_the_summary(marker: str) -> None:
    rendered = MarkdownRenderer().render(f"First part.\n\nSecond part.\n\n{marker}\n\nRest.\n", NoLinks())
    assert "Second part" in rendered.summary_html and "Rest" not in rendered.summary_html


def test_eleventy_heading_ids_keep_dots() -> None:
    out = MarkdownRenderer(heading_ids="eleventy").render("## 1. On-demand building\n\n## 1. On-demand building\n", NoLinks())
    assert 'id="1.-on-demand-building"' in out.html and 'id="1.-on-demand-building-1"' in out.html


def test_template_syntax_in_a_link_is_a_warning_not_an_error(make_site: MakeSite) -> None:
    site = make_site({"content/posts/x.md": "---\ntitle: X\ndate: 2020-01-01\n---\n[file]({{<baseurl>}}x/y.nix)\n"})
    warnings = warnings_of(build(site))
    assert any(w.startswith("content/posts/x.md:5: a Hugo shortcode is published as text") for w in warnings)


def test_a_post_folder_may_link_to_its_own_url_in_static(make_site: MakeSite) -> None:
    """Hugo sites keep a post's big files in static/ under the post's URL."""
    site = make_site(
        {
            "content/posts/debt/index.md": "---\ntitle: Debt\ndate: 2020-01-01\n---\n[emails](full-emails/)\n",
            "content/static/posts/debt/full-emails/index.html": "<title>x</title>",
        }
    )
    build(site)
    assert 'href="full-emails/"' in (site / "public/posts/debt/index.html").read_text()
