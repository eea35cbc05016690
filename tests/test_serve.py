"""`fireside serve` over real HTTP: serving, safety, rebuilds on real file edits, the CLI."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.preview.livereload import EVENTS_PATH, SCRIPT_PATH
from generator.preview.server import Mount, RebuildFailed, Rebuilt

from .conftest import REPO_ROOT, run_cli
from .serve_helpers import LiveSite, atomic_save, hello, make_site, write


def inbox_app(environ: dict, start_response) -> list[bytes]:  # type: ignore[no-untyped-def]
    """A stand-in for the reader inbox: echoes what WSGI tells it."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    data = environ["wsgi.input"].read(length) if length else b""
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{environ['REQUEST_METHOD']} {environ['SCRIPT_NAME']}|{environ['PATH_INFO']}|".encode() + data]


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveSite]:
    """One server for the tests that only read."""
    root = make_site(tmp_path_factory.mktemp("shared"))
    (root / "secret.txt").write_text("TOP SECRET", encoding="utf-8")
    live = LiveSite(root, mounts=(Mount("/inbox/", inbox_app),))
    yield live
    live.stop()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveSite]:
    """A server of its own, for tests that edit the site."""
    site = LiveSite(make_site(tmp_path / "site"))
    yield site
    site.stop()


# -- serving --------------------------------------------------------------------------------


def test_serves_the_site_with_the_reload_script_and_no_caching(shared: LiveSite) -> None:
    reply = shared.request("/")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.headers["cache-control"] == "no-store"
    assert SCRIPT_PATH in reply.text and reply.text.index(SCRIPT_PATH) < reply.text.rindex("</body>")
    # Links work on the preview: the site's base path (/blog/) is dropped.
    assert 'href="/posts/hello/"' in reply.text
    assert shared.preview.server.server_address[0] == "127.0.0.1"
    script = shared.request(SCRIPT_PATH)
    assert script.status == 200 and script.headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in script.body


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/css/style.css", "text/css; charset=utf-8"),
        ("/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/tags/greetings/atom.xml", "application/atom+xml; charset=utf-8"),
        ("/sitemap.xml", "application/xml; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/posts/bundle/dot.png", "image/png"),
        ("/posts/hello/", "text/html; charset=utf-8"),
    ],
)
def test_content_types(shared: LiveSite, path: str, expected: str) -> None:
    reply = shared.request(path)
    assert reply.status == 200
    assert reply.headers["content-type"] == expected
    assert reply.headers["cache-control"] == "no-store"
    assert int(reply.headers["content-length"]) == len(reply.body)
    assert (SCRIPT_PATH.encode() in reply.body) == expected.startswith("text/html")


def test_missing_page_gets_the_sites_404_page_with_status_404(shared: LiveSite) -> None:
    reply = shared.request("/posts/never-written/")
    assert reply.status == 404
    assert "This page has wandered off" in reply.text
    assert reply.headers["cache-control"] == "no-store"
    assert SCRIPT_PATH in reply.text  # so the tab reloads once the page exists


def test_folder_without_slash_redirects(shared: LiveSite) -> None:
    reply = shared.request("/posts/hello?x=1")
    assert reply.status in (301, 302)
    assert reply.headers["location"] == "/posts/hello/?x=1"
    # A doubled slash must not become a redirect to another host.
    assert shared.request("//posts/hello").headers["location"] == "/posts/hello/"
    assert shared.request("/css/style.css/").status == 404


def test_head_sends_headers_only(shared: LiveSite) -> None:
    reply = shared.request("/", method="HEAD")
    assert reply.status == 200 and reply.body == b""
    assert int(reply.headers["content-length"]) > 0


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/posts/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        "/posts/%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..%2fsecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/%2e%2e%5c%2e%2e%5csecret.txt",
        "/index.html%00.css",
        "/%00",
        "/%ff%fe",
        "/../../../../../../etc/passwd",
    ],
)
def test_path_traversal_is_refused(shared: LiveSite, path: str) -> None:
    reply = shared.request(path)
    assert reply.status in (400, 404)
    assert b"TOP SECRET" not in reply.body and b"root:" not in reply.body


def test_symlinks_out_of_the_site_are_refused(shared: LiveSite) -> None:
    out = shared.preview.output_dir
    (out / "leak.txt").symlink_to(shared.root / "secret.txt")
    (out / "leakdir").symlink_to(shared.root, target_is_directory=True)
    try:
        for path in ("/leak.txt", "/leakdir/secret.txt", "/leakdir/"):
            reply = shared.request(path)
            assert reply.status == 404, path
            assert b"TOP SECRET" not in reply.body
    finally:
        (out / "leak.txt").unlink()
        (out / "leakdir").unlink()


def test_mounted_wsgi_app_gets_its_prefix(shared: LiveSite) -> None:
    got = shared.request("/inbox/letters?x=1")
    assert got.status == 200 and got.text == "GET /inbox|/letters|"
    posted = shared.request("/inbox/send", method="POST", body=b"dear you",
                            headers={"Content-Type": "text/plain"})
    assert posted.status == 200 and posted.text == "POST /inbox|/send|dear you"
    assert shared.request("/", method="POST").status == 405  # the site itself is read-only


def test_build_output_has_no_reload_script(shared: LiveSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("build", "--config", str(shared.root / "site.yaml"), "--output", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pages = list(out.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "__fireside" not in text and "EventSource" not in text and "fireside-overlay" not in text
    assert SCRIPT_PATH in shared.request("/posts/hello/").text


# -- rebuilding -----------------------------------------------------------------------------


def test_an_edit_rebuilds_and_is_served(live: LiveSite) -> None:
    event = live.edit("content/posts/hello.md", hello("Hello body, second version."))
    assert isinstance(event, Rebuilt)
    assert event.changed == ("content/posts/hello.md",)
    changed = event.result.stats.changed_paths
    assert "posts/hello/index.html" in changed
    assert "about/index.html" not in changed and "posts/second/index.html" not in changed
    assert "second version" in live.request("/posts/hello/").text


def test_a_text_edit_renders_only_the_post_and_its_feeds(live: LiveSite) -> None:
    # A second paragraph: the summary (the first) and so every list stays as it is.
    event = live.edit("content/posts/hello.md", hello("Hello body, first version.\n\n    A new thought."))
    assert isinstance(event, Rebuilt)
    assert set(event.result.stats.changed_paths) == {"posts/hello/index.html", "atom.xml", "tags/greetings/atom.xml"}
    assert event.result.rendered == 3
    assert "A new thought." in live.request("/posts/hello/").text
    assert "A new thought." in live.request("/atom.xml").text
    # Then a change lists show (the title): the whole site is looked at again.
    event = live.edit("content/posts/hello.md", hello("Hello body.", extra="title: Hello Again"))
    assert isinstance(event, Rebuilt) and "index.html" in event.result.stats.changed_paths
    assert "Hello Again" in live.request("/").text


def test_a_renamed_slug_removes_the_old_url(live: LiveSite) -> None:
    assert live.request("/posts/hello/").status == 200
    event = live.edit("content/posts/hello.md", hello(extra="slug: greetings-earthlings"))
    assert isinstance(event, Rebuilt)
    assert live.request("/posts/hello/").status == 404
    assert "Hello body" in live.request("/posts/greetings-earthlings/").text


def test_deleted_post_is_gone_at_once(live: LiveSite) -> None:
    before = live.count()
    (live.root / "content/posts/second.md").unlink()
    event = live.wait_for_build(before)
    assert isinstance(event, Rebuilt) and "posts/second/index.html" in event.result.stats.changed_paths
    assert live.request("/posts/second/").status == 404


def test_drafts_are_shown_and_marked(live: LiveSite) -> None:
    live.edit("content/posts/hello.md", hello(extra="draft: true"))
    reply = live.request("/posts/hello/")
    assert reply.status == 200 and "Draft" in reply.text


def test_no_drafts_hides_a_post_turned_into_a_draft(tmp_path: Path) -> None:
    live = LiveSite(make_site(tmp_path), drafts=False)
    try:
        assert live.request("/posts/hello/").status == 200
        live.edit("content/posts/hello.md", hello(extra="draft: true"))
        assert live.request("/posts/hello/").status == 404
    finally:
        live.stop()


def test_site_yaml_and_theme_are_watched(live: LiveSite) -> None:
    event = live.edit("site.yaml", (live.root / "site.yaml").read_text().replace("Live Site", "Renamed"))
    assert event.changed == ("site.yaml",)
    assert "Renamed" in live.request("/").text
    event = live.edit("themes/default/static/css/style.css", "body { color: red; }\n")
    assert isinstance(event, Rebuilt) and event.result.stats.changed_paths == ("css/style.css",)


def test_a_broken_build_keeps_the_last_good_site_with_an_overlay(live: LiveSite) -> None:
    event = live.edit("content/posts/hello.md", hello(extra="title: [unclosed"))
    assert isinstance(event, RebuildFailed)
    assert any(str(e).startswith("content/posts/hello.md:") for e in event.errors)
    page = live.request("/posts/hello/")
    assert page.status == 200 and "Hello body, first version." in page.text  # the last good build
    assert 'id="fireside-overlay"' in page.text and "content/posts/hello.md:5" in page.text
    # Author text in an error is escaped, never markup.
    event = live.edit("content/posts/hello.md", hello(extra='aliases: ["../<b>bold</b>.html"]'))
    assert isinstance(event, RebuildFailed)
    page = live.request("/")
    assert "&lt;b&gt;bold&lt;/b&gt;.html" in page.text and "<b>bold</b>" not in page.text
    event = live.edit("content/posts/hello.md", hello("Fixed."))
    assert isinstance(event, Rebuilt)
    page = live.request("/posts/hello/")
    assert "Fixed." in page.text and "fireside-overlay" not in page.text


def test_a_burst_of_saves_is_one_rebuild(live: LiveSite) -> None:
    before = live.count()
    path = live.root / "content/posts/hello.md"
    for n in range(20):
        path.write_text(hello(f"Burst {n}."), encoding="utf-8")
        time.sleep(0.004)
    live.wait_for_build(before)
    after = live.quiet_for(0.5)
    assert 1 <= after - before <= 2
    assert "Burst 19." in live.request("/posts/hello/").text


# watchdog's inotify backend warns when a new folder fills up while it adds its watch; harmless.
@pytest.mark.filterwarnings("ignore:Callback with id:RuntimeWarning")
def test_a_branch_switch_touching_500_files_is_one_rebuild(live: LiveSite) -> None:
    before = live.count()
    for n in range(500):
        write(live.root, f"content/static/many/file{n}.txt", f"file {n}\n")
    live.wait_for_build(before)
    after = live.quiet_for(0.5)
    assert 1 <= after - before <= 2
    assert live.request("/many/file499.txt").text == "file 499\n"


def test_an_atomic_save_is_seen(live: LiveSite) -> None:
    before = live.count()
    atomic_save(live.root / "content/posts/hello.md", hello("Saved atomically."))
    event = live.wait_for_build(before)
    assert event.changed == ("content/posts/hello.md",)
    assert "Saved atomically." in live.request("/posts/hello/").text


def test_swap_backup_and_hidden_files_and_idleness_cause_no_rebuild(live: LiveSite) -> None:
    before = live.quiet_for(0.3)  # an idle site never rebuilds
    assert before == 1
    posts = live.root / "content/posts"
    (posts / ".hello.md.swp").write_bytes(b"vim swap")
    (posts / "hello.md~").write_text("backup")
    (posts / "4913").write_text("")
    (posts / "4913").unlink()
    (posts / ".hidden.md").write_text("---\ntitle: x\n---\n")
    (live.root / "public").mkdir()
    (live.root / "public" / "index.html").write_text("not watched")
    (live.root / "notes.txt").write_text("not part of the site")
    assert live.quiet_for(0.4) == before


def test_polling_fallback_sees_edits(tmp_path: Path) -> None:
    live = LiveSite(make_site(tmp_path), poll=True)
    try:
        event = live.edit("content/posts/hello.md", hello("Seen by polling."), timeout=5)
        assert isinstance(event, Rebuilt)
        assert "Seen by polling." in live.request("/posts/hello/").text
    finally:
        live.stop()


def read_events(live: LiveSite, query: str, count: int, timeout: float = 5.0) -> queue.Queue:
    """Open the event stream and put the first `count` build events on a queue."""
    events: queue.Queue = queue.Queue()

    def listen() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", live.preview.port, timeout=timeout)
        conn.request("GET", f"{EVENTS_PATH}?{query}")
        reply = conn.getresponse()
        events.put(reply.getheader("Content-Type"))
        found = 0
        while found < count:
            line = reply.fp.readline()
            if not line:
                break
            if line.startswith(b"data: "):
                data = json.loads(line[6:])
                # What the tab would load now must already be the new build.
                events.put((data, live.request("/posts/hello/").text))
                found += 1
        conn.close()

    threading.Thread(target=listen, daemon=True).start()
    assert events.get(timeout=timeout).startswith("text/event-stream")
    return events


def test_event_stream_announces_builds_after_they_are_served(live: LiveSite) -> None:
    epoch, token = live.preview.site.epoch, live.preview.hub.token
    events = read_events(live, f"epoch={epoch}&server={token}", 3)
    live.edit("content/posts/hello.md", hello("Announced."))
    data, page = events.get(timeout=5)
    assert data["kind"] == "reload" and "posts/hello/index.html" in data["changed"]
    assert "Announced." in page
    live.edit("themes/default/static/css/style.css", "body { color: blue; }\n")
    data, _ = events.get(timeout=5)
    assert data["kind"] == "css" and data["changed"] == ["css/style.css"]
    live.edit("content/posts/hello.md", hello(extra="title: [unclosed"))
    data, _ = events.get(timeout=5)
    assert data["kind"] == "error" and data["errors"][0].startswith("content/posts/hello.md:5: ")


def test_a_page_from_an_earlier_server_run_reloads(live: LiveSite) -> None:
    events = read_events(live, "epoch=3&server=someoneelse", 1)
    data, _ = events.get(timeout=5)
    assert data["kind"] == "full"


def test_stop_is_quick_and_clean(tmp_path: Path) -> None:
    live = LiveSite(make_site(tmp_path))
    out, port = live.preview.output_dir, live.preview.port
    read_events(live, f"epoch=1&server={live.preview.hub.token}", 1)  # an open tab
    started = time.monotonic()
    live.stop()
    assert time.monotonic() - started < 2
    assert not out.exists()
    with pytest.raises(OSError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/")
    assert not [t for t in live.preview.threads if t.is_alive()]


# -- the command ----------------------------------------------------------------------------


def test_cli_prints_the_url_and_one_line_per_rebuild_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site")
    temp = tmp_path / "tmp"  # where the server's build folder goes, to see it removed
    temp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TMPDIR": str(temp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0", "--config", str(root / "site.yaml")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: [lines.put(line) for line in stdout], daemon=True).start()
    try:
        assert lines.get(timeout=10).startswith("Built 10 pages")
        assert next(p.name for p in temp.iterdir()).startswith("fireside-serve-")
        serving = lines.get(timeout=5)
        found = re.fullmatch(r"Serving (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C to stop\)\n", serving)
        assert found, serving
        conn = http.client.HTTPConnection("127.0.0.1", int(found.group(2)), timeout=5)
        conn.request("GET", "/posts/hello/")
        assert conn.getresponse().status == 200
        conn.close()
        write(root, "content/posts/hello.md", hello("Edited from the test."))
        line = lines.get(timeout=5)
        assert re.fullmatch(r"content/posts/hello\.md changed → \d+ files rebuilt in \d+ ms\n", line), line
        write(root, "content/posts/hello.md", hello(extra="title: [unclosed"))
        assert lines.get(timeout=5) == "content/posts/hello.md changed → build failed: 1 error\n"
        assert lines.get(timeout=5).startswith("  error: content/posts/hello.md:5: invalid YAML")
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=5) == 0
        assert time.monotonic() - started < 3
        assert list(temp.iterdir()) == []
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
