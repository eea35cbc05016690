"""The reader inbox: letters from the form under each post, kept as files (an edge).

`create_app()` makes the WSGI receiver from the environment (see `settings`); for gunicorn
or waitress, `generator.inbox:app` is the same, made afresh on each import of the name:

    gunicorn --workers 1 --threads 8 --bind 127.0.0.1:8025 'generator.inbox:app'

The author's side (`fireside inbox ...`) lives in `commands`, `showing`, `replying`, `pull`
and `mail`; what the inbox may import stops at the layers below it (manifest, letters,
config, errors, slugs).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from generator.inbox.receiver import InboxApp
from generator.inbox.settings import ReceiverSettings, settings_from_env
from generator.inbox.tracked import tracked_inbox_files

__all__ = ["InboxApp", "ReceiverSettings", "create_app", "settings_from_env", "tracked_inbox_files"]


def create_app(
    settings: ReceiverSettings | None = None, env: Mapping[str, str] | None = None, **overrides: Path
) -> InboxApp:
    """A receiver: from `settings`, else from the environment (FIRESIDE_INBOX_DIR, FIRESIDE_MANIFEST...)."""
    return InboxApp(settings if settings is not None else settings_from_env(env, **overrides))


def __getattr__(name: str) -> Any:
    # `generator.inbox:app` for WSGI servers, without a module-level instance: importing the
    # package (as the CLI does) reads no environment and creates no folder.
    if name == "app":
        _log_letters_by_default()
        return create_app()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _log_letters_by_default() -> None:
    """Under a WSGI server that configured no logging (gunicorn and waitress do not, by
    default), the receiver still logs one line per stored letter (its id, never its text
    or address) and its warnings to stderr, where those servers' own lines go.

    A server whose logging is configured (a handler on the root logger, or on ours) is
    left as it was; one that configures it later (waitress does, once the app is loaded)
    takes over: this handler then steps aside, so no line is said twice.
    """
    ours = logging.getLogger(__name__)
    root = logging.getLogger()
    if root.handlers or ours.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("[%(asctime)s] fireside %(levelname)s: %(message)s"))
    handler.addFilter(lambda _record: not root.handlers)
    ours.addHandler(handler)
    if ours.level == logging.NOTSET:
        ours.setLevel(logging.INFO)
