"""Where things live in the output, and the links that reach them.

Every page is a directory with an `index.html` ("pretty URLs"), so any static host serves
it without configuration. Links are root-relative and include the base path, so a site
published under `https://example.com/blog/` works the same as one at the root.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import quote, urljoin, urlsplit


@dataclass(frozen=True)
class UrlScheme:
    base_url: str  # absolute, ends with "/"

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path or "/"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def link(self, path: str) -> str:
        """A site path ("/about/", "about/", "") as a root-relative link under the base path.

        Absolute URLs, protocol-relative URLs, fragments and mailto-style links pass through.
        """
        if not path:
            return self.base_path
        if _has_scheme(path) or path.startswith(("//", "#", "?")):
            return path
        return self.base_path + quote(path.lstrip("/"), safe="/#?=&%:@~!$'()*+,;")

    def absolute(self, path: str) -> str:
        link = self.link(path)
        if link.startswith("/") and not link.startswith("//"):
            return self.origin + link
        return link


def _has_scheme(url: str) -> bool:
    return bool(urlsplit(url).scheme)


def has_scheme(url: str) -> bool:
    """True for `https://…`, `mailto:…`, `data:…`: anything the site does not own."""
    return _has_scheme(url)


def post_path(slug: str) -> str:
    return f"posts/{slug}/"


def page_path(slug: str) -> str:
    return f"{slug}/"


def tag_path(tag_slug: str) -> str:
    return f"tags/{tag_slug}/"


def tag_feed_path(tag_slug: str) -> str:
    return f"tags/{tag_slug}/atom.xml"


def home_path(page_number: int) -> str:
    return "" if page_number == 1 else f"page/{page_number}/"


TAGS_PATH = "tags/"
ARCHIVE_PATH = "archive/"
FEED_PATH = "atom.xml"
SITEMAP_PATH = "sitemap.xml"
NOT_FOUND_PATH = "404.html"
THANKS_PATH = "thanks/"
HIGHLIGHT_CSS_PATH = "css/highlight.css"


def index_file(path: str) -> str:
    """The file that serves a site path: "posts/x/" → "posts/x/index.html"."""
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path


def alias_path(alias: str) -> str | None:
    """Normalise an old URL from front matter into a site path, or None if it is unusable.

    "/2019/05/old-post/" and "2019/05/old-post" give "2019/05/old-post/"; "/old.html"
    stays a file. Anything that would climb out of the output (`..`) is refused.
    """
    if has_scheme(alias) or alias.startswith("//"):
        parts = urlsplit(alias)
        alias = parts.path
    alias = alias.split("#", 1)[0].split("?", 1)[0].strip()
    if not alias or "\\" in alias or "\x00" in alias:
        return None
    if ".." in alias.split("/"):
        return None  # refused, not clamped: an alias never climbs anywhere
    normal = posixpath.normpath("/" + alias.lstrip("/"))
    if normal == "/":
        return None
    normal = normal.lstrip("/")
    last = normal.rsplit("/", 1)[-1]
    if "." in last and not alias.endswith("/"):
        return normal  # a file such as old.html
    return normal + "/"


# Start tags that have an href/src/poster/srcset attribute, and inside them those
# attributes (raw HTML may use either quote style). Only tags are touched: `&lt;img
# src='x'&gt;` in a code sample is text, not a tag. Tags without such an attribute (most
# of them: every highlighted token is a <span>) are not even handed to Python.
_START_TAG = re.compile(r"<[a-zA-Z][^<>]*?\s(?:href|src|poster|srcset)\s*=[^<>]*>", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(
    r"""(\s(href|src|poster|srcset)\s*=\s*)(["'])(.*?)\3""", re.IGNORECASE | re.DOTALL
)


def absolutize(html: str, page_url: str) -> str:
    """Resolve every href/src in `html` against `page_url`, as a browser on that page would.

    With an absolute `page_url` (feeds) every link becomes absolute; with a root-relative
    one (a summary shown on the home page) relative links keep pointing at the post's files.
    """

    def resolve(url: str) -> str:
        # Attribute values are HTML-escaped; &amp; in a query must stay as written.
        return urljoin(page_url, url.replace("&amp;", "&")).replace("&", "&amp;")

    def replace_url(match: re.Match[str]) -> str:
        prefix, name, quote_char, value = match.groups()
        if name.lower() == "srcset":  # "a.png 1x, b.png 2x": each candidate's URL
            candidates = []
            for candidate in value.split(","):
                url, _, descriptor = candidate.strip().partition(" ")
                candidates.append(f"{resolve(url)} {descriptor}".strip() if url else candidate)
            resolved = ", ".join(candidates)
        else:
            resolved = resolve(value)
        return f"{prefix}{quote_char}{resolved}{quote_char}"

    return _START_TAG.sub(lambda tag: _URL_ATTRIBUTE.sub(replace_url, tag.group(0)), html)
