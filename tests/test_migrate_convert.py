"""What `fireside import` makes of other generators' syntax: Liquid, Hugo and Zola
shortcodes, reStructuredText, WordPress's HTML and shortcodes. Each case is a pattern
found in real blogs, written small."""

from __future__ import annotations

import textwrap

from generator.migrate import liquid, shortcodes, wpcontent
from generator.migrate.htmlmd import to_markdown, to_text
from generator.migrate.leftovers import scan
from generator.migrate.liquidexpr import BuildTime, Missing
from generator.migrate.rst import to_markdown as rst
from generator.migrate.zola import convert_shortcodes as zola


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def liquid_context(includes: dict[str, str] | None = None, site: dict | None = None, page: dict | None = None,
                   posts: dict[str, str] | None = None) -> liquid.LiquidContext:  # fmt: skip
    def roots(name: str) -> object:
        if name == "site":
            return {"baseurl": "/blog", "url": "", "posts": BuildTime("site.posts"), **(site or {})}
        if name == "page":
            return page or {}
        return Missing()

    return liquid.LiquidContext(
        post_url=lambda name: (posts or {}).get(name),
        link=lambda path: {"about.md": "/blog/about/", "assets/a.pdf": "/blog/assets/a.pdf"}.get(path),
        include=lambda name, relative: (includes or {}).get(name),
        roots=roots,
        filters={"relative_url": lambda value: "/blog" + str(value)},
    )


# -- Liquid (Jekyll, Eleventy) ---------------------------------------------------------------


def test_liquid_raw_keeps_its_text_and_escapes_braces_only_outside_code() -> None:
    text = "In prose: {% raw %}{{ page.title }}{% endraw %}\n\n`{% raw %}{{ x }}{% endraw %}`\n"
    out, reasons = liquid.convert(text, liquid_context())
    assert out == "In prose: &#123;{ page.title }}\n\n`{{ x }}`\n"
    assert reasons == {}
    assert scan(out) == []  # nothing left that a build would take for a tag


def test_liquid_highlight_becomes_a_fenced_block() -> None:
    text = "{% highlight ruby linenos %}\nputs `ls`\n```\n{% endhighlight %}\n"
    out, _ = liquid.convert(text, liquid_context())
    assert out == "````ruby\nputs `ls`\n```\n````\n"


def test_liquid_post_url_and_link_become_old_urls_and_missing_ones_stay_with_a_reason() -> None:
    text = "[a]({% post_url 2019-5-1-first %}) [b]({% link about.md %}) [c]({% post_url gone %})"
    out, reasons = liquid.convert(text, liquid_context(posts={"2019-5-1-first": "/blog/2019/05/01/first/"}))
    assert out.startswith("[a](/blog/2019/05/01/first/) [b](/blog/about/) [c]({% post_url gone %})")
    assert reasons == {"{% post_url gone %}": "no post 'gone' was imported"}


def test_liquid_include_with_parameters_conditions_loops_and_data() -> None:
    includes = {
        "figure.html": dedent("""
            {% assign src = include.src | relative_url %}
            <figure><img src="{{ src }}" alt="{{ include.alt }}">
            {% if include.caption %}<figcaption>{{ include.caption | markdownify }}</figcaption>{% endif %}
            </figure>"""),
        "links.html": "{% for item in site.data.links %}- [{{ item.name }}]({{ item.url }})\n{% endfor %}",
    }
    site = {"data": {"links": [{"name": "One", "url": "https://one.example"}, {"name": "Two", "url": "/two/"}]}}
    text = '{% include figure.html src="/img/a.png" alt="A cat" caption="*Mine*" %}\n\n{% include links.html %}\n'
    out, reasons = liquid.convert(text, liquid_context(includes, site))
    assert reasons == {}
    assert '<img src="/blog/img/a.png" alt="A cat">' in out
    assert "<figcaption><p><em>Mine</em></p></figcaption>" in out
    assert "- [One](https://one.example)\n- [Two](/two/)\n" in out


def test_liquid_leaves_what_needs_the_old_generator_and_says_why() -> None:
    text = "{{ page.title | img_url }}\n{% for p in site.posts %}{{ p.title }}{% endfor %}\n{% gallery x %}\n"
    out, reasons = liquid.convert(text, liquid_context(page={"title": "T"}))
    assert out == text
    assert "a plugin's" in reasons["{{ page.title | img_url }}"]
    assert "only known to the old generator" in reasons["{% for p in site.posts %}{{ p.title }}{% endfor %}"]
    assert [line for line, _ in scan(out, reasons)] == [1, 2, 3]


def test_liquid_plugin_blocks_of_common_kinds_and_cached_includes() -> None:
    # made-mistakes.com: {% figure caption:"..." %}...{% endfigure %} and {% notice %} tags of
    # its own plugins around Markdown, and jekyll-include-cache's {% include_cached %}.
    text = dedent('''
        {% figure caption:"Two cats." %}
        ![One](/a.png)
        ![Two](/b.png)
        {% endfigure %}

        {% notice %}
        **Note:** careful.
        {% endnotice %}

        {% include_cached note.html text="Hi" %}
        ''')
    out, reasons = liquid.convert(text, liquid_context({"note.html": "<aside>{{ include.text }}</aside>"}))
    assert reasons == {}
    assert out == "![One](/a.png)\n![Two](/b.png)\n\n*Two cats.*\n\n> **Notice:**\n>\n> **Note:** careful.\n\n<aside>Hi</aside>\n"


def test_liquid_site_values_and_url_filters() -> None:
    text = '![x]({{ site.baseurl }}/a.png) {{ site.title }} [p]({{ "/p/" | relative_url }}) {{ site.url }}{{ site.baseurl }}/q'
    out, _ = liquid.convert(text, liquid_context(site={"title": "My blog"}))
    assert out == "![x](/blog/a.png) My blog [p](/blog/p/) /blog/q"


def test_liquid_embeds_become_plain_links() -> None:
    out, _ = liquid.convert("{% youtube dQw4w9WgXcQ %}\n{% gist jane/abc123 %}\n", liquid_context())
    assert out == (
        "[Watch on YouTube](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n"
        "[View the gist jane/abc123](https://gist.github.com/jane/abc123)\n"
    )


# -- Hugo and Zola shortcodes ------------------------------------------------------------------


def hugo(text: str, refs: dict[str, str] | None = None) -> tuple[str, dict[str, str]]:
    context = shortcodes.ShortcodeContext(ref=lambda target: (refs or {}).get(target), base_path="/", params={"author": "Ann"})
    return shortcodes.convert(text, context)


def test_hugo_ref_figure_highlight_and_embeds() -> None:
    text = dedent('''
        See [that]({{< ref "posts/other.md#part" >}}) and [this]({{< relref "gone" >}}).
        {{< figure src="/img/x.jpg" alt="X" caption="A [caption](https://example.org)" >}}
        {{< highlight go "linenos=table" >}}
        fmt.Println("hi")
        {{< /highlight >}}
        {{< youtube w7Ft2ymGmfc >}} {{< param author >}}
        ''')
    out, reasons = hugo(text, {"posts/other.md": "/posts/other/"})
    assert "[that](/posts/other/#part)" in out
    assert '[this]({{< relref "gone" >}})' in out and reasons
    assert '<figure><img src="/img/x.jpg" alt="X"><figcaption>A <a href="https://example.org">caption</a></figcaption></figure>' in out
    assert '```go\nfmt.Println("hi")\n```' in out
    assert "[Watch on YouTube](https://www.youtube.com/watch?v=w7Ft2ymGmfc) Ann" in out


def test_hugo_site_shortcodes_are_recognised_by_kind_and_unknown_ones_listed() -> None:
    text = dedent('''
        {{<img src="cover.webp" alt="Cover" has-border="false">}}
        {{<notice type="warning">}}
        Applications are **closed**.
        {{</notice>}}
        {{< revenue-graph year="2020" >}}
        Escaped: `{{</* img src="x" */>}}`
        ''')
    out, reasons = hugo(text)
    assert "![Cover](cover.webp)" in out
    assert "> **Warning:**\n>\n> Applications are **closed**." in out
    assert '{{< revenue-graph year="2020" >}}' in out
    assert list(reasons) == ['{{< revenue-graph year="2020" >}}']
    assert 'Escaped: `{{< img src="x" >}}`' in out
    assert [message for _, message in scan(out, reasons)] == [
        "Hugo shortcode {{< revenue-graph year=\"2020\" >}} left as it was: "
        "the site's own shortcode 'revenue-graph' is a template that cannot be run here"
    ]


def test_zola_shortcodes_inline_and_with_a_body() -> None:
    context = shortcodes.ShortcodeContext(ref=lambda _: None)
    text = dedent('''
        {{ figure(src="a.png", caption="A *picture*", credits="Me") }}
        {% info() %}
        Read this first.
        {% end %}
        {{ youtube(id="abc") }} {{ stars(n=3) }}
        ''')
    out, reasons = zola(text, context)
    assert '<figure><img src="a.png" alt=""><figcaption>A <em>picture</em> (Source: Me)</figcaption></figure>' in out
    assert "> **Info:**\n>\n> Read this first." in out
    assert "[Watch on YouTube](https://www.youtube.com/watch?v=abc)" in out
    assert "{{ stars(n=3) }}" in out and list(reasons) == ["{{ stars(n=3) }}"]


# -- reStructuredText (Pelican) ------------------------------------------------------------------


def test_rst_constructs_posts_use() -> None:
    text = dedent('''
        Setting up
        ==========

        A paragraph with *emphasis*, **strong**, ``code`` and a `link <https://example.org>`_,
        a `named one`_ and :code:`inline`, and `https://nginx.org/`_.

        .. _named one: https://named.example
        .. _`https://nginx.org/`: https://nginx.org/

        Run this::

            sudo apt-get install thing

        .. code-block:: python
            :linenos:

            print("hi")

        - one
        - two

          continued

        .. note:: Be careful.

        .. image:: /images/a.png
           :alt: An image

        .. contents::

        .. mystery:: arg

           body
        ''')
    out, left = rst(text)
    assert "## Setting up" in out
    assert (
        "A paragraph with *emphasis*, **strong**, `code` and a [link](https://example.org),\n"
        "a [named one](https://named.example) and `inline`, and [https://nginx.org/](https://nginx.org/)."
    ) in out
    assert "Run this:\n\n```\nsudo apt-get install thing\n```" in out
    assert '```python\nprint("hi")\n```' in out
    assert "- one\n\n- two\n\n  continued" in out
    assert "> **Note:**\n>\n> Be careful." in out
    assert "![An image](/images/a.png)" in out
    assert "contents" not in out
    assert ".. mystery:: arg\n\n   body" in out
    assert left == [(".. mystery:: arg", "reStructuredText directive 'mystery' left as it was: it has no Markdown form")]


def test_rst_tables_become_markdown_tables() -> None:
    text = dedent('''
        =====  =====
        A      B
        =====  =====
        1      2
        =====  =====

        +---+---+
        | x | y |
        +===+===+
        | 3 | 4 |
        +---+---+
        ''')
    out, left = rst(text)
    assert "| A | B |\n|---|---|\n| 1 | 2 |" in out
    assert "| x | y |\n|---|---|\n| 3 | 4 |" in out
    assert left == []


# -- HTML (WordPress, HTML posts) -------------------------------------------------------------


def test_html_with_wordpress_paragraphs_becomes_markdown() -> None:
    source = dedent('''
        Hello *not emphasis* and <em>emphasis</em>
        a line break.

        1. not a list
        <ul>
        <li>one</li>
        <li>two <strong>bold </strong>x</li>
        </ul>
        <pre class="brush: python">def f():

            return 1 &lt; 2</pre>
        <p style="text-align:center">centred</p>
        <!--more-->
        After''')
    assert to_markdown(source, paragraphs=True) == dedent('''
        Hello \\*not emphasis\\* and *emphasis*\\
        a line break.

        1\\. not a list

        - one
        - two **bold** x

        ```python
        def f():

            return 1 < 2
        ```

        <p style="text-align:center">centred</p>

        <!-- more -->

        After
        ''')


def test_html_kept_as_html_has_no_blank_line_to_end_it_early() -> None:
    source = '<div style="color:red"><p>a</p>\n\n<pre>x\n\n\ny</pre></div>'
    out = to_markdown(source)
    assert out == '<div style="color:red"><p>a</p>\n<pre>x\n&#10;&#10;y</pre></div>\n'


def test_comment_html_as_plain_text() -> None:
    assert to_text("Thanks!<br>\nSee <a href=\"https://x.example\">my post</a>.<p>More &amp; more</p>") == (
        "Thanks!\nSee my post (https://x.example).\n\nMore & more"
    )


def wordpress(content: str, attachments: dict | None = None) -> tuple[str, list[tuple[str, str]]]:
    context = wpcontent.WordPressContext(attachments or {}, {"7": "<p>Reused</p>"}, "10")
    return wpcontent.convert(content, context), context.left


def test_wordpress_caption_gallery_code_and_embeds() -> None:
    attachments = {
        "1": wpcontent.Attachment("https://old.example/wp-content/uploads/a.jpg", "A", "", "Alt A", "10"),
        "2": wpcontent.Attachment("https://old.example/wp-content/uploads/b.jpg", "B", "Caption B", "", "10"),
    }
    content = dedent('''
        [caption id="attachment_1" align="alignnone" width="300"]<a href="https://old.example/wp-content/uploads/a.jpg"><img class="size-medium" src="https://old.example/wp-content/uploads/a-300x200.jpg" alt="Alt A" width="300" /></a> A caption[/caption]

        [gallery ids="1,2"]

        [code language="php"]<?php echo "<b>"; ?>[/code]

        [embed]https://www.youtube.com/watch?v=abc[/embed]

        [contact-form-7 id="5"]''')
    out, left = wordpress(content, attachments)
    assert (
        '<figure><a href="https://old.example/wp-content/uploads/a.jpg">'
        '<img src="https://old.example/wp-content/uploads/a-300x200.jpg" alt="Alt A"></a>'
        "<figcaption>A caption</figcaption></figure>"
    ) in out
    assert "![Alt A](https://old.example/wp-content/uploads/a.jpg)" in out
    assert '<figure><img src="https://old.example/wp-content/uploads/b.jpg" alt="B"><figcaption>Caption B</figcaption></figure>' in out
    assert '```php\n<?php echo "<b>"; ?>\n```' in out
    assert "[Watch on YouTube](https://www.youtube.com/watch?v=abc)" in out
    assert '\\[contact-form-7 id="5"\\]' in out  # shown as written, listed for the author:
    assert left == [('\\[contact-form-7 id="5"\\]', 'WordPress shortcode [contact-form-7 id="5"] left as it was: '
                     "a shortcode of a WordPress plugin or theme: nothing here can run it")]


def test_wordpress_blocks_reusable_blocks_and_dynamic_ones() -> None:
    content = dedent('''
        <!-- wp:paragraph -->
        <p>First
        line</p>
        <!-- /wp:paragraph -->

        <!-- wp:block {"ref":7} /-->

        <!-- wp:latest-posts {"postsToShow":3} /-->''')
    out, left = wordpress(content)
    assert out.startswith("First line\n\nReused\n\n<!-- wp:latest-posts: a block WordPress filled in on each visit -->")
    assert left == [("<!-- wp:latest-posts: a block WordPress filled in on each visit -->",
                     "WordPress's dynamic block 'latest-posts' has nothing to import: remove it, or write what it showed")]  # fmt: skip


def test_leftovers_are_found_outside_code_only() -> None:
    body = "Text {{ x }}\n\n```\n{% not this %}\n```\n\n`{{< nor this >}}` but {static}/a.png and {{< this >}}\n"
    assert [(line, message.split(" left")[0]) for line, message in scan(body)] == [
        (1, "template expression {{ x }}"),
        (7, "Pelican link {static}"),
        (7, "Hugo shortcode {{< this >}}"),
    ]


def test_an_embedded_notebook_becomes_markdown_code_and_output_files() -> None:
    # jakevdp.github.io: 46 Pelican posts were {% notebook x.ipynb cells[2:] %} and nothing else.
    import base64
    import json

    from generator.migrate import notebook

    cells = [
        {"cell_type": "markdown", "source": ["# Title cell\n"]},
        {"cell_type": "markdown", "source": ["Some *text*.\n"]},
        {"cell_type": "code", "source": ["print(1)\n", "plt.plot()"], "outputs": [
            {"output_type": "stream", "name": "stdout", "text": ["1\n"]},
            {"output_type": "display_data", "data": {"image/png": base64.b64encode(b"PNGDATA").decode(), "text/plain": ["<Figure>"]}},
            {"output_type": "execute_result", "data": {"text/html": ["<table><tr><td>1</td></tr></table>"]}},
        ]},
    ]  # fmt: skip
    text = json.dumps({"cells": cells, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4})
    made = notebook.convert(text, slice(1, None), "nb")
    assert made.markdown == (
        "Some *text*.\n\n```python\nprint(1)\nplt.plot()\n```\n\n```text\n1\n```\n\n![output](nb-1-1.png)\n\n"
        "<table><tr><td>1</td></tr></table>\n"
    )
    assert made.images == [("nb-1-1.png", b"PNGDATA")]
