"""Writing the usage log: one JSON line per event, appended under a lock.

Opt-in and private: nothing is written unless ``[usage] enabled = true`` in kbctl.toml or
``$KBCTL_USAGE_LOG`` names a file. No user name is written unless ``[usage] user = true``.

Where the log is: ``$KBCTL_USAGE_LOG`` (the user's own choice: any path, e.g. a shared
folder), else ``[usage] log`` from kbctl.toml (relative to it, and refused when it leaves the
repository: a repository is untrusted and must not make kbctl write elsewhere), else
``usage.jsonl`` in the base's cache folder.

Only the standard library is imported here until an event is actually written (filelock
then), so a command that records nothing pays nothing.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from kbctl.config import Config
from kbctl.errors import ConfigError
from kbctl.i18n import _

ENV_USAGE_LOG = "KBCTL_USAGE_LOG"
LOG_NAME = "usage.jsonl"
FORMAT_VERSION = 1
# The events kbctl itself writes; others (the MCP server, interactive search) add theirs.
SEARCH_EVENTS = frozenset({"search", "interactive-search", "mcp-search"})
OPEN_EVENTS = frozenset({"show", "edit", "open", "mcp-show", "interactive-open"})
# One event is a few hundred bytes; a query longer than this is cut, lists are capped.
MAX_QUERY = 500
MAX_SHOWN = 50


def usage_enabled(config: Config) -> bool:
    """Whether events are recorded for this base (kbctl.toml, or ``$KBCTL_USAGE_LOG``)."""
    return bool(os.environ.get(ENV_USAGE_LOG)) or config.settings.usage.enabled


def log_path(config: Config) -> Path:
    """The usage log of this base (see the module documentation for the order).

    Raises ConfigError when ``[usage] log`` points outside the repository.
    """
    chosen = os.environ.get(ENV_USAGE_LOG)
    if chosen:
        return Path(chosen).expanduser().resolve()
    configured = config.settings.usage.log
    if configured:
        from kbctl.settings.core import repository_root, where

        here = config.config_dir
        resolved = (here / configured).resolve()
        repository = repository_root(here)
        if not resolved.is_relative_to(repository):
            shown = where(config.config_path, ("usage", "log")) if config.config_path else "usage"
            raise ConfigError(
                _("{where}: 'usage.log' points outside the repository: {path}").format(
                    where=shown, path=resolved
                ),
                hint=_(
                    "use a path inside {repository}, or set ${variable} (your own choice)"
                ).format(repository=repository, variable=ENV_USAGE_LOG),
            )
        return resolved
    from kbctl.settings.core import cache_root

    return cache_root(config) / LOG_NAME


def utc_now() -> str:
    """The current time as UTC ISO 8601 with a ``Z`` (the log's time format)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_line(
    event: str,
    *,
    time: str | None = None,
    query: str | None = None,
    hits: int | None = None,
    shown: Sequence[str] = (),
    opened: str | None = None,
    session: str | None = None,
    user: str | None = None,
) -> str:
    """One log line (JSON, no newline inside) for an event; it carries a random id, by which
    copies of the same event in several logs are counted once."""
    import uuid

    record: dict[str, object] = {
        "v": FORMAT_VERSION,
        "id": uuid.uuid4().hex,
        "time": time or utc_now(),
        "event": event,
    }
    if query is not None:
        record["query"] = query[:MAX_QUERY]
    if hits is not None:
        record["hits"] = hits
    if shown:
        record["shown"] = [str(item) for item in shown[:MAX_SHOWN]]
    if opened is not None:
        record["opened"] = opened
    if session:
        record["session"] = session[:100]
    if user:
        record["user"] = user[:100]
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def append_line(path: Path, line: str) -> None:
    """Append ``line`` and a newline to ``path`` with one write, under ``path.lock``, so that
    concurrent writers (several agents on a shared folder) never interleave or tear lines.

    Links are not followed (a planted link must not lead the write elsewhere); the file is
    created readable by its owner only. OSError when it cannot be written.
    """
    from filelock import FileLock

    path.parent.mkdir(parents=True, exist_ok=True)
    data = (line.rstrip("\n") + "\n").encode("utf-8")
    with FileLock(str(path) + ".lock", timeout=10):
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        fd = os.open(path, flags, 0o600)
        try:
            # A torn last line (a writer killed mid-write) would glue onto this event.
            size = os.fstat(fd).st_size
            if size and _last_byte(path, size) != b"\n":
                data = b"\n" + data
            os.write(fd, data)
        finally:
            os.close(fd)


def _last_byte(path: Path, size: int) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        return os.pread(fd, 1, size - 1)
    finally:
        os.close(fd)


def record_event(
    config: Config,
    event: str,
    *,
    query: str | None = None,
    hits: int | None = None,
    shown: Sequence[str] = (),
    opened: str | None = None,
    session: str | None = None,
) -> str | None:
    """Record one usage event when the usage log is on for this base; the one entry point
    for every command and front end (search, show, edit, interactive search, MCP).

    ``event`` names what happened (``search``, ``show``, ``edit``, ``open``,
    ``interactive-search``, ``mcp-search``...), ``query`` what was searched for, ``hits``
    how many articles matched, ``shown`` the ids shown, ``opened`` the id opened, ``session``
    an id grouping the events of one sitting (optional). Returns None when recorded or off;
    else a one-line problem for the caller to show (recording never fails a command).
    """
    if not usage_enabled(config):
        return None
    try:
        path = log_path(config)
        user = _user() if config.settings.usage.user else None
        line = event_line(
            event, query=query, hits=hits, shown=shown, opened=opened, session=session, user=user
        )
        append_line(path, line)
    except ConfigError as error:
        return _("usage log not written: {error}").format(error=error.message)
    except Exception as error:  # filelock's Timeout, OSError: never fail the command
        return _("usage log not written: {kind}: {error}").format(
            kind=type(error).__name__, error=error
        )
    return None


def _user() -> str | None:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
