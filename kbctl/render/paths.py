"""How kbctl shows a file: the one path contract of every output.

A path is shown relative to the current folder when the file is under it, else absolute (as
rg and ruff do), so whatever kbctl prints as a path can be given back to kbctl (``check
PATHS``, ``show PATH``, ``review mark PATH``), to ``$EDITOR``, to ``vim -q`` and to ``xargs``,
from the repository root as from a subfolder. JSON records also carry the path relative to
the base root as ``base_path``.
"""

from __future__ import annotations

import os
from pathlib import Path


def _cwd_prefix() -> str:
    """The current folder (physical, as the base root is resolved) with a trailing slash."""
    try:
        cwd = str(Path.cwd())
    except OSError:  # the current folder was deleted: every path is shown absolute
        return "\0"
    return cwd if cwd.endswith(os.sep) else cwd + os.sep


def shown_path(path: Path | str) -> str:
    """An absolute path as kbctl prints it: relative to the current folder when under it,
    else absolute. The current folder itself is ``.``."""
    text = os.fspath(path)
    prefix = _cwd_prefix()
    if text.startswith(prefix):
        return text[len(prefix) :] or "."
    if text + os.sep == prefix:
        return "."
    return text


class PathView:
    """Shows base-relative POSIX paths of one base by the path contract."""

    __slots__ = ("_prefix", "_root")

    def __init__(self, root: Path) -> None:
        self._root = os.fspath(root).rstrip(os.sep) or os.sep
        self._prefix = _cwd_prefix()

    def __call__(self, base_path: str) -> str:
        """The shown form of ``base_path`` (relative to the base root)."""
        full = f"{self._root}{os.sep}{base_path}" if self._root != os.sep else f"/{base_path}"
        if full.startswith(self._prefix):
            return full[len(self._prefix) :]
        return full


def article_root(abs_path: Path, base_path: str) -> Path:
    """The base root, from a file's absolute path and its path relative to the root."""
    depth = base_path.count("/") + 1
    return abs_path.parents[depth - 1]
