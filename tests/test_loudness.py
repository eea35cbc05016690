"""How much Fireside says: -v/--verbose and -q/--quiet before or after any verb, verbose
lines that are Fireside's own steps, and a receiver that logs each stored letter by default
(its id, never its text or address). The real command and real receivers."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli.command import _COMMANDS, _parser

from .conftest import DEFAULT_CONFIG, run_cli, write_tree
from .test_inbox_support import letter, make_site, send, start_process, wait_for


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every runnable command line's words: each verb and subcommand, with its positionals."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    positionals = tuple("x" for a in parser._actions if not a.option_strings and a not in subs)
    if path and (not subs or not subs[0].required):
        yield (*path, *positionals)
    for action in subs:
        for name, sub in action.choices.items():
            yield from _commands(sub, (*path, name))


ALL = sorted(set(_commands(_parser())))


def test_every_command_is_covered() -> None:
    assert {words[0] for words in ALL} == set(_COMMANDS)
    assert ("inbox", "show", "x") in ALL and ("inbox",) in ALL and ("new", "post", "x") in ALL
    assert len(ALL) > 15


@pytest.mark.parametrize("words", ALL, ids=" ".join)
def test_v_and_q_are_taken_before_and_after_every_verb(words: tuple[str, ...]) -> None:
    parser = _parser(words[0])
    for given in (["-v", *words], [*words, "-v"], [*words, "--verbose"], [words[0], "-v", *words[1:]]):
        args = parser.parse_args(given)
        assert (args.verbose, args.quiet) == (1, False), given
    for given in (["-q", *words], [*words, "-q"], [*words, "--quiet"]):
        args = parser.parse_args(given)
        assert (args.verbose, args.quiet) == (0, True), given
    assert parser.parse_args([*words, "-vv"]).verbose == 2
    # Given before the verb, not undone by the verb's own (absent) option.
    assert parser.parse_args(["-v", *words]).verbose == 1


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "site"
    write_tree(root, {
        "site.yaml": DEFAULT_CONFIG,
        "content/posts/a.md": "---\ntitle: A\ndate: 2026-01-01\n---\nSome *text* with `code`.\n",
        "content/posts/b.md": "---\ntitle: B\ndate: 2026-01-02\n---\nMore text.\n",
    })
    return root


@pytest.mark.parametrize("words", [("build", "-v"), ("-v", "build")], ids=["after", "before"])
def test_verbose_shows_firesides_own_steps_not_markdown_its_debug_lines(site: Path, words: tuple[str, ...]) -> None:
    done = run_cli(*words, cwd=site)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert any(line.endswith("read 2 posts and pages (2 to publish)") for line in lines), done.stderr
    assert any("Markdown: 2 documents to render" in line for line in lines)
    assert any("wrote " in line and " files into " in line for line in lines)
    assert "markdown_it" not in done.stderr and "DEBUG" not in done.stderr
    assert len(lines) < 20
    assert done.stdout.startswith("Built ")


def test_quiet_says_only_what_went_wrong(site: Path) -> None:
    (site / "content/posts/draft.md").write_text("---\ntitle: D\ndate: 2026-01-03\ndraft: true\n---\nx\n")
    (site / "content/posts/bare.md").write_text("No front matter here.\n")  # a warning: title guessed
    loud = run_cli("build", cwd=site)
    assert "warning:" in loud.stderr and "not published" in loud.stdout
    (site / "content/posts/bare.md").write_text("No front matter, changed.\n")
    quiet = run_cli("build", "-q", cwd=site)
    assert quiet.returncode == 0 and quiet.stdout == "" and quiet.stderr == ""
    checked = run_cli("check", "-q", cwd=site)
    assert checked.stdout == "" and checked.returncode == 0  # warnings only: nothing said
    (site / "content/posts/a.md").write_text("---\ntitle: A\ndate: 2026-13-45\n---\nx\n")
    failed = run_cli("build", "-q", cwd=site)
    assert failed.returncode == 1 and "error: content/posts/a.md:3" in failed.stderr


def test_v_and_q_together_are_refused(site: Path) -> None:
    done = run_cli("build", "-v", "-q", cwd=site)
    assert done.returncode == 2 and "-q/--quiet" in done.stderr


@pytest.mark.parametrize("kind", ["embedded", "gunicorn", "waitress"])
def test_the_receiver_logs_one_line_per_stored_letter_by_default(tmp_path: Path, kind: str) -> None:
    built = make_site(tmp_path / "site")
    receiver = start_process(kind, built, tmp_path)
    secret, address = "a sentence only the author may read", "private.reader@example.org"
    try:
        assert send(receiver.port, letter(email=address, message=secret)).status == 303
        (stored,) = wait_for(lambda: receiver.files(), what="the letter stored")
        assert receiver.log is not None
        wait_for(lambda: stored.stem in receiver.log.read_text(), what="the letter's line in the log")
        time.sleep(0.2)  # anything else it would say about this request
    finally:
        receiver.stop()
    logged = receiver.log.read_text(errors="replace")
    mentions = [line for line in logged.splitlines() if stored.stem in line]
    assert len(mentions) == 1 and "inch-wide" in mentions[0], logged
    assert secret not in logged and "private.reader" not in logged
    if kind == "embedded":
        assert "POST /" not in logged  # the request itself is -v's to say
