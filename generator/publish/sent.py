"""What the last publish left in a folder target, so that publishing again when nothing
changed reads no file and writes none.

After a publish to a folder, the state (size, time, inode) of every file of the output
folder and of the target is recorded in `.fireside-cache/publish/`. When both are
exactly as recorded, the target already holds the output: the way the build's stamp
trusts file states (see build/output/stamp.py), with the same limit (an edit that keeps
a file's size, time and inode is not seen). Anything different means a real publish.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from generator.build.output.cache import read_checked, write_checked

# output-relative path → (size, mtime_ns, inode), for the output folder and the target
States = dict[str, tuple[int, int, int]]


def folder_states(folder: Path) -> States:
    """Every file and link under `folder` with its state (links are not followed)."""
    states: States = {}
    pending = [(str(folder), "")]
    while pending:
        path, prefix = pending.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, prefix + entry.name + "/"))
                    continue
                found = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            states[prefix + entry.name] = (found.st_size, found.st_mtime_ns, found.st_ino)
    return states


class SentRecord:
    """The record of one folder target's last publish."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def still_true(self, output_dir: Path, destination: Path) -> bool:
        """True if the output and the target are as the last publish left them."""
        recorded = read_checked(self.path)
        if not isinstance(recorded, tuple) or len(recorded) != 4:
            return False
        output, output_states, target, target_states = recorded
        if (output, target) != (str(output_dir), str(destination)) or not destination.is_dir():
            return False
        return folder_states(output_dir) == output_states and folder_states(destination) == target_states

    def record(self, output_dir: Path, destination: Path) -> None:
        value = (str(output_dir), folder_states(output_dir), str(destination), folder_states(destination))
        try:
            write_checked(self.path, value)
        except OSError:  # only the next publish is slower
            self.forget()

    def forget(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
