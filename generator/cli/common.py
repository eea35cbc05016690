"""What every command of the CLI shares: exit codes and wording."""

from __future__ import annotations

EXIT_OK = 0
EXIT_ERRORS = 1  # the command ran and found problems (a failed build, check errors, ...)
EXIT_USAGE = 2  # the command could not run as asked (argparse uses 2 as well)


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
