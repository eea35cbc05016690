"""What every command of the CLI shares: exit codes and wording."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.build.options import LeftOut

EXIT_OK = 0
EXIT_ERRORS = 1  # the command ran and found problems (a failed build, check errors, ...)
EXIT_USAGE = 2  # the command could not run as asked (argparse uses 2 as well)


def plural(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def left_out_line(left_out: LeftOut) -> str | None:
    """What a build without drafts did not publish, or None when it published everything."""
    if left_out.drafts and left_out.scheduled:
        parts = f"{plural(left_out.drafts, 'draft')} and {plural(left_out.scheduled, 'scheduled post')}"
        return f"{parts} not published (fireside build --drafts shows drafts)"
    if left_out.drafts:
        return f"{plural(left_out.drafts, 'draft')} not published (fireside build --drafts shows drafts)"
    if left_out.scheduled:
        due = f" (the next is due {left_out.next_due:%Y-%m-%d})" if left_out.next_due else ""
        return f"{plural(left_out.scheduled, 'scheduled post')} not published{due}"
    return None
