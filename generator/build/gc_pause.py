"""Pausing Python's cycle collector for the length of a build.

Used around planning and writing a site (pipeline.py, incremental.py) and a preview's
body-only rebuild (preview/body_edits.py).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a build makes (and keeps) many objects.

    Each collection walks every live object, and a build holds the whole cache and site in
    memory: at 4,000 posts the collector took a third of a rebuild. A build leaves little
    cyclic garbage; what it leaves is collected once the collector runs again.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
