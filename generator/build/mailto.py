"""The "Reply by email" link: a letter by email that says which post it is about and asks,
in plain words, whether it may be quoted (stdlib only).

The build writes the link under each post (and the letter form's fallback); the inbox's
mailbox reader (`fireside inbox fetch` and `import`) reads the same words back, so both
sides take them from here:

    Subject: Re: An Inch Wide and a Mile Deep [inch-wide]

    (the reader's letter)

    · · ·
    About “An Inch Wide and a Mile Deep”: https://example.com/posts/inch-wide/
    May I quote your letter under the essay? Keep one answer and delete the others:
    Keep it between us
    You may quote me with my name
    You may quote me without my name
    (If you keep none, or more than one, your letter stays between us.)

The answers are the letter form's own labels. The author's address is written into the
link with every byte percent-encoded (`mailto:%6D%61...`): mail programs decode it (RFC
6068), people see only the words "Reply by email", and address harvesters that search
page sources for `name@domain` find nothing.
"""

from __future__ import annotations

from urllib.parse import quote

SEPARATOR = "· · ·"
QUESTION = "May I quote your letter under the essay? Keep one answer and delete the others:"
QUESTION_START = "May I quote your letter"  # how the reader's copy is recognised, edits and all
CONSENT_LABELS: dict[str, str] = {
    "private": "Keep it between us",
    "quote-named": "You may quote me with my name",
    "quote-anonymous": "You may quote me without my name",
}
CLOSING = "(If you keep none, or more than one, your letter stays between us.)"


def subject(title: str, slug: str) -> str:
    """`Re: <title> [<slug>]`: the token in brackets finds the post even if its title changes."""
    return f"Re: {' '.join(title.split())} [{slug}]"


def about_line(title: str, url: str) -> str:
    return f"About “{' '.join(title.split())}”: {url}"


def footer(title: str, url: str, consent: str | None = None) -> str:
    """The lines under the letter; with `consent`, only that answer is kept (as a reader would)."""
    answers = [CONSENT_LABELS[consent]] if consent in CONSENT_LABELS else [*CONSENT_LABELS.values(), CLOSING]
    return "\n".join([footer_head(title, url), *answers]) + "\n"


def footer_head(title: str, url: str) -> str:
    """The footer without its answers: letter.js adds the one the reader chose in the form."""
    return "\n".join([SEPARATOR, about_line(title, url), QUESTION])


def body(title: str, url: str, letter: str = "", consent: str | None = None) -> str:
    # Three empty lines first: the mail program's cursor starts above the footer.
    return (letter.rstrip("\n") + "\n\n" if letter.strip() else "\n\n\n") + footer(title, url, consent)


def encoded_address(address: str) -> str:
    """Every byte of the address percent-encoded: no `@` or plain name left in the page."""
    return "".join(f"%{byte:02X}" for byte in address.encode("utf-8"))


def href(address: str, title: str, slug: str, url: str, *, with_body: bool = True) -> str:
    """The mailto: URL for a letter on the post; "" without an address."""
    if not address:
        return ""
    link = f"mailto:{encoded_address(address)}?subject={quote(subject(title, slug), safe='')}"
    if with_body:
        # RFC 6068: line breaks in a mailto body are written as CRLF.
        link += f"&body={quote(body(title, url).replace(chr(10), chr(13) + chr(10)), safe='')}"
    return link
