"""Plain-text hit formats for editors and pipes: ``paths`` and ``vimgrep``. No Rich here.

Values are made safe by ``kbctl.textsafe``: a path or title holding a newline or an escape
sequence shows it escaped (``\\n``, ``\\x1b``) and cannot start a line of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kbctl.model import Hit
from kbctl.textsafe import guard_line, one_line


def _as_is(path: str) -> str:
    return path


def hits_paths(hits: Iterable[Hit], shown: Callable[[str], str] = _as_is) -> str:
    """One path per line, shown by ``shown`` (the path contract: relative to the current
    folder when under it, else absolute), for ``xargs -d '\\n'``, ``kbctl check`` and friends."""
    return "".join(f"{guard_line(one_line(shown(hit.path)))}\n" for hit in hits)


def hits_vimgrep(hits: Iterable[Hit], shown: Callable[[str], str] = _as_is) -> str:
    """``path:line:column:title: snippet`` lines, as vim's quickfix and ripgrep's --vimgrep."""
    lines = []
    for hit in hits:
        path = shown(hit.path)
        text = one_line(f"{hit.title}: {hit.snippet}".replace("\n", " ").replace("\r", " "))
        lines.append(guard_line(f"{one_line(path)}:{hit.line}:{hit.column}:{text}") + "\n")
    return "".join(lines)
