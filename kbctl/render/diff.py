"""The unified diff of a front-matter edit, for ``--dry-run``. No Rich here.

Lines keep their own endings (a CRLF file shows CRLF lines, so the diff applies with
``patch -p0``); what lies between is made safe by :mod:`kbctl.textsafe`: control and bidi
characters are escaped and no line can read as a GitHub Actions workflow command.
"""

from __future__ import annotations

import difflib
import re

from kbctl.textsafe import escape_controls, guard_line, one_line

_ENDING = re.compile(r"\r?\n\Z")


def unified_diff(shown: str, before: bytes, after: bytes, *, context: int = 3) -> str:
    """The diff from ``before`` to ``after`` of the file named ``shown`` (``--- shown`` /
    ``+++ shown``, as ``diff -u`` and ``patch -p0``); empty when nothing changes."""
    if before == after:
        return ""
    name = one_line(shown)
    old = before.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    new = after.decode("utf-8", "surrogateescape").splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(old, new, fromfile=name, tofile=name, n=context):
        match = _ENDING.search(line)
        ending = match.group() if match else ""
        content = line[: len(line) - len(ending)]
        out.append(guard_line(escape_controls(content).replace("\n", "\\n")) + (ending or "\n"))
        if not ending and not line.startswith(("---", "+++", "@@")):
            out.append("\\ No newline at end of file\n")
    return "".join(out)
