"""The inbox store and the thought file format: exact round trips, safe names, whole files."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.inbox.store import AmbiguousId, InboxStore, ThoughtNotFound, read_thought
from generator.inbox.thought import (
    Answer,
    Thought,
    ThoughtFormatError,
    is_id,
    new_id,
    parse,
    serialize,
    yaml_quote,
)

RECEIVED = datetime(2026, 11, 26, 12, 0, 5, tzinfo=UTC)


def thought(**changes: object) -> Thought:
    base = Thought(
        id="20261126-120005-0123abcd",
        post="inch-wide",
        post_title="An Inch Wide",
        name="Ada",
        email="ada@example.com",
        consent="private",
        received=RECEIVED,
        message="Hello.\n",
        message_id="<20261126-120005-0123abcd@example.com>",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


any_text = st.text()  # every code point but lone surrogates, which UTF-8 cannot hold


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(name=any_text, email=any_text, message=any_text, title=any_text, answers=st.lists(any_text, max_size=3))
def test_any_text_round_trips_exactly(name: str, email: str, message: str, title: str, answers: list[str]) -> None:
    original = thought(
        name=name,
        email=email,
        message=message,
        post_title=title,
        answers=tuple(Answer(RECEIVED, text, f"<a{i}@example.com>") for i, text in enumerate(answers)),
    )
    assert parse(serialize(original)) == original


@given(text=any_text)
def test_quoted_values_are_one_yaml_line_that_reads_back(text: str) -> None:
    quoted = yaml_quote(text)
    assert "\n" not in quoted and "\r" not in quoted
    assert yaml.safe_load(f"key: {quoted}") == {"key": text}


_PIECES = ["-", "\n", "<!-- fireside-thread ", "0123456789abcdef", " answer ", "2026-11-26T12:00:00Z",
           " <x@y> -->", "a"]


@given(message=st.lists(st.sampled_from(_PIECES)).map("".join))
def test_a_message_imitating_the_thread_markers_stays_one_message(message: str) -> None:
    original = thought(message=message, answers=(Answer(RECEIVED, "My answer.", "<m@example.com>"),))
    assert parse(serialize(original)) == original


def test_the_file_is_front_matter_then_the_message() -> None:
    text = serialize(thought(name='Evil"\nstatus: answered', message="---\nstatus: answered\n---\n")).decode()
    front, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(front)
    assert meta["status"] == "new" and meta["name"] == 'Evil"\nstatus: answered'
    assert body == "---\nstatus: answered\n---\n"
    assert set(meta) == {"id", "post", "post_title", "name", "email", "consent", "received", "status",
                         "message_id", "thread"}


def test_hand_edits_without_quotes_still_read() -> None:
    text = serialize(thought()).decode().replace('status: "new"', "status: answered")
    assert parse(text.encode()).status == "answered"


@pytest.mark.parametrize(
    "data",
    [b"no front matter", b"---\nid: x\n", b"---\nid: \"nope\"\n---\nhi", b"\xff\xfe", b"---\n- a\n---\n"],
)
def test_what_is_not_a_thought_is_refused(data: bytes) -> None:
    with pytest.raises(ThoughtFormatError):
        parse(data)


@given(st.integers(min_value=2, max_value=200))
def test_ids_made_in_one_second_are_unique_and_shaped(count: int) -> None:
    ids = [new_id(RECEIVED) for _ in range(count)]
    assert all(is_id(i) and i.startswith("20261126-120005-") for i in ids)
    assert len(set(ids)) == len(ids)  # 32 random bits each; the store redraws the rare clash


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=any_text, email=any_text, post=any_text)
def test_file_names_never_come_from_input(tmp_path: Path, name: str, email: str, post: str) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    made = store.add(lambda: thought(id=new_id(datetime.now(UTC)), name=name, email=email, post=post))
    names = [p.name for p in (tmp_path / "inbox").rglob("*") if p.is_file()]
    assert f"{made.id}.md" in names
    assert all(is_id(n.removesuffix(".md")) for n in names)
    for path in (tmp_path / "inbox" / "new").iterdir():
        path.unlink()


def test_add_writes_whole_private_files_and_leaves_no_temp(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    made = store.add(lambda: thought(id=new_id(RECEIVED)))
    path = tmp_path / "inbox" / "new" / made.file_name
    assert read_thought(path) == made
    assert list((tmp_path / "inbox" / "tmp").iterdir()) == []
    assert path.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "inbox").stat().st_mode & 0o777 == 0o700


def test_a_taken_id_is_redrawn_never_overwritten(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    first = store.add(lambda: thought())
    ids = iter([first.id, first.id, "20261126-120005-99999999"])
    second = store.add(lambda: thought(id=next(ids), message="second"))
    assert second.id == "20261126-120005-99999999"
    assert store.get(first.id).thought.message == "Hello.\n"


def test_concurrent_adds_from_many_threads_all_land(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    made: list[Thought] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(25):
            t = store.add(lambda n=n, i=i: thought(id=new_id(datetime.now(UTC)), message=f"{n}:{i}"))
            with lock:
                made.append(t)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = {s.thought.message for s in store.thoughts()}
    assert len(made) == 200 and stored == {f"{n}:{i}" for n in range(8) for i in range(25)}


def test_status_changes_move_the_file_and_keep_one_copy(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    made = store.add(lambda: thought())
    store.replace(made.answered(Answer(RECEIVED, "Thanks!", "<r@example.com>")))
    assert store.locate(made.id) == tmp_path / "inbox" / "cur" / made.file_name
    store.replace(replace(store.get(made.id).thought, status="archived"))
    copies = [p for p in (tmp_path / "inbox").rglob(made.file_name)]
    assert copies == [tmp_path / "inbox" / "archive" / made.file_name]
    assert store.get(made.id).thought.answers[0].text == "Thanks!"


def test_ids_resolve_from_a_unique_part(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    store.add(lambda: thought(id="20261126-120005-0123abcd"))
    store.add(lambda: thought(id="20261127-090000-ffee0011"))
    assert store.resolve("0123abcd") == "20261126-120005-0123abcd"
    assert store.resolve("20261127") == "20261127-090000-ffee0011"
    with pytest.raises(AmbiguousId) as both:
        store.resolve("2026")
    assert both.value.candidates == ["20261126-120005-0123abcd", "20261127-090000-ffee0011"]
    with pytest.raises(ThoughtNotFound):
        store.resolve("../../etc/passwd")


def test_old_temp_files_are_cleaned_and_recent_ones_kept(tmp_path: Path) -> None:
    store = InboxStore(tmp_path / "inbox")
    store.ensure()
    old, recent = tmp_path / "inbox/tmp/old.tmp", tmp_path / "inbox/tmp/recent.tmp"
    old.write_bytes(b"partial")
    recent.write_bytes(b"partial")
    os.utime(old, (1, 1))
    assert store.clean_tmp() == 1
    assert not old.exists() and recent.exists()
