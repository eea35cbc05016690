"""Live reload in a real headless Chromium: reloads, stylesheet swaps and the error overlay."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .serve_helpers import CONFIG, LiveSite, hello, make_site

pytestmark = pytest.mark.browser





@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveSite]:
    site = LiveSite(make_site(tmp_path / "site"))
    yield site
    site.stop()


@pytest.fixture
def tab(chromium_browser: Any) -> Iterator[Any]:
    context = chromium_browser.new_context()
    opened = context.new_page()
    opened.set_default_timeout(5000)
    yield opened
    context.close()


def open_page(page: Any, url: str) -> None:
    page.goto(url)
    # The event stream is connected once the script has run; mark this document so a
    # reload (a fresh document) can be told from an in-place update.
    page.wait_for_function("() => document.querySelector('script[data-epoch]') !== null")
    page.evaluate("() => { window.__sameDocument = true; }")


def same_document(page: Any) -> bool:
    return bool(page.evaluate("() => window.__sameDocument === true"))


def test_an_edit_updates_the_open_page_in_place(live: LiveSite, tab: Any) -> None:
    long_body = " ".join(f"Sentence {n} of a long first version." for n in range(400))
    live.edit("content/posts/hello.md", hello(long_body))
    open_page(tab, live.url + "posts/hello/")
    tab.evaluate("() => window.scrollTo(0, 1500)")
    tab.wait_for_function("() => window.scrollY > 1000")
    scrolled = tab.evaluate("() => window.scrollY")
    live.edit("content/posts/hello.md", hello(long_body + " The second version."))
    tab.wait_for_function("() => document.querySelector('main').innerText.includes('The second version.')")
    # Swapped into the same document: no reload, and the author keeps their place.
    assert same_document(tab)
    assert tab.evaluate("() => window.scrollY") == scrolled
    assert tab.title().startswith("Hello")
    assert tab.locator("script[data-epoch]").count() == 0  # the new copy of this script never runs
    # A second edit still arrives: the event stream of the first document goes on.
    live.edit("content/posts/hello.md", hello("A third version."))
    tab.wait_for_function("() => document.querySelector('main').innerText.includes('A third version.')")
    assert same_document(tab)


def test_an_update_in_place_runs_the_page_scripts_again(tmp_path: Path, tab: Any) -> None:
    # A site whose posts carry the letter form, and with it letter.js.
    live = LiveSite(make_site(tmp_path / "site", {"site.yaml": CONFIG + "inbox:\n  endpoint: /letters/\n"}))
    try:
        open_page(tab, live.url + "posts/hello/")
        loads = "() => performance.getEntriesByType('resource').filter(e => e.name.includes('letter.js')).length"
        assert tab.evaluate(loads) == 1
        live.edit("content/posts/hello.md", hello("With the form still working."))
        tab.wait_for_function("() => document.querySelector('main').innerText.includes('form still working')")
        tab.wait_for_function(f"() => ({loads})() === 2")
        assert same_document(tab)
    finally:
        live.stop()


def test_a_change_to_the_page_head_reloads_it(live: LiveSite, tab: Any) -> None:
    open_page(tab, live.url + "posts/hello/")
    extra_sheet = (
        '{% extends "default:post.html" %}\n'
        '{% block head %}<link rel="stylesheet" href="{{ link(\'/css/style.css\') }}?v=2">{% endblock %}\n'
    )
    with tab.expect_navigation():
        live.edit("themes/default/templates/post.html", extra_sheet)
    assert not same_document(tab)
    assert tab.locator('link[href$="style.css?v=2"]').count() == 1


def test_a_page_that_did_not_change_is_left_alone(live: LiveSite, tab: Any) -> None:
    open_page(tab, live.url + "about/")
    event = live.edit("content/posts/hello.md", hello("Elsewhere."))
    assert "about/index.html" not in event.result.stats.changed_paths  # type: ignore[union-attr]
    tab.wait_for_timeout(300)  # give a wrong reload the time to happen
    assert same_document(tab)


def test_a_renamed_slug_turns_the_open_page_into_the_404_page(live: LiveSite, tab: Any) -> None:
    open_page(tab, live.url + "posts/hello/")
    with tab.expect_navigation():
        live.edit("content/posts/hello.md", hello(extra="slug: renamed"))
    assert "wandered off" in tab.inner_text("main")


def test_a_failed_build_shows_an_overlay_until_fixed(live: LiveSite, tab: Any) -> None:
    open_page(tab, live.url + "posts/hello/")
    live.edit("content/posts/hello.md", hello(extra="title: [unclosed"))
    overlay = tab.locator("#fireside-overlay")
    overlay.wait_for(state="visible")
    text = overlay.inner_text()
    assert "Build failed: 1 error" in text and "content/posts/hello.md:5: invalid YAML" in text
    assert same_document(tab)  # the overlay came without a reload
    # A tab opened while the build is broken shows it too.
    second = tab.context.new_page()
    second.goto(live.url)
    assert "content/posts/hello.md:5" in second.locator("#fireside-overlay").inner_text()
    live.edit("content/posts/hello.md", hello("Mended."))
    tab.wait_for_function("() => document.querySelector('main').innerText.includes('Mended.')")
    assert tab.locator("#fireside-overlay").count() == 0
    assert same_document(tab)
    second.locator("#fireside-overlay").wait_for(state="detached")


def test_error_text_is_never_markup(live: LiveSite, tab: Any) -> None:
    open_page(tab, live.url + "posts/second/")
    # An error that quotes the author's text (a missing template is only a warning now).
    live.edit("content/posts/hello.md", hello(extra='aliases: ["../<img src=x onerror=alert(1)>.html"]'))
    overlay = tab.locator("#fireside-overlay")
    overlay.wait_for(state="visible")
    assert "<img src=x onerror=alert(1)>.html" in overlay.inner_text()
    assert overlay.locator("img").count() == 0


def test_a_css_change_swaps_the_stylesheet_without_a_reload(live: LiveSite, tab: Any) -> None:
    navigations: list[str] = []
    open_page(tab, live.url + "posts/hello/")
    tab.on("framenavigated", lambda frame: navigations.append(frame.url))
    color = "() => getComputedStyle(document.body).color"
    assert tab.evaluate(color) == "rgb(1, 2, 3)"
    event = live.edit("themes/default/static/css/style.css", "body { color: rgb(200, 0, 100); }\n")
    assert event.result.stats.changed_paths == ("css/style.css",)  # type: ignore[union-attr]
    tab.wait_for_function(f"() => ({color})() === 'rgb(200, 0, 100)'")
    assert navigations == [] and same_document(tab)


def test_a_page_edit_after_a_stylesheet_swap_is_still_made_in_place(live: LiveSite, tab: Any) -> None:
    open_page(tab, live.url + "posts/hello/")
    live.edit("themes/default/static/css/style.css", "body { color: rgb(9, 9, 9); }\n")
    tab.wait_for_function("() => getComputedStyle(document.body).color === 'rgb(9, 9, 9)'")
    tab.wait_for_function("() => document.querySelectorAll('link[rel~=stylesheet]').length === 2")
    live.edit("content/posts/hello.md", hello("After the new colours."))
    tab.wait_for_function("() => document.querySelector('main').innerText.includes('After the new colours.')")
    assert same_document(tab)


def test_navigate_option_follows_the_edited_post(tmp_path: Path, tab: Any) -> None:
    live = LiveSite(make_site(tmp_path), navigate=True)
    try:
        open_page(tab, live.url)
        with tab.expect_navigation(url=live.url + "posts/second/"):
            live.edit("content/posts/second.md", "---\ntitle: Second Post\ndate: 2024-02-03\n---\n\nFollowed.\n")
        assert "Followed." in tab.inner_text("main")
    finally:
        live.stop()
