"""`fireside import` end to end: small sites of each generator, written by the tests, one
pattern each, imported, built, checked, and every old URL asked for: it must be a file of
the output, or a redirect to the right post."""

from __future__ import annotations

import re
from pathlib import Path

from generator.check.checker import CheckOptions, run_check
from generator.migrate.importer import ImportResult, import_site

from .conftest import NOW, build, write_tree

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def imported(kind: str, source_files: dict[str, str | bytes], tmp_path: Path) -> tuple[Path, ImportResult]:
    source = tmp_path / "old"
    write_tree(source, source_files)
    site = tmp_path / "new"
    result = import_site(kind, source, site)
    build(site)
    report = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert [str(f) for f in report.errors] == []
    return site, result


def answers(site: Path, old: str, at: str | None = None, base: str = "/") -> None:
    """`old` (a site path) is served: by the document itself, or by a redirect to `at`."""
    path = old.lstrip("/")
    file = site / "public" / (path + "index.html" if path.endswith("/") else path)
    assert file.is_file(), f"{old} is not answered"
    if file.suffix != ".html":
        return
    canonical = re.search(r'<link rel="canonical" href="https://[^/"]+([^"]*)"', file.read_text())
    assert canonical is not None, f"{old}: no canonical link"
    wanted = base + (at or old).lstrip("/")
    assert canonical.group(1) == wanted, f"{old} leads to {canonical.group(1)}, not {wanted}"


def body(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


# -- Jekyll ------------------------------------------------------------------------------------


def test_jekyll_permalinks_zones_drafts_redirects(tmp_path: Path) -> None:
    site, result = imported("jekyll", {
        "_config.yml": """
            title: Old Jekyll
            url: https://old.example
            permalink: /:year/:month/:day/:title/
            timezone: Europe/Oslo
            author: {name: Ann Writer, email: ann@old.example}
            plugins: [jekyll-feed, jekyll-redirect-from]
            """,
        "_posts/2019-05-01-first-post.md": "---\ntitle: First\ncategories: [Essays]\ntags: [life]\nredirect_from: [/old-first/]\n---\nHello.\n",
        "_posts/2019-6-2-second.md": "---\ntitle: One-digit month and day\n---\nText.\n",
        # Written at 23:30 UTC: Jekyll's URL keeps that day; in Oslo it is already the 3rd.
        "_posts/2019-06-02-late.md": "---\ntitle: Late\ndate: 2019-06-02 23:30:00 +0000\n---\nLate.\n",
        "_posts/2020-01-01-weekly.md": "---\ntitle: Weekly 1\n---\nOne.\n",
        "_posts/2021-01-01-weekly.md": "---\ntitle: Weekly 2\nauthor: Guest Writer\n---\nTwo.\n",
        "_drafts/idea.md": "---\ntitle: An idea\n---\nLater.\n",
        "about.md": "---\ntitle: About\npermalink: /about/\n---\nAbout me.\n",
        "contact.md": "---\ntitle: Contact\n---\nWrite.\n",
        ".htaccess": "Redirect 301 /first /2019/05/01/first-post/\n",
        "feed.xml": "---\nlayout: null\n---\n{% for post in site.posts %}{% endfor %}\n",
    }, tmp_path)  # fmt: skip
    assert (result.posts, result.drafts, result.pages) == (5, 1, 2)
    for old in ("/2019/05/01/first-post/", "/2019/06/02/second/", "/2019/06/02/late/", "/2020/01/01/weekly/",
                "/2021/01/01/weekly/", "/about/", "/contact/"):  # fmt: skip
        answers(site, old)
    answers(site, "/old-first/", at="/2019/05/01/first-post/")
    answers(site, "/first/", at="/2019/05/01/first-post/")
    config = body(site, "site.yaml")
    assert "permalinks:\n  posts: /:year/:month/:day/:slug/\n" in config
    assert "timezone: Europe/Oslo" in config
    first = body(site, "content/posts/2019-05-01-first-post.md")
    assert "tags: [Essays, life]" in first
    assert "author: Guest Writer" in body(site, "content/posts/2021-01-01-weekly.md")
    [idea] = (site / "content/posts").glob("*-idea.md")
    assert "draft: true" in idea.read_text()
    # Readers subscribed to jekyll-feed's address keep getting posts: the feed is there too.
    assert "feed_aliases:\n- /feed.xml\n" in config
    answers(site, "/feed.xml")
    assert body(site, "public/feed.xml") == body(site, "public/atom.xml")
    assert not any("/feed.xml" in note for note in result.notes)


def test_jekyll_liquid_converted_and_the_rest_listed_at_its_line(tmp_path: Path) -> None:
    site, result = imported("jekyll", {
        "_config.yml": "title: Old\nurl: https://old.example\nbaseurl: /blog\npermalink: pretty\n",
        "_includes/note.html": "<aside>{{ include.text }}{% if include.more %} (more){% endif %}</aside>\n",
        "_data/people.yml": "- name: Bo\n  url: https://bo.example\n",
        "_posts/2019-05-01-first.md": """
            ---
            title: First
            ---
            See [the second]({% post_url 2019-05-02-second %}) and [about]({% link about.md %}).

            ![A picture]({{ site.baseurl }}/images/pic.png)

            {% include note.html text="Careful" more=true %}

            {% for person in site.data.people %}- [{{ person.name }}]({{ person.url }})
            {% endfor %}
            {% highlight python %}
            print("{{ not a tag }}")
            {% endhighlight %}

            Shown as written: {% raw %}{{ page.title }}{% endraw %}.

            {% gallery holiday %}
            """,
        "_posts/2019-05-02-second.md": "---\ntitle: Second\n---\nBack to [the first](https://old.example/blog/2019/05/01/first/).\n",
        "about.md": "---\ntitle: About\n---\nMe.\n",
        "images/pic.png": PNG,
    }, tmp_path)  # fmt: skip
    text = body(site, "content/posts/2019-05-01-first.md")
    assert "[the second](2019-05-02-second.md)" in text
    assert "[about](../pages/about.md)" in text
    assert "![A picture](/images/pic.png)" in text  # a site path: the build adds /blog/
    assert "<aside>Careful (more)</aside>" in text
    assert "- [Bo](https://bo.example)" in text
    assert '```python\nprint("{{ not a tag }}")\n```' in text
    assert "Shown as written: &#123;{ page.title }}." in text
    line = text.splitlines().index("{% gallery holiday %}") + 1
    assert f"content/posts/2019-05-01-first.md:{line}: template tag {{% gallery holiday %}} left as it was: " \
        "the tag 'gallery' is not Liquid's own (a plugin's, or a shortcode?)" in [str(x) for x in result.leftovers]
    assert "[the first](2019-05-01-first.md)" in body(site, "content/posts/2019-05-02-second.md")
    answers(site, "/2019/05/01/first/", base="/blog/")
    answers(site, "/about/", base="/blog/")
    answers(site, "/images/pic.png")


def test_jekyll_default_style_urls_are_html_files_with_categories(tmp_path: Path) -> None:
    site, _ = imported("jekyll", {
        "_config.yml": "title: Old\nurl: https://old.example\n",
        "essays/_posts/2019-05-01-first.md": "---\ntitle: First\n---\nText.\n",
        "_posts/2019-05-02-second.md": "---\ntitle: Second\ncategories: Life Notes\n---\nText.\n",
        "about.md": "---\ntitle: About\n---\nMe.\n",
    }, tmp_path)  # fmt: skip
    answers(site, "/essays/2019/05/01/first.html")
    answers(site, "/life/notes/2019/05/02/second.html")
    answers(site, "/about.html")
    assert "tags: [Life, Notes]" in body(site, "content/posts/2019-05-02-second.md")


# -- Hugo --------------------------------------------------------------------------------------


def test_hugo_sections_bundles_permalinks_and_shortcodes(tmp_path: Path) -> None:
    site, result = imported("hugo", {
        "hugo.toml": """
            baseURL = "https://old.example/"
            title = "Old Hugo"
            [params]
              author = "Ann Writer"
            [permalinks]
              posts = "/:year/:month/:slug/"
            """,
        "content/posts/first.md": """
            +++
            title = "First"
            date = 2020-01-05T10:00:00Z
            slug = "first-one"
            tags = ["life"]
            categories = ["Essays"]
            aliases = ["/old/first/"]
            +++
            See [the bundle]({{< ref "bundle" >}}) and {{< figure src="/img/x.png" alt="X" caption="An *x*" >}}

            {{< highlight go >}}
            fmt.Println("hi")
            {{< /highlight >}}
            """,
        "content/posts/bundle/index.md": "---\ntitle: A bundle\ndate: 2020-02-01\n---\n![Pic](pic.png)\n",
        "content/posts/bundle/pic.png": PNG,
        "content/posts/moved.md": "---\ntitle: Moved\ndate: 2020-03-01\nurl: /elsewhere/\n---\nHere.\n",
        "content/posts/_index.md": "---\ntitle: Posts\n---\n",
        "content/notes/n1.md": "---\ntitle: Note one\ndate: 2021-01-01\n---\nA note.\n",
        "content/notes/_index.md": "---\ntitle: Notes\ndescription: Short things\n---\n",
        "content/about.md": "---\ntitle: About\n---\nMe. {{< revenue-graph >}}\n",
        "static/img/x.png": PNG,
    }, tmp_path)  # fmt: skip
    # Hugo's :slug is the title's when a page has no slug: "A bundle" is /2020/02/a-bundle/.
    for old in ("/2020/01/first-one/", "/2020/02/a-bundle/", "/2020/02/a-bundle/pic.png", "/elsewhere/", "/notes/n1/",
                "/about/", "/img/x.png"):  # fmt: skip
        answers(site, old)
    answers(site, "/old/first/", at="/2020/01/first-one/")
    first = body(site, "content/posts/first.md")
    assert "tags: [life, Essays]" in first
    assert "[the bundle](bundle/index.md)" in first
    assert '<figure><img src="/img/x.png" alt="X"><figcaption>An <em>x</em></figcaption></figure>' in first
    assert (site / "content/posts/notes/_index.md").read_text() == "---\ntitle: Notes\ndescription: Short things\n---\n"
    assert any("revenue-graph" in str(x) and "content/pages/about.md:" in str(x) for x in result.leftovers)


def test_hugo_dates_and_slugs_from_file_names(tmp_path: Path) -> None:
    site, _ = imported("hugo", {
        "config.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n[frontmatter]\ndate = [":filename", ":default"]\n[permalinks]\nposts = "/:slug/"\n',
        "content/posts/2019-01-02-new-year.md": "---\ntitle: New Year\n---\nHi.\n",
        "content/posts/2019-03-04-spring/index.md": "---\ntitle: Spring\n---\nHi.\n",
    }, tmp_path)  # fmt: skip
    answers(site, "/new-year/")
    answers(site, "/spring/")
    assert "date: 2019-01-02" in body(site, "content/posts/2019-01-02-new-year.md")


# -- Zola --------------------------------------------------------------------------------------


def test_zola_sections_internal_links_paths_and_assets(tmp_path: Path) -> None:
    site, _ = imported("zola", {
        "config.toml": 'base_url = "https://old.example/writing"\ntitle = "Old Zola"\n[extra]\nauthor = "Ann"\n',
        "content/_index.md": "+++\n+++\n",
        "content/blog/_index.md": "+++\ntitle = \"Blog\"\nsort_by = \"date\"\n+++\n",
        "content/blog/2020-01-01-first.md": """
            +++
            title = "First"
            [taxonomies]
            tags = ["rust"]
            +++
            Next: [second](@/blog/second/index.md#the-end). {{ youtube(id="abc") }}
            """,
        "content/blog/second/index.md": "+++\ntitle = \"Second\"\ndate = 2020-02-01\naliases = [\"/writing/old-second/\"]\n+++\n![](pic.png)\n\n## The end\n",
        "content/blog/second/pic.png": PNG,
        "content/about.md": "+++\ntitle = \"About\"\npath = \"me\"\n+++\nMe.\n",
        "static/files/cv.pdf": b"%PDF-1.4\n",
    }, tmp_path)  # fmt: skip
    for old in ("/blog/first/", "/blog/second/", "/blog/second/pic.png", "/me/", "/files/cv.pdf"):
        answers(site, old, base="/writing/")
    answers(site, "/old-second/", at="/blog/second/", base="/writing/")
    first = body(site, "content/posts/2020-01-01-first.md")
    assert "[second](second/index.md#the-end)" in first
    assert "tags: [rust]" in first
    assert "base_url: https://old.example/writing/" in body(site, "site.yaml")


# -- Pelican -------------------------------------------------------------------------------------


def test_pelican_settings_slugs_from_titles_rst_and_links(tmp_path: Path) -> None:
    site, result = imported("pelican", {
        "pelicanconf.py": """
            AUTHOR = 'Ann Writer'
            SITENAME = 'Old Pelican'
            SITEURL = ''
            TIMEZONE = 'Europe/Paris'
            ARTICLE_URL = 'posts/{date:%Y}/{slug}/'
            ARTICLE_SAVE_AS = ARTICLE_URL + 'index.html'
            PAGE_URL = 'pages/{slug}/'
            PAGE_SAVE_AS = 'pages/{slug}/index.html'
            import os  # never run
            """,
        "publishconf.py": "from pelicanconf import *\nSITEURL = 'https://old.example'\n",
        "content/hello.md": """
            Title: Hello, World!
            Date: 2019-05-01 10:20
            Tags: python, notes
            Category: Essays

            Hi. See [the second]({filename}/notes/second.rst), ![a]({static}/images/a.png) and {tag}python.
            """,
        "content/notes/second.rst": """
            The Second Post
            ###############
            :date: 2019-06-01
            :slug: second-post

            Some *text* with a `link <https://example.org>`_.

            .. code-block:: python

                print("hi")
            """,
        "content/pages/about.md": "Title: About\n\nMe.\n",
        "content/images/a.png": PNG,
    }, tmp_path)  # fmt: skip
    for old in ("/posts/2019/hello-world/", "/posts/2019/second-post/", "/pages/about/", "/images/a.png"):
        answers(site, old)
    hello = body(site, "content/posts/hello.md")
    assert "tags: [Essays, python, notes]" in hello
    assert "[the second](second.md)" in hello and "![a](/images/a.png)" in hello and "/tags/python/" in hello
    second = body(site, "content/posts/second.md")
    assert "title: The Second Post" in second and '```python\nprint("hi")\n```' in second
    assert "tags: [notes]" in second  # its folder was its category
    assert result.leftovers == () or all("pelicanconf" not in str(x) for x in result.leftovers)


# -- Eleventy ------------------------------------------------------------------------------------


def test_eleventy_data_cascade_permalinks_and_passthrough(tmp_path: Path) -> None:
    site, _ = imported("eleventy", {
        "eleventy.config.js": 'export default function(c) { c.addPassthroughCopy("img"); };\n',
        "_data/metadata.json": '{"title": "Old Eleventy", "url": "https://old.example/", "author": {"name": "Ann"}}',
        "posts/posts.json": '{"permalink": "/blog/{{ page.fileSlug }}/", "tags": "posts", "layout": "post.njk"}',
        "posts/2020-01-01-first.md": "---\ntitle: First\ntags: [posts, life]\n---\n![A]({{ '/img/a.png' | url }})\n\n{% highlight 'js' %}\nlet a = 1;\n{% endhighlight %}\n",
        "posts/second.md": "---\ntitle: Second Post\ndate: 2020-02-01\npermalink: /notes/{{ title | slugify }}/\n---\nHi.\n",
        "about.md": "---\ntitle: About\n---\nMe.\n",
        "index.njk": "---\npagination: {data: collections.posts}\n---\n{% for p in collections.posts %}{% endfor %}\n",
        "img/a.png": PNG,
    }, tmp_path)  # fmt: skip
    for old in ("/blog/first/", "/notes/second-post/", "/about/", "/img/a.png"):
        answers(site, old)
    first = body(site, "content/posts/2020-01-01-first.md")
    assert "tags: [life]" in first  # "posts" was the folder's collection, not a tag
    assert "![A](/img/a.png)" in first and "```js\nlet a = 1;\n```" in first
