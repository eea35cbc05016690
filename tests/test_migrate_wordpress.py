"""`fireside import wordpress`: an export written by the test (WXR 1.2, as WordPress writes
it), imported, built and checked: posts, pages, drafts, terms, featured images, captions,
attachments, comments as published letters and inbox letters, and every old URL."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from generator.check.checker import CheckOptions, run_check
from generator.inbox.store import InboxStore
from generator.migrate.importer import ImportOptions, import_site

from .conftest import NOW, build, write_tree
from .test_migrate_sites import PNG, answers, body


def comment(id: str, author: str, content: str, approved: str = "1", parent: str = "0", user: str = "0",
            kind: str = "", date: str = "2020-01-06 09:00:00") -> str:  # fmt: skip
    return f"""
    <wp:comment>
      <wp:comment_id>{id}</wp:comment_id>
      <wp:comment_author><![CDATA[{author}]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[{author.lower().replace(" ", ".")}@readers.example]]></wp:comment_author_email>
      <wp:comment_author_url>https://private.example/</wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[192.0.2.1]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[{date}]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[{date}]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[{content}]]></wp:comment_content>
      <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
      <wp:comment_type><![CDATA[{kind}]]></wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>{user}</wp:comment_user_id>
    </wp:comment>"""


def item(id: str, title: str, link: str, content: str, *, kind: str = "post", status: str = "publish",
         date: str = "2020-01-05 10:00:00", gmt: str = "2020-01-05 09:00:00", name: str = "", parent: str = "0",
         terms: str = "", meta: str = "", comments: str = "", creator: str = "ann", url: str = "") -> str:  # fmt: skip
    return f"""
  <item>
    <title>{escape(title)}</title>
    <link>{link}</link>
    <dc:creator><![CDATA[{creator}]]></dc:creator>
    <guid isPermaLink="false">https://old.example/?p={id}</guid>
    <content:encoded><![CDATA[{content}]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>{id}</wp:post_id>
    <wp:post_date><![CDATA[{date}]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[{gmt}]]></wp:post_date_gmt>
    <wp:post_modified><![CDATA[{date}]]></wp:post_modified>
    <wp:post_modified_gmt><![CDATA[{gmt}]]></wp:post_modified_gmt>
    <wp:post_name><![CDATA[{name}]]></wp:post_name>
    <wp:status><![CDATA[{status}]]></wp:status>
    <wp:post_parent>{parent}</wp:post_parent>
    <wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[{kind}]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <wp:is_sticky>0</wp:is_sticky>
    {f"<wp:attachment_url><![CDATA[{url}]]></wp:attachment_url>" if url else ""}
    {terms}{meta}{comments}
  </item>"""


CLASSIC = """This is the first paragraph, written in the classic editor.
It has a line break.

[caption id="attachment_20" align="aligncenter" width="300"]<img class="size-full wp-image-20" src="https://old.example/wp-content/uploads/2020/01/cat.png" alt="A cat" width="1" height="1" /> Our cat, asleep[/caption]

See <a href="https://old.example/2020/01/04/second-post/">the second post</a> (WordPress found it under any date) and <a href="https://old.example/about/team/">the team</a>.
<!--more-->
<ul>
	<li>One</li>
	<li>Two</li>
</ul>
[sourcecode language="python"]
print("<hello>")
[/sourcecode]"""

BLOCKS = """<!-- wp:paragraph -->
<p>Written with <strong>blocks</strong>.</p>
<!-- /wp:paragraph -->

<!-- wp:latest-posts /-->"""


def export() -> str:
    terms = ('<category domain="category" nicename="essays"><![CDATA[Essays]]></category>'
             '<category domain="post_tag" nicename="cats"><![CDATA[cats]]></category>'
             '<category domain="category" nicename="uncategorized"><![CDATA[Uncategorized]]></category>')  # fmt: skip
    thumbnail = "<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value><![CDATA[20]]></wp:meta_value></wp:postmeta>"
    comments = (
        comment("1", "Bo Reader", "Lovely <em>cat</em>!<br>\nThanks.")
        + comment("2", "Ann Writer", "Thank you, Bo.", parent="1", user="1")
        + comment("3", "Cy Waiting", "Is this on?", approved="0")
        + comment("4", "Spammer", "Buy now", approved="spam")
        + comment("5", "Other blog", "Linked here", kind="pingback")
    )
    items = (
        item("10", "First post", "https://old.example/2020/01/05/first-post/", CLASSIC, name="first-post",
             terms=terms, meta=thumbnail, comments=comments)
        + item("11", "Second post", "https://old.example/2020/01/03/second-post/", BLOCKS, name="second-post",
               date="2020-01-03 23:30:00", gmt="2020-01-03 22:30:00", creator="guest")
        + item("12", "About", "https://old.example/about/", "<p>About us.</p>", kind="page", name="about")
        + item("13", "Team", "https://old.example/about/team/", "The team.", kind="page", name="team", parent="12",
               comments=comment("6", "Di Visitor", "Nice team."))
        + item("14", "Unfinished", "https://old.example/?p=14", "Not yet.", status="draft")
        + item("20", "cat", "https://old.example/2020/01/05/first-post/cat/", "", kind="attachment", status="inherit",
               parent="10", url="https://old.example/wp-content/uploads/2020/01/cat.png")
        + item("30", "Main menu", "https://old.example/?p=30", "", kind="nav_menu_item")
    )  # fmt: skip
    return f"""<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Old WordPress</title>
  <link>https://old.example</link>
  <description>Notes from a kitchen table</description>
  <language>en-GB</language>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://old.example</wp:base_site_url>
  <wp:base_blog_url>https://old.example</wp:base_blog_url>
  <wp:author><wp:author_id>1</wp:author_id><wp:author_login><![CDATA[ann]]></wp:author_login>
    <wp:author_email><![CDATA[ann@old.example]]></wp:author_email>
    <wp:author_display_name><![CDATA[Ann Writer]]></wp:author_display_name></wp:author>
  <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[guest]]></wp:author_login>
    <wp:author_email><![CDATA[guest@old.example]]></wp:author_email>
    <wp:author_display_name><![CDATA[Guest Writer]]></wp:author_display_name></wp:author>
  {items}
</channel>
</rss>
"""


def test_a_wordpress_export_arrives_whole(tmp_path: Path) -> None:
    source = tmp_path / "export.xml"
    source.write_text(export(), encoding="utf-8")
    uploads = tmp_path / "uploads"
    write_tree(uploads, {"2020/01/cat.png": PNG})
    site = tmp_path / "new"
    result = import_site("wordpress", source, site, ImportOptions(uploads=uploads))
    assert (result.posts, result.drafts, result.pages, result.letters, result.inbox) == (2, 1, 2, 1, 2)
    build(site)
    report = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert [str(f) for f in report.errors] == []

    answers(site, "/2020/01/05/first-post/")
    answers(site, "/2020/01/03/second-post/")  # local time 23:30, the next day in UTC: kept all the same
    answers(site, "/about/")
    answers(site, "/about/team/")
    answers(site, "/2020/01/05/first-post/cat/", at="/2020/01/05/first-post/")  # the attachment's own page
    answers(site, "/wp-content/uploads/2020/01/cat.png")

    config = body(site, "site.yaml")
    assert "timezone: Etc/GMT-1  # UTC+1" in config and "email" not in config
    first = body(site, "content/posts/first-post.md")
    assert "tags: [Essays, cats]" in first
    assert "date: 2020-01-05 10:00:00+01:00" in first
    assert "This is the first paragraph, written in the classic editor.\\\nIt has a line break." in first
    assert ('<figure><img src="/wp-content/uploads/2020/01/cat.png" alt="A cat" /><figcaption>Our cat, asleep'
            "</figcaption></figure>") in first.replace('alt="A cat">', 'alt="A cat" />')  # fmt: skip
    assert "[the second post](second-post.md)" in first and "[the team](../pages/about/team.md)" in first
    assert "<!-- more -->\n\n- One\n- Two" in first
    assert '```python\nprint("<hello>")\n```' in first
    assert "  image: /wp-content/uploads/2020/01/cat.png" in first  # featured, and already in the text: once
    second = body(site, "content/posts/second-post.md")
    assert "author: Guest Writer" in second and "Written with **blocks**." in second
    assert any(str(x).startswith("content/posts/second-post.md:") and "latest-posts" in str(x) for x in result.leftovers)

    [letter] = (site / "content/letters").glob("*.md")
    assert letter.read_text() == (
        '---\npost: "first-post"\nname: "Bo Reader"\nreceived: "2020-01-06T09:00:00Z"\n'
        "answer: |-\n  Thank you, Bo.\n---\nLovely cat!\nThanks.\n"
    )
    page = (site / "public/2020/01/05/first-post/index.html").read_text()
    assert "Lovely cat!" in page and "Thank you, Bo." in page and "readers.example" not in page
    store = InboxStore(site / "inbox")
    waiting = {s.thought.name: s for s in store.thoughts()}
    assert waiting["Cy Waiting"].folder == "new" and waiting["Cy Waiting"].thought.post == "first-post"
    assert waiting["Di Visitor"].folder == "archive"  # public, on a page: kept, not shown
    assert "Spammer" not in waiting and "Other blog" not in waiting
    assert oct((site / "inbox").stat().st_mode & 0o777) == "0o700"
    assert any("not imported: 1 comment marked spam" in note for note in result.notes)


def test_without_uploads_the_media_stay_on_the_old_host_and_are_listed(tmp_path: Path) -> None:
    source = tmp_path / "export.xml"
    source.write_text(export(), encoding="utf-8")
    site = tmp_path / "new"
    result = import_site("wordpress", source, site)
    assert any("--uploads" in note for note in result.notes)
    assert "https://old.example/wp-content/uploads/2020/01/cat.png" in body(site, "content/posts/first-post.md")
    assert any("links to https://old.example/wp-content/uploads/2020/01/cat.png" in str(x) for x in result.leftovers)


def test_kept_as_html_bodies_pass_through_markdown_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "export.xml"
    source.write_text(export(), encoding="utf-8")
    site = tmp_path / "new"
    import_site("wordpress", source, site, ImportOptions(keep_html=True))
    first = body(site, "content/posts/first-post.md")
    assert "<p>This is the first paragraph, written in the classic editor.<br>It has a line break.</p>" in first
    build(site)
    html = (site / "public/2020/01/05/first-post/index.html").read_text()
    assert re.search(r"<pre><code class=\"language-python\">print\(&quot;&lt;hello&gt;&quot;\)", html) or "print(" in html


def test_an_rss_feed_is_not_taken_for_an_export(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>')
    from generator.migrate.destination import ImportRefused

    try:
        import_site("wordpress", feed, tmp_path / "new")
    except ImportRefused as refused:
        assert "an RSS feed, not a WordPress export" in str(refused)
    else:
        raise AssertionError("a feed was imported")
    assert not (tmp_path / "new").exists()
