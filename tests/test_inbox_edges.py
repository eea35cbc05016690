"""Edges of the inbox found by readers and crashes, over real HTTP and real files: the limits
agree for every script, a crash's leftovers do not outlive the next start (nor `forget`),
and control characters in a published letter never reach the page."""

from __future__ import annotations

import html
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.inbox import create_app
from generator.inbox.commands import forget
from generator.inbox.commands import publish as commands_publish
from generator.inbox.ratelimit import RateLimits
from generator.inbox.settings import SettingsError, limits_from_config, settings_from_env
from generator.inbox.store import WRITER_HOST, InboxStore, read_thought
from generator.inbox.thought import Answer, Thought, new_id, serialize
from generator.site.config import load_config

from .test_inbox_support import (
    BuiltSite,
    Receiver,
    embedded,
    letter,
    make_site,
    rebuild,
    send,
    settings_for,
    start_process,
)


def exactly(unit: str, count: int = 10000) -> str:
    """`count` characters of `unit` repeated, with line breaks as a browser sends them (CRLF)."""
    return (unit * (count // len(unit) + 1))[:count].replace("\n", "\r\n")


# 10,000 characters (the default max_message) in each script: 30 to 120 KB once URL-encoded.
SCRIPTS = {
    "chinese": exactly("我读了你的文章，想了很久。"),
    "japanese": exactly("あなたの文章を読んで、長いあいだ考えていました。"),
    "emoji": exactly("👩‍👩‍👧🔥"),
    "arabic": exactly("قرأت مقالتك وفكرت فيها طويلا. "),
    "mixed lines": exactly("Zoë — 日本語 — 🙂\n"),
}


def characters(text: str) -> int:
    return len(text.replace("\r\n", "\n"))


@pytest.fixture(scope="module", params=["embedded", "gunicorn", "waitress"])
def receiver(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    tmp = tmp_path_factory.mktemp(request.param)
    site = make_site(tmp / "site")
    if request.param == "embedded":
        with embedded(settings_for(site, rates=RateLimits(per_address=0, per_network=0))) as served:
            yield served
    else:
        served = start_process(request.param, site, tmp, FIRESIDE_INBOX_PER_ADDRESS="0")
        try:
            yield served
        finally:
            served.stop()


@pytest.mark.parametrize("script", list(SCRIPTS))
def test_a_letter_at_the_character_limit_is_taken_in_any_script(receiver: Receiver, script: str) -> None:
    text = SCRIPTS[script]
    assert characters(text) == 10000
    before = set(receiver.files())
    reply = send(receiver.port, letter(message=text))
    assert reply.status == 303
    (path,) = set(receiver.files()) - before
    assert read_thought(path).message == text.replace("\r\n", "\n")


def test_one_character_over_is_refused_with_the_text_kept(receiver: Receiver) -> None:
    text = exactly("我读了你的文章，想了很久。", 10001)
    page = send(receiver.port, letter(message=text))
    assert page.status == 400 and "at most 10000" in page.text
    assert html.escape(text, quote=False) + "</textarea>" in page.text


def test_a_body_over_the_limit_keeps_the_readers_text_on_its_413_page(receiver: Receiver) -> None:
    text = exactly("我读了你的文章，想了很久。", 20000)  # 180 KB: more than any letter may take
    before = receiver.files()
    page = send(receiver.port, letter(message=text))
    assert page.status == 413 and page.headers["content-type"].startswith("text/html")
    assert html.escape(text, quote=False) + "</textarea>" in page.text
    assert 'href="https://example.com/blog/posts/inch-wide/#write"' in page.text
    as_json = send(receiver.port, letter(message=text), json=True)
    assert as_json.status == 413 and as_json.json()["field"] == "message"
    assert receiver.files() == before


def test_a_body_limit_below_what_the_field_limits_need_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    env = {"FIRESIDE_MANIFEST": str(site.manifest), "FIRESIDE_INBOX_MAX_BODY": "65536"}
    with pytest.raises(SettingsError) as refused:
        settings_from_env(env)
    assert "max_body (65536 bytes)" in str(refused.value) and "126296" in str(refused.value)
    # Raised with max_message, the body's limit follows by itself.
    settings = settings_from_env({"FIRESIDE_MANIFEST": str(site.manifest), "FIRESIDE_INBOX_MAX_MESSAGE": "20000"})
    assert settings.limits.max_body == 0 and settings.limits.body_limit == 12 * (100 + 254 + 20000) + 2048
    (site.root / "site.yaml").write_text(
        (site.root / "site.yaml").read_text() + "inbox:\n  max_body: 100000\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"site\.yaml: inbox\.max_body"):
        limits_from_config(load_config(site.root / "site.yaml").inbox)


def test_the_form_shows_the_limits(tmp_path: Path) -> None:
    site: BuiltSite = make_site(tmp_path / "site", endpoint="https://example.com/inbox/",
                                extra="  max_message: 4000\n  max_name: 60\n")
    page = (site.output / "posts/inch-wide/index.html").read_text(encoding="utf-8")
    assert 'name="message" rows="7" maxlength="4000"' in page
    assert 'name="name" type="text" autocomplete="name" maxlength="60"' in page
    assert 'maxlength="254"' in page  # the email's default


# -- what a crash leaves in tmp/ ----------------------------------------------------------------


def dead_pid() -> int:
    """The id of a process of this machine that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


def temp_name(pid: int) -> str:
    # As the store names what it writes: time, writer's process and thread, random, machine.
    return f"{time.time_ns()}.{pid}.140000000000.{secrets.token_hex(4)}.{WRITER_HOST}.tmp"


def a_thought(email: str, message: str) -> Thought:
    return Thought(id=new_id(datetime.now(UTC)), post="inch-wide", post_title="An Inch Wide", name="Ada Lovelace",
                   email=email, consent="private", received=datetime.now(UTC), message=message)


def plant_crash(inbox: Path, email: str) -> tuple[Path, Path, Path, Path]:
    """A stored letter, and in tmp/: a second name of it and a half-written letter (both left
    by a writer that died), and a temp file a running writer (this process) is writing."""
    store = InboxStore(inbox)
    store.ensure()
    kept = store.add(lambda: a_thought("kept@example.com", "A whole letter"))
    letter_path = inbox / "new" / kept.file_name
    second = inbox / "tmp" / temp_name(dead_pid())
    os.link(letter_path, second)
    data = serialize(a_thought(email, "Half of what I wanted to say"))
    half = inbox / "tmp" / temp_name(dead_pid())
    half.write_bytes(data[: data.index(b"email:")])  # cut before the address
    live = inbox / "tmp" / temp_name(os.getpid())
    live.write_bytes(data[:20])
    return letter_path, second, half, live


def test_a_receiver_starting_removes_what_a_crash_left_in_tmp(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    letter_path, second, half, live = plant_crash(site.inbox, "half@example.com")
    create_app(settings_for(site)).close()
    assert not second.exists() and not half.exists()
    assert live.exists()  # its writer is running: it may yet finish
    assert read_thought(letter_path).message == "A whole letter" and os.stat(letter_path).st_nlink == 1


def test_forget_removes_a_half_written_letter_even_before_its_address(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    _, second, half, live = plant_crash(inbox, "half@example.com")
    forget(InboxStore(inbox), "half@example.com", None)
    assert not half.exists() and not second.exists() and live.exists()


def test_a_stored_letter_has_one_name(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    stored = [store.add(lambda i=i: a_thought(f"p{i}@example.com", f"Letter {i}")) for i in range(20)]
    assert [os.stat(tmp_path / "inbox/new" / t.file_name).st_nlink for t in stored] == [1] * 20
    assert list((tmp_path / "inbox/tmp").iterdir()) == []


# -- control characters in a published letter ---------------------------------------------------

HOSTILE_TEXT = (
    "Pasted from my terminal: \x1b[31mred\x1b[0m and a bell\x07.\n"
    "From an old mail program: it was lovely\x85 and I\x92m grateful.\n"
    "Odd bytes: \x00\x7f\x9d\ufdd0\ufffe\U0010ffff end.\n\n"
    "Tabs\tstay, and so does this line."
)


def publish_hostile_letter(site_root: Path) -> None:
    thought = replace(a_thought("pub@example.com", HOSTILE_TEXT), consent="quote-named",
                      name="Ada\x1b] \x85Lovelace")
    thought = thought.answered(Answer(sent=datetime.now(UTC), text="Thank you\x07 for this\x9d.", message_id="<a@b>"))
    store = InboxStore(site_root / "inbox")
    store.ensure()
    store.add(lambda: thought)
    commands_publish(store, thought.id, site_root)


def test_control_characters_of_a_published_letter_never_reach_the_page(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", endpoint="https://example.com/inbox/")
    publish_hostile_letter(site.root)
    rebuild(site.root, endpoint="https://example.com/inbox/")
    page = (site.output / "posts/inch-wide/index.html").read_text(encoding="utf-8")
    letter_html = page[page.index('<section class="letters"'):]
    forbidden = [ch for ch in page if (ord(ch) < 0x20 and ch not in "\t\n\r\f") or 0x7F <= ord(ch) <= 0x9F
                 or 0xFDD0 <= ord(ch) <= 0xFDEF or (ord(ch) & 0xFFFE) == 0xFFFE]
    assert forbidden == []
    # What the characters stood for is kept: Windows-1252 read as Latin-1 is mended.
    assert "red and a bell." in letter_html.replace("[31m", "").replace("[0m", "")
    assert "it was lovely… and I’m grateful." in letter_html
    assert "Tabs\tstay" in letter_html and "Ada] Lovelace wrote" in letter_html
    assert "Thank you for this." in letter_html
