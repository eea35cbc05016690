"""The files machines read: Atom feeds (also at the feed's old addresses), the sitemap,
robots.txt and the posts manifest for the reader inbox (called by pages.py).

Like every output, each is handed to the OutputMaker with its key (the fingerprints of the
documents it shows), so an edit re-renders only the feeds that carry the edited post.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter
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

        def wanted(entries: Sequence[Post]) -> bool:
            return showing is None or any(entry is showing for entry in entries)

        planned: list[tuple[str, object, feeds.FeedInfo, Sequence[Post], Origin]] = []
        entries = posts[: config.feed_entries]
        if wanted(entries):
            key = ("feed", self._fps(entries))
            planned.append((urls.FEED_PATH, key, info, entries, Origin("site feed")))
            # Readers subscribed at an old address (a blog brought from another generator)
            # get the same feed there: a static host cannot redirect them. Its rel="self"
            # names the new address, which readers that honour it move to.
            for old in config.feed_aliases:
                planned.append((old.lstrip("/"), key, info, entries, Origin(f"site feed at {old}")))
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
            key = ("feed", tag, self._fps(entries))
            origin = Origin(f"tag {tag.name!r}")
            planned.append((urls.tag_feed_path(tag.slug), key, tag_info, entries, origin))

        contents = EntryContents(
            [entries for _, _, _, entries, _ in planned],
            lambda post: feeds.entry_html(post, feeds.reply_link_html(post, endpoint, email)),
        )
        for rel, key, feed_info, entries, origin in planned:
            make = functools.partial(feeds.atom_feed, feed_info, entries, contents)
            self.maker.generated(rel, key, make, origin)
            contents.done(entries)

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


class EntryContents:
    """Each post's content as the feeds carry it (feeds.entry_html): made once however many
    feeds show the post, and let go once the last of them is made. Held until all feeds
    were made, the 447 entries of the 41 feeds of 1,000 posts (about 8 KB each) left the
    memory they had taken to the rest of the build."""

    def __init__(self, feeds_entries: Sequence[Sequence[Post]], make: Callable[[Post], str]) -> None:
        self.uses = Counter(post.path for entries in feeds_entries for post in entries)
        self.make = make
        self.made: dict[str, str] = {}

    def __call__(self, post: Post) -> str:
        made = self.made.get(post.path)
        if made is None:
            made = self.made[post.path] = self.make(post)
        return made

    def done(self, entries: Sequence[Post]) -> None:
        """A feed showing `entries` is made (or kept as it was)."""
        for post in entries:
            self.uses[post.path] -= 1
            if self.uses[post.path] <= 0:
                self.made.pop(post.path, None)
