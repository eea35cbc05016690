"""Comments of the old site as Fireside's letters: published ones in the format
`fireside inbox publish` writes, the others as inbox letters (`Thought`s)."""

from __future__ import annotations

from collections import Counter

from generator.inbox.thought import Answer, Thought
from generator.migrate.model import ImportPlan, Letter
from generator.migrate.urlplan import fireside_slug


def letter_ids(plan: ImportPlan, finals: dict[str, str]) -> dict[str, str]:
    """The id the build gives each post for its letters: its slug, or, where posts share a
    slug, the words of its path (`2019-01-05-weekly`)."""
    posts = [d for d in plan.documents if d.kind == "post" and d.dest in finals]
    slugs = Counter(fireside_slug(d) for d in posts)
    return {
        d.dest: fireside_slug(d)
        if slugs[fireside_slug(d)] == 1
        else finals[d.dest].removesuffix(".html").strip("/").replace("/", "-")
        for d in posts
    }


def published(letter: Letter, ids: dict[str, str]) -> bool:
    return letter.approved and letter.doc.dest in ids and letter.doc.meta.get("draft") is not True


def thought_of(letter: Letter, post_id: str, status: str = "") -> Thought:
    answers = ()
    if letter.answer:
        answers = (Answer(sent=letter.received, text=letter.answer, message_id=""),)
    return Thought(
        id=letter.id,
        post=post_id,
        post_title=str(letter.doc.meta.get("title") or ""),
        name=letter.name,
        email=letter.email,
        consent="quote-named",  # a comment was written to be shown with its name
        received=letter.received,
        message=letter.message,
        status=status or ("answered" if letter.answer else "new"),  # type: ignore[arg-type]
        answers=answers,
    )


def inbox_letters(plan: ImportPlan, finals: dict[str, str]) -> list[Thought]:
    """Comments waiting for approval, as unanswered letters; public ones that no published
    post can show (on a page, on a draft), archived: in the inbox, nothing is lost."""
    ids = letter_ids(plan, finals)
    found = []
    for letter in plan.letters:
        if published(letter, ids):
            continue
        post_id = ids.get(letter.doc.dest) or fireside_slug(letter.doc)
        found.append(thought_of(letter, post_id, "" if not letter.approved else "archived"))
    archived = sum(1 for t in found if t.status == "archived")
    if archived:
        plan.notes.append(
            f"{archived} public comments on pages or drafts (which show no letters) are archived in the inbox"
        )
    return found
