"""`fireside serve`: the preview on a free port, with the inbox's receiver mounted beside it
for the letter forms, and each rebuild said as it happens."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import errno
import functools
import sys

from generator.cli.common import EXIT_ERRORS, EXIT_OK, say, say_each_letter

SERVE_PORT = 8000  # `fireside serve`'s port unless --port names one
SERVE_PORT_TRIES = 20  # ports tried from SERVE_PORT up, when it is busy


def serve(args: argparse.Namespace) -> int:
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

