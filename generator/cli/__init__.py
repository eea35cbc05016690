"""The `fireside` command: the only package that prints and chooses exit codes. It may
import every other package; none imports it."""

from generator.cli.command import main, run

__all__ = ["main", "run"]
