"""Fixtures of the quality suite: the sample site built twice and served on loopback ports,
a real headless Chromium, and the receiver's own pages saved for the HTML checker.

Every tool is required under CI (`.ci/run` installs them) and skipped with a reason
elsewhere when missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import (
    AXE_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    LIGHTHOUSE_CLI,
    VNU_JAR,
    Sample,
    java,
    missing_tool,
    node,
    post_letter,
    start_sample,
)

NPM_HOW = "run `CHROMEDRIVER_SKIP_DOWNLOAD=true npm ci --ignore-scripts` at the top of the checkout"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "quality: the reader's experience of the sample site (tests/quality)")
    config.addinivalue_line("markers", "lighthouse: runs Lighthouse (about 15 s a page)")


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run this package last: it is the slowest (about 80 s), so the quick tests report
    first, and tests elsewhere that note the time at import are not kept waiting."""
    here = Path(__file__).parent
    mine = [item for item in items if item.path.is_relative_to(here)]
    if mine and len(mine) < len(items):
        others = [item for item in items if not item.path.is_relative_to(here)]
        items[:] = others + mine


@pytest.fixture(scope="package")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sample]:
    served = start_sample(tmp_path_factory.mktemp("quality"))
    try:
        yield served
    finally:
        served.stop()


# Package-scoped: Playwright's sync API allows one instance at a time, and the browser tests
# elsewhere in tests/ start their own once this package is done.
@pytest.fixture(scope="package")
def chromium() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        missing_tool(f"Chromium ({CHROMIUM})", "install Debian's chromium or set CHROMIUM_PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI"):
            raise
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        missing_tool("axe-core (node_modules/axe-core)", NPM_HOW)
    return AXE_JS.read_text("utf-8")


@pytest.fixture(scope="session")
def vnu() -> Path:
    if not VNU_JAR.is_file():
        missing_tool("the Nu HTML Checker (node_modules/vnu-jar)", NPM_HOW)
    if not java():
        missing_tool("Java", "apt-get install default-jre-headless")
    return VNU_JAR


@pytest.fixture(scope="session")
def lighthouse() -> Path:
    if not LIGHTHOUSE_CLI.is_file():
        missing_tool("Lighthouse (node_modules/lighthouse)", NPM_HOW)
    if not node():
        missing_tool("Node.js", "apt-get install nodejs npm")
    if not Path(CHROMIUM).exists():
        missing_tool(f"Chromium ({CHROMIUM})", "install Debian's chromium or set CHROMIUM_PATH")
    return LIGHTHOUSE_CLI


# A letter the receiver refuses: the browser would let it through (the address looks like
# one to no one but a browser with validation off), the receiver names the problem.
REFUSED_LETTER = {
    "post": "an-inch-wide",
    "name": "Ada <Lovelace>",
    "email": "ada at example dot org",
    "message": "Dear Maren,\n<b>not bold</b> & kept as typed.",
    "consent": "quote-named",
}


@pytest.fixture(scope="package")
def receiver_pages(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The receiver's own HTML pages, as a browser without JavaScript gets them, saved as files."""
    folder = tmp_path_factory.mktemp("receiver-pages")
    status, body = post_letter(sample.inbox, REFUSED_LETTER)
    assert status == 400, status
    (folder / "refused-letter-kept.html").write_bytes(body)
    status, body = post_letter(sample.inbox, {**REFUSED_LETTER, "email": "ada@example.org",
                                              "message": "x" * 200_000})
    assert status == 413, status  # over the body's limit (126,296 bytes), so the page keeps the text
    assert b"x" * 200_000 + b"</textarea>" in body
    (folder / "too-large.html").write_bytes(body)
    import urllib.request

    for name, path in (("landing.html", "/__inbox/"), ("thanks.html", "/__inbox/thanks")):
        with urllib.request.urlopen(sample.inbox.url(path), timeout=10) as reply:
            (folder / name).write_bytes(reply.read())
    return folder
