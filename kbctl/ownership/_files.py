"""Reading the small files the configuration names (roster, CODEOWNERS) without trusting them."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from kbctl.config import Config
from kbctl.i18n import _

# Roster and CODEOWNERS files are a few KB; anything larger is not what it claims to be.
MAX_CONFIG_FILE_BYTES = 1 << 20


class UnusableFile(Exception):
    """A file named by the configuration that kbctl will not read (the message says why)."""


def read_small_file(path: Path, key: str) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_CONFIG_FILE_BYTES`.

    ``stat`` comes before ``open`` (a FIFO would block, a device never ends), the open does
    not block, and no more than the cap is ever read. Raises :class:`UnusableFile` naming the
    configuration key, or OSError.
    """
    import os
    import stat

    def check(info: os.stat_result) -> None:
        if not stat.S_ISREG(info.st_mode):
            raise UnusableFile(f"'{key}' is not a regular file (a FIFO, device or folder); ignored")
        if info.st_size > MAX_CONFIG_FILE_BYTES:
            raise UnusableFile(
                f"'{key}' is larger than {MAX_CONFIG_FILE_BYTES // 1024} KiB "
                f"({info.st_size} bytes); ignored"
            )

    check(path.stat())
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(handle, "rb") as stream:
        check(os.fstat(stream.fileno()))  # it may have been swapped since the stat
        data = stream.read(MAX_CONFIG_FILE_BYTES + 1)
    if len(data) > MAX_CONFIG_FILE_BYTES:
        raise UnusableFile(f"'{key}' is larger than {MAX_CONFIG_FILE_BYTES // 1024} KiB; ignored")
    return data


def read_owner_file(path: Path, key: str, label: str, shown: str) -> tuple[str | None, list[Any]]:
    """The text of the roster or CODEOWNERS file (``key`` in kbctl.toml), or None with one
    diagnostic saying why it is not used: missing, not a small regular file, unreadable,
    not UTF-8."""
    from kbctl.model import Diagnostic, Severity

    def problem(message: str, severity: Severity = Severity.ERROR) -> tuple[None, list[Any]]:
        return None, [Diagnostic(shown, 1, message, severity, key)]

    try:
        return read_small_file(path, key).decode("utf-8-sig"), []
    except FileNotFoundError:
        return problem(_("{file} file not found").format(file=label), Severity.WARNING)
    except UnusableFile as unusable:
        return problem(f"{label}: {unusable}")
    except OSError as error:
        return problem(_("cannot read {file}: {error}").format(file=label, error=error.strerror))
    except UnicodeDecodeError:
        return problem(_("{file} is not UTF-8; save it as UTF-8").format(file=label))


def excerpt(text: str, limit: int = 20) -> str:
    """A short, quoted, escaped excerpt of a value from a file: at most ``limit`` of its
    characters (about 40 once escaped), control and invisible characters escaped.

    Files named by the configuration may be anything (a secrets file, /proc/self/environ):
    what they hold is never echoed in full.
    """
    shown = []
    for char in text[:limit]:
        if char.isprintable() and char not in "'\\" and unicodedata.category(char) != "Cf":
            shown.append(char)
        else:
            shown.append(char.encode("unicode_escape").decode("ascii") if char != "'" else "\\'")
    escaped = "".join(shown)
    cut = len(text) > limit or len(escaped) > 40
    return "'" + escaped[:40] + ("…" if cut else "") + "'"


def display_path(path: Path, config: Config) -> str:
    for base in (config.config_dir, config.root):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()
