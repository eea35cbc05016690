"""`fireside serve`: build, serve, watch, rebuild, reload (an edge over the build).

A `Preview` owns a ThreadingHTTPServer, a `ChangeWatcher` and a rebuild thread. The site is
built into a temp folder outside the site, so writing it never wakes the watcher, and the
folder is removed on exit. Nothing here prints: builds go to the `report` callback the CLI
passes in. How a build is swapped in without serving a half-written site, and how tabs
learn about it, is in `livereload`.

What it answers and to whom is in `handler`.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from pathlib import Path

from generator.build.pipeline import BuildOptions
from generator.preview.handler import Mount, PreviewServer, ServeOptions
from generator.preview.livereload import (
    EventHub,
    Rebuilder,
    RebuildFailed,
    Rebuilt,
    Report,
    ServedSite,
    ServeEvent,
)
from generator.preview.watch import ChangeWatcher
from generator.site.config import SiteLayout

__all__ = ["Mount", "Preview", "RebuildFailed", "Rebuilt", "ServeEvent", "ServeOptions", "start_preview"]

class Preview:
    """A running `fireside serve`: made by `start_preview`; then `wait()` and `stop()`."""

    def __init__(self, config_file: Path, options: ServeOptions, report: Report) -> None:
        layout = SiteLayout(root=config_file.resolve().parent, config_file=config_file.resolve())
        self.options = options
        self.hub = EventHub(token=secrets.token_hex(8))
        self.output_dir = Path(tempfile.mkdtemp(prefix="fireside-serve-"))
        self.site = ServedSite(self.output_dir.resolve())
        try:
            self.server = PreviewServer((options.host, options.port), self.site, self.hub, options)
        except OSError:
            shutil.rmtree(self.output_dir, ignore_errors=True)
            raise
        host, self.port = str(self.server.server_address[0]), int(self.server.server_address[1])
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{self.port}/"
        # The preview lives at the root of its own origin: the site's base path is dropped.
        build_options = BuildOptions(
            drafts=options.drafts,
            output_dir=self.output_dir,
            base_url=self.url,
            private_output=True,
            fingerprint_assets=False,  # a stylesheet edit is swapped into open tabs by its name
            inbox_endpoint=options.inbox_endpoint,
        )
        self.rebuilder = Rebuilder(
            layout.config_file, build_options, self.site, self.hub, report, navigate=options.navigate
        )
        self.watcher = ChangeWatcher(
            layout, poll=options.poll, quiet=options.quiet, max_wait=options.max_wait
        )
        self._stopped = threading.Event()
        self._stop_lock = threading.Lock()
        self._serving = False
        self.threads: tuple[threading.Thread, ...] = ()

    def start(self) -> None:
        self.watcher.start()  # before the first build, so a save during it is not lost
        self.rebuilder.build(())
        self.threads = (
            # A short poll interval: shutdown() waits for the loop to notice, and Ctrl-C must be quick.
            threading.Thread(
                target=self.server.serve_forever, args=(0.05,), name="fireside-http", daemon=True
            ),
            threading.Thread(target=self._rebuild_loop, name="fireside-rebuild", daemon=True),
        )
        for thread in self.threads:
            thread.start()
        self._serving = True

    def _rebuild_loop(self) -> None:
        while (batch := self.watcher.next_batch()) is not None:
            self.rebuilder.build(batch)

    def stop(self) -> None:
        """Stop at once; a build still planning is abandoned (it has written nothing)."""
        with self._stop_lock:
            if self._stopped.is_set():
                return
            self._stopped.set()
        self.watcher.stop()
        self.hub.close()
        if self._serving:
            self.server.shutdown()
        self.server.server_close()
        with self.site.lock.write():  # not in the middle of a write_site
            self.site.closed = True
            shutil.rmtree(self.output_dir, ignore_errors=True)
        for thread in self.threads:
            thread.join(timeout=1)  # a build still planning finishes on its own; it is a daemon

    def wait(self, timeout: float | None = None) -> bool:
        """Block until stopped (True) or `timeout` passed (False); Ctrl-C interrupts it."""
        return self._stopped.wait(timeout)

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_preview(config_file: Path, options: ServeOptions, report: Report) -> Preview:
    """Bind (OSError if the port is taken), build once, then serve and watch in the background."""
    preview = Preview(config_file, options, report)
    try:
        preview.start()
    except BaseException:
        preview.stop()
        raise
    return preview
