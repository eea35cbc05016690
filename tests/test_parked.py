"""Bodies kept on disk after rendering (generator/build/parked.py): a ParkedHtml is used
wherever its Markup would be, and gives the same bytes everywhere: in templates, in feeds,
in the cache, in a rebuild of the preview that reuses it."""

from __future__ import annotations

import dataclasses
import errno
import filecmp
import gc
import io
import operator
import pickle
import shutil
import tempfile
import weakref
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from generator.build.docrender import BodyRender
from generator.build.incremental import build_site
from generator.build.options import BuildOptions
from generator.build.output.cache import BuildCache
from generator.build.parallel import PARALLEL_THRESHOLD, worker_count
from generator.build.parked import BodyPark, ParkedHtml
from generator.markdown.markup import RenderedMarkdown

from .conftest import MakeSite

HTML = Markup('<p>Tom &amp; <em>“Jerry”</em> by the \U0001f525, a lone \udcff surrogate, and <a href="/x/">a link</a>.</p>')


def body_of(html: str) -> BodyRender:
    rendered = RenderedMarkdown(
        html=html, toc=(), summary_html="", has_more_marker=False, word_count=3, description="", first_heading=None
    )
    return BodyRender(rendered, None, ())


@pytest.fixture
def parked(tmp_path: Path) -> ParkedHtml:
    park = BodyPark.open(tmp_path / "cache", 2)
    assert park is not None
    kept = park.park(0, [(body_of(Markup("<p>before</p>")), [], []), (body_of(HTML), [], [])])
    restored = park.restore(kept)
    assert restored is not None
    html = restored[1][0].rendered.html
    assert isinstance(html, ParkedHtml)
    return html


TEMPLATES = [
    "{{ x }}",
    "{{ x|safe }}",
    "{{ x|e }}",
    "{{ x|striptags }}",
    "{{ x|length }}",
    "{{ x|truncate(20) }}",
    "{{ x|wordcount }}",
    "{{ x|replace('Tom', 'T') }}",
    "{{ x[:9] }}",
    "{{ 'Jerry' in x }}",
    "{{ x ~ '<b>' }}",
    "{{ x.striptags() }}",
    "{% if x %}shown{% endif %}",
    "{{ x|list|first }}",
]


@pytest.mark.parametrize("source", TEMPLATES)
def test_a_template_shows_a_parked_body_as_it_shows_the_markup(parked: ParkedHtml, source: str) -> None:
    environment = jinja2.Environment(autoescape=True)
    template = environment.from_string(source)
    assert template.render(x=parked) == template.render(x=HTML)


def test_a_parked_body_is_its_markup_to_python(parked: ParkedHtml) -> None:
    assert parked == HTML and operator.eq(HTML, parked) and parked != Markup("<p>before</p>")  # both ways
    assert hash(parked) == hash(HTML) and repr(parked) == repr(HTML)
    assert str(parked) == str(HTML) and type(str(parked)) is Markup  # so Jinja's filters see HTML
    assert f"{parked}" == str(HTML) and len(parked) == len(HTML) and bool(parked)
    assert parked.markup() == HTML and type(parked.markup()) is Markup
    assert parked.striptags() == HTML.striptags() and parked.split("<") == HTML.split("<")
    assert parked + "<b>" == HTML + "<b>" and "<b>" + parked == "<b>" + HTML  # the text is escaped, as Markup's
    again = pickle.loads(pickle.dumps(parked))
    assert type(again) is Markup and again == HTML  # the cache keeps the Markup, not the file
    document = dataclasses.replace(body_of(HTML).rendered, html=parked)
    assert document == body_of(HTML).rendered  # compared, not by identity


def test_the_file_goes_with_the_last_body_read_from_it(tmp_path: Path) -> None:
    park = BodyPark.open(tmp_path / "cache", 1)
    assert park is not None
    restored = park.restore(park.park(0, [(body_of(HTML), [], [])]))
    assert restored is not None
    file = weakref.ref(park.file)
    html = restored[0][0].rendered.html
    del park, restored
    gc.collect()
    assert file() is not None and str(html) == str(HTML)  # still read from it
    del html
    gc.collect()
    assert file() is None  # closed with it
    assert list((tmp_path / "cache").iterdir()) == []  # it never had a name


def many_posts(make_site: MakeSite) -> Path:
    code = "```python\ndef answer():\n    return 42\n```\n"
    files: dict[str, str | bytes] = {
        f"content/posts/post-{n:03d}.md": f"---\ntitle: Post {n}\ndate: 2025-01-{n % 28 + 1:02d}\n"
        f"tags: [t{n % 5}]\n---\nThe body of post {n}, with “quotes” and \U0001f525.\n\n{code}"
        for n in range(PARALLEL_THRESHOLD + 16)
    }
    return make_site(files)


def same_folders(one: Path, other: Path) -> None:
    names = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(other).as_posix() for p in other.rglob("*") if p.is_file())
    _, mismatch, errors = filecmp.cmpfiles(one, other, names, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.mark.skipif(worker_count() < 2, reason="one core: a build renders in one process, parking nothing")
def test_a_build_from_parked_bodies_equals_one_from_the_cache_and_from_memory(
    make_site: MakeSite, tmp_path: Path
) -> None:
    site = many_posts(make_site)
    config = site / "site.yaml"
    build_site(config)  # cold: bodies rendered on two cores and parked
    cold = tmp_path / "cold"
    shutil.copytree(site / "public", cold)
    cache = BuildCache.load(site / ".fireside-cache" / "build-cache.pickle")
    assert cache.bodies and all(type(body.rendered.html) is Markup for _, body in cache.bodies.values())
    assert "The body of post 7, with “quotes” and \U0001f525." in (cold / "posts/post-007/index.html").read_text()
    assert "\U0001f525" in (cold / "atom.xml").read_text()

    shutil.rmtree(site / "public")  # the bodies from the cache file this time
    build_site(config)
    same_folders(cold, site / "public")

    # A preview keeps its cache in memory: the parked bodies are reused by its next build.
    memory = BuildCache()
    build_site(config, BuildOptions(), memory)
    assert any(isinstance(body.rendered.html, ParkedHtml) for _, body in memory.bodies.values())
    post = site / "content/posts/post-040.md"
    post.write_text(post.read_text() + "\nOne more line.\n")
    build_site(config, BuildOptions(), memory)
    edited = tmp_path / "edited"
    shutil.copytree(site / "public", edited)
    build_site(config, ignore_cache=True)
    same_folders(edited, site / "public")
    assert "One more line." in (edited / "posts/post-040/index.html").read_text()


class FillingFile(io.BufferedRandom):
    """A real temporary file on a disk that fills up after `room` bytes, as a full disk does."""

    def __init__(self, folder: Path, room: int) -> None:
        super().__init__(io.FileIO(tempfile.mkstemp(dir=folder)[0], "r+b"))
        self.room = room

    def write(self, data: bytes) -> int:  # type: ignore[override]
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


def test_a_chunk_that_cannot_be_parked_stays_in_memory(tmp_path: Path) -> None:
    bodies = [body_of(Markup(f"<p>body {n} \U0001f525</p>")) for n in range(6)]
    measure = BodyPark.open(tmp_path / "cache", 6)
    assert measure is not None
    measure.park(0, [(b, [], []) for b in bodies[:2]])
    park = BodyPark(FillingFile(tmp_path, room=measure.end + 10), 6)  # the first chunk fits, the second does not
    measure.close()
    kept = [*park.park(0, [(b, [], []) for b in bodies[:2]]), *park.park(2, [(b, [], []) for b in bodies[2:4]])]
    kept += park.park(4, [(b, [], []) for b in bodies[4:]])  # after a failure: not tried again
    assert kept[:2] == [None, None] and [body for body, *_ in kept[2:]] == bodies[2:]
    restored = park.restore(kept)
    assert restored is not None
    assert [body for body, *_ in restored] == bodies
    assert [type(body.rendered.html) for body, *_ in restored] == [ParkedHtml] * 2 + [Markup] * 4


def test_parked_bodies_that_cannot_be_read_back_are_rendered_again(tmp_path: Path) -> None:
    class LostFile(FillingFile):
        def flush(self) -> None:  # a write held in the buffer meets the full disk now
            raise OSError(errno.ENOSPC, "No space left on device")

    park = BodyPark(LostFile(tmp_path, room=10_000), 2)
    kept = park.park(0, [(body_of(HTML), [], []), (body_of(HTML), [], [])])
    assert kept == [None, None]
    assert park.restore(kept) is None  # render_many then renders them in this process
