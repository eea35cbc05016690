"""The IMAP account `fireside inbox fetch` reads: site.yaml's `inbox.imap` and a password
that never comes from site.yaml (which is usually in git).

The password is taken from FIRESIDE_IMAP_PASSWORD, else from the system keyring where
one is present: the `keyring` package if it is installed, else libsecret's `secret-tool`
(Linux desktops) or macOS's `security`, all asked for service "fireside" and account
"USER@HOST". It is never logged, printed or put into an error message.
"""

from __future__ import annotations

import ipaddress
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.site.config import ImapConfig

SECURITY = ("tls", "starttls", "none")
KEYRING_SERVICE = "fireside"
PASSWORD_VARIABLE = "FIRESIDE_IMAP_PASSWORD"


class MailboxError(Exception):
    """The mailbox cannot be used as asked; the message says why and what to do (never a secret)."""


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    security: str = "tls"
    folders: tuple[str, ...] = ("INBOX",)
    sent: str = ""
    junk: str = ""
    cafile: Path | None = None
    timeout: float = 30.0

    @property
    def label(self) -> str:
        return f"{self.user}@{self.host}:{self.port}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def account_from(config: ImapConfig, site_root: Path, env: Mapping[str, str]) -> ImapAccount:
    """The account to fetch from; MailboxError naming what is missing or wrong."""
    where = "site.yaml: inbox.imap"
    if not config.host:
        raise MailboxError(f"no mailbox to fetch from: set {where}.host and .user (README: Inbox)")
    if not config.user:
        raise MailboxError(f"{where}.user is not set (the login of the mailbox)")
    security = config.security.lower()
    if security not in SECURITY:
        raise MailboxError(f"{where}.security must be one of {', '.join(SECURITY)}, not {config.security!r}")
    if security == "none" and not is_loopback(config.host):
        raise MailboxError(
            f"{where}.security is none: refusing to send a password unencrypted to {config.host} "
            "(use tls, or starttls)"
        )
    port = config.port or (993 if security == "tls" else 143)
    if not 0 < port < 65536:
        raise MailboxError(f"{where}.port must be a port number, not {config.port}")
    cafile = None
    if config.cafile:
        cafile = (site_root / config.cafile).resolve()
        if not cafile.is_file():
            raise MailboxError(f"{where}.cafile: no such file {cafile}")
    folders = tuple(f for f in config.folders if f.strip()) or ("INBOX",)
    password = password_for(env, config.user, config.host)
    return ImapAccount(
        host=config.host, port=port, user=config.user, password=password, security=security,
        folders=folders, sent=config.sent, junk=config.junk, cafile=cafile,
    )  # fmt: skip


def password_for(env: Mapping[str, str], user: str, host: str) -> str:
    if env.get(PASSWORD_VARIABLE):
        return env[PASSWORD_VARIABLE]
    account = f"{user}@{host}"
    found = _from_keyring(account, env)
    if found:
        return found
    raise MailboxError(
        f"no password for {account}: set {PASSWORD_VARIABLE}, or keep it in your system keyring "
        f"(service {KEYRING_SERVICE!r}, account {account!r}), e.g. "
        f"`secret-tool store --label=Fireside service {KEYRING_SERVICE} account {account}` or "
        f"`security add-generic-password -s {KEYRING_SERVICE} -a {account} -w`"
    )


def _from_keyring(account: str, env: Mapping[str, str]) -> str:
    try:
        import keyring  # an optional package: used when the author has it
    except ImportError:
        keyring = None
    if keyring is not None:
        try:
            value = keyring.get_password(KEYRING_SERVICE, account)
        except Exception:  # no usable backend: try the system's tools
            value = None
        if value:
            return str(value)
    path = env.get("PATH")
    commands = []
    if shutil.which("secret-tool", path=path):
        commands.append(["secret-tool", "lookup", "service", KEYRING_SERVICE, "account", account])
    if sys.platform == "darwin" and shutil.which("security", path=path):
        commands.append(["security", "find-generic-password", "-s", KEYRING_SERVICE, "-a", account, "-w"])
    for command in commands:
        command[0] = shutil.which(command[0], path=path) or command[0]
        try:
            done = subprocess.run(
                command, capture_output=True, timeout=20, check=False, stdin=subprocess.DEVNULL
            )
        except (OSError, subprocess.SubprocessError):
            continue
        value = done.stdout.decode("utf-8", "replace").rstrip("\r\n")
        if done.returncode == 0 and value:
            return value
    return ""
