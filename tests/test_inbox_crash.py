"""`kill -9` of the receiver in the middle of a burst: new/ holds only whole letters, and
every letter that was answered 303 is among them."""

from __future__ import annotations

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.inbox.store import read_thought

from .test_inbox_support import letter, make_site, send, start_process, wait_for


@pytest.mark.parametrize("kind", ["embedded", "gunicorn"])
def test_kill_9_during_a_burst_leaves_no_partial_file(tmp_path: Path, kind: str) -> None:
    site = make_site(tmp_path / "site")
    limits = {"FIRESIDE_INBOX_PER_ADDRESS": "0", "FIRESIDE_INBOX_MAX_MESSAGE": "200000"}
    receiver = start_process(kind, site, tmp_path, workers=2, **limits)
    # Large letters, so that the kill is likely to land in the middle of writing one.
    messages = [f"{i}:" + f"letter {i} says the same thing again. " * 3000 for i in range(400)]
    answered: list[str] = []
    lock = threading.Lock()

    def one(message: str) -> None:
        try:
            reply = send(receiver.port, letter(message=message))
        except OSError:
            return  # the receiver died under this request
        if reply.status == 303:
            with lock:
                answered.append(message)

    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            for message in messages:
                pool.submit(one, message)
            wait_for(lambda: len(receiver.files()) >= 30, what="30 letters stored")
            assert receiver.process is not None
            os.killpg(receiver.process.pid, signal.SIGKILL)
    finally:
        receiver.stop()
    stored = [read_thought(path) for path in receiver.files()]  # every file parses: none is partial
    assert 30 <= len(stored) < len(messages), "the kill did not land in the middle of the burst"
    kept = {t.message for t in stored}
    assert kept <= set(messages) and len(kept) == len(stored)
    assert set(answered) <= kept, "a letter answered 303 was lost"

    # The next receiver on the same inbox works, and clears what the killed one left in tmp/
    # (half-written letters hold readers' words: they must not stay for 36 hours).
    again = start_process(kind, site, tmp_path, **limits)
    try:
        assert send(again.port, letter(message="after the crash")).status == 303
        assert len(again.files()) == len(stored) + 1
        assert list((site.inbox / "tmp").iterdir()) == []
    finally:
        again.stop()
