"""`fireside import KIND SOURCE [DEST]`: another generator's site as a Fireside site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.cli.common import EXIT_OK, plural, say
from generator.cli.progress import progress_line

KINDS_HELP = "jekyll, hugo, zola, pelican, eleventy (a site's folder) or wordpress (a WXR export file)"


def add_import_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "import",
        help="write a Fireside site from a Jekyll, Hugo, Zola, Pelican, Eleventy or WordPress site",
        description="Read another generator's site (never changing it) and write it as a Fireside site, "
        "or add it to the Fireside site in DEST. Every old URL keeps answering; what cannot be "
        "converted is listed at path:line.",
    )
    # KIND is checked by the import itself (its refusal names the kinds), not by argparse.
    parser.add_argument("kind", metavar="KIND", help=KINDS_HELP)
    parser.add_argument("source", type=Path, help="the old site's folder, or the WordPress export (.xml)")
    parser.add_argument(
        "dest",
        type=Path,
        nargs="?",
        default=Path("."),
        help="a new or empty folder, or a Fireside site to add to (default: here)",
    )
    parser.add_argument("--base-url", help="the new site's base URL (default: the old site's)")
    parser.add_argument(
        "--uploads", type=Path, help="wordpress: a copy of the old site's wp-content/uploads folder"
    )
    parser.add_argument("--keep-html", action="store_true", help="wordpress: keep post bodies as HTML")
    parser.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")


def run_import(args: argparse.Namespace) -> int:
    from generator.migrate.importer import ImportOptions, import_site

    options = ImportOptions(
        base_url=args.base_url, keep_html=args.keep_html, uploads=args.uploads, dry_run=args.dry_run
    )
    with progress_line(sys.stderr, quiet=args.quiet) as progress:
        result = import_site(args.kind, args.source, args.dest, options, progress=progress)
    for note in result.notes:
        say(args, f"note: {note}")
    if result.leftovers:
        say(args, f"To finish by hand ({plural(len(result.leftovers), 'place')}):")
        for leftover in result.leftovers:
            say(args, f"  {leftover}")
    what = [plural(result.posts, "post")]
    if result.drafts:
        what.append(plural(result.drafts, "draft"))
    what.append(plural(result.pages, "page"))
    what.append(plural(result.files, "file"))
    if result.letters:
        what.append(plural(result.letters, "published letter"))
    if result.inbox:
        what.append(f"{plural(result.inbox, 'unanswered letter')} in the inbox")
    into = f"the site in {args.dest}" if result.added_to_site else str(args.dest)
    listed = ", ".join(what)
    if result.dry_run:
        say(args, f"Dry run: would import {listed} from {args.kind} into {into}; nothing was written.")
    else:
        say(args, f"Imported {listed} from {args.kind} into {into}.")
        say(args, f"Next: cd {args.dest} && fireside check")
    return EXIT_OK
