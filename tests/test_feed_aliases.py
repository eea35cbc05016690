"""A blog brought from another generator keeps its readers: the site feed is also written at
the feed's old addresses (`feed_aliases`), where a static host cannot redirect them."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.check.checker import CheckOptions, run_check
from generator.site.errors import BuildFailed

from .conftest import DEFAULT_CONFIG, NOW, MakeSite, build, run_cli

POST = "---\ntitle: {title}\ndate: 2026-0{month}-01\n---\n{text}\n"


def test_the_feed_is_also_at_its_old_addresses_and_stays_in_step(make_site: MakeSite) -> None:
    site = make_site({
        "site.yaml": DEFAULT_CONFIG + "feed_aliases: [/feed.xml, /blog/index.xml]\n",
        "content/posts/one.md": POST.format(title="One", month=1, text="First."),
    })
    build(site)
    output = site / "public"
    feed = (output / "atom.xml").read_bytes()
    assert b"<title>One</title>" in feed
    assert (output / "feed.xml").read_bytes() == feed == (output / "blog/index.xml").read_bytes()
    # A new post reaches readers at every address (the incremental build keeps them in step).
    (site / "content/posts/two.md").write_text(POST.format(title="Two", month=2, text="Second."))
    build(site)
    feed = (output / "atom.xml").read_bytes()
    assert b"<title>Two</title>" in feed
    assert (output / "feed.xml").read_bytes() == feed == (output / "blog/index.xml").read_bytes()
    report = run_check(site / "site.yaml", CheckOptions(now=NOW))
    assert report.errors == (), "\n".join(map(str, report.errors))


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("[/feed/]", "is a folder address"),
        ("[feed.xml]", "must be a path from the site's root"),
        ("[/atom.xml]", "a file Fireside already makes"),
        ("[/../feed.xml]", "must be a path from the site's root"),
    ],
)
def test_an_old_feed_address_that_cannot_be_a_file_is_an_error_at_its_line(
    make_site: MakeSite, value: str, said: str
) -> None:
    site = make_site({"site.yaml": DEFAULT_CONFIG + f"feed_aliases: {value}\n"})
    with pytest.raises(BuildFailed) as failed:
        build(site)
    (error,) = failed.value.errors
    line = DEFAULT_CONFIG.count("\n") + 1
    assert (Path(str(error.path)).name, error.line) == ("site.yaml", line) and said in error.message
    done = run_cli("build", cwd=site)
    assert done.returncode == 1 and f"site.yaml:{line}: feed_aliases[0]" in done.stderr
