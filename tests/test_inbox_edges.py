"""Edges of the inbox found by readers and crashes, over real HTTP and real files: the limits
agree for every script, a crash's leftovers do not outlive the next start (nor `forget`),
and control characters in a published letter never reach the page."""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.inbox.ratelimit import RateLimits
from generator.inbox.settings import SettingsError, limits_from_config, settings_from_env
from generator.inbox.store import read_thought
from generator.site.config import load_config

from .test_inbox_support import (
    BuiltSite,
    Receiver,
    embedded,
    letter,
    make_site,
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
