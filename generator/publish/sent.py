"""What the last publish left in a folder target, so that publishing again when nothing
changed reads no file and writes none.

After a publish to a folder, the state (size, time, inode) of every file of the output
folder and of the target is recorded in `.fireside-cache/publish/`. When both are
exactly as recorded, the target already holds the output: the way the build's stamp
trusts file states (see build/output/stamp.py), with the same limit (an edit that keeps
a file's size, time and inode is not seen). Anything different means a real publish,
in which a file whose state is the recorded one on both sides is not read again: the
target still holds the bytes the last publish gave it.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from generator.build.output import stamp
from generator.build.output.cache import read_checked, write_checked
from generator.build.output.stamp import FolderStates


def folder_states(folder: Path) -> FolderStates:
    """Every file and link under `folder` with its state (links are not followed)."""
    return stamp.folder_states(folder)[0]


class SentRecord:
    """The record of one folder target's last publish."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def last(self, output_dir: Path, destination: Path) -> tuple[FolderStates, FolderStates] | None:
        """The states of the output and of the target as the last publish between these
        two folders left them; None when there is no such record."""
        recorded = read_checked(self.path)
        if not isinstance(recorded, tuple) or len(recorded) != 4:
            return None
        output, output_states, target, target_states = recorded
        if (output, target) != (str(output_dir), str(destination)):
            return None
        return output_states, target_states

    def record(self, output_dir: Path, output_states: FolderStates, destination: Path) -> None:
        """What the publish that has just ended left (the output as it was looked at before)."""
        value = (str(output_dir), output_states, str(destination), folder_states(destination))
        try:
            write_checked(self.path, value)
        except OSError:  # only the next publish is slower
            self.forget()

    def forget(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)
