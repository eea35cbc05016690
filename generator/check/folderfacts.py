"""What a check knows of each page and XML file of one folder: read now, or remembered.

A file whose state (size, time, inode) is the one the memory saw is not read again: its
summary comes from the memory, and its facts (links, ids, feed entries) from the shelf
of its digest, only if something asks for them. Every other file is read (on every core
when there are many), and what it says is remembered under its digest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.check.facts import FileFacts, FileSummary, is_read, read_all, read_facts, summary
from generator.check.facts import digest as digest_of
from generator.check.leaks import holds_private_key
from generator.check.links import LinkChecker
from generator.check.memory import CheckMemory, FileState, Known
from generator.check.pages import PageSummary, read_page
from generator.check.scan import visible_text
from generator.site.progress import Progress


@dataclass
class FolderFacts:
    """Every page and XML file of a folder, as a check knows it now."""

    folder: Path
    base_url: str
    summaries: dict[str, FileSummary]  # every file read or remembered, by path, sorted
    digests: dict[str, str]  # file → digest of its bytes (not for files that cannot be read)
    read: int  # files read this time
    memory: CheckMemory
    fresh: dict[str, FileFacts] = field(default_factory=dict)  # the facts of the files read now

    @property
    def pages(self) -> dict[str, PageSummary]:
        return {rel: found.page for rel, found in self.summaries.items() if found.page is not None}

    def facts(self, rel: str) -> FileFacts:
        """The facts of a file: read now, else kept on its digest's shelf, else read again
        (a shelf lost or damaged since: the bytes the state stands for are read)."""
        found = self.fresh.get(rel)
        if found is not None:
            return found
        digest = self.digests.get(rel)
        if digest is not None:
            found = self.memory.shelves.get((rel, digest, self.base_url))
            if found is not None:
                return found
        try:
            data = (self.folder / rel).read_bytes()
        except OSError:  # gone since the folder was looked at: checked as it is next time
            return FileFacts(None, None)
        found = self.fresh[rel] = read_facts(rel, data, LinkChecker(self.folder, self.base_url).page_url(rel))
        if digest is not None and digest_of(data) == digest:  # not changed again since it was looked at
            self.memory.shelves.put((rel, digest, self.base_url), found)
        return found


def read_folder(
    folder: Path, states: Mapping[str, FileState], base: str, progress: Progress, memory: CheckMemory
) -> FolderFacts:
    """The summary of every page and XML file, from the memory where the bytes are known."""
    kept = memory.facts.states.get(str(folder))
    known = kept[1] if kept is not None and kept[0] == base else {}
    summaries: dict[str, FileSummary] = {}
    new_states: dict[str, Known] = {}
    to_read = []
    for rel, state in states.items():
        last = known.get(rel)
        if last is not None and last[0] == state:  # (only pages and XML files are known)
            summaries[rel] = last[2]
            new_states[rel] = last
        elif is_read(rel):
            to_read.append(rel)
    fresh: dict[str, FileFacts] = {}
    if to_read:
        progress.stage("reading pages", len(to_read))
        url_of = LinkChecker(folder, base).page_url
        for rel, digest, found in read_all(folder, to_read, url_of, progress.advance):
            fresh[rel] = found
            summaries[rel] = summary(found)
            if digest is not None:
                memory.shelves.put((rel, digest, base), found)
                new_states[rel] = (states[rel], digest, summaries[rel])
    memory.facts.states[str(folder)] = (base, new_states)
    digests = {rel: known[1] for rel, known in new_states.items()}
    ordered = {rel: summaries[rel] for rel in sorted(summaries)}
    return FolderFacts(folder, base, ordered, digests, len(to_read), memory, fresh)


def quoted_in(known: FolderFacts) -> Callable[[str, str], bool]:
    """Whether a page shows a title, remembered by the page's bytes."""
    remembered = known.memory.facts.quoted
    texts: dict[str, str] = {}

    def quoted(rel: str, title: str) -> bool:
        key = (known.digests.get(rel, ""), title)
        if key[0] and key in remembered:
            return remembered[key]
        page = known.summaries[rel].page
        if rel not in texts:
            try:
                texts[rel] = visible_text(read_page((known.folder / rel).read_bytes()))
            except OSError:
                texts[rel] = ""
        shown = title in texts[rel] or (page is not None and page.title == title)
        if key[0]:
            remembered[key] = shown
        return shown

    return quoted


def key_sniffer(folder: Path, states: Mapping[str, FileState], memory: CheckMemory) -> Callable[[str], bool]:
    """Whether a file holds a private key (by its first line), remembered by the file's
    state as its digest is: a check after an edit opens only the files that changed."""
    last = memory.facts.keys.get(str(folder), {})
    now: dict[str, tuple[FileState, bool]] = {}
    memory.facts.keys[str(folder)] = now

    def holds_key(rel: str) -> bool:
        state = states.get(rel)
        found = last.get(rel)
        if found is None or state is None or found[0] != state:
            found = ((0, 0, 0) if state is None else state, holds_private_key(folder / rel))
        if state is not None:
            now[rel] = found
        return found[1]

    return holds_key
