"""The line of a key in TOML text.

``tomllib`` gives values but no positions, so error messages and ``kbctl config`` find a
key's line with this small scan: it follows table headers (``[a.b]``, ``[[a.b]]``) and
``key = value`` lines, and skips what sits inside strings, multi-line strings and values
that span lines (arrays), so a ``key =`` inside a string is never taken for a key. It only
locates: the values always come from ``tomllib``. It runs on the error path and for
``kbctl config``, never when a valid file is loaded.
"""

from __future__ import annotations

import re
import tomllib

KeyPath = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def key_lines(text: str) -> dict[KeyPath, int]:
    """Map every table and key of ``text`` to its 1-based line.

    Array-of-tables elements are numbered: the second ``[[check.overrides]]`` is
    ``("check", "overrides", 1)``; its keys follow that number.
    """
    lines: dict[KeyPath, int] = {}
    arrays: dict[KeyPath, int] = {}  # array-of-tables path -> elements seen
    table: KeyPath = ()
    scan = _ValueScan()
    for number, line in enumerate(text.splitlines(), start=1):
        if scan.busy:
            scan.feed(line, 0)
            continue
        stripped = line.lstrip()
        start = len(line) - len(stripped)
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("["):
            double = stripped.startswith("[[")
            keys, _end = _keys(stripped, 2 if double else 1)
            if keys is None:
                continue
            path = _resolve(tuple(keys), arrays)
            if double:
                arrays[path] = arrays.get(path, 0) + 1
                lines.setdefault(path, number)
                path = (*path, arrays[path] - 1)
            lines.setdefault(path, number)
            table = path
            continue
        keys, end = _keys(line, start)
        if keys is None or end >= len(line) or line[end] != "=":
            continue
        for depth in range(1, len(keys) + 1):
            lines.setdefault((*table, *keys[:depth]), number)
        scan.feed(line, end + 1)
    return lines


def find_line(lines: dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, else of its nearest enclosing key or table (None: not found)."""
    for size in range(len(path), 0, -1):
        line = lines.get(path[:size])
        if line is not None:
            return line
    return None


def _resolve(path: tuple[str, ...], arrays: dict[KeyPath, int]) -> KeyPath:
    """Put the current element number after each array-of-tables prefix of a header."""
    resolved: KeyPath = ()
    for key in path:
        resolved = (*resolved, key)
        if resolved in arrays and len(resolved) < len(path):
            resolved = (*resolved, arrays[resolved] - 1)
    return resolved


def _keys(line: str, position: int) -> tuple[list[str] | None, int]:
    """Read a dotted key at ``position``; (keys, index after the key and spaces)."""
    keys: list[str] = []
    while True:
        position = _skip_spaces(line, position)
        if position >= len(line):
            return None, position
        if line[position] in "\"'":
            end = _string_end(line, position)
            if end is None:
                return None, position
            try:
                keys.append(tomllib.loads(f"k = {line[position:end]}")["k"])
            except tomllib.TOMLDecodeError:
                return None, position
            position = end
        else:
            match = _BARE.match(line, position)
            if match is None:
                return None, position
            keys.append(match.group())
            position = match.end()
        position = _skip_spaces(line, position)
        if position < len(line) and line[position] == ".":
            position += 1
            continue
        if position < len(line) and line[position] == "]":
            position += 2 if line.startswith("]]", position) else 1
        return keys, position


def _skip_spaces(line: str, position: int) -> int:
    while position < len(line) and line[position] in " \t":
        position += 1
    return position


def _string_end(line: str, position: int) -> int | None:
    """The index after the one-line string starting at ``position`` (None: unterminated)."""
    quote = line[position]
    index = position + 1
    while index < len(line):
        char = line[index]
        if char == "\\" and quote == '"':
            index += 2
            continue
        if char == quote:
            return index + 1
        index += 1
    return None


class _ValueScan:
    """Tracks open brackets and multi-line strings of values that span lines."""

    def __init__(self) -> None:
        self.depth = 0
        self.multiline: str | None = None  # the closing delimiter of an open multi-line string

    @property
    def busy(self) -> bool:
        """Whether the next line continues a value."""
        return self.depth > 0 or self.multiline is not None

    def feed(self, line: str, index: int) -> None:
        """Follow the value text of ``line`` from ``index``."""
        while index < len(line):
            if self.multiline is not None:
                if line[index] == "\\" and self.multiline == '"""':
                    index += 2
                    continue
                if line.startswith(self.multiline, index):
                    index += 3
                    self.multiline = None
                    continue
                index += 1
                continue
            char = line[index]
            if char == "#":
                return
            if line.startswith('"""', index) or line.startswith("'''", index):
                self.multiline = line[index : index + 3]
                index += 3
            elif char in "\"'":
                end = _string_end(line, index)
                if end is None:
                    return
                index = end
            else:
                if char in "[{":
                    self.depth += 1
                elif char in "]}":
                    self.depth = max(0, self.depth - 1)
                index += 1
