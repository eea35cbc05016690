"""`fireside check`: real builds into temp folders, real output folders, real local HTTP servers."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from generator.build.incremental import build_site
from generator.build.options import BuildOptions
from generator.check.checker import CheckOptions, CheckReport, run_check
from generator.check.external import ExternalSettings, check_urls
from generator.check.feeds import read_xml
from generator.check.leaks import private_problems
from generator.check.pages import duplicate_problems, scan_output

from .conftest import NOW, REPO_ROOT, MakeSite, run_cli, write_tree

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "check_site"

CLEAN_CONFIG = """\
title: Clean Site
description: Nothing wrong here.
base_url: https://example.com/blog/
author:
  name: Test Author
  email: author@example.com
menu:
  - title: About
    url: /about/
"""

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000b49444154789c6360000200000500017a5eab3f0000000049454e44ae426082"
)

CLEAN_FILES: dict[str, str | bytes] = {
    "site.yaml": CLEAN_CONFIG,
    "content/posts/first.md": """\
        ---
        title: The First Essay
        date: 2026-01-05
        tags: [essays, letters]
        aliases: [/2019/05/first/]
        ---

        Read [the second](second.md#a-heading), the [about page](/about/) and
        [a file](/files/notes.txt).
        """,
    "content/posts/second.md": """\
        ---
        title: The Second Essay
        date: 2026-02-05
        tags: [essays]
        ---

        ## A heading

        Back to [the first](first.md).
        """,
    "content/posts/bundle/index.md": """\
        ---
        title: A Bundle
        date: 2026-03-04
        description: A post with its own picture.
        ---

        ![a dot](dot.png)
        """,
    "content/posts/bundle/dot.png": PNG,
    "content/posts/draft.md": "---\ntitle: Not Yet Ready For Readers\ndate: 2026-01-01\ndraft: true\n---\nDraft.\n",
    "content/pages/about.md": "---\ntitle: About\n---\nWho writes here.\n",
    "content/static/files/notes.txt": "notes\n",
}


def fixture_site(tmp_path: Path) -> Path:
    site = tmp_path / "check_site"
    shutil.copytree(FIXTURE, site)
    return site


def check(site: Path, **options: object) -> CheckReport:
    return run_check(site / "site.yaml", CheckOptions(now=NOW, **options))  # type: ignore[arg-type]


def keyed(report: CheckReport) -> set[tuple[str, str | None, int | None, str]]:
    return {(f.severity, f.path, f.line, f.message) for f in report.findings}


def test_fixture_site_reports_each_fault_at_its_source(tmp_path: Path) -> None:
    report = check(fixture_site(tmp_path))
    links = "content/posts/links.md"
    expected_errors = {
        (links, 8, "broken link '/no-such-page/': no such file: no-such-page/index.html"),
        (
            links,
            10,
            # Named as the author wrote it (the page holds what the build made of it).
            "broken anchor 'clean.md#no-such-heading': no element with id 'no-such-heading' "
            "in posts/clean/index.html",
        ),
        (links, 12, "missing image '/images/missing.png': no such file: images/missing.png"),
        (links, 14, "missing file '/files/missing-slides.pdf': no such file: files/missing-slides.pdf"),
        ("content/posts/unfinished.md", 4, "draft 'Unfinished Thoughts on Letters' is in the output"),
        (
            "content/static/about.html",
            None,
            "duplicate URL: about.html and about/index.html both answer /about on hosts with clean URLs, "
            "and which one wins depends on the host",
        ),
        ("content/static/deploy.key", None, "private file deploy.key (a key or secret) is in the output"),
        (
            "content/static/files/reading-list.txt",
            None,
            "a copy of inbox/2026-11-01-ben.txt (the private inbox) is in the output",
        ),
        ("content/static/inbox/letter-from-ann.txt", None, "a file from an inbox/ folder is in the output"),
        ("content/static/legacy/untitled.html", 1, "page has no <title>"),
        ("content/static/notes/atom.xml", 2, "feed has no <updated> (it needs exactly one)"),
        ("content/static/notes/atom.xml", 11, "relative URL '/about/' in <link>"),
    }
    assert {(f.path, f.line, f.message) for f in report.errors} == expected_errors
    warnings = {(f.path, f.line, f.message) for f in report.warnings}
    assert ("content/static/legacy/undescribed.html", 1, "page has no meta description") in warnings
    assert ("content/static/legacy/untitled.html", None, "page is not in sitemap.xml") in warnings
    assert ("content/static/notes/atom.xml", 2, 'feed has no <link rel="self">') in warnings
    # A link broken on the post, the home page summary and the feed is one finding, shown where
    # the post's own page has it.
    broken = next(f for f in report.errors if f.line == 8)
    assert broken.output is not None and broken.output.startswith("posts/links/index.html:")
    assert not report.build_failed and report.output_dir is None  # the temporary build is gone


def test_fixture_site_through_the_command(tmp_path: Path) -> None:
    site = fixture_site(tmp_path)
    result = run_cli("check", cwd=site)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.startswith("error: content/posts/links.md:8: broken link '/no-such-page/'") for line in lines
    )
    assert any(
        line.startswith("warning: content/static/legacy/undescribed.html:1: page has no meta")
        for line in lines
    )
    assert lines[-1].startswith("Checked ") and " errors, " in lines[-1]
    assert not (site / "public").exists()  # check builds elsewhere and leaves the site alone


def test_clean_site_passes_even_strictly(make_site: MakeSite) -> None:
    site = make_site(CLEAN_FILES)
    report = check(site, strict=True)
    assert report.findings == (), "\n".join(map(str, report.findings))
    assert report.pages > 8
    result = run_cli("check", "--strict", cwd=site)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(": no problems.")


def test_the_repository_sample_site_has_no_errors() -> None:
    report = run_check(REPO_ROOT / "site.yaml", CheckOptions(now=NOW))
    assert report.errors == (), "\n".join(map(str, report.errors))


def test_warnings_fail_only_with_strict(make_site: MakeSite) -> None:
    site = make_site({**CLEAN_FILES, "content/static/plain.html": "<!doctype html><title>Plain</title>\n"})
    report = check(site)
    assert report.ok and {f.message for f in report.warnings} == {
        "page has no meta description",
        "page is not in sitemap.xml",
    }
    assert all(f.path == "content/static/plain.html" for f in report.warnings)
    strict = check(site, strict=True)
    assert not strict.ok and len(strict.errors) == 2
    assert run_cli("check", cwd=site).returncode == 0
    assert run_cli("check", "--strict", cwd=site).returncode == 1


def test_a_search_engines_verification_file_is_not_a_page(make_site: MakeSite) -> None:
    # Search consoles ask for a file like google1a2b3c.html holding one line of plain text;
    # real blogs keep it in their static files. It is no page for readers: no title needed.
    verification = "google-site-verification: google1a2b3c4d5e6f7a8b.html\n"
    site = make_site({**CLEAN_FILES, "content/static/google1a2b3c4d5e6f7a8b.html": verification,
                      "content/static/fragment.html": "<p>A page without a head</p>\n"})
    report = check(site)
    assert [f.path for f in report.findings if "google" in str(f.path)] == []
    assert "page has no <title>" in {f.message for f in report.errors if f.path == "content/static/fragment.html"}


def test_build_errors_are_reported_like_the_build_does(make_site: MakeSite) -> None:
    site = make_site(
        {
            **CLEAN_FILES,
            "content/posts/again.md": "---\ntitle: Again\ndate: 2026-01-09\nslug: first\n---\nSame URL.\n",
        }
    )
    report = check(site)
    assert report.build_failed and not report.ok
    message = "content/posts/first.md:1: two pages with the same URL /posts/first/: content/posts/again.md has it too"
    message += (
        "; give one of them a `slug:` or `url:` of its own, or put :year/:month/:day into "
        "permalinks.posts (site.yaml, or the section's _index.md)"
    )
    assert [str(f) for f in report.errors] == [message]
    result = run_cli("check", cwd=site)
    assert result.returncode == 1
    assert f"error: {message}\n" in result.stdout
    assert "the output was not checked" in result.stdout


def test_a_folder_built_with_drafts_shows_drafts_future_posts_and_a_stale_sitemap(
    make_site: MakeSite,
) -> None:
    site = make_site(
        {
            **CLEAN_FILES,
            "content/posts/later.md": "---\ntitle: Written For Next Year\ndate: 2027-02-01\n---\nSoon.\n",
        }
    )
    output = site / "preview"
    build_site(site / "site.yaml", BuildOptions(drafts=True, output_dir=output, now=NOW))
    shutil.rmtree(output / "posts" / "second")  # the sitemap still lists it
    report = check(site, folder=output)
    errors = {(f.path, f.line, f.message) for f in report.errors}
    assert ("content/posts/draft.md", 4, "draft 'Not Yet Ready For Readers' is in the output") in errors
    assert (
        "content/posts/later.md",
        3,
        "future post 'Written For Next Year' (dated 2027-02-01) is in the output",
    ) in errors
    sitemap_error = next(f for f in report.errors if "sitemap lists" in f.message)
    assert sitemap_error.path == f"{output}/sitemap.xml" and sitemap_error.line is not None
    assert sitemap_error.message == (
        "sitemap lists https://example.com/blog/posts/second/, which is not in the output "
        "(no posts/second/index.html)"
    )
    # Links to the removed page are reported at the output pages that hold them.
    assert any(f.message.startswith("broken link '/blog/posts/second/") for f in report.errors)
    # A folder that does not exist is nothing to check.
    result = run_cli("check", "no-such-folder", cwd=site)
    assert result.returncode == 1 and "no such folder to check" in result.stderr


def test_feeds_are_checked_against_atom(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bad.xml": """\
                <?xml version="1.0" encoding="utf-8"?>
                <feed xmlns="http://www.w3.org/2005/Atom">
                  <title>T</title>
                  <id>feed-1</id>
                  <updated>2026-13-01T00:00:00Z</updated>
                  <link rel="self" href="https://example.com/atom.xml"/>
                  <entry>
                    <title>E</title>
                    <id>https://example.com/e/</id>
                    <updated>yesterday</updated>
                    <link href="https://example.com/e/"/>
                    <content type="html">&lt;p&gt;&lt;a href="../x/"&gt;x&lt;/a&gt;
                &lt;img src="https://example.com/i.png" srcset="i@2x.png 2x"&gt;&lt;/p&gt;</content>
                  </entry>
                  <entry>
                    <title>F</title>
                    <id>https://example.com/e/</id>
                    <updated>2026-01-01T10:00:00+01:00</updated>
                    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><a href="/y/">y</a></div></content>
                  </entry>
                </feed>
                """,
            "broken.xml": '<?xml version="1.0"?>\n<feed>\n<title>x</feed>\n',
            "sitemap.xml": (
                '<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                "<url><loc>https://example.com/</loc></url>\n</urlset>\n"
            ),
        },
    )
    report = read_xml(tmp_path, "bad.xml")
    found = {(p.line, p.message) for p in report.problems if p.severity == "error"}
    assert found == {
        (4, "<id> 'feed-1' is not an absolute IRI"),
        (5, "<updated> '2026-13-01T00:00:00Z' is not an RFC 3339 date"),
        (2, 'feed has no <link rel="alternate"> to the site'),
        (7, "entry has no <author>, and neither has the feed"),
        (10, "<updated> 'yesterday' is not an RFC 3339 date"),
        (12, "relative URL '../x/' in the <content>"),
        (13, "relative URL 'i@2x.png' in the <content>"),
        (15, 'entry has no <link rel="alternate"> to its page'),
        (15, "entry has no <author>, and neither has the feed"),
        (17, "two entries have the id 'https://example.com/e/'"),
        (19, "relative URL '/y/' in the <content>"),
    }
    # Problems inside an entry carry its page, so they can be traced to the post.
    assert {p.trace_url for p in report.problems if p.line in (10, 12, 13)} == {"https://example.com/e/"}
    assert [(e.first_line, e.url) for e in report.entries] == [(7, "https://example.com/e/"), (15, "")]
    broken = read_xml(tmp_path, "broken.xml").problems
    assert [(p.line, p.message) for p in broken] == [(3, "not well-formed XML: mismatched tag")]
    assert read_xml(tmp_path, "sitemap.xml").sitemap[0].url == "https://example.com/"


def test_duplicate_urls_in_an_output_folder(tmp_path: Path) -> None:
    page = '<!doctype html><title>{0}</title><link rel="canonical" href="https://example.com/{1}">\n'
    write_tree(
        tmp_path,
        {
            "notes.html": page.format("Notes", "notes.html"),
            "notes/index.html": page.format("Notes too", "notes/"),
            "a/index.html": page.format("A", "same/"),
            "b/index.html": page.format("B", "same/"),
        },
    )
    messages = {(p.page, p.message) for p in duplicate_problems(scan_output(tmp_path))}
    assert messages == {
        (
            "notes.html",
            "duplicate URL: notes.html and notes/index.html both answer /notes on hosts with clean URLs, "
            "and which one wins depends on the host",
        ),
        (
            "b/index.html",
            "duplicate URL: b/index.html says its URL is https://example.com/same/, as a/index.html does",
        ),
    }


def test_names_differing_only_in_case_are_duplicates(tmp_path: Path) -> None:
    (tmp_path / "About").mkdir()
    (tmp_path / "About" / "index.html").write_text("<title>A</title>")
    if (tmp_path / "about").exists():
        pytest.skip("this file system ignores case: it cannot hold both names")
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text("<title>a</title>")
    problems = duplicate_problems(scan_output(tmp_path))
    assert [p.message for p in problems] == [
        "duplicate URL: about/index.html and About/index.html differ only in case; "
        "on case-insensitive disks and hosts one replaces the other"
    ]


def test_private_files_and_the_inbox_never_pass(tmp_path: Path) -> None:
    output, inbox = tmp_path / "out", tmp_path / "inbox"
    write_tree(
        output,
        {
            ".env": "SECRET=1\n",
            ".env.production": "SECRET=2\n",
            ".git/config": "[core]\n",
            ".git/HEAD": "ref: refs/heads/main\n",
            "keys/id_ed25519": "key\n",
            "keys/id_ed25519.pub": "public, fine\n",
            "tls/site.pem": "cert\n",
            "inbox/a.txt": "letter\n",
            "letters-renamed.txt": "Dear author, a private letter.\n",
            "index.html": "<title>fine</title>\n",
        },
    )
    write_tree(inbox, {"2026-01-01-ann.txt": "Dear author, a private letter.\n"})
    found = {(p.page, p.message) for p in private_problems(scan_output(output), inbox)}
    assert found == {
        (".env", "private file .env (a key or secret) is in the output"),
        (".env.production", "private file .env.production (a key or secret) is in the output"),
        (".git/HEAD", "private folder .git/ is in the output"),
        ("keys/id_ed25519", "private file id_ed25519 (a key or secret) is in the output"),
        ("tls/site.pem", "private file site.pem (a key or secret) is in the output"),
        ("inbox/a.txt", "a file from an inbox/ folder is in the output"),
        ("letters-renamed.txt", "a copy of inbox/2026-01-01-ann.txt (the private inbox) is in the output"),
    }


# -- outbound links, against real servers on the loopback interface ---------------------------


class _Links(BaseHTTPRequestHandler):
    """/ok, /moved (→ /ok), /head-refused (405 to HEAD), /gone (404), /broken (500), /hang."""

    release: threading.Event
    in_flight = 0
    most_in_flight = 0
    lock = threading.Lock()

    def log_message(self, *_: object) -> None:  # keep test output clean
        pass

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        cls = type(self)
        with cls.lock:
            cls.in_flight += 1
            cls.most_in_flight = max(cls.most_in_flight, cls.in_flight)
        try:
            self._route(body)
        finally:
            with cls.lock:
                cls.in_flight -= 1

    def _route(self, body: bool) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/hang":
            self.release.wait()  # answers only when the test ends: the client must give up first
            return
        if path.startswith("/pair/"):
            # Two requests meet here, so the test fails unless two run at once on this host.
            self.server.barrier.wait(timeout=30)  # type: ignore[attr-defined]
            path = "/ok"
        status = {"/ok": 200, "/moved": 301, "/gone": 404, "/broken": 500}.get(path, 404)
        if path == "/head-refused":
            status = 200 if body else 405
        self.send_response(status)
        if status == 301:
            self.send_header("Location", "/ok")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body:
            self.wfile.write(b"ok")


@dataclass(frozen=True)
class LinkServer:
    url: str
    handler: type[_Links]  # its counters say how many requests were in flight at most


@pytest.fixture
def link_server() -> Iterator[LinkServer]:
    release = threading.Event()
    handler = type("Handler", (_Links,), {"release": release, "in_flight": 0, "most_in_flight": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.barrier = threading.Barrier(2)  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LinkServer(f"http://127.0.0.1:{server.server_address[1]}", handler)
    finally:
        release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    # A proxy configured on the machine must not stand between the test and its own server.
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def test_external_links_report_what_does_not_work(make_site: MakeSite, link_server: LinkServer) -> None:
    server = link_server.url
    post = f"""\
        ---
        title: Outbound
        date: 2026-01-05
        ---

        [fine]({server}/ok) and [moved]({server}/moved#part).

        [refuses HEAD]({server}/head-refused)

        [gone]({server}/gone)

        [broken]({server}/broken)

        [slow]({server}/hang)
        """
    site = make_site({**CLEAN_FILES, "content/posts/outbound.md": post})
    settings = ExternalSettings(timeout=0.5, workers=4, per_host=2)
    report = check(site, external=True, external_settings=settings)
    found = {(f.severity, f.path, f.line, f.message) for f in report.findings}
    source = "content/posts/outbound.md"
    assert found == {
        ("warning", source, 10, f"external link '{server}/gone' does not work: HTTP 404 Not Found"),
        (
            "warning",
            source,
            12,
            f"external link '{server}/broken' does not work: HTTP 500 Internal Server Error",
        ),
        ("warning", source, 14, f"external link '{server}/hang' does not work: timed out after 0.5 s"),
    }
    assert report.external_checked == 6
    strict = check(site, external=True, external_settings=settings, strict=True)
    assert len(strict.errors) == 3
    assert check(site).findings == ()  # without --external, the network is not asked


def test_external_checks_respect_the_per_host_limit(link_server: LinkServer) -> None:
    urls = [f"{link_server.url}/pair/{n}" for n in range(6)]
    results = check_urls(urls, ExternalSettings(timeout=60, workers=6, per_host=2))
    assert [r.problem for r in results.values()] == [None] * 6
    assert link_server.handler.most_in_flight == 2


def test_check_warns_when_inbox_letters_are_tracked_by_git(make_site) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    from generator.check.checker import CheckOptions, run_check

    site = make_site(
        {
            "content/posts/p.md": "---\ntitle: P\ndate: 2026-01-01\ndescription: d\n---\nHi.\n",
            "inbox/new/abc.md": "---\nid: abc\n---\nA private letter.\n",
        }
    )
    git = ["git", "-c", "user.email=t@example.com", "-c", "user.name=T"]
    subprocess.run([*git, "init", "-q"], cwd=site, check=True)
    clean = run_check(site / "site.yaml", CheckOptions())
    assert not any("tracked by git" in f.message for f in clean.findings)
    subprocess.run([*git, "add", "inbox/new/abc.md"], cwd=site, check=True)
    report = run_check(site / "site.yaml", CheckOptions())
    tracked = [f for f in report.findings if "tracked by git" in f.message]
    assert [(f.severity, f.path) for f in tracked] == [("warning", "inbox/new/abc.md")]
    strict = run_check(site / "site.yaml", CheckOptions(strict=True))
    assert not strict.ok


def test_each_problem_is_reported_once_where_it_is_written(make_site: MakeSite) -> None:
    # A broken anchor and three missing pictures (written as HTML, which the build leaves
    # alone), all in the summary of a post: they show on its page, the home page and the
    # feed. The newer post also links to the one whose heading is missing.
    site = make_site(
        {
            **CLEAN_FILES,
            "content/posts/alpha.md": """\
                ---
                title: Alpha essay
                date: 2026-03-10
                description: x
                ---

                Read [the beta essay](beta-essay.md#no-such-part) first, and then
                think about it. Also <img src="/img/one.png" alt="1"> and
                <img src="two.png" alt="2"> and
                <img src="/files/three.png" alt="3">.
                """,
            "content/posts/beta-essay.md": """\
                ---
                title: Beta essay
                date: 2026-03-11
                description: y
                ---

                See [alpha](alpha.md), and [beta itself](beta-essay.md).
                """,
        }
    )
    report = check(site)
    found = sorted((f.path, f.line, f.message) for f in report.findings)
    post = "content/posts/alpha.md"
    assert found == [
        (
            post,
            7,
            "broken anchor 'beta-essay.md#no-such-part': no element with id 'no-such-part' "
            "in posts/beta-essay/index.html",
        ),
        (post, 8, "missing image '/img/one.png': outside the base path /blog/"),
        (post, 9, "missing image 'two.png': no such file: posts/alpha/two.png"),
        (post, 10, "missing image '/files/three.png': outside the base path /blog/"),
    ]
    # Each names its post's own page first, and the other pages that show it.
    assert all(f.output and f.output.startswith("posts/alpha/index.html:") for f in report.findings)
    assert all(f.output and f.output.endswith(" more") for f in report.findings)
