"""A real `fireside serve` on a free loopback port, driven by real file edits (for the serve tests)."""

from __future__ import annotations

import http.client
import os
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.preview.server import Preview, ServeEvent, ServeOptions, start_preview

CONFIG = """\
title: Live Site
base_url: https://example.com/blog/
author:
  name: Test Author
  email: author@example.com
menu:
  - title: About
    url: /about/
"""

FILES = {
    "site.yaml": CONFIG,
    "content/posts/hello.md": """\
        ---
        title: Hello
        date: 2024-01-02
        tags: [greetings]
        ---

        Hello body, first version.
        """,
    "content/posts/second.md": """\
        ---
        title: Second Post
        date: 2024-02-03
        ---

        The second post.
        """,
    "content/posts/bundle/index.md": """\
        ---
        title: A Bundle
        date: 2024-03-04
        ---

        ![a dot](dot.png)
        """,
    "content/posts/bundle/dot.png": bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
    ),
    "content/pages/about.md": """\
        ---
        title: About
        ---

        About this site.
        """,
    # A site override of the default theme's stylesheet, so tests can edit CSS.
    "themes/default/static/css/style.css": "body { color: rgb(1, 2, 3); }\n",
}


# The first post of FILES, as a test rewrites it (`extra`: more front matter lines).
HELLO = """\
    ---
    title: Hello
    date: 2024-01-02
    tags: [greetings]
    {extra}
    ---

    {body}
    """


def hello(body: str = "Hello body, first version.", extra: str = "") -> str:
    return HELLO.format(body=body, extra=extra)


def write(root: Path, rel: str, content: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(textwrap.dedent(content), encoding="utf-8")
    return path


def make_site(root: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    for rel, content in {**FILES, **(extra or {})}.items():
        write(root, rel, content)
    return root


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class LiveSite:
    """A site folder with a running preview that records every build it reports."""

    def __init__(self, root: Path, **options: Any) -> None:
        self.root = root
        self.events: list[ServeEvent] = []
        self._cond = threading.Condition()
        self.preview: Preview = start_preview(
            root / "site.yaml", ServeOptions(port=0, **options), self._record
        )

    def _record(self, event: ServeEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    @property
    def url(self) -> str:
        return self.preview.url

    def count(self) -> int:
        with self._cond:
            return len(self.events)

    def wait_for_build(self, after: int, timeout: float = 5.0) -> ServeEvent:
        """The first build reported after the first `after` ones."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.events) > after, timeout=timeout):
                raise AssertionError(f"no build within {timeout} s (still {after})")
            return self.events[after]

    def quiet_for(self, seconds: float) -> int:
        """Wait until no build was reported for `seconds`; the number of builds then."""
        with self._cond:
            while True:
                seen = len(self.events)
                if not self._cond.wait_for(lambda seen=seen: len(self.events) > seen, timeout=seconds):
                    return seen

    def edit(self, rel: str, content: str | bytes, timeout: float = 5.0) -> ServeEvent:
        """Save a file and return the build it causes."""
        before = self.count()
        write(self.root, rel, content)
        return self.wait_for_build(before, timeout)

    def request(self, path: str, method: str = "GET", headers: dict[str, str] | None = None,
                body: bytes | None = None) -> Response:
        """Send `path` exactly as given (no client-side normalisation of `..` or escapes)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.preview.port, timeout=5)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            reply = conn.getresponse()
            return Response(reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read())
        finally:
            conn.close()

    def stop(self) -> None:
        self.preview.stop()


def atomic_save(path: Path, text: str) -> None:
    """Save like vim, VS Code and JetBrains: write a temp file beside it, then rename over."""
    temp = path.with_name(path.name + "___jb_tmp___")
    temp.write_text(textwrap.dedent(text), encoding="utf-8")
    os.replace(temp, path)


def poll(check: Any, timeout: float = 5.0, interval: float = 0.02) -> Any:
    """Call `check` until it returns something truthy; fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
