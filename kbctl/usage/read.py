"""Reading and merging usage logs: from one agent or many, in any order, possibly damaged.

Every log is untrusted data: a line that is not a valid event is skipped with a
``path:line`` diagnostic (the first few per file, then a count), a torn last line (a writer
cut off, a copy taken mid-write) is a warning, and a file larger than the cap is read from
its newest part only. The same event found in several logs (copies of one file, a log
merged twice) is counted once: by its ``id``, else by its whole content. Events come out
sorted by time.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from sys import intern
from typing import NamedTuple

from kbctl.model import Diagnostic, Severity

# The newest part of a bigger log is read (~1.5M events); a line longer than this is damage.
MAX_LOG_BYTES = 512 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024
# Per file, the first malformed lines are reported one by one, the rest counted.
MAX_REPORTED = 20
MAX_SHOWN = 50


class Event(NamedTuple):
    """One usage event, as read from a log.

    ``session`` groups events of one sitting: the event's own ``session`` field, else its
    log and user (the analyses then also split on long pauses).
    """

    when: datetime
    event: str
    query: str | None
    hits: int | None
    shown: tuple[str, ...]
    opened: str | None
    session: str
    user: str | None


@dataclass(slots=True)
class UsageLog:
    """Events merged from one or more logs, oldest first, with the problems met."""

    events: list[Event] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    duplicates: int = 0

    @property
    def first(self) -> datetime | None:
        """The time of the oldest event (None when there is none)."""
        return self.events[0].when if self.events else None

    @property
    def last(self) -> datetime | None:
        """The time of the newest event."""
        return self.events[-1].when if self.events else None


def read_logs(
    paths: Sequence[Path], *, since: datetime | None = None, max_bytes: int = MAX_LOG_BYTES
) -> UsageLog:
    """Merge the usage logs at ``paths``: events counted once, sorted by time; events before
    ``since`` left out. A missing or unreadable file is a diagnostic, not an error."""
    result = UsageLog()
    seen: set[str | bytes] = set()
    for number, path in enumerate(paths):
        shown = str(path)
        result.files.append(shown)
        data = _read_capped(path, shown, max_bytes, result.diagnostics)
        if data is None:
            continue
        _parse(data, shown, f"{number}", seen, since, result)
    result.events.sort(key=lambda item: item.when)
    return result


def _read_capped(
    path: Path, shown: str, max_bytes: int, diagnostics: list[Diagnostic]
) -> bytes | None:
    """The file's bytes: its newest ``max_bytes`` (from a line start) when it is bigger."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        diagnostics.append(Diagnostic(shown, 1, f"cannot read the usage log: {error.strerror}"))
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            diagnostics.append(Diagnostic(shown, 1, "not a regular file; not read"))
            return None
        if info.st_size <= max_bytes:
            return handle.read(max_bytes)
        handle.seek(info.st_size - max_bytes)
        data = handle.read(max_bytes)
    cut = data.find(b"\n") + 1
    diagnostics.append(
        Diagnostic(
            shown,
            1,
            f"usage log larger than {max_bytes // (1024 * 1024)} MiB: only its newest part is"
            " read (rotate or split the log)",
            Severity.WARNING,
        )
    )
    return data[cut:]


def _parse(
    data: bytes,
    shown: str,
    source: str,
    seen: set[str | bytes],
    since: datetime | None,
    result: UsageLog,
) -> None:
    import orjson

    lines = data.split(b"\n")
    torn = lines[-1] != b""
    if not torn:
        lines.pop()
    last = len(lines)
    bad = 0
    loads, events, add_seen, duplicates = orjson.loads, result.events, seen.add, 0
    sessions: dict[str, str] = {}
    for number, raw in enumerate(lines, 1):
        problem = ""
        event = None
        if len(raw) > MAX_LINE_BYTES:
            problem = f"line longer than {MAX_LINE_BYTES // 1024} KiB"
        else:
            try:
                record = loads(raw)
            except ValueError:
                if not raw.strip():
                    continue
                problem = "not a JSON line"
            else:
                event, problem = _event(record, source, sessions)
        if event is None:
            if torn and number == last:
                result.diagnostics.append(
                    Diagnostic(
                        shown,
                        number,
                        "truncated last line (a write cut off, or a copy taken mid-write); skipped",
                        Severity.WARNING,
                    )
                )
                continue
            bad += 1
            if bad <= MAX_REPORTED:
                # The line in the part read: the whole file unless it was over the cap.
                result.diagnostics.append(
                    Diagnostic(shown, number, f"skipped: {problem}", Severity.WARNING)
                )
            continue
        key = record.get("id")
        if type(key) is not str or not key:
            key = raw.strip()
        if key in seen:
            duplicates += 1
            continue
        add_seen(key)
        if since is not None and event.when < since:
            continue
        events.append(event)
    result.duplicates += duplicates
    if bad > MAX_REPORTED:
        result.diagnostics.append(
            Diagnostic(
                shown,
                1,
                f"{bad - MAX_REPORTED} more malformed lines skipped",
                Severity.WARNING,
            )
        )


_STR = {str}


def _event(record: object, source: str, sessions: dict[str, str]) -> tuple[Event | None, str]:
    """The event in one decoded line, or None and why not (the hot path: plain checks)."""
    if type(record) is not dict:
        return None, "not a JSON object"
    get = record.get
    kind = get("event")
    if type(kind) is not str or not kind or len(kind) > 50:
        return None, "no 'event'"
    stamp = get("time")
    when = None
    if type(stamp) is str and len(stamp) <= 40:
        try:
            when = _from_iso(stamp)
        except ValueError:
            pass
        else:
            if when.tzinfo is not UTC:  # "...Z" gives UTC itself: the common case
                when = _utc(when)
    if when is None:
        return None, "no valid 'time' (UTC ISO 8601)"
    query = get("query")
    if query is not None:
        if type(query) is not str:
            return None, "'query' is not text"
        query = intern(query[:500])
    hits = get("hits")
    if hits is not None and (type(hits) is not int or hits < 0):
        return None, "'hits' is not a count"
    shown = get("shown")
    if shown is None:
        ids: tuple[str, ...] = ()
    elif type(shown) is list and (not shown or set(map(type, shown)) == _STR):
        # Interned: a big log repeats the same ids and queries (memory, faster dict keys).
        ids = tuple(map(intern, shown[:MAX_SHOWN]))
    else:
        return None, "'shown' is not a list of ids"
    opened = get("opened")
    if opened is not None:
        if type(opened) is not str:
            return None, "'opened' is not an id"
        opened = intern(opened)
    user = get("user")
    if type(user) is not str:
        user = None
    session = get("session")
    if type(session) is str and session:
        label = "s:" + session
    else:
        label = source + ":" + (user or "")
    # One string per session, shared by its events (memory, and fast dict keys later).
    label = sessions.setdefault(label, label)
    return Event(when, intern(kind), query, hits, ids, opened, label, user), ""


_from_iso = datetime.fromisoformat


def _utc(when: datetime) -> datetime:
    """A moment in UTC (a time without an offset is taken as UTC)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when if when.utcoffset() == _ZERO else when.astimezone(UTC)


_ZERO = timedelta(0)


def existing(paths: Iterable[Path]) -> list[Path]:
    """The paths that exist (a configured log not written yet is not an error)."""
    return [path for path in paths if path.exists()]
