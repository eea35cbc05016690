"""'Did you mean ...?': the nearest right name for a misspelt one (stdlib only)."""

from __future__ import annotations

import typing


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the nearest of `choices`, a case-only difference included; else ''."""
    options = list(choices)
    folded = {option.casefold(): option for option in options}
    if word.casefold() in folded and folded[word.casefold()] != word:
        return f" (did you mean {folded[word.casefold()]!r}?)"
    import difflib  # here, where a name is misspelt: every build would load it otherwise

    close = difflib.get_close_matches(word, options, n=1, cutoff=0.75)
    if not close:
        close = difflib.get_close_matches(word.casefold(), list(folded), n=1, cutoff=0.75)
        close = [folded[c] for c in close]
    return f" (did you mean {close[0]!r}?)" if close else ""


def timezone_names() -> set[str]:
    from zoneinfo import available_timezones  # only for an unknown zone: it reads the whole database

    return available_timezones()
