"""The browser side of `fireside serve` (layer 5): build events, the script, the overlay.

Served HTML gets a small script injected at serve time only (never in `fireside build`
output). It opens a Server-Sent Events stream and, after each finished build, decides what
to do: reload when its own page (or an image, script or other asset) changed, swap the
stylesheets in place when only CSS changed, show an overlay listing the errors when the
build failed and remove it when the next build succeeds.

Every build bumps an *epoch*. A page carries the epoch it was served at, so a build that
finished between serving the page and the script connecting is still delivered; and it
carries a token of the server that served it, so restarting `fireside serve` reloads it.
"""

from __future__ import annotations

import html
import json
import re
import threading
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

EVENTS_PATH = "/__fireside/events"
SCRIPT_PATH = "/__fireside/livereload.js"
OVERLAY_ID = "fireside-overlay"
HISTORY = 64  # events kept for pages that connect late; older pages just reload

Kind = Literal["reload", "css", "error", "full"]


@dataclass(frozen=True)
class BuildEvent:
    """What one finished build means for open tabs."""

    epoch: int
    kind: Kind  # css: only stylesheets changed; full: reload whatever the page is
    changed: tuple[str, ...] = ()  # output-relative paths written or removed
    errors: tuple[str, ...] = ()  # "path:line: message", for kind == "error"
    navigate: str | None = None  # the URL path of the one page whose source was edited

    def to_json(self) -> str:
        return json.dumps(
            {
                "epoch": self.epoch,
                "kind": self.kind,
                "changed": list(self.changed),
                "errors": list(self.errors),
                "navigate": self.navigate,
            }
        )


class EventHub:
    """Build events fanned out to every open event stream (one thread per tab)."""

    def __init__(self, token: str) -> None:
        self.token = token  # tells this server's pages from an earlier run's
        self.epoch = 0
        self._history: deque[BuildEvent] = deque(maxlen=HISTORY)
        self._cond = threading.Condition()
        self._closed = False

    def publish(self, event: BuildEvent) -> None:
        with self._cond:
            self.epoch = event.epoch
            self._history.append(event)
            self._cond.notify_all()

    def close(self) -> None:
        """Wake every stream so it ends: the server is stopping."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def events_after(self, epoch: int, token: str, timeout: float) -> list[BuildEvent] | None:
        """Events newer than `epoch`, waiting up to `timeout` for one; None once closed."""
        with self._cond:
            if token != self.token or epoch > self.epoch:
                return [BuildEvent(self.epoch, "full")]  # a page from another server run
            self._cond.wait_for(lambda: self._closed or self.epoch > epoch, timeout=timeout)
            if self._closed:
                return None
            newer = [event for event in self._history if event.epoch > epoch]
            if newer and newer[0].epoch != epoch + 1:
                return [BuildEvent(self.epoch, "full")]  # missed some: the history moved on
            return newer


def sse_message(event: BuildEvent) -> bytes:
    # The id comes back as Last-Event-ID when EventSource reconnects: no event is replayed.
    return f"id: {event.epoch}\nevent: build\ndata: {event.to_json()}\n\n".encode()


def event_for_build(epoch: int, changed: Sequence[str], navigate: str | None = None) -> BuildEvent:
    """A successful build's event: CSS-only changes swap stylesheets instead of reloading."""
    kind: Kind = "css" if changed and all(p.endswith(".css") for p in changed) else "reload"
    return BuildEvent(epoch, kind, tuple(changed), navigate=navigate)


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)
_OVERLAY_STYLE = (
    "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem;"
    "background:rgba(24,12,6,.94);color:#fff;font:15px/1.5 ui-monospace,monospace;"
)


def overlay_html(errors: Sequence[str]) -> str:
    """The error overlay for a page served while the last build failed (escaped: errors quote authors)."""
    noun = "error" if len(errors) == 1 else "errors"
    items = "\n".join(html.escape(error) for error in errors)
    return (
        f'<div id="{OVERLAY_ID}" role="alert" style="{_OVERLAY_STYLE}">'
        f'<strong style="font-size:1.2em">Build failed: {len(errors)} {noun}</strong>'
        f'<pre style="white-space:pre-wrap">{items}</pre>'
        "<p>Fix it and save: this page updates by itself.</p></div>"
    )


def inject(page: bytes, *, epoch: int, token: str, navigate: bool, errors: Sequence[str] = ()) -> bytes:
    """`page` with the reload script (and the overlay, if failing) before its last </body>."""
    tag = (
        f'<script src="{SCRIPT_PATH}" data-epoch="{epoch}" data-server="{html.escape(token)}"'
        f' data-navigate="{int(navigate)}"></script>'
    )
    snippet = ((overlay_html(errors) if errors else "") + tag).encode()
    ends = list(_BODY_END.finditer(page))
    at = ends[-1].start() if ends else len(page)
    return page[:at] + snippet + page[at:]


def not_found_page() -> bytes:
    """What a missing URL shows when the site has no 404.html (say the first build failed)."""
    return b"<!doctype html>\n<title>Not found</title>\n<body><h1>Not found</h1></body>\n"


# The tab's side. Kept dependency-free and small; it only reads the events above.
SCRIPT = (
    """\
(() => {
  "use strict";
  const me = document.currentScript;
  const OVERLAY = "%(overlay)s";
  const here = () => {
    let path = decodeURIComponent(location.pathname).replace(/^\\/+/, "");
    if (path === "" || path.endsWith("/")) path += "index.html";
    return path;
  };
  const showErrors = (errors) => {
    document.getElementById(OVERLAY)?.remove();
    const box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.setAttribute("style", "%(style)s");
    const title = document.createElement("strong");
    title.style.fontSize = "1.2em";
    title.textContent = `Build failed: ${errors.length} error${errors.length === 1 ? "" : "s"}`;
    const list = document.createElement("pre");
    list.style.whiteSpace = "pre-wrap";
    list.textContent = errors.join("\\n");  // textContent: author text is never markup
    const hint = document.createElement("p");
    hint.textContent = "Fix it and save: this page updates by itself.";
    box.append(title, list, hint);
    (document.body || document.documentElement).append(box);
  };
  const swapStylesheets = () => {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      url.searchParams.set("fireside", Date.now().toString(36));
      const fresh = link.cloneNode();
      fresh.href = url.href;
      // The old sheet stays until the new one has loaded, so the page never flashes unstyled.
      fresh.addEventListener("load", () => link.remove());
      fresh.addEventListener("error", () => link.remove());
      link.after(fresh);
    }
  };
  const onBuild = (event) => {
    if (event.kind === "error") return showErrors(event.errors);
    document.getElementById(OVERLAY)?.remove();
    if (event.kind === "full") return location.reload();
    if (me.dataset.navigate === "1" && event.navigate && event.navigate !== location.pathname) {
      return location.assign(event.navigate);
    }
    const page = here();
    const changed = event.changed;
    const asset = changed.some((path) => !/\\.(html|css|xml|txt)$/i.test(path));
    if (asset || changed.includes(page)) return location.reload();
    if (changed.some((path) => path.endsWith(".css"))) swapStylesheets();
  };
  const query = `epoch=${me.dataset.epoch}&server=${encodeURIComponent(me.dataset.server)}`;
  const source = new EventSource(`%(events)s?${query}`);
  source.addEventListener("build", (message) => onBuild(JSON.parse(message.data)));
})();
"""
    % {"overlay": OVERLAY_ID, "style": _OVERLAY_STYLE, "events": EVENTS_PATH}
).encode()
