"""The `fireside` command: its command line, and which module runs each command (the top
of the cli package): `building` (build, check, publish), `serve`, `inbox`, `migrate`
(import); `new` is run here. Only the cli package prints and chooses exit codes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, add_loudness, logging_for, no_site, say
from generator.cli.ending import EXIT_INTERRUPTED, EXIT_TERMINATED, TerminateAsInterrupt, Terminated, ending
from generator.site.config import CONFIG_NAME
from generator.site.errors import BuildFailed, SiteError


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
    from generator.cli.serve import SERVE_PORT

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
    """Run one command; its exit code. `exit_when_built`: see `ending.exit_now`."""
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
            from generator.cli.building import build

            with TerminateAsInterrupt():
                return build(args, exit_when_built)
        if args.command == "serve":
            from generator.cli.serve import serve

            return serve(args)
        if args.command == "check":
            from generator.cli.building import check

            with TerminateAsInterrupt():
                return ending(lambda: check(args), exit_when_built)
        if args.command == "publish":
            from generator.cli.building import publish

            with TerminateAsInterrupt():
                return ending(lambda: publish(args), exit_when_built)
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
        return EXIT_TERMINATED if isinstance(stopped, Terminated) else EXIT_INTERRUPTED
    return EXIT_USAGE


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
