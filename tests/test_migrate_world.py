"""Patterns found importing real public blogs, each pinned in a site of its own (their
content is not ours to copy): what went wrong on the real one is what these check."""

from __future__ import annotations

from pathlib import Path

from generator.check.checker import CheckOptions, run_check
from generator.migrate.importer import import_site

from .conftest import NOW, build, write_tree
from .test_migrate_sites import PNG, answers, body, imported


def test_a_collection_index_page_becomes_its_section_list_text(tmp_path: Path) -> None:
    # Jekyll: the collection `faqs` is published at /faqs/:title/, and faqs.md (at /faqs/)
    # introduced them. Fireside makes /faqs/ the section's list page: the text goes there.
    site, result = imported("jekyll", {
        "_config.yml": "title: Old\nurl: https://old.example\ncollections:\n  faqs:\n    output: true\n    permalink: /faqs/:title/\n",
        "_faqs/2019-01-01-why.md": "---\ntitle: Why?\ndate: 2019-01-01\n---\nBecause.\n",
        "_faqs/2019-02-01-how.md": "---\ntitle: How?\ndate: 2019-02-01\n---\nLike this.\n",
        "faqs.md": "---\ntitle: Questions\npermalink: /faqs/\n---\nAsked often.\n",
        "_posts/2019-03-01-post.md": "---\ntitle: Post\n---\nSee [the questions](/faqs/).\n",
    }, tmp_path)  # fmt: skip
    answers(site, "/faqs/why/")
    answers(site, "/faqs/")
    assert body(site, "content/posts/faqs/_index.md") == "---\ntitle: Questions\n---\n\nAsked often.\n"
    assert "Asked often." in (site / "public/faqs/index.html").read_text()
    assert not (site / "content/pages/faqs.md").exists()
    assert any("shown above the list of faqs's posts at /faqs/" in str(x) for x in result.leftovers)


def test_a_static_file_and_a_posts_own_file_at_one_address_keep_one(tmp_path: Path) -> None:
    # Zola: static/2020/sponsors/perf.jpg and content/2020/sponsors/perf.jpg were both at
    # /2020/sponsors/perf.jpg: two files for one URL stopped the build.
    site, _ = imported("zola", {
        "config.toml": 'base_url = "https://old.example"\ntitle = "Old"\n',
        "content/2020/_index.md": "+++\ntransparent = true\n+++\n",
        "content/2020/sponsors/index.md": "+++\ntitle = \"Sponsors\"\ndate = 2020-05-01\n+++\n![Perf](perf.jpg)\n",
        "content/2020/sponsors/perf.jpg": PNG,
        "static/2020/sponsors/perf.jpg": PNG,
    }, tmp_path)  # fmt: skip
    answers(site, "/2020/sponsors/")
    answers(site, "/2020/sponsors/perf.jpg")
    assert (site / "public/2020/sponsors/index.html").read_text().count("perf.jpg") >= 1


def test_an_image_the_old_build_made_links_to_the_file_it_was_made_from(tmp_path: Path) -> None:
    # Zola: `{{ figure(src="x.jpg", link=...) }}` inside a post folder holding raw/x.jpg, from
    # which the old site's build script made x.jpg: the image was missing in the new build.
    site, result = imported("zola", {
        "config.toml": 'base_url = "https://old.example"\ntitle = "Old"\n',
        "content/blog/_index.md": "+++\n+++\n",
        "content/blog/post/index.md": (
            "+++\ntitle = \"Post\"\ndate = 2020-05-01\n+++\n"
            '{{ figure(src="generated.jpg", alt="G", link="https://example.org/") }}\n'
        ),
        "content/blog/post/raw/generated.jpg": PNG,
    }, tmp_path)  # fmt: skip
    assert "[![G](raw/generated.jpg)](https://example.org/)" in body(site, "content/posts/post/index.md")
    assert any("which the old site's build made from raw/generated.jpg" in str(x) for x in result.leftovers)


def test_a_path_from_the_content_folder_finds_its_file(tmp_path: Path) -> None:
    # wezm.net (Zola): its image shortcode took `posts/2024/x/shot.png`, a path from content/.
    site, _ = imported("zola", {
        "config.toml": 'base_url = "https://old.example"\ntitle = "Old"\n',
        "content/posts/_index.md": "+++\n+++\n",
        "content/posts/2024/_index.md": "+++\ntransparent = true\n+++\n",
        "content/posts/2024/x/index.md": '+++\ntitle = "X"\ndate = 2024-01-01\n+++\n{{ figure(image="posts/2024/x/RSS Please.png") }}\n',
        "content/posts/2024/x/RSS Please.png": PNG,
    }, tmp_path)  # fmt: skip
    assert "![](<RSS%20Please.png>)" in body(site, "content/posts/x/index.md")


def test_a_second_page_inside_a_post_folder_is_a_post_of_its_own(tmp_path: Path) -> None:
    # wezm.net (Zola): posts/2020/100-rust-binaries/ held index.md and page2.md, both
    # published (/posts/2020/100-rust-binaries/page2/) and linked to each other with @/.
    site, _ = imported("zola", {
        "config.toml": 'base_url = "https://old.example"\ntitle = "Old"\n',
        "content/posts/_index.md": "+++\n+++\n",
        "content/posts/2020/_index.md": "+++\ntransparent = true\n+++\n",
        "content/posts/2020/list/index.md": '+++\ntitle = "List"\ndate = 2020-11-01\n+++\n[Page 2](@/posts/2020/list/page2.md)\n',
        "content/posts/2020/list/page2.md": '+++\ntitle = "List, page 2"\ndate = 2020-11-02\n+++\n[Page 1](@/posts/2020/list/index.md)\n',
        "content/posts/2020/list/a.png": PNG,
    }, tmp_path)  # fmt: skip
    answers(site, "/posts/2020/list/")
    answers(site, "/posts/2020/list/page2/")
    assert "[Page 2](page2.md)" in body(site, "content/posts/list/index.md")
    assert "[Page 1](index.md)" in body(site, "content/posts/list/page2.md")


def test_a_link_that_led_nowhere_before_points_at_the_old_address(tmp_path: Path) -> None:
    # Hugo: "[the site](example.com)" in a post folder was a relative link to nothing; in the
    # new site it stopped the build as a missing file. It now says what the old page did,
    # the build goes on, and check names it, as it is broken.
    source = tmp_path / "old"
    write_tree(source, {
        "config.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n',
        "content/posts/post/index.md": "---\ntitle: Post\ndate: 2020-05-01\n---\nSee [the site](example.com).\n",
    })  # fmt: skip
    site = tmp_path / "new"
    result = import_site("hugo", source, site)
    assert "[the site](https://old.example/posts/post/example.com)" in body(site, "content/posts/post/index.md")
    assert [str(x).split(": ", 1)[1] for x in result.leftovers if "example.com" in str(x)] == [
        "links to example.com, which led nowhere on the old site either; it now points at the old address"
    ]
    build(site)
    errors = [str(f) for f in run_check(site / "site.yaml", CheckOptions(now=NOW)).errors]
    assert errors and all("posts/post/example.com" in error for error in errors)  # that link, and only it


def test_a_bundle_linking_to_a_static_file_gets_its_address(tmp_path: Path) -> None:
    # Hugo: a post folder linked "reddit-singlefile.html", which lived in static/ under the
    # post's address, not in the folder: beside the new post there is no such file.
    site, _ = imported("hugo", {
        "config.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n',
        "content/notes/archive/index.md": "---\ntitle: Archive\ndate: 2021-01-01\n---\n[Saved copy](saved.html)\n",
        "static/notes/archive/saved.html": "<!doctype html><title>Saved</title><p>Saved.</p>\n",
    }, tmp_path)  # fmt: skip
    assert "[Saved copy](/notes/archive/saved.html)" in body(site, "content/posts/archive/index.md")
    answers(site, "/notes/archive/")


def test_pages_without_a_title_or_text_get_one_and_empty_files_are_left_out(tmp_path: Path) -> None:
    # Hugo: a music section whose pages were only fields for the theme (releaseTitle, ...),
    # and a placeholder file with nothing in it: the build refused both ("no title").
    site, result = imported("hugo", {
        "config.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n',
        "content/music/2026-01-17-297554/index.md": "---\nreleaseArtist: Quantic\nreleaseTitle: Mishaps Happening\ndate: 2026-01-17\n---\n",
        "content/posts/real.md": "---\ntitle: Real\ndate: 2020-01-01\n---\nText.\n",
        "content/projects/placeholder/index.md": "",
    }, tmp_path)  # fmt: skip
    assert "title: Mishaps Happening" in body(site, "content/posts/music/2026-01-17-297554/index.md")
    assert not list((site / "content").rglob("placeholder*"))
    assert any("not imported: an empty file" in str(x) for x in result.leftovers)


def test_the_usual_posts_section_is_content_posts_even_when_another_is_larger(tmp_path: Path) -> None:
    # Hugo: 60 retrospectives outnumbered the posts; posts/ stays the main one.
    files = {"config.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n[permalinks]\nposts = "/:slug/"\n'}
    files.update({f"content/retrospectives/r{i}.md": f"---\ntitle: R{i}\ndate: 2020-01-0{i}\n---\nx\n" for i in range(1, 4)})
    files["content/posts/p.md"] = "---\ntitle: P\ndate: 2020-02-01\n---\nx\n"
    site, _ = imported("hugo", files, tmp_path)
    assert (site / "content/posts/p.md").is_file()
    assert (site / "content/posts/retrospectives/r1.md").is_file()
    answers(site, "/p/")
    answers(site, "/retrospectives/r1/")


def test_an_eleventy_directory_data_script_gives_its_posts_permalink(tmp_path: Path) -> None:
    # Eleventy: _posts/_posts.11tydata.js set `permalink: function({page}) { return `/web/${ page.fileSlug }/` }`.
    site, _ = imported("eleventy", {
        "eleventy.config.js": "export default function(config) {};\n",
        "_data/site.json": '{"name": "Old", "url": "https://old.example/"}',
        "_posts/_posts.11tydata.js": 'export default {\n  permalink: function({page}) {\n    return `/web/${ page.fileSlug }/`\n  },\n  tags: ["blog-post"],\n};\n',
        "_posts/2019-05-01-hello.md": "---\ntitle: Hello\ntags: [blog-post, css]\n---\nHi.\n",
    }, tmp_path)  # fmt: skip
    answers(site, "/web/hello/")
    assert "tags: [css]" in body(site, "content/posts/2019-05-01-hello.md")


def test_the_old_hosts_redirects_to_posts_become_aliases(tmp_path: Path) -> None:
    # Jekyll on Apache: 175 `Redirect 301 /old-slug /blog/yyyy/mm/dd/slug` lines kept the
    # first URLs alive, and posts still linked to them.
    site, result = imported("jekyll", {
        "_config.yml": "title: Old\nurl: https://old.example\npermalink: /blog/:year/:month/:day/:title/\n",
        "_posts/2014-06-25-apples.md": "---\ntitle: Apples\n---\nText.\n",
        "_posts/2014-08-06-apples-two.md": (
            "---\ntitle: Apples two\n---\nAfter [part one](/apples/); [more]({{ 'apples' | tag_url }}).\n"
        ),
        ".htaccess": "Redirect 301 /apples /blog/2014/06/25/apples\nRedirect 301 /blog/apples /blog/2014/06/25/apples\nRedirect 301 /cv /elsewhere/\n",
    }, tmp_path)  # fmt: skip
    answers(site, "/apples/", at="/blog/2014/06/25/apples/")
    answers(site, "/blog/apples/", at="/blog/2014/06/25/apples/")
    text = body(site, "content/posts/2014-08-06-apples-two.md")
    assert "[part one](2014-06-25-apples.md)" in text
    assert "[more]({{ 'apples' | tag_url }})" in text  # a plugin's filter: left, and listed as such
    assert [str(x).split(": ", 1)[1] for x in result.leftovers if x.path.endswith("apples-two.md")] == [
        "template expression {{ 'apples' | tag_url }} left as it was: the filter 'tag_url' is not Liquid's own (a plugin's?)"
    ]
    assert any("1 redirects of the old host lead to something not imported" in note for note in result.notes)


def test_a_source_never_changes(tmp_path: Path) -> None:
    from .conftest import tree_digest

    source = tmp_path / "old"
    write_tree(source, {"config.toml": 'baseURL = "https://old.example/"\ntitle = "Old"\n',
                        "content/posts/a.md": "---\ntitle: A\ndate: 2020-01-01\n---\n{{< x >}}\n"})  # fmt: skip
    before = tree_digest(source)
    import_site("hugo", source, tmp_path / "new")
    assert tree_digest(source) == before
