"""The Nu HTML Checker (vnu-jar from npm) finds no error in any page of the sample site, in
its CSS or its SVG, nor in the pages the inbox receiver itself answers with.

The HTML checker runs once (one JVM start) over every folder; the tests below read its
findings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .harness import Sample, run_vnu

pytestmark = pytest.mark.quality

def describe(message: dict[str, Any]) -> str:
    where = "/".join(message.get("url", "?").split("/")[-3:])
    return f"{where}:{message.get('lastLine', '?')}: {message.get('message')} [{message.get('extract', '').strip()}]"


@pytest.fixture(scope="module")
def findings(vnu: Path, sample: Sample, receiver_pages: Path,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    # A canary checked in the same run, to prove the checker does report errors.
    canary = tmp_path_factory.mktemp("canary")
    (canary / "bad.html").write_text("<!doctype html><html><title>x</title><p><div>x</p></html>", "utf-8")
    (canary / "bad.css").write_text("a { colr: red }\n", "utf-8")
    folders = {site.name: site.output for site in sample.sites} | {"receiver": receiver_pages, "canary": canary}
    checked = [p for folder in folders.values() for p in folder.rglob("*") if p.suffix in (".html", ".css", ".svg")]
    assert len(checked) > 30  # both builds and the receiver's pages are really there
    errors = run_vnu(folders.values())
    return {
        name: [m for m in errors if Path(m["url"].removeprefix("file:")).is_relative_to(folder)]
        for name, folder in folders.items()
    }


@pytest.mark.parametrize("variant", ["published", "inbox"])
def test_every_page_css_and_svg_of_the_site_is_valid(findings: dict[str, list[dict[str, Any]]],
                                                      variant: str) -> None:
    assert [describe(m) for m in findings[variant]] == []


def test_the_receivers_pages_are_valid(findings: dict[str, list[dict[str, Any]]]) -> None:
    assert [describe(m) for m in findings["receiver"]] == []


def test_the_checker_does_find_errors(findings: dict[str, list[dict[str, Any]]]) -> None:
    """The checks above can fail: a broken page and stylesheet checked in the same run are reported."""
    assert {Path(m["url"]).name for m in findings["canary"]} == {"bad.html", "bad.css"}
