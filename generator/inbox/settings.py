"""The receiver's settings: from arguments, environment variables and site.yaml.

In production the receiver usually runs on a small server without the site's source, so
everything it needs can come from the environment:

    FIRESIDE_INBOX_DIR        where letters are stored (default: ./inbox)
    FIRESIDE_MANIFEST         the built site's fireside-manifest.json (which posts exist): a path,
                              or its URL on the published site (https://.../fireside-manifest.json)
    FIRESIDE_MANIFEST_REFRESH seconds between checks that a manifest URL changed (default 60)
    FIRESIDE_CONFIG           a site.yaml to take limits and defaults from (optional)
    FIRESIDE_INBOX_TOKEN      the bearer token `fireside inbox pull` must present
    FIRESIDE_THANKS_URL       where the form without JavaScript lands (default: <site>/thanks/)
    FIRESIDE_ALLOWED_ORIGINS  comma-separated origins allowed to post (CORS)
    FIRESIDE_TRUST_PROXY      1: take the client address from X-Forwarded-For (behind a proxy)
    FIRESIDE_INBOX_<LIMIT>    any limit of site.yaml's inbox section, e.g. FIRESIDE_INBOX_MAX_MESSAGE
    FIRESIDE_NOTIFY_TO        send a short notice per letter to this address, through
    FIRESIDE_SMTP_HOST, _PORT, _SECURITY, _USER, _PASSWORD, _FROM
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from generator.build.manifest import MANIFEST_PATH
from generator.inbox.mail import MailError, SmtpSettings, smtp_from_env
from generator.inbox.ratelimit import RateLimits
from generator.inbox.validation import Limits, is_email
from generator.site.config import CONFIG_NAME, InboxConfig, load_config

DEFAULT_INBOX = "inbox"
LIMIT_KEYS = (
    "max_name", "max_email", "max_message", "max_links", "max_body", "min_seconds",
    "per_address", "per_network", "rate_window",
)  # fmt: skip
_AT_LEAST_ONE = ("max_name", "max_email", "max_message", "max_body", "rate_window")
MIN_TOKEN = 16


class SettingsError(ValueError):
    """A setting that cannot work; the message names it (never a secret's value)."""


# A path, a function finding one (the preview), or the URL of the published site's manifest.
ManifestSource = Path | Callable[[], Path | None] | str


@dataclass(frozen=True)
class Notice:
    smtp: SmtpSettings
    to: str


@dataclass(frozen=True)
class ReceiverSettings:
    inbox_dir: Path
    manifest: ManifestSource  # a path, (for the preview) a function finding it, or an http(s) URL
    token: str = field(default="", repr=False)  # empty: the pull API refuses everyone
    limits: Limits = field(default_factory=Limits)
    rates: RateLimits = field(default_factory=RateLimits)
    allowed_origins: tuple[str, ...] = ()
    thanks_url: str = ""
    trust_proxy: bool = False
    notice: Notice | None = None
    manifest_refresh: float = 60.0  # seconds: how often a manifest URL is asked whether it changed


def limits_from_config(inbox: InboxConfig) -> tuple[Limits, RateLimits]:
    values = {key: getattr(inbox, key) for key in LIMIT_KEYS}
    check_limits(values, "site.yaml: inbox.")
    return _split_limits(values)


def check_limits(values: Mapping[str, int], label: str) -> None:
    for key, value in values.items():
        least = 1 if key in _AT_LEAST_ONE else 0
        if value < least:
            raise SettingsError(f"{label}{key} must be at least {least}")


def _split_limits(values: Mapping[str, int]) -> tuple[Limits, RateLimits]:
    limits = Limits(**{k: values[k] for k in ("max_name", "max_email", "max_message", "max_links",
                                                "max_body", "min_seconds")})
    rates = RateLimits(values["per_address"], values["per_network"], float(values["rate_window"]))
    return limits, rates


def settings_from_env(
    env: Mapping[str, str] | None = None,
    *,
    inbox_dir: Path | None = None,
    manifest: Path | str | None = None,
    config_file: Path | None = None,
) -> ReceiverSettings:
    """Settings from explicit arguments, then the environment, then site.yaml, then defaults."""
    env = os.environ if env is None else env
    config_path = config_file or (Path(env["FIRESIDE_CONFIG"]) if env.get("FIRESIDE_CONFIG") else None)
    inbox = InboxConfig()
    site_root: Path | None = None
    output_dir: Path | None = None
    if config_path is not None:
        config = load_config(config_path)  # BuildFailed names what is wrong with the file
        inbox, site_root = config.inbox, config_path.resolve().parent
        output_dir = site_root / config.output_dir
    values = {key: getattr(inbox, key) for key in LIMIT_KEYS}
    for key in LIMIT_KEYS:
        name = f"FIRESIDE_INBOX_{key.upper()}"
        if env.get(name):
            try:
                values[key] = int(env[name])
            except ValueError:
                raise SettingsError(f"{name} must be a whole number") from None
    check_limits(values, "inbox ")
    limits, rates = _split_limits(values)

    folder = inbox_dir or (Path(env["FIRESIDE_INBOX_DIR"]) if env.get("FIRESIDE_INBOX_DIR") else None)
    folder = folder or ((site_root / DEFAULT_INBOX) if site_root else Path(DEFAULT_INBOX))
    given = str(manifest) if manifest is not None else env.get("FIRESIDE_MANIFEST", "")
    manifest_path: Path | str | None = (
        given if given.startswith(("http://", "https://")) else Path(given) if given else None
    )
    if isinstance(manifest_path, str):
        check_manifest_url(manifest_path)
    try:
        refresh = float(env.get("FIRESIDE_MANIFEST_REFRESH", "") or 60)
    except ValueError:
        raise SettingsError("FIRESIDE_MANIFEST_REFRESH must be a number of seconds") from None
    if manifest_path is None and output_dir is not None:
        manifest_path = output_dir / MANIFEST_PATH
    if manifest_path is None:
        raise SettingsError(
            "which posts exist? set FIRESIDE_MANIFEST to the built site's "
            f"{MANIFEST_PATH} (or pass --manifest, or --config {CONFIG_NAME})"
        )

    token = env.get("FIRESIDE_INBOX_TOKEN", "")
    if token and len(token) < MIN_TOKEN:
        raise SettingsError(f"FIRESIDE_INBOX_TOKEN is too short: use at least {MIN_TOKEN} random characters")
    origins = tuple(
        o.strip().rstrip("/") for o in env.get("FIRESIDE_ALLOWED_ORIGINS", "").split(",") if o.strip()
    ) or tuple(o.rstrip("/") for o in inbox.allowed_origins)

    notice = None
    if env.get("FIRESIDE_NOTIFY_TO"):
        to = env["FIRESIDE_NOTIFY_TO"].strip()
        if not is_email(to):
            raise SettingsError("FIRESIDE_NOTIFY_TO must be an email address")
        try:
            smtp = smtp_from_env(env, inbox)
        except MailError as exc:
            raise SettingsError(str(exc)) from None
        if smtp is None:
            raise SettingsError("FIRESIDE_NOTIFY_TO needs FIRESIDE_SMTP_HOST (and the other SMTP settings)")
        notice = Notice(smtp, to)

    return ReceiverSettings(
        inbox_dir=folder,
        manifest=manifest_path,
        token=token,
        limits=limits,
        rates=rates,
        allowed_origins=origins,
        thanks_url=env.get("FIRESIDE_THANKS_URL", ""),
        trust_proxy=env.get("FIRESIDE_TRUST_PROXY", "").lower() in ("1", "true", "yes"),
        notice=notice,
        manifest_refresh=max(0.0, refresh),
    )


def check_manifest_url(url: str) -> None:
    """A manifest URL must be https (or http to this machine): it decides which posts exist."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    local = host == "localhost" or host.startswith("127.") or host == "::1"
    if parts.scheme == "http" and not local:
        raise SettingsError(f"FIRESIDE_MANIFEST must be an https URL (or http to this machine), not {url!r}")
    if not host or not parts.path.endswith(".json"):
        raise SettingsError(f"FIRESIDE_MANIFEST: not the URL of a fireside-manifest.json: {url!r}")

