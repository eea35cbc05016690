"""The `fireside` command: the only place that prints and chooses exit codes (the top of the cli package)."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import functools
import gc
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from generator import __version__
from generator.cli.common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    add_loudness,
    left_out_line,
    logging_for,
    no_site,
    plural,
    say,
    say_each_letter,
)
from generator.cli.progress import progress_line, wipe
from generator.site.config import CONFIG_NAME
from generator.site.errors import BuildFailed, SiteError

if TYPE_CHECKING:  # imported lazily at run time, like every command's modules
    from generator.check.checker import CheckReport
    from generator.check.trace import Finding

def _parser(wanted: str | None = None) -> argparse.ArgumentParser:
    """The command line; with `wanted` (a command's name), only that command is described:
    describing all of them costs a few milliseconds that a rebuild should not pay."""
    parser = argparse.ArgumentParser(prog="fireside", description="Essays in, letters back: a static blog.")
    parser.add_argument("--version", action="version", version=f"fireside {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, describe in _COMMANDS.items():
        if wanted is None or wanted == name:
            describe(commands)
    add_loudness(parser)  # -v and -q, before or after any command
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command named in `argv` if it is one (the global options take no values)."""
    named = next((arg for arg in argv if not arg.startswith("-")), None)
    return named if named in _COMMANDS else None


def _describe_new(commands: argparse._SubParsersAction) -> None:
    new = commands.add_parser("new", help="start a site or a post")
    new_kinds = new.add_subparsers(dest="kind", required=True, metavar="KIND")
    new_site = new_kinds.add_parser("site", help="a working site skeleton in DIR")
    new_site.add_argument("dir", type=Path)
    new_post = new_kinds.add_parser("post", help="a draft post content/posts/<slug>.md")
    new_post.add_argument("title")
    new_post.add_argument("--config", type=Path, default=Path(CONFIG_NAME), help="the site's site.yaml")


def _describe_build(commands: argparse._SubParsersAction) -> None:
    build = commands.add_parser("build", help="render the site into its output folder")
    build.add_argument("--drafts", action="store_true", help="include drafts and future-dated posts")
    build.add_argument("--output", type=Path, help="output folder (default: output_dir in site.yaml)")
    build.add_argument("--base-url", help="override base_url, e.g. for a staging host")
    build.add_argument(
        "--ignore-cache",
        action="store_true",
        help="make every page again from its sources, trusting nothing .fireside-cache/ remembers",
    )
    build.add_argument(
        "--clean",
        action="store_true",
        help="delete everything in the output folder that the build does not make, whoever made it",
    )
    build.add_argument("--config", type=Path, default=Path(CONFIG_NAME), help="path to site.yaml")


def _describe_serve(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser("serve", help="preview the site, rebuilding and reloading on every save")
    serve.add_argument(
        "--port", type=int, help=f"port to listen on (default: {SERVE_PORT}, else the next free one)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--no-drafts", action="store_true", help="hide drafts and future-dated posts")
    serve.add_argument("--open", action="store_true", help="open the preview in a web browser")
    serve.add_argument("--poll", action="store_true", help="poll for changes (network or container mounts)")
    serve.add_argument("--navigate", action="store_true", help="saving a post opens it in the browser tabs")
    serve.add_argument("--config", type=Path, default=Path(CONFIG_NAME), help="path to site.yaml")


def _describe_check(commands: argparse._SubParsersAction) -> None:
    check = commands.add_parser("check", help="build without drafts and report what is wrong, with where")
    check.add_argument("folder", nargs="?", type=Path, help="check this built folder instead of building")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--external", action="store_true", help="also check outbound links over the network")
    check.add_argument("--timeout", type=float, default=10.0, help="seconds per external link (default: 10)")
    check.add_argument("--base-url", help="override base_url (must match the folder checked)")
    check.add_argument("--config", type=Path, default=Path(CONFIG_NAME), help="path to site.yaml")


def _describe_publish(commands: argparse._SubParsersAction) -> None:
    publish = commands.add_parser("publish", help="build, check and publish to a target named in site.yaml")
    publish.add_argument("target", nargs="?", help="a target's name (default: the first in site.yaml)")
    publish.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    publish.add_argument("--force", action="store_true", help="publish even when the check finds errors")
    publish.add_argument(
        "--clean",
        action="store_true",
        help="a target folder Fireside has not published to may hold other files: delete them",
    )
    publish.add_argument("--config", type=Path, default=Path(CONFIG_NAME), help="path to site.yaml")


def _describe_inbox(commands: argparse._SubParsersAction) -> None:
    from generator.cli.inbox import add_inbox_parser

    add_inbox_parser(commands)


def _describe_import(commands: argparse._SubParsersAction) -> None:
    from generator.cli.migrate import add_import_parser

    add_import_parser(commands)


SERVE_PORT = 8000  # `fireside serve`'s port unless --port names one
SERVE_PORT_TRIES = 20  # ports tried from SERVE_PORT up, when it is busy

_COMMANDS = {
    "new": _describe_new,
    "build": _describe_build,
    "serve": _describe_serve,
    "check": _describe_check,
    "publish": _describe_publish,
    "inbox": _describe_inbox,
    "import": _describe_import,
}


def run() -> None:
    """The `fireside` command (and `python -m generator`): `main`, then the process's exit."""
    sys.exit(main(exit_when_built=True))


def main(argv: Sequence[str] | None = None, *, exit_when_built: bool = False) -> int:
    """Run one command; its exit code. `exit_when_built`: see `_exit_now`."""
    parser = _parser(_command_in(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(argv)
    if args.verbose and args.quiet:
        parser.error("-v/--verbose and -q/--quiet ask for opposite things: give one of them")
    with logging_for(args.verbose, args.quiet):
        return _run(args, exit_when_built)


def _run(args: argparse.Namespace, exit_when_built: bool) -> int:
    try:
        needs_site = args.command in ("build", "serve", "check", "publish") or (
            args.command == "new" and args.kind == "post"
        )
        if needs_site and not args.config.is_file():
            raise no_site(args.config, given=args.config != Path(CONFIG_NAME))
        if args.command == "new":
            return _new(args)
        if args.command == "build":
            with _TerminateAsInterrupt():
                return _build(args, exit_when_built)
        if args.command == "serve":
            return _serve(args)
        if args.command == "check":
            with _TerminateAsInterrupt():
                return _ending(lambda: _check(args), exit_when_built)
        if args.command == "publish":
            with _TerminateAsInterrupt():
                return _ending(lambda: _publish(args), exit_when_built)
        if args.command == "inbox":
            from generator.cli.inbox import run_inbox

            return run_inbox(args)
        if args.command == "import":
            from generator.cli.migrate import run_import

            return run_import(args)
    except BuildFailed as failed:
        _print_errors(failed.errors)
        return EXIT_ERRORS
    except SiteError as error:
        print(f"error: {error}", file=sys.stderr)  # one error that stopped the command: no count
        return EXIT_ERRORS
    except KeyboardInterrupt as stopped:
        return EXIT_TERMINATED if isinstance(stopped, _Terminated) else EXIT_INTERRUPTED
    return EXIT_USAGE


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C's KeyboardInterrupt."""


class _TerminateAsInterrupt:
    """`kill` (SIGTERM) stops a command as Ctrl-C does: by an exception, so that a write
    in progress is undone (the output is left as it was) and worker processes are ended,
    instead of the process vanishing half-way. (A class, not @contextmanager: that one
    writes into the exceptions passing through it, and SiteError is frozen.)"""

    def __enter__(self) -> None:
        self.previous = None
        with contextlib.suppress(ValueError):  # not the main thread: left as it was
            self.previous = signal.signal(signal.SIGTERM, _stop)

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)


def _stop(signum: int, frame: object) -> None:
    raise _Terminated


def _print_errors(errors: Sequence[SiteError]) -> None:
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    noun = "error" if len(errors) == 1 else "errors"
    print(f"{len(errors)} {noun}; nothing was written.", file=sys.stderr)


def _new(args: argparse.Namespace) -> int:
    from generator.cli.scaffold import new_post, new_site

    if args.kind == "site":
        new_site(args.dir)
        say(args, f"Created a site in {args.dir}. Next: cd {args.dir} && fireside build")
        return EXIT_OK
    site_root = args.config.resolve().parent
    print(new_post(site_root, args.title).relative_to(site_root))
    return EXIT_OK


def _exit_now(code: int) -> None:
    """End the process without tearing the interpreter down object by object.

    A build leaves the whole site in memory, and freeing it piece by piece only hands back
    memory the system takes back at once anyway (a few milliseconds of a rebuild that
    otherwise takes a quarter of a second). A build leaves no thread, process or temporary
    folder behind, so nothing else waits for the normal exit; output is flushed first.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _build(args: argparse.Namespace, exit_when_built: bool) -> int:
    """`fireside build`; with `exit_when_built`, the process ends here (see `_exit_now`)."""
    return _ending(lambda: _report_build(args), exit_when_built)


def _ending(command: Callable[[], int], exit_when_done: bool) -> int:
    """A command that builds (build, check, publish), run with the cycle collector off; with
    `exit_when_done`, the process ends as soon as it has reported (see `_exit_now`)."""
    collecting = gc.isenabled()
    # A process that ends with this command keeps the cycle collector off for all of it:
    # switched back on after the build, its first collection would walk every object the
    # build allocated (30 ms of a 1,000-post rebuild), and a check's memory is as large.
    # A build leaves little cyclic garbage.
    gc.disable()
    try:
        code = command()
    finally:
        if collecting and not exit_when_done:
            gc.enable()  # called in-process: the caller's collector as it was
    if exit_when_done:
        _exit_now(code)
    return code


def _report_build(args: argparse.Namespace) -> int:
    from generator.build.incremental import build_site
    from generator.build.options import BuildOptions

    with progress_line(sys.stderr, quiet=args.quiet) as progress:
        options = BuildOptions(
            drafts=args.drafts,
            output_dir=args.output,
            base_url=args.base_url,
            clean=args.clean,
            progress=progress,
        )
        result = build_site(args.config, options, ignore_cache=args.ignore_cache)
    for warning in result.warnings:
        say(args, f"warning: {warning}", error_stream=True)
    stats = result.stats
    if result.up_to_date:
        say(
            args,
            f"Up to date: nothing changed since the last build of {result.pages} pages "
            f"({result.files} files) in {result.output_dir} (checked in {result.seconds * 1000:.0f} ms)"
        )
    else:
        say(
            args,
            f"Built {result.pages} pages ({result.files} files: {stats.written} written, "
            f"{stats.unchanged} unchanged, {stats.removed} removed) into {result.output_dir} "
            f"in {result.seconds * 1000:.0f} ms"
        )
    left_out = left_out_line(result.left_out)
    if left_out:
        say(args, left_out)
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    import signal
    import webbrowser

    from generator.cli.inbox import INBOX_PREVIEW_PREFIX, RECEIVER_LOGGER, preview_inbox
    from generator.preview.server import Mount, Preview, ServeOptions

    # The preview answers its own letter forms, so the author can try them (see preview_inbox).
    inbox_app, preview_output = preview_inbox(args.config)
    options = ServeOptions(
        host=args.host,
        port=args.port,
        drafts=not args.no_drafts,
        poll=args.poll,
        navigate=args.navigate,
        mounts=(Mount(INBOX_PREVIEW_PREFIX, inbox_app),),
        # Forms post to the mounted receiver, even where site.yaml names no endpoint (or
        # names the production one).
        inbox_endpoint=INBOX_PREVIEW_PREFIX,
    )
    # The default port, when busy (another preview, another project's server), gives way to
    # the next free one; a port asked for with --port is that port or an error.
    asked = args.port is not None
    first = args.port if asked else SERVE_PORT
    for port in range(first, first + (1 if asked else SERVE_PORT_TRIES)):
        try:
            report = functools.partial(_print_serve_event, args)
            preview = Preview(args.config, dataclasses.replace(options, port=port), report)
            break
        except OSError as exc:
            if not asked and exc.errno == errno.EADDRINUSE and port < first + SERVE_PORT_TRIES - 1:
                continue
            why = exc.strerror or str(exc)
            if exc.errno == errno.EADDRINUSE:
                tried = f"port {first}" if asked else f"ports {first} to {port}"
                why = f"{tried} {'is' if asked else 'are'} in use; choose a free one with --port"
            print(f"error: cannot listen on {args.host}:{port}: {why}", file=sys.stderr)
            return EXIT_ERRORS
    if not asked and preview.port != first:
        print(f"Port {first} is in use, so the preview takes port {preview.port}.", flush=True)
    # The receiver finds the posts manifest in the preview's own output folder.
    preview_output.append(preview.output_dir)
    try:
        preview.start()
    except BaseException:
        preview.stop()
        raise
    # Letters sent from the preview's forms are said as they arrive, as the receiver says them.
    with preview, say_each_letter(RECEIVER_LOGGER, args.quiet):
        # `kill` and container stops end the preview as cleanly as Ctrl-C (temp folder removed).
        signal.signal(signal.SIGTERM, lambda *_: preview.stop())
        print(f"Serving {preview.url} (Ctrl-C to stop)", flush=True)
        if args.open:
            webbrowser.open(preview.url)
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a preview ends: not an error
            preview.wait()
    return EXIT_OK


def _print_serve_event(args: argparse.Namespace, event: object) -> None:
    from generator.preview.server import RebuildFailed, Rebuilt

    what = "Initial build"
    if isinstance(event, Rebuilt | RebuildFailed) and event.changed:
        more = len(event.changed) - 1
        what = f"{event.changed[0]}{f' and {more} more' if more else ''} changed"
    if isinstance(event, RebuildFailed):
        noun = "error" if len(event.errors) == 1 else "errors"
        print(f"{what} → build failed: {len(event.errors)} {noun}", flush=True)
        for error in event.errors:
            print(f"  error: {error}", flush=True)
    elif isinstance(event, Rebuilt):
        result = event.result
        for warning in event.new_warnings:
            say(args, f"  warning: {warning}", flush=True)
        if event.changed:
            count = len(result.stats.changed_paths)
            noun = "file" if count == 1 else "files"
            say(args, f"{what} → {count} {noun} rebuilt in {result.seconds * 1000:.0f} ms", flush=True)
        else:
            say(
                args,
                f"Built {result.pages} pages ({result.files} files) in {result.seconds * 1000:.0f} ms",
                flush=True,
            )


_LISTED_CHANGES = 20  # changes shown one by one; the rest are counted


def _check(args: argparse.Namespace) -> int:
    from generator.check.checker import CheckOptions, run_check
    from generator.check.external import ExternalSettings

    with progress_line(sys.stderr, quiet=args.quiet) as progress:
        options = CheckOptions(
            folder=args.folder,
            base_url=args.base_url,
            strict=args.strict,
            external=args.external,
            external_settings=ExternalSettings(timeout=args.timeout),
            progress=progress,
        )
        report = run_check(args.config, options)
    _print_findings(report.findings, args)
    errors, warnings = len(report.errors), len(report.warnings)
    if report.build_failed:
        print(f"The build failed with {plural(errors, 'error')}; the output was not checked.")
        return EXIT_ERRORS
    checked = f"Checked {report.pages} pages ({report.files} files)"
    if args.external:
        checked += f" and {plural(report.external_checked, 'external link')}"
    found = f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
    say(args, f"{checked}: {found if errors or warnings else 'no problems'}.")
    return EXIT_ERRORS if errors else EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    import shlex

    from generator.publish.publisher import PublishOptions, PublishRefused, publish_site

    with progress_line(sys.stderr, quiet=args.quiet) as progress:

        def checked(report: CheckReport) -> None:
            # Before anything is sent: what the check found, and what this publish leaves out.
            wipe(progress)
            _print_findings(report.findings, args)
            left_out = left_out_line(report.left_out)
            if left_out:
                say(args, left_out, flush=True)

        options = PublishOptions(
            target=args.target,
            dry_run=args.dry_run,
            force=args.force,
            clean=args.clean,
            on_checked=checked,
            progress=progress,
        )
        try:
            result = publish_site(args.config, options)
        except PublishRefused as refused:
            result = refused
    if isinstance(result, PublishRefused):
        refused = result
        _print_findings(refused.report.findings, args)
        why = (
            "the build failed"
            if refused.report.build_failed
            else f"the check found {plural(len(refused.report.errors), 'error')} (fix them, or use --force)"
        )
        print(f"Not published to {refused.target.name}: {why}.", file=sys.stderr)
        return EXIT_ERRORS
    if result.command:
        say(args, f"$ {shlex.join(result.command)}")
    for change in result.changes[:_LISTED_CHANGES]:
        say(args, f"  {change}")
    if len(result.changes) > _LISTED_CHANGES:
        say(args, f"  ... and {len(result.changes) - _LISTED_CHANGES} more")
    if result.deleted:  # every one: files the author may not know were there, gone for good
        verb = "would delete" if result.dry_run else "deleted"
        say(args, f"rsync --delete {verb} {plural(len(result.deleted), 'file')} in {result.where} "
                  "that the site does not have:")
        for path in result.deleted:
            say(args, f"  {path}")
    target = f"{result.target.name} ({result.where})"
    changes = plural(len(result.changes) + len(result.deleted), "change")
    deletions = len(result.deleted) + sum(1 for change in result.changes if change.startswith("D "))
    if deletions:
        changes += f" ({plural(deletions, 'deletion')})"
    if result.dry_run:
        say(args, f"Dry run for {target}: {changes} would be made; nothing was changed.")
    elif not result.changes and not result.deleted:
        say(args, f"{target} is up to date: nothing changed.")
    elif result.commit:
        say(args, f'Published to {target}: commit {result.commit[:7]} "{result.message}", {changes}.')
    else:
        say(args, f"Published to {target}: {changes}.")
    return EXIT_OK


def _print_findings(findings: Sequence[Finding], args: argparse.Namespace) -> None:
    for finding in findings:
        if finding.severity == "error" or not args.quiet:
            print(f"{finding.severity}: {finding}")
