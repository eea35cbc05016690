#!/usr/bin/env python3
"""Lighthouse on every page type of the sample site; the scores go into docs/quality.md.

    python3 bench/quality.py                  # every page, once; rewrites the table in docs/quality.md
    python3 bench/quality.py --runs 3         # the median of three runs a page
    python3 bench/quality.py --screenshots    # also the README's screenshots of a post, light and dark
    python3 bench/quality.py --no-write       # print only

The sample is built and served exactly as tests/quality does (tests/quality/harness.py): a
plain static host on a 127.0.0.1 port, the site built for that origin, once as published
and once with the letter form (`inbox.endpoint`) and the real receiver mounted beside it.
Lighthouse runs from node_modules (`npm ci`) with Debian's Chromium, mobile profile,
simulated throttling (Lighthouse's defaults), about 15 s a page. tests/quality asserts the
typical post's scores on every CI run; this script records them all. Benchmarks are
scripts, never timed tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from tests.quality.harness import (  # noqa: E402  (the checkout's own code, not an installed copy)
    CHROMIUM,
    CHROMIUM_ARGS,
    LIGHTHOUSE_CATEGORIES,
    LIGHTHOUSE_CLI,
    TYPICAL_POST,
    Sample,
    lighthouse_failures,
    lighthouse_scores,
    run_lighthouse,
    start_sample,
)

DOC = PROJECT / "docs" / "quality.md"
SCREENSHOTS = PROJECT / "docs" / "screenshots"
START, END = "<!-- lighthouse:start -->", "<!-- lighthouse:end -->"
FLOOR = 98

# (variant, page type, path). Lighthouse needs a 200 answer: the 404 page is asked for by its
# own name here (tests/quality also checks it as a host serves it, with status 404).
PAGES = (
    ("published", "home", "/"),
    ("published", "post with code", "/posts/a-small-web-of-my-own/"),
    ("published", "post with footnotes and a published letter", "/posts/an-inch-wide/"),
    ("published", "post, short", "/posts/the-first-letter/"),
    ("published", "tag", "/tags/essays/"),
    ("published", "tags", "/tags/"),
    ("published", "archive", "/archive/"),
    ("published", "about (page)", "/about/"),
    ("published", "404", "/404.html"),
    ("published", "thank-you", "/thanks/"),
    ("inbox", "home, page 2", "/page/2/"),
    ("inbox", "post with letter form, footnotes and a letter", TYPICAL_POST),
    ("inbox", "post with letter form and code", "/posts/a-small-web-of-my-own/"),
)


def weight_before_images(result: dict[str, Any]) -> int:
    items = result["audits"]["network-requests"]["details"]["items"]
    return sum(int(i.get("transferSize") or 0) for i in items if i.get("resourceType") != "Image")


def measure(sample: Sample, runs: int) -> list[dict[str, Any]]:
    rows = []
    for variant, name, path in PAGES:
        site = sample.published if variant == "published" else sample.inbox
        results = [run_lighthouse(site.url(path)) for _ in range(runs)]
        scores = {key: statistics.median(lighthouse_scores(r)[key] for r in results)
                  for key in LIGHTHOUSE_CATEGORIES}
        last = results[-1]
        lost = sorted({line for r in results for line in lighthouse_failures(r)})
        row = {
            "variant": variant, "page": name, "path": path, "scores": scores,
            "weight": weight_before_images(last),
            "total": int(last["audits"]["total-byte-weight"]["numericValue"]),
            "fcp": last["audits"]["first-contentful-paint"]["displayValue"],
            "lcp": last["audits"]["largest-contentful-paint"]["displayValue"],
            "lost": lost, "version": last["lighthouseVersion"], "agent": last["environment"]["hostUserAgent"],
        }
        rows.append(row)
        print(f"{variant:9} {name:48} " + " ".join(f"{scores[k]:>4g}" for k in LIGHTHOUSE_CATEGORIES)
              + f"  {row['weight'] / 1000:.1f} KB", flush=True)
        for line in lost:
            print(f"{'':10}lost: {line}", flush=True)
    return rows


def table(rows: list[dict[str, Any]], runs: int) -> str:
    version = rows[0]["version"]
    agent = rows[0]["agent"].split()
    chrome = next((part for part in agent if part.startswith(("HeadlessChrome/", "Chrome/"))), "Chromium")
    lines = [
        START,
        f"Measured {datetime.now(UTC):%Y-%m-%d} by `python3 bench/quality.py` (median of {runs} "
        f"run{'s' if runs > 1 else ''} a page): Lighthouse {version}, {chrome}, mobile profile "
        f"with simulated throttling, on {platform.machine()} with {_cpus()} CPUs.",
        "",
        "| build | page type | performance | accessibility | best practices | SEO "
        "| KB before images | FCP | LCP |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        s = r["scores"]
        cells = [f"**{s[k]:g}**" if s[k] < FLOOR else f"{s[k]:g}" for k in LIGHTHOUSE_CATEGORIES]
        lines.append(f"| {r['variant']} | {r['page']} (`{r['path']}`) | " + " | ".join(cells)
                     + f" | {r['weight'] / 1000:.1f} | {r['fcp']} | {r['lcp']} |")
    below = [r for r in rows if any(v < FLOOR for v in r["scores"].values())]
    if below:
        lines += ["", f"Below {FLOOR} (in bold above), and why:", ""]
        for r in below:
            lines.append(f"- {r['variant']} {r['page']}: " + "; ".join(r["lost"]))
    lines.append(END)
    return "\n".join(lines)


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def write_doc(block: str) -> None:
    text = DOC.read_text("utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{DOC.relative_to(PROJECT)} has no {START} ... {END} block to fill")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(head + block + tail, "utf-8")
    print(f"wrote the table into {DOC.relative_to(PROJECT)}")


def screenshots(sample: Sample) -> None:
    """A post in light and dark mode, for the README: the top of a post at a laptop's width."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_ARGS))
        try:
            for scheme in ("light", "dark"):
                context = browser.new_context(color_scheme=scheme, viewport={"width": 760, "height": 900})
                page = context.new_page()
                page.goto(sample.published.url("/posts/a-small-web-of-my-own/"))
                target = SCREENSHOTS / f"post-{scheme}.png"
                page.screenshot(path=str(target), animations="disabled", caret="hide")
                context.close()
                print(f"wrote {target.relative_to(PROJECT)}")
        finally:
            browser.close()
    if subprocess.run(["which", "optipng"], capture_output=True).returncode == 0:
        for scheme in ("light", "dark"):
            subprocess.run(["optipng", "-quiet", "-o2", str(SCREENSHOTS / f"post-{scheme}.png")], check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs a page; the median is kept")
    parser.add_argument("--screenshots", action="store_true", help="also write docs/screenshots/post-*.png")
    parser.add_argument("--no-write", action="store_true",
                        help="print the table; leave docs/quality.md alone")
    parser.add_argument("--json", type=Path, help="also save every figure as JSON here")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE_CLI.is_file():
        raise SystemExit("Lighthouse is missing: run "
                         "`CHROMEDRIVER_SKIP_DOWNLOAD=true npm ci --ignore-scripts`")
    with tempfile.TemporaryDirectory(prefix="fireside-quality-") as tmp:
        sample = start_sample(Path(tmp))
        try:
            if args.screenshots:
                screenshots(sample)
            rows = measure(sample, args.runs)
        finally:
            sample.stop()
    block = table(rows, args.runs)
    print(block)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), "utf-8")
    if not args.no_write:
        write_doc(block)
    return 1 if any(v < FLOOR for r in rows for v in r["scores"].values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
