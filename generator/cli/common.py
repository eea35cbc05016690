"""What every command of the CLI shares: exit codes and wording."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from generator.site.config import CONFIG_NAME
from generator.site.errors import SiteError

if TYPE_CHECKING:
    from generator.build.options import LeftOut

EXIT_OK = 0
EXIT_ERRORS = 1  # the command ran and found problems (a failed build, check errors, ...)
EXIT_USAGE = 2  # the command could not run as asked (argparse uses 2 as well)

OWN_LOGGER = "generator"  # Fireside's own loggers are all below this one


# -- how much is said: -v / -q, before or after any verb ----------------------------------


def add_loudness(parser: argparse.ArgumentParser) -> None:
    """-v/--verbose and -q/--quiet on `parser` and on every command and subcommand below it.

    Given anywhere (`fireside -v build`, `fireside build -v`, `fireside inbox list -q`);
    below the top, an option not given does not overwrite one given before the verb.
    """
    seen: set[int] = set()

    def add(place: argparse.ArgumentParser, top: bool) -> None:
        if id(place) in seen:
            return
        seen.add(id(place))
        place.add_argument(
            "-v", "--verbose", action="count", default=0 if top else argparse.SUPPRESS,
            help="say what Fireside does, step by step (-vv: in detail)",
        )
        place.add_argument(
            "-q", "--quiet", action="store_true", default=False if top else argparse.SUPPRESS,
            help="say only what went wrong: no summaries, progress or warnings",
        )
        for action in place._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    add(sub, top=False)

    add(parser, top=True)


class _LogLines(logging.Formatter):
    """Warnings and errors as the CLI says them; Fireside's steps (-v) with the time of each."""

    def __init__(self, detailed: bool) -> None:
        super().__init__()
        self.detailed = detailed

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        where = f" [{record.name}]" if self.detailed else ""
        if record.levelno >= logging.WARNING:
            return f"{record.levelname.lower()}{where}: {text}"
        moment = time.strftime("%H:%M:%S", time.localtime(record.created))
        return f"{moment}.{int(record.msecs):03d} {text}{where}"


@contextlib.contextmanager
def logging_for(verbose: int, quiet: bool) -> Iterator[None]:
    """Fireside's log for one command: warnings by default, its steps with -v (-vv: in
    detail), errors only with -q. Other libraries say only warnings (markdown-it's debug
    lines are not Fireside's steps). Levels are put back afterwards (main() in-process)."""
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(_LogLines(detailed=verbose > 1))
        root.addHandler(handler)
        root.setLevel(logging.WARNING)
    own = logging.getLogger(OWN_LOGGER)
    before = own.level
    if quiet:
        own.setLevel(logging.ERROR)
    elif verbose:
        own.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    try:
        yield
    finally:
        own.setLevel(before)


def say_each_letter(logger_name: str, quiet: bool) -> contextlib.AbstractContextManager[None]:
    """A receiver (`inbox serve`, the preview's forms) logs one line per stored letter,
    unless quiet: at least INFO for its logger while it runs."""
    @contextlib.contextmanager
    def raised() -> Iterator[None]:
        logger = logging.getLogger(logger_name)
        before = logger.level
        if not quiet and logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        try:
            yield
        finally:
            logger.setLevel(before)

    return raised()


def no_site(config: Path, given: bool, *, needs: str = "", also: str = "") -> SiteError:
    """The error for a command run where there is no site: where it looked, how to point at one.

    `given`: --config named it (then it is simply missing); `needs`: what the command
    wanted the site for; `also`: another way to go on (the inbox's --inbox DIR).
    """
    if given:
        return SiteError(config, None, "no such file: --config names a site's site.yaml")
    here = Path.cwd()
    found = next((folder for folder in here.parents if (folder / CONFIG_NAME).is_file()), None)
    if found is not None:
        above = os.path.relpath(found / CONFIG_NAME, here)
        hint = f"there is one in {found}: run this there, or pass --config {above}"
    else:
        hint = f"run this in your site's folder, or pass --config path/to/{CONFIG_NAME}"
    hint += also
    if found is None and not also:
        hint += " (`fireside new site DIR` makes a new site)"
    return SiteError(CONFIG_NAME, None, f"no {CONFIG_NAME} here ({here}){needs}; {hint}")


def say(args: argparse.Namespace, text: str, *, error_stream: bool = False, flush: bool = False) -> None:
    """Print what went right (a summary, a warning, a confirmation), unless -q asked for quiet."""
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr if error_stream else sys.stdout, flush=flush)


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
