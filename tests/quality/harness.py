"""What the quality checks share (no tests here): the sample site built as published, served
by a plain static host on a loopback port, and the tools that judge it.

Two builds of the repository's sample site are served, each on its own 127.0.0.1 port with
that origin as its base URL:

- "published": the sample exactly as site.yaml says (no inbox endpoint, so posts offer
  "Reply by email");
- "inbox": a copy with `inbox: {endpoint: /__inbox/}` and `per_page: 2`, so posts carry the
  letter form and the home page is paginated. The real receiver is mounted at `/__inbox/`
  on the same port (as `fireside serve` does), so its error page is served for real.

The host serves files and nothing else: no live-reload script, no cookies, no compression,
a missing path answered 404 with the site's `404.html`. Used by tests/quality and by
bench/quality.py (which imports it from the checkout).
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import unquote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from generator.build.incremental import build_site
from generator.build.manifest import MANIFEST_PATH
from generator.build.options import BuildOptions
from generator.inbox import create_app
from generator.inbox.ratelimit import RateLimits
from generator.inbox.settings import ReceiverSettings
from generator.inbox.validation import Limits

PROJECT = Path(__file__).resolve().parent.parent.parent
NODE_MODULES = PROJECT / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
LIGHTHOUSE_CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
INBOX_PREFIX = "/__inbox/"

# Chromium on a closed network, as root: no sandbox (root), and none of its own traffic.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-sync",
    "--metrics-recording-only",
)

# The page types a reader meets, by variant: (name, path). The 404 page is asked for at an
# address that does not exist, so it arrives with status 404 as on any static host.
PUBLISHED_PAGES: tuple[tuple[str, str], ...] = (
    ("home", "/"),
    ("post-code", "/posts/a-small-web-of-my-own/"),
    ("post-footnotes-letters", "/posts/an-inch-wide/"),
    ("post-plain", "/posts/the-first-letter/"),
    ("tags", "/tags/"),
    ("tag", "/tags/essays/"),
    ("archive", "/archive/"),
    ("about", "/about/"),
    ("now", "/now/"),
    ("404", "/no-such-page/"),
    ("thank-you", "/thanks/"),
)
INBOX_PAGES: tuple[tuple[str, str], ...] = (
    ("home", "/"),
    ("home-page-2", "/page/2/"),
    ("post-form-letters", "/posts/an-inch-wide/"),
    ("post-form-code", "/posts/a-small-web-of-my-own/"),
    ("section", "/notes/"),
    ("post-in-section", "/notes/on-keeping-a-commonplace-book/"),
)
# A section (a folder of posts with its own list page and URL pattern, as blogs brought
# from Hugo or Zola have), added to the inbox variant's copy of the sample.
SECTION_FILES = {
    "content/posts/notes/_index.md": (
        "---\ntitle: Notes\ndescription: Shorter things, written down before they are essays.\n---\n\n"
        "Notes are where an essay starts: a line read, a letter half answered.\n"
    ),
    "content/posts/notes/commonplace.md": (
        "---\ntitle: On keeping a commonplace book\ndate: 2026-10-05\ntags: [letters]\n"
        "description: Why I copy out what friends write to me.\n---\n\n"
        "I copy out the lines from letters that I want to keep, and the book becomes a record of a "
        "friendship as much as of what I read.\n"
    ),
}
# The post a typical reader lands on: footnotes, a published letter and the letter form.
TYPICAL_POST = "/posts/an-inch-wide/"


def ci() -> bool:
    return bool(os.environ.get("CI"))


def missing_tool(what: str, how: str) -> None:
    """Skip a check whose tool is missing, except under CI (where .ci/run installs it)."""
    import pytest

    if ci():
        pytest.fail(f"CI is set but {what} is missing; {how}")
    pytest.skip(f"{what} is missing ({how})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the static host --------------------------------------------------------------------------

TEXT_TYPES = {".html", ".css", ".js", ".xml", ".txt", ".svg", ".json"}
TYPES = {".js": "text/javascript", ".svg": "image/svg+xml", ".xml": "application/xml", ".md": "text/plain"}

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def static_app(root: Path, mounts: dict[str, WSGIApp]) -> WSGIApp:
    """A plain static host for `root`, with WSGI apps mounted under path prefixes."""
    root = root.resolve()

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        for prefix, mounted in mounts.items():
            if path.startswith(prefix) or path == prefix.rstrip("/"):
                script = prefix.rstrip("/")
                return mounted({**environ, "SCRIPT_NAME": script,
                                "PATH_INFO": path[len(script):].encode("utf-8").decode("latin-1")},
                               start_response)
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD"), ("Content-Length", "0")])
            return [b""]
        target = (root / unquote(path).lstrip("/")).resolve()
        if not target.is_relative_to(root):
            target = root / "no such file"
        if target.is_dir():
            if not path.endswith("/"):
                start_response("301 Moved Permanently", [("Location", path + "/"), ("Content-Length", "0")])
                return [b""]
            target = target / "index.html"
        status = "200 OK"
        if not target.is_file():
            status, target = "404 Not Found", root / "404.html"
        body = target.read_bytes()
        kind = TYPES.get(target.suffix) or mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in TEXT_TYPES:
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Content-Length", str(len(body)))])
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]

    return app


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@dataclass
class ServedSite:
    """One build of the sample, served from its own loopback port."""

    name: str
    output: Path
    origin: str  # "http://127.0.0.1:PORT"
    pages: tuple[tuple[str, str], ...]
    inbox_dir: Path | None = None
    _server: Any = field(default=None, repr=False)

    def url(self, path: str) -> str:
        return self.origin + path

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _serve(name: str, site_yaml: Path, output: Path, pages: tuple[tuple[str, str], ...],
           endpoint: str | None, inbox_dir: Path | None) -> ServedSite:
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    # Built for the origin it is served from, so canonical URLs and feeds are its own.
    build_site(site_yaml, BuildOptions(output_dir=output, base_url=origin + "/", inbox_endpoint=endpoint))
    mounts: dict[str, WSGIApp] = {}
    if inbox_dir is not None:
        settings = ReceiverSettings(
            inbox_dir=inbox_dir,
            manifest=output / MANIFEST_PATH,
            limits=Limits(min_seconds=0),  # a test sends at once; a person would not
            rates=RateLimits(per_address=0, per_network=0),
        )
        mounts[INBOX_PREFIX] = create_app(settings)
    server = make_server("127.0.0.1", port, static_app(output, mounts), server_class=_Server,
                         handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return ServedSite(name, output, origin, pages, inbox_dir, server)


@dataclass
class Sample:
    published: ServedSite
    inbox: ServedSite
    workdir: Path

    @property
    def sites(self) -> tuple[ServedSite, ServedSite]:
        return (self.published, self.inbox)

    def all_pages(self) -> Iterator[tuple[str, str]]:
        """(id, url) of every page type of both variants."""
        for site in self.sites:
            for name, path in site.pages:
                yield f"{site.name}:{name}", site.url(path)

    def stop(self) -> None:
        for site in self.sites:
            site.stop()


def start_sample(workdir: Path) -> Sample:
    """Build both variants of the repository's sample site into `workdir` and serve them."""
    published = _serve("published", PROJECT / "site.yaml", workdir / "published", PUBLISHED_PAGES, None, None)
    copy = workdir / "inbox-site"
    shutil.copytree(PROJECT / "content", copy / "content")
    config = (PROJECT / "site.yaml").read_text("utf-8")
    config = "\n".join(line for line in config.splitlines() if not line.startswith("per_page:"))
    (copy / "site.yaml").write_text(config + "\nper_page: 2\ninbox:\n  endpoint: " + INBOX_PREFIX + "\n"
                                    "permalinks:\n  notes: /notes/:slug/\n", "utf-8")
    for rel, text in SECTION_FILES.items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        (copy / rel).write_text(text, "utf-8")
    for theme in (PROJECT / "themes").iterdir():  # the site's themes, as the sample sees them
        if theme.name != "default":
            shutil.copytree(theme, copy / "themes" / theme.name)
    try:
        inbox = _serve("inbox", copy / "site.yaml", workdir / "inbox", INBOX_PAGES, None, workdir / "letters")
    except BaseException:
        published.stop()
        raise
    return Sample(published, inbox, workdir)


def post_letter(site: ServedSite, fields: dict[str, str], accept: str = "text/html") -> tuple[int, bytes]:
    """Send a letter to the mounted receiver as a browser without JavaScript would."""
    import http.client
    from urllib.parse import urlencode, urlsplit

    host = urlsplit(site.origin)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=10)
    try:
        conn.request("POST", INBOX_PREFIX, body=urlencode(fields).encode(), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": accept, "Origin": site.origin})
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


# -- the tools --------------------------------------------------------------------------------

def java() -> str | None:
    return shutil.which("java")


def node() -> str | None:
    return shutil.which("node")


def run_vnu(paths: Iterable[Path]) -> list[dict[str, Any]]:
    """The Nu HTML Checker's errors for every HTML file under `paths` (one JVM run)."""
    proc = subprocess.run(
        [java() or "java", "-jar", str(VNU_JAR), "--errors-only", "--skip-non-html", "--also-check-css", "--also-check-svg",
         "--format", "json",
         "--exit-zero-always", *map(str, paths)],
        capture_output=True, text=True, timeout=300,
    )
    try:
        report = json.loads(proc.stderr or proc.stdout)
    except json.JSONDecodeError as exc:
        raise RuntimeError(f"vnu said: {proc.stdout}\n{proc.stderr}") from exc
    return [m for m in report.get("messages", []) if m.get("type") in ("error", "non-document-error")]


LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def run_lighthouse(url: str, report: Path | None = None, timeout: float = 120) -> dict[str, Any]:
    """Lighthouse (mobile profile, simulated throttling) on `url`: its JSON result."""
    if not url.startswith("http://127.0.0.1:"):
        raise ValueError("Lighthouse only ever looks at this machine's loopback")
    with tempfile.TemporaryDirectory(prefix="fireside-lh-") as tmp:
        out = report or Path(tmp) / "report.json"
        flags = " ".join(("--headless=new", *CHROMIUM_ARGS, f"--user-data-dir={tmp}/profile"))
        proc = subprocess.run(
            [node() or "node", str(LIGHTHOUSE_CLI), url, "--quiet", "--output=json", f"--output-path={out}",
             f"--only-categories={','.join(LIGHTHOUSE_CATEGORIES)}", "--form-factor=mobile",
             f"--chrome-flags={flags}"],
            capture_output=True, text=True, timeout=timeout,
            env={**os.environ, "CHROME_PATH": CHROMIUM},
        )
        if proc.returncode != 0 or not out.is_file():
            raise RuntimeError(f"lighthouse failed ({proc.returncode}): {proc.stderr[-2000:]}")
        return json.loads(out.read_text("utf-8"))


def lighthouse_scores(result: dict[str, Any]) -> dict[str, int]:
    return {key: round((result["categories"][key]["score"] or 0) * 100) for key in LIGHTHOUSE_CATEGORIES}


def lighthouse_failures(result: dict[str, Any]) -> list[str]:
    """The audits that cost points, for a useful failure message."""
    lost = []
    for key in LIGHTHOUSE_CATEGORIES:
        for ref in result["categories"][key]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref.get("weight") and audit.get("score") is not None and audit["score"] < 1:
                lost.append(f"{key}: {ref['id']} ({audit['score']}): {audit.get('displayValue', audit['title'])}")
    return lost
