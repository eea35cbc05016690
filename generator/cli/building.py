"""`fireside build`, `check` and `publish`: the commands that build the site, and what
they say of it (the counts, the check's findings, the changes a publish made)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from generator.cli.common import EXIT_ERRORS, EXIT_OK, left_out_line, plural, say
from generator.cli.ending import ending
from generator.cli.progress import progress_line, wipe

if TYPE_CHECKING:  # imported lazily at run time, like every command's modules
    from generator.check.checker import CheckReport
    from generator.check.trace import Finding


def build(args: argparse.Namespace, exit_when_built: bool) -> int:
    """`fireside build`; with `exit_when_built`, the process ends here (see `ending.exit_now`)."""
    return ending(lambda: _report_build(args), exit_when_built)


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


_LISTED_CHANGES = 20  # changes shown one by one; the rest are counted


def check(args: argparse.Namespace) -> int:
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


def publish(args: argparse.Namespace) -> int:
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
