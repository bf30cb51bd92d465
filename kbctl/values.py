"""Pure coercions of messy front-matter values: dates, intervals, lists, globs.

Real bases write the same thing many ways; every function here returns a clean value or
raises ``ValueError`` with a message fit for a diagnostic. "Missing" (empty values and
placeholders such as ``yyyy-mm-dd`` or template expressions) is ``None``, never an error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from kbctl.i18n import N_, _

_PLACEHOLDER = re.compile(
    r"""^(?:
        .*(?:\{\{|\{%|<%|\$\{).*       # template expressions: {{ }}, {% %}, <% %>, ${ }
      | <[^>]*>                        # <date>
      | [ymd]{1,4}(?:[-./][ymd]{1,4}){2}   # yyyy-mm-dd, mm/dd/yyyy, dd.mm.yyyy
      | tbd | todo | n/?a | none | null | unknown | -+ | \?+ | x+
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # US style, as in ms.date
_DOT_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")  # Russian/European style
_INTERVAL = re.compile(r"^(\d+)\s*([dwmy]?)$", re.IGNORECASE)
_INTERVAL_UNITS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}
_CURLY_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb"


def is_missing(value: object) -> bool:
    """True for values that mean "not filled in": None, blanks, placeholders."""
    if value is None:
        return True
    if isinstance(value, str):
        text = value.strip().strip(_CURLY_QUOTES).strip()
        return not text or bool(_PLACEHOLDER.match(text))
    if isinstance(value, (list, tuple, dict)):
        return len(value) == 0
    return False


EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
LONGEST_INTERVAL_DAYS = 100 * 365


def parse_date(value: object, *, day_first: bool = False) -> date | None:
    """Read a date (see :func:`_parse_date`) and refuse ones outside 1900-2200.

    Far-off dates are typos (``9999-12-31``) and would overflow date arithmetic later.
    ``day_first`` reads slash dates as ``D/M/YYYY`` (``[dates] slash = "day-first"``).
    """
    parsed = _parse_date(value, day_first)
    if parsed is not None and not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise ValueError(
            _("date {date} is out of range (1900-2200)").format(date=parsed.isoformat())
        )
    return parsed


def _parse_date(value: object, day_first: bool = False) -> date | None:
    """Read a date from YAML: a date, a datetime, ISO or YAML timestamp text, ``M/D/YYYY``
    or ``D.M.YYYY``.

    Returns None when missing; raises ValueError when present but unreadable.
    Datetimes with an offset are converted to UTC before taking the date.
    """
    if is_missing(value):
        return None
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(_("expected a date, got {type}").format(type=type_name(value)))
    text = str(value).strip().strip(_CURLY_QUOTES).strip()
    try:
        if match := _ISO_DATE.match(text):
            year, month, day = (int(part) for part in match.groups())
            return date(year, month, day)
        if match := _SLASH_DATE.match(text):
            month, day, year = (int(part) for part in match.groups())
            if day_first:
                month, day = day, month
            return date(year, month, day)
        if match := _DOT_DATE.match(text):
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        parsed = _yaml_timestamp(text) or datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise ValueError(
            _("cannot read date {value} (use YYYY-MM-DD)").format(value=repr(text))
        ) from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC)
    return parsed.date()


def _yaml_timestamp(text: str) -> datetime | None:
    """A date and time in any form YAML's timestamp rule takes (``2001-12-14 21:59:43.10 -5``).

    The front-matter loader keeps timestamps as text, so that a bad one costs only its key;
    this reads them the way YAML would have.
    """

    value = timestamp_value(text)
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value


def parse_interval(value: object) -> int | None:
    """Read a review interval as days: ``90d``, ``2w``, ``6m``, ``1y`` or a number of days."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise ValueError(_("expected an interval such as 90d, 6m or 1y, got a boolean"))
    if isinstance(value, int):
        days = value
    else:
        match = _INTERVAL.match(str(value).strip())
        if not match:
            raise ValueError(
                _("cannot read interval {value} (use 90d, 6m or 1y)").format(value=repr(value))
            )
        days = int(match.group(1)) * _INTERVAL_UNITS[match.group(2).lower()]
    if days <= 0:
        raise ValueError(_("interval must be positive, got {value}").format(value=repr(value)))
    if days > LONGEST_INTERVAL_DAYS:
        raise ValueError(_("interval {value} is longer than 100 years").format(value=repr(value)))
    return days


def parse_list(value: object) -> tuple[str, ...]:
    """Read a list of strings: a YAML list, or one comma-separated string."""
    if is_missing(value):
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = []
        for item in value:
            if isinstance(item, (dict, list, tuple)):
                raise ValueError(
                    _("expected a list of strings, found a {type} in it").format(
                        type=type_name(item)
                    )
                )
            items.append("" if item is None else str(item))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        items = [str(value)]
    else:
        raise ValueError(
            _("expected a list or a comma-separated string, got {type}").format(
                type=type_name(value)
            )
        )
    return tuple(text for text in (item.strip() for item in items) if text)


def parse_text(value: object) -> str | None:
    """Read a scalar as text; raise ValueError for lists and mappings."""
    if is_missing(value):
        return None
    if isinstance(value, (dict, list, tuple)):
        raise ValueError(_("expected text, got a {type}").format(type=type_name(value)))
    return str(value).strip()


def type_name(value: object) -> str:
    """A reader-friendly name for a YAML value's type, in the active language."""
    name = {
        dict: N_("mapping"),
        list: N_("list"),
        tuple: N_("list"),
        str: N_("string"),
        int: N_("number"),
        float: N_("number"),
        bool: N_("boolean"),
        date: N_("date"),
        datetime: N_("date and time"),
    }.get(type(value))
    return _(name) if name else type(value).__name__


def _translate(pattern: str) -> tuple[bool, str]:
    """(whether ``pattern`` is a ``!`` negation, its regex), through wcmatch."""
    from wcmatch import glob

    negated = pattern.startswith("!")
    body = pattern[1:] if negated else pattern
    flags = glob.GLOBSTAR | glob.BRACE | glob.FORCEUNIX | glob.DOTGLOB
    if body.startswith("/"):
        body = body.lstrip("/")  # anchored to the base, as in .gitignore
    else:
        flags |= glob.MATCHBASE  # a pattern without "/" matches at any depth
    if body.endswith("/"):
        body += "**"  # a folder: everything below it
    try:
        regexes, _negative = glob.translate(body, flags=flags)
    except ValueError as error:
        raise ValueError(
            _("cannot read glob {pattern}: {error}").format(pattern=repr(pattern), error=error)
        ) from None
    return negated, "|".join(f"(?:{regex})" for regex in regexes) or "(?!)"


@lru_cache(maxsize=256)
def _matcher(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """One regex for the patterns, one for the ``!`` negations (None: there are none)."""
    positive: list[str] = []
    negative: list[str] = []
    for pattern in patterns:
        negated, regex = _translate(pattern)
        (negative if negated else positive).append(regex)
    return (
        re.compile("|".join(f"(?:{regex})" for regex in positive) or "(?!)"),
        re.compile("|".join(f"(?:{regex})" for regex in negative)) if negative else None,
    )


def glob_match_any(patterns: tuple[str, ...] | list[str], path: str) -> bool:
    """Whether ``path`` matches one of ``patterns`` and none of its ``!`` negations.

    Globs are read by wcmatch: ``*`` and ``?`` stay within one path segment, ``**`` crosses
    segments, ``[ab]`` and ``[!a-z]`` are character classes, ``\\`` escapes, braces
    expand (``*.{md,markdown}``); as in ``.gitignore``, a pattern without ``/`` matches at
    any depth, a leading ``/`` anchors it to the base and a trailing ``/`` matches
    everything below a folder. Matching is one regex per list: fast on big bases.
    """
    if not patterns:
        return False
    positive, negative = _matcher(tuple(patterns))
    return bool(positive.fullmatch(path)) and not (negative and negative.fullmatch(path))


def glob_match(pattern: str, path: str) -> bool:
    """Match a POSIX relative path against one glob (see :func:`glob_match_any`)."""
    return glob_match_any((pattern,), path)


def unmatched_globs(patterns: tuple[str, ...] | list[str], paths: Iterable[str]) -> list[str]:
    """The patterns of ``patterns`` that match none of ``paths`` (negations are not checked:
    taking nothing back out is no mistake)."""
    left = [pattern for pattern in dict.fromkeys(patterns) if not pattern.startswith("!")]
    for path in paths:
        if not left:
            break
        left = [pattern for pattern in left if not glob_match(pattern, path)]
    return left


def timestamp_value(text: str) -> Any:
    """The date or datetime YAML's timestamp rule reads from ``text``; None when it is not one."""
    import yaml

    constructor = _timestamp_constructor()
    if not constructor.timestamp_regexp.match(text):
        return None
    try:
        return constructor.construct_yaml_timestamp(
            yaml.ScalarNode("tag:yaml.org,2002:timestamp", text)
        )
    except (ValueError, OverflowError):
        return None


@functools.cache
def _timestamp_constructor() -> Any:
    import yaml

    return yaml.constructor.SafeConstructor()
