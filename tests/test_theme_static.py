"""The default theme on its own: every template renders with the documented variables only.

The templates are rendered here with a plain Jinja environment set up like the build's
(StrictUndefined, autoescape, trim/lstrip blocks) and data made from generator.site.model, so
a template that needs an undocumented variable fails here, naming it.
"""

from __future__ import annotations

import html as html_module
import re
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace as NS
from typing import Any
from urllib.parse import unquote

import jinja2
import pytest
from markupsafe import Markup

from generator.build import mailto
from generator.build.templates import isodate, readable_date
from generator.site.model import (
    Letter,
    Neighbours,
    Page,
    Paginator,
    Post,
    Tag,
    TagListing,
    TocEntry,
    YearListing,
)

THEME = Path(__file__).resolve().parent.parent / "themes" / "default"
BASE = "https://example.com/blog/"


def link(path: str) -> str:
    return "/blog/" + path.lstrip("/")


def absolute(path: str) -> str:
    return BASE + path.lstrip("/")


def make_tag(name: str) -> Tag:
    return Tag(name, name, link(f"/tags/{name}/"), absolute(f"/tags/{name}/"), link(f"/tags/{name}/atom.xml"))


TOC3 = (
    TocEntry(2, "one", "One", (TocEntry(3, "one-a", "One A"),)),
    TocEntry(2, "two", "Two"),
)


def make_post(slug: str = "first", title: str = "Networking? Get Outta Here & more", **kw: Any) -> Post:
    values: dict[str, Any] = dict(
        source=Path(f"content/posts/{slug}.md"),
        slug=slug,
        title=title,
        path=f"posts/{slug}/",
        url=link(f"/posts/{slug}/"),
        permalink=absolute(f"/posts/{slug}/"),
        content=Markup("<p>Body <em>text</em>.</p>"),
        toc=TOC3,
        description="An essay.",
        lang="en",
        template="post.html",
        date=datetime(2026, 9, 14, 9, 30, tzinfo=UTC),
        tags=(make_tag("friendship"),),
        summary=Markup("<p>Summary.</p>"),
        word_count=900,
        reading_minutes=4,
    )
    values.update(kw)
    return Post(**values)


def make_site(endpoint: str = "", email: str = "maren@example.com") -> NS:
    return NS(
        title="An Inch Wide",
        description="Essays on friendship.",
        language="en",
        author=NS(name="Maren Holt", email=email, url=""),
        base_url=BASE,
        menu=(NS(title="Essays", url=link("/")), NS(title="Tags", url=link("/tags/"))),
        inbox=NS(endpoint=endpoint),
        extra={},
    )


def environment(site: NS) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(THEME / "templates")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(readable_date=readable_date, isodate=isodate)
    env.globals.update(
        site=site, link=link, absolute=absolute, asset=link, feed_url=link("/atom.xml"), drafts_shown=False,
        letter_mailto=lambda post, with_body=True: mailto.href(
            site.author.email, post.title, post.slug, post.permalink, with_body=with_body),
        letter_mail_footer=lambda post: mailto.footer_head(post.title, post.permalink),
    )
    return env


def render(template: str, kind: str, title: str, site: NS | None = None, **context: Any) -> str:
    env = environment(site or make_site())
    context.setdefault("canonical", absolute("/x/"))
    context.setdefault("description", "A description.")
    return env.get_template(template).render(page_kind=kind, page_title=title, **context)


def render_post(post: Post | None = None, site: NS | None = None, letters: Any = ()) -> str:
    post = post or make_post()
    older = make_post("older", "Older one")
    return render(
        "post.html", "post", post.title, site, post=post, neighbours=Neighbours(older, None), letters=letters
    )


def all_pages(site: NS) -> dict[str, str]:
    posts = (make_post(), make_post("second", "Second", draft=True, lang="nb"))
    urls = tuple(link("/") if n == 1 else link(f"/page/{n}/") for n in range(1, 10))
    page = Page(
        source=Path("content/pages/about.md"),
        slug="about",
        title="About",
        path="about/",
        url=link("/about/"),
        permalink=absolute("/about/"),
        content=Markup("<p>Hi.</p>"),
        toc=(),
        description="About",
        lang="en",
        template="page.html",
    )
    return {
        "home": render(
            "home.html",
            "home",
            site.title,
            site,
            posts=posts,
            paginator=Paginator(1, 9, urls, None, urls[1]),
            canonical=absolute("/"),
        ),
        "home5": render(
            "home.html",
            "home",
            "Page 5",
            site,
            posts=posts,
            paginator=Paginator(5, 9, urls, urls[3], urls[5]),
        ),
        "post": render_post(posts[0], site),
        "draft": render_post(
            posts[1],
            site,
            letters=[
                Letter(
                    id="l1",
                    post="p",
                    name="Ingrid",
                    received=datetime(2026, 5, 1, tzinfo=UTC),
                    html=Markup("<p>Dear M.</p>"),
                    answer=Markup("<p>Dear Ingrid.</p>"),
                )
            ],
        ),
        "page": render("page.html", "page", "About", site, page=page),
        "tags": render("tags.html", "tags", "Tags", site, tags=[TagListing(make_tag("friendship"), posts)]),
        "tag": render(
            "tag.html", "tag", "Tagged “friendship”", site, tag=make_tag("friendship"), posts=posts
        ),
        "archive": render("archive.html", "archive", "Archive", site, years=[YearListing(2026, posts)]),
        "404": render("404.html", "404", "Page not found", site),
        "alias": render("alias.html", "alias", "First", site, target=absolute("/posts/first/")),
    }


@pytest.mark.parametrize(
    "site",
    [make_site(), make_site(endpoint="https://inbox.example.com/in"), make_site(email="")],
    ids=["email", "endpoint", "neither"],
)
def test_every_template_renders_with_documented_variables_only(site: NS) -> None:
    pages = all_pages(site)
    for name, html in pages.items():
        assert html.lstrip().lower().startswith("<!doctype html>"), name
        assert '<html lang="en">' in html, name


def test_head_has_title_canonical_feed_and_open_graph() -> None:
    pages = all_pages(make_site())
    assert "<title>An Inch Wide</title>" in pages["home"]
    assert "<title>Page 5 — An Inch Wide</title>" in pages["home5"]
    post = pages["post"]
    assert "<title>Networking? Get Outta Here &amp; more — An Inch Wide</title>" in post
    assert '<link rel="canonical" href="https://example.com/blog/x/">' in post
    assert 'type="application/atom+xml"' in post and 'href="/blog/atom.xml"' in post
    assert '<meta property="og:type" content="article">' in post
    assert '<meta property="article:published_time" content="2026-09-14T09:30:00+00:00">' in post
    assert '<meta property="og:type" content="website">' in pages["home"]
    assert 'href="/blog/css/highlight.css"' in post and 'href="/blog/favicon.svg"' in post
    assert 'href="/blog/tags/friendship/atom.xml"' in pages["tag"].split("</head>")[0]


def test_skip_link_is_the_first_focusable_element_and_targets_main() -> None:
    for name, html in all_pages(make_site()).items():
        if name == "alias":
            continue
        body = html.split("<body", 1)[1]
        first = re.search(r"<(a|button|input|textarea|select)\b[^>]*>", body)
        assert first and 'class="skip-link" href="#main"' in first.group(0), name
        assert '<main id="main"' in body, name


def test_post_is_an_h_entry_with_its_parts() -> None:
    html = render_post()
    for part in (
        'class="h-entry',
        'class="p-name"',
        'class="dt-published" datetime="2026-09-14T09:30:00+00:00"',
        'class="e-content',
        'class="p-author h-card"',
        'class="u-url"',
        'class="p-category"',
    ):
        assert part in html, part
    assert 'rel="prev"' in html and "Older one" in html
    assert "letters-title" not in html  # no letters, no section


def test_other_language_post_and_draft_badge_and_letters() -> None:
    html = all_pages(make_site())["draft"]
    assert '<article class="h-entry post" lang="nb">' in html
    assert "Draft</strong>" in html
    assert "Dear M." in html and "Ingrid" in html and "Dear Ingrid." in html


def test_contents_only_from_three_headings() -> None:
    assert 'aria-label="Contents"' in render_post()
    two = make_post(toc=(TocEntry(2, "a", "A"), TocEntry(2, "b", "B")))
    assert 'aria-label="Contents"' not in render_post(two)


def test_reply_by_email_when_there_is_no_endpoint() -> None:
    html = render_post()
    assert "Write to me" in html and "letterbox" in html
    href = html_module.unescape(re.search(r'<a class="button" href="([^"]+)">Reply by email</a>', html).group(1))
    address = "".join(f"%{b:02X}" for b in b"maren@example.com")
    assert href.startswith(f"mailto:{address}?subject=Re%3A%20Networking%3F%20Get%20Outta%20Here%20%26%20more%20"
                           "%5Bfirst%5D&body=")
    assert "maren@example.com" not in html  # never plain text in the page
    assert "May I quote your letter" in unquote(href)
    assert "<form" not in html


def test_reply_form_when_there_is_an_endpoint() -> None:
    html = render_post(site=make_site(endpoint="https://inbox.example.com/in"))
    form = html.split("<form", 1)[1].split("</form>", 1)[0]
    assert 'method="post" action="https://inbox.example.com/in"' in form
    assert '<input type="hidden" name="post" value="first">' in form
    assert re.search(r'<input id="reply-email" name="email" type="email"[^>]*required', form)
    assert re.search(r'<textarea id="reply-message" name="message"[^>]*required', form)
    for value, label in (
        ("private", "Keep it between us"),
        ("quote-named", "You may quote me with my name"),
        ("quote-anonymous", "You may quote me without my name"),
    ):
        assert f'name="consent" value="{value}"' in form and label in form
    assert re.search(r'name="consent" value="private" checked', form)
    trap = form.split('class="trap"', 1)[1].split("</div>", 1)[0]
    assert 'aria-hidden="true"' in form.split('class="trap"', 1)[1][:30]
    assert 'name="website"' in trap and 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
    assert ">Send</button>" in form
    for field in ("reply-name", "reply-email", "reply-message"):
        assert f'<label for="{field}">' in form


def test_no_reply_invitation_without_email_or_endpoint() -> None:
    assert "Write to me" not in render_post(site=make_site(email=""))


def test_pagination_marks_the_current_page() -> None:
    html = all_pages(make_site())["home5"]
    nav = html.split('aria-label="Pagination"', 1)[1].split("</nav>", 1)[0]
    assert re.search(r'href="/blog/page/5/" aria-current="page"', nav)
    assert 'rel="prev"' in nav and 'rel="next"' in nav


def test_alias_redirects_without_being_indexed() -> None:
    html = all_pages(make_site())["alias"]
    target = "https://example.com/blog/posts/first/"
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in html
    assert f'<link rel="canonical" href="{target}">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert f'<a href="{target}">' in html


def test_theme_asks_nothing_of_other_origins() -> None:
    css = (THEME / "static" / "css" / "style.css").read_text("utf-8")
    assert "@import" not in css and not re.search(r"url\(", css)
    assert "prefers-color-scheme: dark" in css and "@media print" in css
    assert len(css.encode()) < 14_000
    for path in (THEME / "templates").rglob("*.html"):
        text = path.read_text("utf-8")
        # The only script is the letter form's own enhancement, from the site itself.
        scripts = re.findall(r"<script\b[^>]*>", text)
        assert all(re.fullmatch(r'<script src="\{\{ asset\(\'/js/[a-z-]+\.js\'\) \}\}" defer>', tag)
                   for tag in scripts), (path.name, scripts)
        assert not re.search(r"https?://", text), path.name
    svg = (THEME / "static" / "favicon.svg").read_text("utf-8")
    assert re.findall(r"https?://[^\"']+", svg) == ["http://www.w3.org/2000/svg"]
