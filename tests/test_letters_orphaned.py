"""A published letter whose post was renamed is never dropped in silence: `fireside build`
warns at the letter's `post:` line and `fireside check` reports it (real CLI, real files)."""

from __future__ import annotations

from pathlib import Path

from .conftest import run_cli
from .test_inbox_commands import add
from .test_inbox_support import BuiltSite, make_site
from .test_stamp import age


def _published(site: BuiltSite) -> tuple[str, Path]:
    """A letter received, then published with the reader's consent, as the author does it."""
    thought = add(site, consent="quote-named", name="Ada Lovelace", message="Thank you for this.\n")
    done = run_cli("inbox", "publish", thought.id, cwd=site.root)
    assert done.returncode == 0, done.stderr
    letter = site.root / "content/letters" / f"{thought.id}.md"
    assert letter.read_text().splitlines()[1] == 'post: "inch-wide"'  # line 2: the line to fix
    return thought.id, letter


def test_renaming_a_posts_file_warns_at_the_letter_in_build_and_check(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    letter_id, _ = _published(site)
    built = run_cli("build", cwd=site.root)
    assert built.returncode == 0 and "warning" not in built.stderr, built.stderr
    assert "Thank you for this." in (site.output / "posts/inch-wide/index.html").read_text()

    (site.root / "content/posts/inch-wide.md").rename(site.root / "content/posts/inch-wide-mile-deep.md")
    age(site.root)  # settled sources: the build after this one trusts its stamp
    built = run_cli("build", cwd=site.root)
    assert built.returncode == 0, built.stderr
    expected = (
        f"warning: content/letters/{letter_id}.md:2: no post 'inch-wide', so this published letter is "
        "shown nowhere: was the post renamed to 'inch-wide-mile-deep'? then set `post: inch-wide-mile-deep`"
    )
    assert expected in built.stderr.splitlines()
    # Said again by a build that finds nothing changed, until it is fixed.
    again = run_cli("build", cwd=site.root)
    assert again.stdout.startswith("Up to date") and expected in again.stderr.splitlines()

    checked = run_cli("check", cwd=site.root)
    assert expected in checked.stdout.splitlines()


def test_a_slug_changed_in_front_matter_is_found_through_its_alias(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    letter_id, letter = _published(site)
    post = site.root / "content/posts/inch-wide.md"
    post.write_text(post.read_text().replace("date:", "slug: deep\naliases: [/posts/inch-wide/]\ndate:", 1))
    built = run_cli("build", cwd=site.root)
    assert (
        f"warning: content/letters/{letter_id}.md:2: no post 'inch-wide', so this published letter is "
        "shown nowhere: was the post renamed to 'deep'? then set `post: deep`"
    ) in built.stderr.splitlines()
    # Following the advice puts the letter back under its post, and the warning goes.
    letter.write_text(letter.read_text().replace('post: "inch-wide"', "post: deep"))
    built = run_cli("build", cwd=site.root)
    assert "warning" not in built.stderr, built.stderr
    assert "Thank you for this." in (site.output / "posts/deep/index.html").read_text()


def test_an_unknown_post_with_nothing_like_it_still_warns(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    letter_id, letter = _published(site)
    letter.write_text(letter.read_text().replace('post: "inch-wide"', 'post: "zzz"'))
    built = run_cli("build", cwd=site.root)
    assert (
        f"warning: content/letters/{letter_id}.md:2: no post 'zzz', so this published letter is shown "
        "nowhere: if its post was renamed, set `post:` to its new slug"
    ) in built.stderr.splitlines()


def test_letters_of_a_draft_wait_for_it_without_a_warning(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    _published(site)
    post = site.root / "content/posts/inch-wide.md"
    post.write_text(post.read_text().replace("date:", "draft: true\ndate:", 1))
    built = run_cli("build", cwd=site.root)
    assert built.returncode == 0 and "warning" not in built.stderr, built.stderr
    assert not (site.output / "posts/inch-wide").exists()
