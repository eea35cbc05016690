"""The `fireside` command: the only place that prints and chooses exit codes (layer 6)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.config import CONFIG_NAME
from generator.errors import BuildFailed, SiteError

EXIT_OK = 0
EXIT_ERRORS = 1
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fireside", description="Essays in, letters back: a static blog.")
    parser.add_argument("--version", action="version", version=f"fireside {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what each stage does")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    new = commands.add_parser("new", help="start a site or a post")
    new_kinds = new.add_subparsers(dest="kind", required=True, metavar="KIND")
    new_site = new_kinds.add_parser("site", help="a working site skeleton in DIR")
    new_site.add_argument("dir", type=Path)
    new_post = new_kinds.add_parser("post", help="a draft post content/posts/<slug>.md")
    new_post.add_argument("title")
    new_post.add_argument("--config", type=Path, default=Path(CONFIG_NAME), help="the site's site.yaml")

    build = commands.add_parser("build", help="render the site into its output folder")
    build.add_argument("--drafts", action="store_true", help="include drafts and future-dated posts")
    build.add_argument("--output", type=Path, help="output folder (default: output_dir in site.yaml)")
    build.add_argument("--base-url", help="override base_url, e.g. for a staging host")
    build.add_argument("--config", type=Path, default=Path(CONFIG_NAME), help="path to site.yaml")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "new":
            return _new(args)
        if args.command == "build":
            return _build(args)
    except BuildFailed as failed:
        _print_errors(failed.errors)
        return EXIT_ERRORS
    except SiteError as error:
        _print_errors([error])
        return EXIT_ERRORS
    except KeyboardInterrupt:
        return 130
    return EXIT_USAGE


def _print_errors(errors: Sequence[SiteError]) -> None:
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    noun = "error" if len(errors) == 1 else "errors"
    print(f"{len(errors)} {noun}; nothing was written.", file=sys.stderr)


def _new(args: argparse.Namespace) -> int:
    from generator.scaffold import new_post, new_site

    if args.kind == "site":
        new_site(args.dir)
        print(f"Created a site in {args.dir}. Next: cd {args.dir} && fireside build")
        return EXIT_OK
    site_root = args.config.resolve().parent
    if not args.config.is_file():
        raise SiteError(args.config, None, "no site.yaml here: run this inside a site, or pass --config")
    print(new_post(site_root, args.title).relative_to(site_root))
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from generator.build import BuildOptions, build_site

    options = BuildOptions(drafts=args.drafts, output_dir=args.output, base_url=args.base_url)
    result = build_site(args.config, options)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    stats = result.stats
    print(
        f"Built {result.pages} pages ({result.files} files: {stats.written} written, "
        f"{stats.unchanged} unchanged, {stats.removed} removed) into {result.output_dir} "
        f"in {result.seconds * 1000:.0f} ms"
    )
    return EXIT_OK
