"""The files machines read: Atom feeds (also at the feed's old addresses), the sitemap,
robots.txt and the posts manifest for the reader inbox (called by pages.py).

Like every output, each is handed to the OutputMaker with its key (the fingerprints of the
documents it shows), so an edit re-renders only the feeds that carry the edited post.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from generator.build import feeds, library
from generator.build.manifest import MANIFEST_PATH, ManifestPost, manifest_bytes
from generator.build.output.outputs import OutputMaker
from generator.build.output.writer import Origin
from generator.site import urls
from generator.site.config import SiteConfig
from generator.site.model import Document, Page, Post, SectionListing, TagListing
from generator.site.urls import UrlScheme


class MachineFiles:
    def __init__(
        self,
        maker: OutputMaker,
        config: SiteConfig,
        url_scheme: UrlScheme,
        fingerprints: Callable[[Sequence[Document]], tuple[str, ...]],  # full ones: feeds show bodies
    ) -> None:
        self.maker = maker
        self.config = config
        self.urls = url_scheme
        self._fps = fingerprints

    def feeds(
        self, posts: Sequence[Post], listings: Sequence[TagListing], showing: Post | None = None
    ) -> None:
        """The site feed and each tag's feed (only those with `showing` among their entries, if given)."""
        config = self.config
        endpoint, email = config.inbox.endpoint, config.author.email
        info = feeds.FeedInfo(
            title=config.title,
            subtitle=config.description,
            feed_url=self.urls.absolute(urls.FEED_PATH),
            site_url=self.urls.absolute(""),
            tags_url=self.urls.absolute(urls.TAGS_PATH),
            author_name=config.author.name,
            author_email=config.author.email,
            language=config.language,
        )

        contents: dict[str, str] = {}  # a post is in the site feed and its tags' feeds: made once

        def content(post: Post) -> str:
            if post.path not in contents:
                contents[post.path] = feeds.entry_html(post, feeds.reply_link_html(post, endpoint, email))
            return contents[post.path]

        def feed(feed_info: feeds.FeedInfo, entries: Sequence[Post]) -> Callable[[], bytes]:
            return lambda: feeds.atom_feed(feed_info, entries, content)

        def wanted(entries: Sequence[Post]) -> bool:
            return showing is None or any(entry is showing for entry in entries)

        entries = posts[: config.feed_entries]
        if wanted(entries):
            key = ("feed", self._fps(entries))
            self.maker.generated(urls.FEED_PATH, key, feed(info, entries), Origin("site feed"))
            # Readers subscribed at an old address (a blog brought from another generator)
            # get the same feed there: a static host cannot redirect them. Its rel="self"
            # names the new address, which readers that honour it move to.
            for old in config.feed_aliases:
                self.maker.generated(old.lstrip("/"), key, feed(info, entries), Origin(f"site feed at {old}"))
        if showing is not None:
            own = {tag.slug for tag in showing.tags}
            listings = tuple(listing for listing in listings if listing.tag.slug in own)
        for listing in listings:
            tag, entries = listing.tag, listing.posts[: config.feed_entries]
            if not wanted(entries):
                continue
            tag_info = dataclasses.replace(
                info,
                title=f"{config.title}: {tag.name}",
                feed_url=self.urls.absolute(urls.tag_feed_path(tag.slug)),
                site_url=tag.permalink,
            )
            self.maker.generated(
                urls.tag_feed_path(tag.slug),
                ("feed", tag, self._fps(entries)),
                feed(tag_info, entries),
                Origin(f"tag {tag.name!r}"),
            )

    def sitemap_and_manifest(
        self,
        posts: Sequence[Post],
        pages: Sequence[Page],
        listings: Sequence[TagListing],
        sections: Sequence[SectionListing] = (),
    ) -> None:
        """The sitemap, the posts manifest and robots.txt."""
        located: list[tuple[str, Any]] = [(self.urls.absolute(""), None)]  # keyed as a tuple below
        located += [(p.permalink, p.updated or p.date) for p in posts]
        located += [(p.permalink, None) for p in pages]
        pages_of_home = library.page_count(len(posts), self.config.per_page)
        located += [(self.urls.absolute(urls.home_path(n)), None) for n in range(2, pages_of_home + 1)]
        located += [(self.urls.absolute(path), None) for path in (urls.TAGS_PATH, urls.ARCHIVE_PATH)]
        located += [(listing.tag.permalink, None) for listing in listings]
        located += [(self.urls.absolute(section.path), None) for section in sections]
        self.maker.generated(
            urls.SITEMAP_PATH, ("sitemap", tuple(located)), lambda: feeds.sitemap(located), Origin("sitemap")
        )
        listed = [ManifestPost(p.letter_id, p.title, p.permalink) for p in posts]
        site_url = self.urls.absolute("")
        self.maker.generated(
            MANIFEST_PATH,
            ("manifest", tuple(listed), site_url),
            lambda: manifest_bytes(listed, site_url),
            Origin("posts manifest for the reader inbox"),
        )
        if "robots.txt" in self.maker.plan.contents:
            return  # the author's own, from content/static
        sitemap_url = self.urls.absolute(urls.SITEMAP_PATH)
        self.maker.generated(
            "robots.txt", ("robots", sitemap_url), lambda: feeds.robots_txt(sitemap_url), Origin("robots.txt")
        )
