"""Dates as leniently as the generators they were written for (stdlib only).

YAML and TOML give dates and datetimes of their own; everything else arrives as text, and
other generators accept a lot: Jekyll's `2013-11-22 5:00:00 +0000`, Hugo's
`2013-11-22T05:00:00Z`, Pelican's `2013-11-22 05:00` or `2013/11/22`, RFC 2822 from
exported feeds, one-digit months and days. A date without a zone is in the site's zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any

_DATE_TEXT = re.compile(
    r"""^(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})
    (?:[T\s]+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:[.,](?P<fraction>\d+))?)?)?
    \s*(?P<zone>Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?)?$""",
    re.VERBOSE | re.IGNORECASE,
)
# Eleventy's words for "the file's own date": the file's modification time stands in.
FILE_DATE_WORDS = frozenset({"last modified", "created", "git last modified", "git created"})


def to_datetime(value: Any, tz: tzinfo) -> datetime | None:
    """A YAML/TOML date, datetime or date text as an aware datetime (naive ones in `tz`)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        parsed = _from_text(value.strip())
        if parsed is None:
            return None
        moment = parsed
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def _from_text(text: str) -> datetime | None:
    match = _DATE_TEXT.match(text)
    if match is None:
        return _from_email_date(text)
    try:
        fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
        moment = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"] or 0),
            int(match["minute"] or 0),
            int(match["second"] or 0),
            int(fraction),
        )
    except ValueError:
        return None
    zone = _zone(match["zone"])
    return moment.replace(tzinfo=zone) if zone is not None else moment


def _zone(text: str | None) -> timezone | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = (int(digits[:-2] or 0), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if hours > 23 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_email_date(text: str) -> datetime | None:
    """RFC 2822 dates ("Sat, 22 Nov 2013 05:00:00 +0000"), as feeds and exports write them."""
    if not re.search(r"[A-Za-z]{3}", text) or not re.search(r"\d{4}", text):
        return None
    # Imported here, where such a date is met: the email package is 0.8 MiB of a build's
    # memory, and most sites write no such date.
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
