"""What the receiver itself shows readers: the error page and two tiny pages.

The error page keeps the reader's letter: their text goes back into a form (escaped, as
text only) that can be sent again, beside a link back to the post. Pages are
self-contained (an inline stylesheet, no scripts, no requests elsewhere) and served with
a Content-Security-Policy that would stop any script even if one slipped through.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus

from generator.inbox.idempotency import usable
from generator.inbox.thought import CONSENTS
from generator.inbox.validation import HONEYPOT, Problem


def csp(form_targets: tuple[str, ...] = ()) -> str:
    """The pages' policy: no scripts at all; the form may go to us, and (as browsers also
    check the redirect after a form is sent) to the site's thank-you page."""
    targets = " ".join(("'self'", *form_targets))
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; form-action {targets}; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
HTML_TYPE = "text/html; charset=utf-8"
JSON_TYPE = "application/json"

_STYLE = """
:root { color-scheme: light dark; --bg: #faf6ef; --text: #2b221d; --muted: #6b5b4e; --accent: #a23d17;
  --surface: #f2eadd; --border: #8f7d6d; }
@media (prefers-color-scheme: dark) { :root { --bg: #1c1714; --text: #ede4d8; --muted: #b6a696;
  --accent: #f2a46e; --surface: #28201b; --border: #8a786a; } }
body { margin: 0; background: var(--bg); color: var(--text); font: 1.05rem/1.6 system-ui, sans-serif; }
main { max-width: 40rem; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
h1 { font-size: 1.6rem; line-height: 1.2; }
a { color: var(--accent); }
.problems { background: var(--surface); border-left: 4px solid var(--accent);
  padding: .75rem 1rem .75rem 2rem; }
label, legend { display: block; font-weight: 600; margin: 1rem 0 .3rem; }
.consent label { display: inline; font-weight: 400; }
input[type=radio] { accent-color: var(--accent); }
input[type=text], input[type=email], textarea { box-sizing: border-box; width: 100%; padding: .5rem;
  font: inherit; color: inherit; background: var(--bg); border: 1px solid var(--border); border-radius: 4px; }
textarea { min-height: 14rem; }
fieldset { border: 0; padding: 0; margin: 1rem 0; }
button { margin-top: 1rem; padding: .55rem 1.4rem; font: 600 1rem system-ui, sans-serif; border: 0;
  border-radius: 4px; background: var(--accent); color: var(--bg); cursor: pointer; }
.trap { position: absolute; left: -9999px; width: 1px; height: 1px; overflow: hidden; }
.hint { color: var(--muted); }
"""

_CONSENT_LABELS = {
    "private": "Keep it between us",
    "quote-named": "You may quote me with my name",
    "quote-anonymous": "You may quote me without my name",
}

_HEADINGS = {
    HTTPStatus.TOO_MANY_REQUESTS: "Too many letters at once",
    HTTPStatus.SERVICE_UNAVAILABLE: "Your letter couldn’t be delivered just now",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "Your letter is too long to send here",
}


@dataclass(frozen=True)
class BackLink:
    url: str
    label: str


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _page(title: str, body: str) -> bytes:
    return (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="robots" content="noindex">\n'
        f"<title>{_e(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n<main>\n"
        f"{body}</main>\n</body>\n</html>\n"
    ).encode()


def error_page(
    status: HTTPStatus,
    problems: Sequence[Problem],
    kept: Mapping[str, str] | None,
    back: BackLink | None,
) -> bytes:
    """The page for a refused letter: what went wrong, the letter itself, and a way back."""
    heading = _HEADINGS.get(status, "Your letter wasn’t sent yet")
    parts = [f"<h1>{_e(heading)}</h1>\n"]
    parts.append('<ul class="problems">\n')
    parts.extend(f"<li>{_e(p.message)}</li>\n" for p in problems)
    parts.append("</ul>\n")
    if kept is not None:
        parts.append(
            "<p>Nothing is lost: your letter is below. Change what’s needed and send it again.</p>\n"
        )
        parts.append(_form(kept))
    else:
        parts.append("<p>Your text is still in the form on the page you came from: use your browser’s "
                     "Back button to return to it.</p>\n")
    if back is not None:
        parts.append(f'<p><a href="{_e(back.url)}">{_e(back.label)}</a></p>\n')
    return _page(heading, "".join(parts))


def _form(kept: Mapping[str, str]) -> str:
    consent = kept.get("consent", "") if kept.get("consent") in CONSENTS else "private"
    radios = "".join(
        f'<p><input type="radio" id="c-{value}" name="consent" value="{value}"'
        f'{" checked" if value == consent else ""}> <label for="c-{value}">{_e(label)}</label></p>\n'
        for value, label in _CONSENT_LABELS.items()
        if value in CONSENTS
    )
    # The letter's key goes along: sent again from here, it is still stored only once.
    key = kept.get("key", "")
    key_field = f'<input type="hidden" name="key" value="{_e(key)}">\n' if usable(key) else ""
    return (
        # No action: the form posts to the address this page was answered from, the receiver's.
        '<form method="post" accept-charset="utf-8">\n'
        f'<input type="hidden" name="post" value="{_e(kept.get("post", ""))}">\n'
        f"{key_field}"
        '<label for="name">Your name <span class="hint">(optional)</span></label>\n'
        f'<input id="name" name="name" type="text" value="{_e(kept.get("name", ""))}">\n'
        '<label for="email">Your email</label>\n'
        f'<input id="email" name="email" type="email" value="{_e(kept.get("email", ""))}" required>\n'
        '<label for="message">Your letter</label>\n'
        # The newline after the start tag is swallowed by HTML parsers; the text keeps its own.
        f'<textarea id="message" name="message" required>\n{_e(kept.get("message", ""))}</textarea>\n'
        "<fieldset class=\"consent\"><legend>If I’d like to quote your letter</legend>\n"
        f"{radios}</fieldset>\n"
        f'<div class="trap" aria-hidden="true"><label for="trap">Leave this field empty</label>'
        f'<input id="trap" name="{HONEYPOT}" type="text" tabindex="-1" autocomplete="off"></div>\n'
        '<button type="submit">Send again</button>\n</form>\n'
    )


def thanks_page(back: BackLink | None) -> bytes:
    """Where a letter lands when the site has no thank-you page of its own to send it to."""
    link = f'<p><a href="{_e(back.url)}">{_e(back.label)}</a></p>\n' if back else ""
    return _page(
        "Thank you",
        "<h1>Thank you for writing</h1>\n<p>Your letter reached me. I read every one, "
        "and I’ll answer you by email.</p>\n" + link,
    )


def landing_page() -> bytes:
    return _page(
        "Letterbox",
        "<h1>A letterbox</h1>\n<p>This address receives letters sent from the forms under the essays "
        "of a Fireside site. There is nothing to see here.</p>\n",
    )


def json_body(document: Mapping[str, object]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
