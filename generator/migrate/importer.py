"""`fireside import KIND SOURCE [DEST]`: the whole of an import, from reading to writing.

The source generator's module reads the source into an `ImportPlan`; then, for every
kind alike, the URLs are planned, links rewritten, leftovers found, and the new site's
files rendered; `destination` writes them all or none.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import yaml

from generator.inbox.commands import letter_file
from generator.migrate import frontmatter, leftovers, tagpages
from generator.migrate.destination import Content, ImportRefused, choose_destination, write
from generator.migrate.letterfiles import inbox_letters, letter_ids, published, thought_of
from generator.migrate.links import LinkTargets, rewrite_links
from generator.migrate.model import KINDS, Document, ImportPlan, Leftover
from generator.migrate.sourcetree import SourceProblem
from generator.migrate.tidy import carry_redirects, drop_empty, find_in, one_file_per_url, section_pages
from generator.migrate.urlplan import plan_urls, site_path
from generator.site.config import CONFIG_NAME, feed_alias_problem
from generator.site.progress import NO_PROGRESS, Progress

GITIGNORE = """\
# Built output, caches and the private reader inbox never belong in git.
/public/
/.fireside-cache/
/inbox/
"""


@dataclass(frozen=True)
class ImportOptions:
    base_url: str | None = None  # the new site's base URL, if not the old one's
    keep_html: bool = False  # WordPress: keep post bodies as HTML instead of converting them
    uploads: Path | None = None  # WordPress: a copy of wp-content/uploads
    dry_run: bool = False


@dataclass(frozen=True)
class ImportResult:
    kind: str
    dest: Path
    added_to_site: bool
    written: tuple[str, ...]
    posts: int
    drafts: int
    pages: int
    files: int
    letters: int
    inbox: int
    permalinks: dict[str, str]
    leftovers: tuple[Leftover, ...]
    notes: tuple[str, ...] = field(default=())
    dry_run: bool = False
    # Every old site path that must still answer: (old path, the document's new path, its file).
    urls: tuple[tuple[str, str, str], ...] = field(default=())


Reader = Callable[[Path, ImportOptions], ImportPlan]


def reader_for(kind: str) -> Reader:
    if kind not in KINDS:
        raise ImportRefused(None, None, f"unknown kind {kind!r}: choose one of {', '.join(KINDS)}")
    module = importlib.import_module(f"generator.migrate.{kind}")
    return module.read  # type: ignore[no-any-return]


def import_site(
    kind: str,
    source: Path,
    dest: Path,
    options: ImportOptions | None = None,
    progress: Progress = NO_PROGRESS,
) -> ImportResult:
    options = options or ImportOptions()
    read = reader_for(kind)
    if not source.exists():
        raise ImportRefused(source, None, "no such file or folder")
    destination = choose_destination(dest, source)
    progress.stage("reading")  # each generator's reader: how many files it will take is not known
    try:
        plan = read(source, options)
    except SourceProblem as problem:
        raise ImportRefused(source, None, str(problem)) from None
    if options.base_url:
        plan.settings = _with_base_url(plan, options.base_url)
    files, finals = render(plan, existing_site=destination.existing_site, progress=progress)
    unanswered = inbox_letters(plan, finals)
    written: list[str] = []
    if not options.dry_run:
        progress.stage("writing", len(files))
        inbox_dir = destination.root / "inbox"
        written = write(destination.root, files, unanswered, inbox_dir, done=progress.advance)
    posts = [d for d in plan.documents if d.kind == "post"]
    return ImportResult(
        kind=kind,
        dest=dest,
        added_to_site=destination.existing_site,
        written=tuple(written),
        posts=sum(1 for d in posts if d.meta.get("draft") is not True),
        drafts=sum(1 for d in plan.documents if d.meta.get("draft") is True),
        pages=sum(1 for d in plan.documents if d.kind == "page" and d.meta.get("draft") is not True),
        files=len(plan.files),
        letters=sum(1 for path in files if path.startswith("content/letters/")),
        inbox=len(unanswered),
        permalinks=dict(plan.permalinks),
        leftovers=tuple(plan.leftovers),
        notes=tuple(plan.notes),
        dry_run=options.dry_run,
        urls=_old_urls(plan, finals),
    )


def _old_urls(plan: ImportPlan, finals: dict[str, str]) -> tuple[tuple[str, str, str], ...]:
    found = []
    for doc in plan.documents:
        if doc.meta.get("draft") is True or doc.dest not in finals:
            continue
        olds = [doc.old_url, *doc.old_aliases]
        olds += [site_path(a, "/") for a in doc.meta.get("aliases", []) if isinstance(a, str)]
        for old in dict.fromkeys(o for o in olds if o):
            found.append((old, finals[doc.dest], doc.dest))
    return tuple(found)


def _with_base_url(plan: ImportPlan, base_url: str) -> object:
    import dataclasses

    url = base_url if base_url.endswith("/") else base_url + "/"
    return dataclasses.replace(plan.settings, base_url=url)


def render(
    plan: ImportPlan, *, existing_site: bool, progress: Progress = NO_PROGRESS
) -> tuple[dict[str, Content], dict[str, str]]:
    """Every file of the import by its path in the site, with its content; and the new
    site path of every document by its file."""
    tz = ZoneInfo(plan.settings.timezone)
    drop_empty(plan)
    carry_redirects(plan)
    base_path = urlsplit(plan.settings.base_url).path or "/"
    finals = plan_urls(plan, tz, patterns=not existing_site, base_path=base_path)
    list_pages = section_pages(plan, finals)
    one_file_per_url(plan, finals)
    tagpages.drop_taken(plan, _taken_paths(plan, finals))
    by_dest = {doc.dest: path for path, doc in finals.items()}
    targets = _link_targets(plan, by_dest, list_pages)
    files: dict[str, Content] = {}
    progress.stage("converting", len(plan.documents))
    for doc in plan.documents:
        progress.advance()
        body, problems = rewrite_links(doc, targets, lambda d: d.old_url)
        head = frontmatter.dump(doc.meta)
        offset = head.count("\n")
        text = head + ("\n" if body and not body.startswith("\n") else "") + body
        if not text.endswith("\n"):
            text += "\n"
        offset += 1 if body and not body.startswith("\n") else 0
        found = leftovers.scan(body, doc.reasons, wordpress=plan.kind == "wordpress")
        kept = find_in(body, doc.body_leftovers)
        for line, message in sorted([*found, *problems, *kept]):
            plan.leftover(doc.dest, line + offset, message)
        files[doc.dest] = text.encode("utf-8")
    for section, (settings, text) in sorted(plan.sections.items()):
        if any(d.section == section for d in plan.documents if d.kind == "post"):
            page = frontmatter.dump(settings) + ("\n" + text.strip("\n") + "\n" if text.strip() else "")
            files[f"content/posts/{section}/_index.md"] = page.encode("utf-8")
    for copied in plan.files:
        files[copied.dest] = copied.data if copied.data is not None else copied.source  # type: ignore[assignment]
    ids = letter_ids(plan, by_dest)
    for letter in plan.letters:
        if published(letter, ids):
            files[f"content/letters/{letter.id}.md"] = letter_file(thought_of(letter, ids[letter.doc.dest]))
    if not existing_site:
        files[CONFIG_NAME] = site_yaml(plan).encode("utf-8")
        files[".gitignore"] = GITIGNORE.encode("utf-8")
    else:
        if plan.permalinks:
            plan.notes.append(
                "site.yaml was left as it was: every imported document that needs it has its own url:"
            )
        if old_feeds := feed_aliases(plan):
            plan.notes.append(
                f"add feed_aliases: [{', '.join(old_feeds)}] to site.yaml, so readers subscribed to the "
                "old feed keep getting new posts"
            )
        if plan.tag_aliases:
            plan.notes.append(
                f"add tag_aliases: [{', '.join(plan.tag_aliases)}] to site.yaml, so the old tag and "
                "category pages' addresses lead to the tag pages"
            )
            if old_slugs := tagpages.kept_old_slugs(plan):
                listed = ", ".join(f"{old}: {new}" for old, new in sorted(old_slugs.items()))
                plan.notes.append(
                    f"add tag_old_slugs: {{{listed}}} to site.yaml, for tags the old site slugged otherwise"
                )
    plan.leftovers.sort(key=lambda item: (item.path, item.line or 0))
    return files, by_dest


def _taken_paths(plan: ImportPlan, finals: dict[str, Document]) -> dict[str, str]:
    """Every site path an imported document or file will be at (or redirect from) → its file."""
    taken = {path: doc.dest for path, doc in finals.items()}
    for doc in plan.documents:
        for alias in doc.meta.get("aliases", []):
            if isinstance(alias, str) and (path := site_path(alias, "/")):
                taken.setdefault(path, doc.dest)
    for item in plan.files:
        if item.dest.startswith("content/static/"):
            taken.setdefault(item.dest.removeprefix("content/static/"), item.dest)
    return taken


def _link_targets(plan: ImportPlan, finals: dict[str, str], list_pages: dict[str, str]) -> LinkTargets:
    base_path = urlsplit(plan.settings.base_url).path or "/"
    documents: dict[str, Document] = {}
    for doc in plan.documents:
        olds = [doc.old_url, *doc.old_aliases]
        olds += [site_path(a, "/") for a in doc.meta.get("aliases", []) if isinstance(a, str)]
        for old in olds:
            if old:
                documents.setdefault(old, doc)
                documents.setdefault(old.casefold(), doc)
    copied = {}
    for item in plan.files:
        if item.old_url and item.dest.startswith("content/static/"):
            copied[item.old_url] = item.dest.removeprefix("content/static/")
        elif item.old_url:
            bundle = next(
                (
                    d
                    for d in plan.documents
                    if d.dest.endswith("/index.md") and item.dest.startswith(d.dest.removesuffix("index.md"))
                ),
                None,
            )
            if bundle is not None:
                copied[item.old_url] = finals[bundle.dest] + item.dest.removeprefix(
                    bundle.dest.removesuffix("index.md")
                )
    for feed in plan.feeds:
        copied.setdefault(feed, "atom.xml")
    copied.update(list_pages)
    for old, new in tagpages.old_tag_pages(plan).items():
        copied.setdefault(old, new)
    hosts = {h.lower().removeprefix("www.") for h in plan.hosts}
    host = urlsplit(plan.settings.base_url).hostname
    if host and host not in ("example.com", "localhost"):
        hosts.add(host.removeprefix("www."))
    parts = urlsplit(plan.settings.base_url)
    return LinkTargets(
        origin=f"{parts.scheme}://{parts.netloc}",
        base_path=base_path,
        hosts=frozenset(hosts),
        documents=documents,
        finals=finals,
        files=copied,
        file_dests={item.old_url: item.dest for item in plan.files if item.old_url},
        by_source={doc.source: doc for doc in plan.documents},
        by_slug=_unique_slugs(plan) if plan.kind == "wordpress" else {},
    )


def _unique_slugs(plan: ImportPlan) -> dict[str, Document]:
    found: dict[str, Document | None] = {}
    for doc in plan.documents:
        if doc.kind == "post" and doc.old_url:
            slug = doc.old_url.rstrip("/").rsplit("/", 1)[-1]
            found[slug] = None if slug in found else doc
    return {slug: doc for slug, doc in found.items() if doc is not None}


def feed_aliases(plan: ImportPlan) -> list[str]:
    """The old feed addresses the new site can serve the feed at (files, not folders)."""
    return [f"/{feed}" for feed in plan.feeds if feed_alias_problem(f"/{feed}") is None]


def site_yaml(plan: ImportPlan) -> str:
    s = plan.settings
    values: dict[str, object] = {"title": s.title}
    if s.description:
        values["description"] = s.description
    values["base_url"] = s.base_url
    values["language"] = s.language
    values["timezone"] = s.timezone
    author: dict[str, str] = {"name": s.author_name}
    if s.author_email:
        author["email"] = s.author_email
    values["author"] = author
    if s.menu:
        values["menu"] = [{"title": title, "url": url} for title, url in s.menu]
    if s.heading_ids:
        values["markdown"] = {"heading_ids": s.heading_ids}
    text = yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=1_000_000)
    if s.timezone_note:
        text = text.replace(f"timezone: {s.timezone}\n", f"timezone: {s.timezone}  # {s.timezone_note}\n", 1)
    if plan.permalinks:
        text += "# The old site's URLs: every post answers where it used to.\n"
        text += yaml.safe_dump({"permalinks": plan.permalinks}, sort_keys=False, width=1_000_000)
    if old_feeds := feed_aliases(plan):
        text += "# The old site's feed addresses: readers subscribed there keep getting new posts.\n"
        text += yaml.safe_dump({"feed_aliases": old_feeds}, sort_keys=False, width=1_000_000)
    if plan.tag_aliases:
        text += "# Where the old site's tag and category pages were: each leads to the tag's page.\n"
        text += yaml.safe_dump({"tag_aliases": plan.tag_aliases}, sort_keys=False, width=1_000_000)
        if old_slugs := tagpages.kept_old_slugs(plan):
            text += "# Tags the old site gave another slug: their old addresses answer too.\n"
            dumped = yaml.safe_dump({"tag_old_slugs": old_slugs}, width=1_000_000, allow_unicode=True)
            text += dumped
    head = (
        f"# Made by `fireside import {plan.kind}`. Every key is described in Fireside's README\n"
        '# ("site.yaml reference"); check base_url, author and timezone.\n'
    )
    return head + text
