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
from typing import Annotated

import msgspec

from kbctl.i18n import _, ngettext
from kbctl.model import Diagnostic, Severity

# The newest part of a bigger log is read (~1.5M events); a line longer than this is damage.
MAX_LOG_BYTES = 512 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024
# Per file, the first malformed lines are reported one by one, the rest counted.
MAX_REPORTED = 20
MAX_SHOWN = 50
MAX_QUERY = 500


class Event(msgspec.Struct, rename={"when": "time"}, gc=False):
    """One usage event, as read from a log line (validated by msgspec as it is decoded).

    ``session`` groups events of one sitting: after reading, the event's own ``session``
    field prefixed ``s:``, else its log and user (the analyses also split on long pauses).
    """

    when: datetime
    event: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    id: str | None = None
    query: str | None = None
    hits: Annotated[int, msgspec.Meta(ge=0)] | None = None
    shown: list[str] = []
    opened: str | None = None
    session: str = ""
    user: str | None = None


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
    result.events.sort(key=_when)
    return result


def _read_capped(
    path: Path, shown: str, max_bytes: int, diagnostics: list[Diagnostic]
) -> bytes | None:
    """The file's bytes: its newest ``max_bytes`` (from a line start) when it is bigger."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        diagnostics.append(
            Diagnostic(
                shown, 1, _("cannot read the usage log: {reason}").format(reason=error.strerror)
            )
        )
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            diagnostics.append(Diagnostic(shown, 1, _("not a regular file; not read")))
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
            _(
                "usage log larger than {size} MiB: only its newest part is"
                " read (rotate or split the log)"
            ).format(size=max_bytes // (1024 * 1024)),
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
    # Lines are decoded from views of the one buffer: no copy of each line, no list of them.
    view, find, size = memoryview(data), data.find, len(data)
    position = number = bad = duplicates = 0
    decode, events, add_seen = _DECODER.decode, result.events, seen.add
    labels: dict[str | None, str] = {}
    while position < size:
        end = find(b"\n", position)
        torn = end < 0
        if torn:
            end = size
        raw = view[position:end]
        position = end + 1
        number += 1
        try:
            if len(raw) > MAX_LINE_BYTES:
                raise msgspec.DecodeError(_TOO_LONG)
            event = decode(raw)
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            if not bytes(raw).strip():
                continue
            if torn:
                result.diagnostics.append(
                    Diagnostic(
                        shown,
                        number,
                        _(
                            "truncated last line (a write cut off, or a copy taken mid-write); "
                            "skipped"
                        ),
                        Severity.WARNING,
                    )
                )
                continue
            bad += 1
            if bad <= MAX_REPORTED:
                # The line in the part read: the whole file unless it was over the cap.
                result.diagnostics.append(
                    Diagnostic(
                        shown,
                        number,
                        _("skipped: {why}").format(why=_why(error)),
                        Severity.WARNING,
                    )
                )
            continue
        key = event.id or bytes(raw).strip()
        if key in seen:
            duplicates += 1
            continue
        add_seen(key)
        when = event.when
        if when.tzinfo is not UTC:  # "...Z" decodes to UTC itself: the common case
            when = event.when = _utc(when)
        if since is not None and when < since:
            continue
        if event.session:
            event.session = "s:" + event.session[:100]
        else:
            user = event.user
            label = labels.get(user)
            if label is None:
                label = labels[user] = source + ":" + (user or "")
            event.session = label
        if event.query is not None and len(event.query) > MAX_QUERY:
            event.query = event.query[:MAX_QUERY]
        if len(event.shown) > MAX_SHOWN:
            event.shown = event.shown[:MAX_SHOWN]
        events.append(event)
    result.duplicates += duplicates
    if bad > MAX_REPORTED:
        result.diagnostics.append(
            Diagnostic(
                shown,
                1,
                ngettext(
                    "{count} more malformed line skipped",
                    "{count} more malformed lines skipped",
                    bad - MAX_REPORTED,
                ).format(count=bad - MAX_REPORTED),
                Severity.WARNING,
            )
        )


_DECODER = msgspec.json.Decoder(Event)
_TOO_LONG = "line too long"  # the DecodeError of a line over MAX_LINE_BYTES (see _why)


def _why(error: Exception) -> str:
    """msgspec's message, in the words of a log line."""
    text = str(error)
    if isinstance(error, msgspec.DecodeError):
        if text == _TOO_LONG:
            return _("line longer than {size} KiB").format(size=MAX_LINE_BYTES // 1024)
        return _("not a JSON line")
    return text.replace("`$.time`", "'time'").replace("`", "'")


def _utc(when: datetime) -> datetime:
    """A moment in UTC (a time without an offset is taken as UTC)."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when if when.utcoffset() == _ZERO else when.astimezone(UTC)


_ZERO = timedelta(0)


def _when(event: Event) -> datetime:
    return event.when


def existing(paths: Iterable[Path]) -> list[Path]:
    """The paths that exist (a configured log not written yet is not an error)."""
    return [path for path in paths if path.exists()]
