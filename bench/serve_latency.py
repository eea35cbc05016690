#!/usr/bin/env python3
"""`fireside serve`: from saving a file to the open page showing the change, in a real browser.

    python3 bench/serve_latency.py --posts 100 2000 --edits 7

For each size: generates a corpus with ../shared/bench/make_corpus.py, starts
`fireside serve` on a free loopback port, opens one post in headless Chromium (Debian's
chromium through Playwright), then repeatedly appends a unique sentence to that post's
source and waits until the open tab shows it. Prints the median save-to-visible time for
a post edit (a new last paragraph: the post and its feeds change), a title edit (which
every list, tag page and neighbour link shows, so they change too) and a template edit
(which re-renders every page), and the cold build time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS_SCRIPT = PROJECT.parent / "shared" / "bench" / "make_corpus.py"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
SITE_YAML = "title: Bench\nbase_url: https://bench.example/\nauthor:\n  name: Bench Writer\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def visible_after(page, marker: str, path: Path, text: str) -> float:  # type: ignore[no-untyped-def]
    """Save `text` to `path` and wait until the open page shows `marker`."""
    started = time.perf_counter()
    path.write_text(text)
    page.wait_for_function(
        "m => document.body && document.body.innerText.includes(m)", arg=marker, timeout=60_000, polling=10
    )
    return time.perf_counter() - started


def measure(corpus_script: Path, posts: int, edits: int, where: Path) -> None:
    from playwright.sync_api import sync_playwright

    site = where / f"site-{posts}"
    subprocess.run(
        [sys.executable, str(corpus_script), str(site / "content"), "--posts", str(posts)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (site / "site.yaml").write_text(SITE_YAML)
    partial = PROJECT / "themes" / "default" / "templates" / "partials" / "byline.html"
    override = site / "themes" / "default" / "templates" / "partials" / "byline.html"
    override.parent.mkdir(parents=True)
    override.write_text(partial.read_text())
    port = free_port()
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", str(port)],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if "Serving" in line:
                break
        cold = time.perf_counter() - started
        post = sorted((site / "content" / "posts").iterdir())[posts // 2]
        url = f"http://127.0.0.1:{port}/posts/{post.stem}/"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            page = browser.new_page()
            page.goto(url)
            post_times, title_times, template_times = [], [], []
            for edit in range(edits):
                marker = f"Bench marker {edit} {time.time_ns()}"
                text = post.read_text()
                post_times.append(visible_after(page, marker, post, f"{text}\n\n{marker}\n"))
                time.sleep(0.3)
            for edit in range(edits):
                # A new title shows in every list, tag page and neighbour link: those follow.
                marker = f"Title marker {edit} {time.time_ns()}"
                text = re.sub(r"(?m)^title: .*$", f'title: "{marker}"', post.read_text(), count=1)
                title_times.append(visible_after(page, marker, post, text))
                time.sleep(0.3)
            for edit in range(max(2, edits // 2)):
                marker = f"Template marker {edit} {time.time_ns()}"
                original = override.read_text()
                changed = re.sub(r"</p>\s*$", f" <span>{marker}</span></p>\n", original, count=1)
                template_times.append(visible_after(page, marker, override, changed))
                time.sleep(0.3)
            browser.close()
        print(
            f"{posts:>6} posts: initial build + start {cold:.2f} s; post edit → visible: median "
            f"{statistics.median(post_times) * 1000:.0f} ms (min {min(post_times) * 1000:.0f}, max "
            f"{max(post_times) * 1000:.0f}); title edit: median "
            f"{statistics.median(title_times) * 1000:.0f} ms; template edit → visible: median "
            f"{statistics.median(template_times) * 1000:.0f} ms",
            flush=True,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[100, 2000])
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--corpus-script", type=Path, default=DEFAULT_CORPUS_SCRIPT)
    args = parser.parse_args()
    print(f"# {os.cpu_count()} cores; save-to-visible in headless Chromium, medians of {args.edits} edits")
    with tempfile.TemporaryDirectory(prefix="fireside-serve-bench-") as temp:
        for posts in args.posts:
            measure(args.corpus_script, posts, args.edits, Path(temp))


if __name__ == "__main__":
    main()
