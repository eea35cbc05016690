"""The `fireside inbox` commands: the author's side of readers' letters (beside command.py).

Like command.py, and only in the cli package, this module prints and chooses exit codes.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from generator.cli.common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, no_site, plural, say, say_each_letter
from generator.site.config import CONFIG_NAME
from generator.site.errors import BuildFailed, SiteError

if TYPE_CHECKING:  # imported lazily at run time, like every command's modules
    from generator.inbox import InboxApp
    from generator.inbox.mailbox.letters import Outcome
    from generator.inbox.store import InboxStore
    from generator.site.config import SiteConfig


INBOX_PREVIEW_PREFIX = "/__inbox/"  # where `fireside serve` answers the preview's letter forms
PREVIEW_FOLDER = "preview"  # inside the inbox: letters sent from `fireside serve`, an inbox of its own
RECEIVER_LOGGER = "generator.inbox"  # logs each stored letter's id (receiver.py), never its text


def add_inbox_parser(commands: argparse._SubParsersAction) -> None:
    inbox = commands.add_parser("inbox", help="readers' letters: list, read, answer, publish, receive")
    common = argparse.ArgumentParser(add_help=False)
    # Accepted before or after the subcommand; SUPPRESS keeps a subcommand's absent option
    # from overwriting one given before it.
    for parser, default in ((inbox, None), (common, argparse.SUPPRESS)):
        parser.add_argument(
            "--inbox",
            type=Path,
            default=default,
            metavar="DIR",
            help="the inbox folder (default: $FIRESIDE_INBOX_DIR, else inbox/ beside site.yaml)",
        )
        parser.add_argument("--config", type=Path, default=default, help="path to site.yaml")
    actions = inbox.add_subparsers(dest="inbox_command", metavar="COMMAND")

    def action(name: str, help: str, *positional: str) -> argparse.ArgumentParser:
        parser = actions.add_parser(name, parents=[common], help=help)
        for argument in positional:
            parser.add_argument(argument)
        return parser

    listing = action("list", "letters, new first (the default)")
    listing.add_argument("--all", action="store_true", help="include archived letters")
    listing.add_argument("--spam", action="store_true", help="list suspected spam instead")
    action("show", "one letter and your answers", "id")
    action("people", "who wrote, grouped across posts")
    action("reply", "answer in $EDITOR, then send by SMTP or write a draft", "id")
    action("sent", "you sent the drafted answer yourself: the letter becomes answered", "id")
    action("archive", "put a letter away", "id")
    action("unspam", "move a letter out of spam", "id")
    forget = action("forget", "delete everything from one person (cannot be undone)", "email")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    publish = action("publish", "show a letter under its post, where the reader consented", "id")
    publish.add_argument("--no-answer", action="store_true", help="publish the letter without your answer")
    fetch = action("fetch", "readers' letters from the mailbox in site.yaml's inbox.imap (no server needed)")
    fetch.add_argument("--move-to", metavar="FOLDER", default="",
                       help="move each letter into FOLDER on the server once it is home")
    fetch.add_argument("--mark-seen", action="store_true", help="mark each letter as read on the server")
    fetch.add_argument("--again", action="store_true",
                       help="read every message again, not only those since the last fetch")
    mail_import = action("import", "readers' letters from .eml files, an mbox or a Maildir folder")
    mail_import.add_argument("files", nargs="+", type=Path, metavar="FILE")
    pull = action("pull", "fetch new letters from a receiver (token: $FIRESIDE_INBOX_TOKEN)", "url")
    pull.add_argument("--no-spam", action="store_true", help="leave suspected spam on the receiver")
    pull.add_argument("--allow-http", action="store_true", help="allow plain http to another machine")
    serve = action("serve", "run the receiver on an embedded WSGI server")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8025, help="port to listen on (default: 8025)")
    serve.add_argument(
        "--manifest",
        help="the built site's fireside-manifest.json, a path or its https:// URL "
        "(default: $FIRESIDE_MANIFEST, else from site.yaml's output folder)",
    )


def _inbox_site(args: argparse.Namespace) -> tuple[Path | None, SiteConfig | None]:
    """(site root, SiteConfig) when there is a site.yaml, else (None, None).

    Outside a site, the author's commands need to be told where the letters are (--inbox,
    $FIRESIDE_INBOX_DIR, or an inbox/ folder here); else they would say "No letters."
    about a folder that is not an inbox at all. The receiver keeps its ./inbox default.
    """
    import os

    from generator.inbox.settings import DEFAULT_INBOX
    from generator.site.config import load_config

    config_file = args.config or Path(CONFIG_NAME)
    if not config_file.is_file():
        if args.config is not None:
            raise no_site(args.config, given=True)
        told = args.inbox is not None or os.environ.get("FIRESIDE_INBOX_DIR")
        if not told and args.inbox_command != "serve" and not Path(DEFAULT_INBOX).is_dir():
            also = ", or --inbox DIR for a folder of letters"
            raise no_site(config_file, given=False, needs=", so no inbox to read", also=also)
        return None, None
    return config_file.resolve().parent, load_config(config_file)


def _inbox_dir(args: argparse.Namespace, site_root: Path | None) -> Path:
    import os

    from generator.inbox.settings import DEFAULT_INBOX

    if args.inbox is not None:
        return args.inbox
    if os.environ.get("FIRESIDE_INBOX_DIR"):
        return Path(os.environ["FIRESIDE_INBOX_DIR"])
    return (site_root or Path.cwd()) / DEFAULT_INBOX


def run_inbox(args: argparse.Namespace) -> int:
    from generator.inbox.commands import CommandError
    from generator.inbox.mail import MailError
    from generator.inbox.mailbox.account import MailboxError
    from generator.inbox.mailbox.files import MailFileError
    from generator.inbox.pull import PullError
    from generator.inbox.settings import SettingsError
    from generator.inbox.store import StoreUnavailable, ThoughtNotFound

    try:
        return _inbox_command(args)
    except ThoughtNotFound as exc:
        print(
            f"error: no letter has {exc.args[0]!r} in its id "
            "(fireside inbox list --all shows every letter's id; spam: --spam)",
            file=sys.stderr,
        )
    except (CommandError, MailError, PullError, SettingsError, MailboxError, MailFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except StoreUnavailable as exc:
        print(f"error: {exc.strerror}", file=sys.stderr)
    return EXIT_ERRORS


def _inbox_command(args: argparse.Namespace) -> int:
    from generator.inbox.commands import CommandError
    from generator.inbox.showing import ambiguous
    from generator.inbox.store import AmbiguousId, InboxStore

    action = args.inbox_command or "list"
    site_root, config = _inbox_site(args)
    store = InboxStore(_inbox_dir(args, site_root))
    try:
        return _inbox_action(args, action, store, site_root, config)
    except AmbiguousId as exc:
        raise CommandError(ambiguous(store, exc.given, exc.candidates)) from None


def _inbox_action(
    args: argparse.Namespace,
    action: str,
    store: InboxStore,
    site_root: Path | None,
    config: SiteConfig | None,
) -> int:
    import os

    from generator.inbox import commands, replying, showing

    if action == "serve":
        return _inbox_serve(args, store.root)
    if action == "pull":
        return _inbox_pull(args, store)
    if action in ("fetch", "import"):
        if site_root is None or config is None:
            needs = f"`inbox {action}` needs the site (its posts): run it beside site.yaml or pass --config"
            raise SiteError(CONFIG_NAME, None, needs)
        return _inbox_mail(args, action, store, site_root, config)
    if action == "list":
        everything, spam = getattr(args, "all", False), getattr(args, "spam", False)
        lines = showing.listing(store, everything=everything, spam=spam)
        print("\n".join(lines) if lines else "No letters.")
        _preview_note(store)
    elif action == "show":
        print(showing.show(store, args.id))
    elif action == "people":
        lines = showing.people_lines(showing.people(store))
        print("\n".join(lines) if lines else "No letters.")
    elif action == "archive":
        say(args, f"Archived {commands.archive(store, args.id).id}.")
    elif action == "unspam":
        say(args, f"{commands.unspam(store, args.id).id} is back among the new letters.")
    elif action == "forget":
        return _inbox_forget(args, store, site_root)
    elif action == "publish":
        if site_root is None:
            raise SiteError(CONFIG_NAME, None, "publishing needs the site: run this beside site.yaml")
        path = commands.publish(store, args.id, site_root, with_answer=not args.no_answer)
        say(args, f"Published as {path.relative_to(site_root)}; it appears under its post on the next build.")
    elif action == "reply":
        from generator.inbox.mail import smtp_from_env

        author_name, author_email = (config.author.name, config.author.email) if config else ("", "")
        sender = replying.reply_sender(os.environ, author_name, author_email)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        smtp = smtp_from_env(os.environ, config.inbox if config else None)
        done = replying.reply(store, args.id, editor=editor, sender=sender, smtp=smtp)
        thought_id = done.thought.id
        if done.sent:
            stale = f" (the unsent draft {done.draft} is removed)" if done.draft else ""
            say(args, f"Sent your answer to {done.thought.email}; {thought_id} is answered{stale}.")
        else:
            print(f"Nothing was sent: no SMTP server is set (FIRESIDE_SMTP_HOST). Your answer is a draft in "
                  f"{done.draft}, and {thought_id} stays unanswered (drafted) until it is sent.")
            print("Open the draft in your mail program, or use this link:")
            print(done.mailto)
            print(f"Once you have sent it: fireside inbox sent {thought_id}")
    elif action == "sent":
        done = replying.confirm_sent(store, args.id)
        removed = f"; the draft {done.draft} is removed" if done.draft else ""
        say(args, f"{done.thought.id} is answered{removed}.")
    return EXIT_OK


def _preview_note(store: InboxStore) -> None:
    """Say where the letters sent from `fireside serve` are: never among readers' ones."""
    from generator.inbox.store import InboxStore

    tries = InboxStore(store.root / PREVIEW_FOLDER)
    count = sum(1 for _ in tries.paths(("new", "spam")))
    if count:
        print(f"({plural(count, 'letter')} sent from the preview: fireside inbox --inbox {tries.root} list)")


def _inbox_forget(args: argparse.Namespace, store: InboxStore, site_root: Path | None) -> int:
    from generator.inbox.commands import forget

    if not args.yes:
        if not sys.stdin.isatty():
            print("error: forgetting cannot be undone: add --yes to confirm", file=sys.stderr)
            return EXIT_USAGE
        answer = input(f"Delete every letter from {args.email}, with your answers? Type yes: ")
        if answer.strip().lower() != "yes":
            print("Nothing deleted.")
            return EXIT_OK
    done = forget(store, args.email, site_root)
    letters, files = list(done.letters), list(done.files)
    if (store.root / PREVIEW_FOLDER).is_dir():  # the author's tries may hold the address too
        from generator.inbox.store import InboxStore

        tries = forget(InboxStore(store.root / PREVIEW_FOLDER), args.email, None)
        letters, files = letters + list(tries.letters), files + list(tries.files)
    say(args, f"Forgot {plural(len(letters), 'letter')} ({plural(len(files), 'file')} deleted).")
    if done.published:
        print("Published letters were removed too: build and publish the site again to take them down.")
    return EXIT_OK


def _inbox_mail(args: argparse.Namespace, action: str, store: InboxStore, site_root: Path,
                config: SiteConfig) -> int:
    import os
    from email.utils import parseaddr

    from generator.inbox.mailbox.about import site_posts
    from generator.inbox.mailbox.letters import Letters

    posts = site_posts(site_root, config)
    me = [config.author.email, parseaddr(os.environ.get("FIRESIDE_SMTP_FROM", ""))[1]]
    if "@" in config.inbox.imap.user:
        me.append(config.inbox.imap.user)
    letters = Letters(store, posts, me)
    outcome: Outcome
    if action == "import":
        from generator.inbox.mailbox.files import emails_in

        found = [item for path in args.files for item in emails_in(path)]
        outcome = letters.take(found)
        say(args, f"Imported {_outcome(outcome)}.")
        return EXIT_OK
    from generator.inbox.mailbox.account import account_from
    from generator.inbox.mailbox.fetch import FetchOptions, fetch

    account = account_from(config.inbox.imap, site_root, os.environ)
    options = FetchOptions(move_to=args.move_to, mark_seen=args.mark_seen, again=args.again)
    result = fetch(account, letters, posts, options)
    read = ", ".join(f"{count} in {folder}" for folder, count in result.read.items())
    say(args, f"Fetched {_outcome(result.outcome)} (new messages: {read}).")
    if result.changed:
        done = f"moved to {args.move_to}" if args.move_to else "marked as read"
        say(args, f"{plural(result.changed, 'message')} {done} on the server.")
    if result.sent_folder is None:
        say(args, "warning: no Sent folder found (set inbox.imap.sent): answers sent from your mail program "
            "are not seen", error_stream=True)
    return EXIT_OK


def _outcome(outcome: Outcome) -> str:
    parts = [plural(len(outcome.letters), "new letter")]
    if outcome.spam:
        parts[0] += f" ({len(outcome.spam)} to spam)"
    if outcome.answers:
        parts.append(f"{plural(len(outcome.answers), 'answer')} of yours")
    if outcome.replies:
        replies = len(outcome.replies)
        parts.append(f"{replies} {'reply' if replies == 1 else 'replies'} from readers")
    parts.append(f"{outcome.already} already home")
    parts.append(f"{plural(outcome.ignored, 'other email')} left alone")
    return ", ".join(parts)


def _inbox_pull(args: argparse.Namespace, store: InboxStore) -> int:
    import os

    from generator.inbox.pull import pull

    token = os.environ.get("FIRESIDE_INBOX_TOKEN", "")
    result = pull(args.url, token, store, allow_http=args.allow_http, include_spam=not args.no_spam)
    spam = f" ({result.spam} suspected spam)" if result.spam else ""
    say(args, f"Pulled {plural(len(result.fetched), 'new letter')}{spam}.")
    return EXIT_OK


def _inbox_serve(args: argparse.Namespace, inbox_dir: Path) -> int:
    import errno
    import signal
    import threading

    from generator.inbox import create_app
    from generator.inbox.server import make_server, start_in_thread
    from generator.inbox.settings import settings_from_env

    config_file = args.config or (Path(CONFIG_NAME) if Path(CONFIG_NAME).is_file() else None)
    settings = settings_from_env(inbox_dir=inbox_dir, manifest=args.manifest, config_file=config_file)
    if isinstance(settings.manifest, Path) and not settings.manifest.is_file():
        print(
            f"warning: no {settings.manifest} yet: letters are answered 503 until the site is built",
            file=sys.stderr,
        )
    app = create_app(settings)
    try:
        server = make_server(app, args.host, args.port)
    except OSError as exc:
        why = exc.strerror or str(exc)
        if exc.errno == errno.EADDRINUSE:  # a receiver's port is what its proxy points at: no other
            why = f"port {args.port} is in use (another receiver?); choose a free one with --port"
        print(f"error: cannot listen on {args.host}:{args.port}: {why}", file=sys.stderr)
        return EXIT_ERRORS
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    start_in_thread(server)
    print(f"Receiving letters at {server.url} into {settings.inbox_dir} (Ctrl-C to stop)", flush=True)
    # One line per stored letter (its id and post, never its text or address), unless -q.
    with say_each_letter(RECEIVER_LOGGER, args.quiet), contextlib.suppress(KeyboardInterrupt):
        stopped.wait()
    server.shutdown()
    server.server_close()
    app.close()
    return EXIT_OK


def preview_inbox(config_file: Path) -> tuple[InboxApp, list[Path]]:
    """The receiver for `fireside serve`: letters from the preview's forms go to the site's inbox.

    Returns the app and a list to put the preview's output folder in once it exists (the
    manifest is found there).
    """
    from generator.build.manifest import MANIFEST_PATH
    from generator.inbox import create_app
    from generator.inbox.ratelimit import RateLimits
    from generator.inbox.settings import ReceiverSettings, SettingsError, limits_from_config
    from generator.inbox.validation import Limits
    from generator.site.config import load_config

    try:
        limits, _ = limits_from_config(load_config(config_file).inbox)
    except (BuildFailed, SettingsError):
        limits = Limits()  # the preview shows what is wrong with site.yaml; its forms still work
    output: list[Path] = []
    settings = ReceiverSettings(
        # The author's own tries, kept apart from readers' letters (see `_preview_note`).
        inbox_dir=_inbox_dir(argparse.Namespace(inbox=None), config_file.resolve().parent) / PREVIEW_FOLDER,
        manifest=lambda: output[0] / MANIFEST_PATH if output else None,
        token="",  # no pull API on a preview: the letters are already home
        limits=limits,
        rates=RateLimits(per_address=0, per_network=0),  # the author tries the form freely
    )
    return create_app(settings), output
