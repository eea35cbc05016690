"""Rendering many bodies: the worker pool gives exactly what one process gives, in order,
errors included, whether it starts by fork (a one-thread process) or a forkserver (the
preview builds from a thread)."""

from __future__ import annotations

import dataclasses
import pickle
import threading
from pathlib import Path

import pytest
from markupsafe import Markup

from generator.build.docrender import BodyJob, render_many
from generator.build.links import SiteFiles
from generator.build.parallel import PARALLEL_THRESHOLD, start_method
from generator.build.parked import BodyPark, ParkedHtml
from generator.build.sources import SourceChanged, read_source
from generator.markdown.markup import MarkdownRenderer
from generator.site.errors import ErrorCollector, SiteError
from generator.site.urls import UrlScheme

from .conftest import write_tree

COUNT = PARALLEL_THRESHOLD * 2 + 5


def post(number: int) -> str:
    link = "[broken](missing.md)" if number % 17 == 0 else f"[next](p{(number + 1) % COUNT}.md)"
    code = "\n```python\nprint({number})\n```\n" if number % 3 == 0 else ""
    return f"---\ntitle: P{number}\n---\nBody {number} with {link}.[^1]\n{code}\n[^1]: Note {number}.\n"


def jobs_and_files(site: Path) -> tuple[list[BodyJob], SiteFiles]:
    write_tree(site, {f"content/posts/p{n}.md": post(n) for n in range(COUNT)})
    errors = ErrorCollector()
    jobs, documents = [], {}
    for number in range(COUNT):
        path = site / f"content/posts/p{number}.md"
        source = read_source(path, path.relative_to(site), "post", errors)
        assert source is not None
        documents[path.resolve()] = f"posts/p{number}/"
        # As a build keeps it: without its text, read again where it is rendered.
        jobs.append(BodyJob(source.without_body(), None, False, source.body_digest))
    files = SiteFiles(UrlScheme("https://example.com/"), documents, {}, (), site / "content/static")
    return jobs, files


def rendered(jobs: list[BodyJob], files: SiteFiles, *, parallel: bool) -> tuple[list[object], list[str]]:
    errors = ErrorCollector()
    results = render_many(MarkdownRenderer(), jobs, files, errors, parallel=parallel)
    return [(body.rendered, body.answers, failed) for body, failed in results], [str(e) for e in errors.errors]


def test_the_pool_renders_what_one_process_renders(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    jobs, files = jobs_and_files(tmp_path)
    serial, serial_errors = rendered(jobs, files, parallel=False)
    parallel, parallel_errors = rendered(jobs, files, parallel=True)
    assert parallel == serial
    assert parallel_errors == serial_errors
    assert len(serial_errors) == len(range(0, COUNT, 17))  # every broken link, in order
    assert "content/posts/p0.md:4: links to 'missing.md'" in serial_errors[0]
    assert [failed for _, _, failed in parallel] == [n % 17 == 0 for n in range(COUNT)]
    assert "worker processes failed" not in caplog.text  # the pool really ran


def test_the_pool_works_from_a_thread_too(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    jobs, files = jobs_and_files(tmp_path)
    serial, _ = rendered(jobs, files, parallel=False)
    outcome: dict[str, object] = {}

    def from_thread() -> None:
        outcome["method"] = start_method()
        outcome["result"] = rendered(jobs, files, parallel=True)[0]

    thread = threading.Thread(target=from_thread)
    thread.start()
    thread.join()
    assert outcome["method"] in ("forkserver", "spawn")
    assert outcome["result"] == serial
    assert "worker processes failed" not in caplog.text


def test_bodies_parked_while_the_worker_renders_come_back_whole(tmp_path: Path) -> None:
    site = tmp_path / "site"
    jobs, files = jobs_and_files(site)
    odd = "Curly \u201cquotes\u201d and \U0001f525 fire: beyond ASCII and beyond the BMP."
    path = site / "content/posts/p7.md"
    path.write_text(post(7) + "\n" + odd + "\n")
    source = read_source(path, path.relative_to(site), "post", ErrorCollector())
    assert source is not None
    jobs[7] = BodyJob(source.without_body(), None, False, source.body_digest)
    serial = render_many(MarkdownRenderer(), jobs, files, ErrorCollector(), parallel=False)
    park = tmp_path / "cache"
    parked = render_many(MarkdownRenderer(), jobs, files, ErrorCollector(), parallel=True, park_in=park)
    assert parked == serial
    # Each body stays where it was parked, read again as the very Markup it was.
    assert all(isinstance(body.rendered.html, ParkedHtml) for body, _ in parked)
    assert [type(body.rendered.html.markup()) for body, _ in parked] == [Markup] * len(jobs)
    assert [str(body.rendered.html) for body, _ in parked] == [str(body.rendered.html) for body, _ in serial]
    assert "\U0001f525" in parked[7][0].rendered.html
    assert park.is_dir() and list(park.iterdir()) == []  # the parking file had no name: nothing is left


def test_a_parked_body_keeps_every_code_point(tmp_path: Path) -> None:
    jobs, files = jobs_and_files(tmp_path / "site")
    (body, _), = render_many(MarkdownRenderer(), jobs[:1], files, ErrorCollector(), parallel=False)
    html = Markup("<p>\x00 \u201c \U0001f525 and a lone \udcff surrogate</p>")
    odd = dataclasses.replace(body, rendered=dataclasses.replace(body.rendered, html=html))
    park = BodyPark.open(tmp_path / "cache", 3)
    assert park is not None
    kept = park.park(1, [(odd, [], []), (body, [], [])])
    assert kept == [None, None]  # nothing of them is held while they are parked
    restored = park.restore([(body, [], []), *kept])
    assert restored == [(body, [], []), (odd, [], []), (body, [], [])]
    assert str(restored[1][0].rendered.html) == str(html)
    park.close()


def test_bodies_stay_in_memory_where_they_cannot_be_parked(tmp_path: Path) -> None:
    jobs, files = jobs_and_files(tmp_path / "site")
    serial = render_many(MarkdownRenderer(), jobs, files, ErrorCollector(), parallel=False)
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    assert render_many(MarkdownRenderer(), jobs, files, ErrorCollector(), parallel=True, park_in=blocked) == serial
    assert blocked.read_text() == "not a folder"


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="no fork here")
def test_a_process_of_one_thread_forks_its_workers() -> None:
    if threading.active_count() > 1:
        pytest.skip("another thread runs in this test process")
    assert start_method() in ("fork", "spawn")  # spawn on macOS


def test_a_file_changed_while_building_is_an_error_not_a_mix(tmp_path: Path) -> None:
    jobs, files = jobs_and_files(tmp_path)
    (tmp_path / "content/posts/p5.md").write_text(post(5).replace("Body 5", "Body five"))
    errors = ErrorCollector()
    results = render_many(MarkdownRenderer(), jobs, files, errors, parallel=True)
    assert results[5][1] is True  # not kept
    assert [str(e) for e in errors.errors if "p5.md" in str(e)] == [
        "content/posts/p5.md: changed while the site was being built: build again"
    ]


@pytest.mark.parametrize("error", [SiteError("content/posts/a.md", 3, "bad"), SiteError(None, None, "x"),
                                   SourceChanged(Path("content/posts/b.md"), None, "changed")])
def test_errors_cross_process_boundaries_whole(error: SiteError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error) and again == error and str(again) == str(error)
