"""Ids of new articles: the next free one in the base's own scheme, or a configured pattern."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from kbctl.errors import ConfigError
from kbctl.i18n import _

# An id with one number in it: "KB-0061", "faq-12", "0042".
_NUMBERED = re.compile(r"(?P<prefix>\D*)(?P<number>\d{1,12})(?P<suffix>\D*)")
_HASHES = re.compile(r"#+")
DEFAULT_PATTERN = "KB-####"


def id_pattern(ids: Iterable[str]) -> str:
    """The dominant numbered pattern among ``ids`` as a ``#`` pattern ("KB-####");
    :data:`DEFAULT_PATTERN` when no id has a number."""
    shapes: Counter[tuple[str, str, int]] = Counter()
    for value in ids:
        match = _NUMBERED.fullmatch(value.strip())
        if match is not None and "#" not in value:
            shapes[(match["prefix"], match["suffix"], len(match["number"]))] += 1
    if not shapes:
        return DEFAULT_PATTERN
    families: Counter[tuple[str, str]] = Counter()
    for (prefix, suffix, _width), count in shapes.items():
        families[(prefix, suffix)] += count
    (prefix, suffix), _count = families.most_common(1)[0]
    widths = Counter({w: c for (p, s, w), c in shapes.items() if (p, s) == (prefix, suffix)})
    width = widths.most_common(1)[0][0]
    return f"{prefix}{'#' * width}{suffix}"


def next_id(ids: Iterable[str], pattern: str | None = None) -> str:
    """The id after the highest one in ``pattern`` (default: the dominant pattern of
    ``ids``), never one of ``ids`` (compared without case).

    A pattern has exactly one run of ``#``: the number, zero-padded to the run's length.
    Raises ConfigError for a pattern without one.
    """
    known = [value.strip() for value in ids if isinstance(value, str)]
    chosen = pattern if pattern is not None else id_pattern(known)
    runs = _HASHES.findall(chosen)
    if len(runs) != 1 or len(runs[0]) > 12:
        raise ConfigError(
            _("id pattern {pattern} must have exactly one run of up to 12 '#' (the number)").format(
                pattern=repr(chosen)
            ),
            hint=_('e.g. [new] id_pattern = "KB-####" in kbctl.toml'),
        )
    prefix, suffix = _HASHES.split(chosen)
    width = len(runs[0])
    shape = re.compile(re.escape(prefix) + r"(\d{1,18})" + re.escape(suffix), re.IGNORECASE)
    numbers = [int(m.group(1)) for value in known if (m := shape.fullmatch(value))]
    used = {value.casefold() for value in known}
    number = max(numbers, default=0) + 1
    while True:
        candidate = f"{prefix}{number:0{width}d}{suffix}"
        if candidate.casefold() not in used:
            return candidate
        number += 1
