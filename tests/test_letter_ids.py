"""Letters are named by any part of their id that only one of them has, as the README says;
a part several have lists them (the real command on a real inbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli
from .test_inbox_mail import add_letter
from .test_inbox_support import BuiltSite, make_site

FIRST, SECOND = "20261120-093000-0123abcd", "20261121-101500-4567ef01"


@pytest.fixture
def site(tmp_path: Path) -> BuiltSite:
    site = make_site(tmp_path / "site")
    add_letter(site, id=FIRST, name="Ada Lovelace", message="The first letter.\n")
    add_letter(site, id=SECOND, name="Grace Hopper", message="The second letter.\n")
    return site


@pytest.mark.parametrize(
    ("part", "meant"),
    [
        ("0123abcd", FIRST),  # the random end
        ("23ab", FIRST),  # the middle of it
        ("093000", FIRST),  # the time it came
        ("45", SECOND),  # short, but only one letter has it
        ("4567EF", SECOND),  # any case
        (f"inbox/new/{SECOND}.md", SECOND),  # the file, as `show` prints it
        (FIRST, FIRST),
    ],
)
def test_any_unique_part_of_an_id_names_its_letter(site: BuiltSite, part: str, meant: str) -> None:
    shown = run_cli("inbox", "show", part, cwd=site.root)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(f"Letter {meant} ")


def test_an_ambiguous_part_lists_the_letters_it_could_mean(site: BuiltSite) -> None:
    done = run_cli("inbox", "archive", "2026112", cwd=site.root)
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == "error: 2 letters have '2026112' in their id; give more of the one you mean:"
    assert lines[1].split()[0] == FIRST and "Ada Lovelace" in lines[1] and "The first letter." in lines[1]
    assert lines[2].split()[0] == SECOND and "Grace Hopper" in lines[2]
    assert "no letter" not in done.stderr
    listed = run_cli("inbox", "list", cwd=site.root).stdout
    assert "archived" not in listed  # nothing was done to either


def test_a_part_no_letter_has_says_so_and_where_ids_are_listed(site: BuiltSite) -> None:
    done = run_cli("inbox", "reply", "fff0", cwd=site.root)
    assert done.returncode == 1
    assert "error: no letter has 'fff0' in its id (fireside inbox list --all shows every letter's id" in done.stderr
