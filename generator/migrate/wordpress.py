"""WordPress: a WXR export (Tools → Export) as a Fireside site.

Posts, pages and drafts with their categories and tags (as tags), authors (as bylines),
excerpts (as summaries), featured images, and each post's old permalink (from the export's
own links) with its attachment pages as aliases. Approved comments become published letters
(they were public already) with the author's replies as answers; comments awaiting
approval go into the inbox as unanswered letters. Spam, trash, pingbacks and trackbacks
are counted, not imported. Media files are not in an export: with `--uploads` (a copy of
wp-content/uploads) the ones the site uses are copied to the same addresses.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from generator.migrate import frontmatter, shared, tagpages, wpcontent
from generator.migrate.htmlmd import to_text
from generator.migrate.model import CopiedFile, Document, ImportPlan, Letter, SiteSettings
from generator.migrate.sourcetree import SourceProblem
from generator.migrate.urlplan import site_path
from generator.migrate.wxr import Comment, Export, Item, WxrProblem, read_export

_SKIPPED_TYPES = {
    "attachment",
    "nav_menu_item",
    "revision",
    "custom_css",
    "customize_changeset",
    "oembed_cache",
    "user_request",
    "wp_block",
    "wp_template",
    "wp_template_part",
    "wp_global_styles",
    "wp_navigation",
    "wp_font_family",
    "wp_font_face",
    "jp_mem_plan",
    "feedback",
    "amp_validated_url",
}
_UPLOADS = re.compile(
    r"(?:https?:)?//[^\s\"'()<>]+?/wp-content/uploads/([^\s\"'()<>?#]+)|(?<![\w/])/wp-content/uploads/([^\s\"'()<>?#]+)"
)


def read(source: Path, options: Any) -> ImportPlan:
    if source.is_dir():
        raise SourceProblem(
            f"{source}: a folder; give the export file WordPress made (Tools → Export), an .xml file"
        )
    try:
        export = read_export(source)
    except WxrProblem as problem:
        raise SourceProblem(str(problem)) from None
    return _Reader(export, options).plan


def _moment(local: str, gmt: str) -> datetime | None:
    """The post's time with its offset, from WordPress's local and UTC times."""
    try:
        when = datetime.strptime(local.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    try:
        utc = datetime.strptime(gmt.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return when
    offset = round((when - utc).total_seconds() / 900) * 900
    return when.replace(tzinfo=timezone(timedelta(seconds=offset)))


def _letter_id(comment: Comment, received: datetime, post_id: str) -> str:
    digest = hashlib.sha256(f"{post_id}/{comment.id}".encode()).hexdigest()[:8]
    return f"{received.astimezone(UTC):%Y%m%d-%H%M%S}-{digest}"


class _Reader:
    def __init__(self, export: Export, options: Any) -> None:
        self.export = export
        self.options = options
        self.taken: set[str] = set()
        blog = export.base_blog_url or export.link
        url, placeholder = shared.base_url(blog)
        self.base_path = urlsplit(url).path or "/"
        self.host = (urlsplit(url).hostname or "").removeprefix("www.")
        counts = Counter(i.creator for i in export.items if i.type == "post" and i.status == "publish")
        main = counts.most_common(1)[0][0] if counts else next(iter(export.authors), "")
        self.authors = {login: a.display_name for login, a in export.authors.items()}
        self.author_ids = {a.id: login for login, a in export.authors.items() if a.id}
        zone, note = self._zone()
        settings = SiteSettings(
            title=export.title.strip() or "My blog",
            base_url=url,
            author_name=self.authors.get(main, main) or export.title or "Author",
            description=export.description.strip(),
            language=shared.language(export.language),
            timezone=zone,
            timezone_note=note,
        )
        self.plan = ImportPlan("wordpress", settings)
        self.plan.hosts.add(self.host)
        if placeholder:
            self.plan.notes.append("the export names no site address: base_url in site.yaml is a placeholder")
        self.plan.notes.append(
            "author.email in site.yaml is empty: the export's address was not made public; "
            "set the one readers may write to"
        )
        self.attachments = {
            item.id: wpcontent.Attachment(
                item.attachment_url or item.guid,
                item.title,
                item.excerpt,
                item.meta.get("_wp_attachment_image_alt", ""),
                item.parent,
            )
            for item in export.items
            if item.type == "attachment"
        }
        self.reusable = {item.id: item.content for item in export.items if item.type == "wp_block"}
        self.skipped: Counter[str] = Counter()
        self.by_id: dict[str, Document] = {}
        self.used_uploads: set[str] = set()
        self.run()

    def _zone(self) -> tuple[str, str]:
        offsets = Counter()
        for item in self.export.items:
            moment = _moment(item.date, item.date_gmt)
            if (
                moment is not None
                and moment.tzinfo is not None
                and item.date_gmt.strip() != "0000-00-00 00:00:00"
            ):
                offsets[moment.utcoffset()] += 1
        if not offsets:
            return "UTC", ""
        offset = offsets.most_common(1)[0][0]
        hours = offset.total_seconds() / 3600 if offset is not None else 0
        if hours == 0:
            return "UTC", ""
        if hours != int(hours):
            return "UTC", f"the export's times are UTC{hours:+}; set your zone"
        # IANA's Etc/GMT zones count the other way: Etc/GMT-2 is two hours ahead of UTC.
        return (
            f"Etc/GMT{-int(hours):+d}",
            f"UTC{int(hours):+d}, from the export's times; set your own zone name",
        )

    def run(self) -> None:
        for item in self.export.items:
            if item.type in ("post", "page"):
                self._document(item)
            elif item.type in _SKIPPED_TYPES:
                if item.type == "nav_menu_item":
                    self.skipped["menu item"] += 1
            elif item.status == "publish":
                self._document(
                    item, section=re.sub(r"[^a-z0-9-]+", "-", item.type.lower()).strip("-") or "other"
                )
        self._attachment_pages()
        self._uploads()
        published = [i for i in self.export.items if i.type == "post" and i.status == "publish"]
        tagpages.add(self.plan, tagpages.wordpress(i.link for i in published))
        # A term's slug is WordPress's own: "twitter-2" where a category has the name too.
        terms = (t for i in published for t in i.terms if t.domain in ("category", "post_tag"))
        tagpages.record_old_slugs(self.plan, ((t.name, t.slug) for t in terms if t.slug != "uncategorized"))
        for what, count in sorted(self.skipped.items()):
            self.plan.notes.append(f"not imported: {count} {what}{'s' if count != 1 else ''}")

    def _document(self, item: Item, section: str = "") -> None:
        if item.status in ("trash", "auto-draft", "inherit"):
            self.skipped[
                f"{item.type} in the trash" if item.status == "trash" else f"{item.type} ({item.status})"
            ] += 1
            return
        kind = "page" if item.type == "page" else "post"
        moment = _moment(item.date, item.date_gmt)
        link = urlsplit(item.link)
        own = (link.hostname or "").removeprefix("www.") == self.host and not link.query
        old = site_path(item.link, self.base_path) if own and item.status in ("publish", "future") else None
        draft = item.status in ("draft", "pending", "private") or bool(item.password)
        slug = unquote(item.name) or (old.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html") if old else "")
        tags = [
            t.name for t in item.terms if t.domain in ("category", "post_tag") and t.slug != "uncategorized"
        ]
        meta: dict[str, Any] = {"title": _title(item.title)}
        if kind == "post" and moment is not None:
            meta["date"] = moment
        modified = _moment(item.modified, item.modified_gmt)
        if modified is not None and moment is not None and modified > moment and kind == "post":
            meta["updated"] = modified
        author = self.authors.get(item.creator, item.creator)
        if author and author != self.plan.settings.author_name:
            meta["author"] = author
        if tags:
            meta["tags"] = frontmatter.merge_names(tags)
        excerpt = to_text(item.excerpt).strip()
        if excerpt:
            meta["summary"] = excerpt
        if draft:
            meta["draft"] = True
        extra: dict[str, Any] = {"wordpress_id": int(item.id) if item.id.isdigit() else item.id}
        if item.sticky:
            extra["sticky"] = True
        context = wpcontent.WordPressContext(self.attachments, self.reusable, item.id)
        body = wpcontent.convert(
            item.content, context, keep_html=bool(getattr(self.options, "keep_html", False))
        )
        featured = self.attachments.get(item.meta.get("_thumbnail_id", ""))
        if featured and featured.url:
            own_image = (urlsplit(featured.url).hostname or "").removeprefix("www.") == self.host
            extra["image"] = urlsplit(featured.url).path if own_image else featured.url
            if featured.url not in item.content:  # shown above the post, as WordPress themes do
                body = f"![{featured.alt or featured.title}]({featured.url})\n\n{body}"
        meta["extra"] = extra
        name = (
            posixpath.basename((old or "").rstrip("/")).removesuffix(".html")
            or slug
            or f"{item.type}-{item.id}"
        )
        if kind == "post":
            folder = f"content/posts/{section}/" if section else "content/posts/"
            dest = shared.unique(f"{folder}{name}.md", self.taken)
        else:
            where = (old or name).strip("/").removesuffix(".html") or "home"
            dest = shared.unique(f"content/pages/{where}.md", self.taken)
        doc = Document(
            kind,
            dest,
            f"item {item.id} ({item.type})",
            meta,
            body,
            old,
            (),  # type: ignore[arg-type]
            moment,
            section=section,
        )
        doc.body_leftovers = context.left
        if item.password:
            self.plan.leftover(dest, None, "was password-protected on the old site: imported as a draft")
        elif item.status == "private":
            self.plan.leftover(dest, None, "was private on the old site: imported as a draft")
        self.plan.documents.append(doc)
        self.by_id[item.id] = doc
        self.used_uploads.update(m.group(1) or m.group(2) for m in _UPLOADS.finditer(item.content))
        if featured:
            self.used_uploads.update(m.group(1) or m.group(2) for m in _UPLOADS.finditer(featured.url))
        self._comments(item, doc)

    def _attachment_pages(self) -> None:
        """An attachment's own page (the image on a page of its own) now leads to its post."""
        lost = 0
        for item in self.export.items:
            if item.type != "attachment":
                continue
            link = urlsplit(item.link)
            if (link.hostname or "").removeprefix("www.") != self.host or link.query:
                continue
            old = site_path(item.link, self.base_path)
            parent = self.by_id.get(item.parent)
            if (
                old
                and parent is not None
                and parent.old_url
                and old not in (parent.old_url, *parent.old_aliases)
            ):
                parent.old_aliases = (*parent.old_aliases, old)
            elif old:
                lost += 1
        if lost:
            self.plan.notes.append(
                f"{lost} attachment pages belong to no imported post; their addresses are not kept"
            )

    def _comments(self, item: Item, doc: Document) -> None:
        by_id = {c.id: c for c in item.comments}
        post_author = next((uid for uid, login in self.author_ids.items() if login == item.creator), None)
        letters: dict[str, Letter] = {}
        for comment in item.comments:
            if comment.approved in ("spam", "trash"):
                self.skipped[f"comment marked {comment.approved}"] += 1
                continue
            if comment.type in ("pingback", "trackback"):
                self.skipped[comment.type] += 1
                continue
            received = _moment(comment.date, comment.date_gmt)
            if received is None:
                continue
            received = received.astimezone(UTC) if received.tzinfo else received.replace(tzinfo=UTC)
            text = to_text(comment.content).strip()
            by_author = post_author is not None and comment.user_id == post_author
            parent = letters.get(comment.parent)
            if by_author and parent is not None and comment.approved == "1":
                parent.answer = f"{parent.answer}\n\n{text}".strip()
                continue
            letter = Letter(
                id=_letter_id(comment, received, item.id),
                doc=doc,
                name=" ".join(comment.author.split()) or "A reader",
                email=comment.email.strip(),
                received=received,
                message=text + "\n",
                approved=comment.approved == "1",
            )
            letters[comment.id] = letter
            self.plan.letters.append(letter)
        del by_id

    def _uploads(self) -> None:
        folder = getattr(self.options, "uploads", None)
        used = sorted(u for u in self.used_uploads if u)
        if folder is None:
            if used:
                self.plan.notes.append(
                    f"{len(used)} media files the posts use are on the old host (an export holds no files): "
                    "import again with --uploads and a copy of wp-content/uploads to bring them"
                )
            return
        root = Path(folder)
        if not root.is_dir():
            raise SourceProblem(f"--uploads {folder}: no such folder")
        missing = 0
        for rel in used:
            path = root / unquote(rel)
            if path.is_file() and path.resolve().is_relative_to(root.resolve()):
                target = f"wp-content/uploads/{unquote(rel)}"
                self.plan.files.append(
                    CopiedFile(
                        f"content/static/{target}",
                        source=path,
                        old_url=posixpath.join(self.base_path.strip("/"), target).lstrip("/"),
                    )
                )
            else:
                missing += 1
        if missing:
            self.plan.notes.append(f"{missing} media files the posts use are not in {folder}")


def _title(title: str) -> str:
    import html

    return html.unescape(title).strip() or "Untitled"
