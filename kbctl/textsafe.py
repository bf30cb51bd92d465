"""Making untrusted text safe to show: the one sanitiser of every human-facing output.

Titles, ids, owners, flag reasons, file names, commit subjects and messages that quote them
come from a repository anyone may push to. Sent raw, they could drive the terminal (clear the
screen, hide text, write the clipboard with OSC 52, draw fake OSC 8 hyperlinks), reorder what
the reader sees (bidirectional overrides), or forge GitHub Actions workflow commands: the
runner reads any line of stdout or stderr that starts with ``::`` (after leading white space)
as a command, such as ``::error`` or ``::add-mask::``, and any line holding ``##[`` as an old
style one.

Two rules, applied where text is shown:

* **Characters.** C0 controls, DEL, C1 controls, the bidirectional controls (U+061C, U+200E,
  U+200F, U+202A-U+202E, U+2066-U+2069), the line and paragraph separators and lone
  surrogates (file names that are not UTF-8) are written as Python-style escapes: ``\\x1b``,
  ``\\x85``, ``\\u202e``, ``\\udcff`` (and ``\\t``, ``\\n``, ``\\r``). :func:`one_line` escapes newlines and tabs too, for
  values meant to be one line (title, id, owner, path, message); :func:`block` keeps newlines
  and tabs, for multi-line text such as an article body (a CR is still escaped: terminals and
  the Actions runner both read it as a line break).
* **Lines.** :func:`guard_lines` neutralises a line that GitHub would read as a workflow
  command: a leading ``::`` (after white space) becomes ``\\x3a:`` and ``##[`` becomes
  ``##\\x5b``, the escapes of ``:`` and ``[`` in the same notation, so the line reads the
  same to a person and is inert to the runner. :class:`GuardedStream` applies it to a whole
  output stream, so lines that Rich forms by wrapping a long value are covered too.

Machine formats (JSON, SARIF, GitLab, JUnit) do not use these functions: they stay exact and
escape in their own syntax (see ``kbctl.render.json`` and ``kbctl.render.junit``), and
``--format github`` escapes as the Actions toolkit does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, Any

# Bidirectional controls (Trojan Source, CVE-2021-42574): ALM, LRM, RLM, LRE..RLO, LRI..PDI.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_OTHER = "\u2028\u2029\ud800-\udfff"
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}{_OTHER}]")
_UNSAFE_BLOCK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}{_OTHER}]")

# White space and the escape sequences Rich itself writes (SGR colours, OSC 8 links) that may
# come before the first visible character of a line.
_LINE_HEAD = re.compile(
    r"(?:[^\S\r\n]|\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\r\n]*(?:\x07|\x1b\\))*"
)
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
COLON_ESCAPE = "\\x3a"
OLD_COMMAND = "##["
OLD_COMMAND_ESCAPE = "##\\x5b"


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(value: object) -> str:
    """``value`` as text safe to show on one line: control, bidi and line-break characters
    (newline and tab included) written as ``\\xNN`` / ``\\uNNNN`` escapes."""
    return _UNSAFE_ONE_LINE.sub(_escape, str(value))


def escape_controls(text: str) -> str:
    """Like :func:`one_line` but newlines and tabs are kept (CR is escaped)."""
    return _UNSAFE_BLOCK.sub(_escape, text)


def block(text: str) -> str:
    """Multi-line text made safe to show: :func:`escape_controls`, then every line guarded
    by :func:`guard_lines`."""
    return guard_lines(escape_controls(text))


def guard_line(line: str) -> str:
    """One line made inert to the GitHub Actions runner.

    A line whose first visible character (after white space and the colour codes Rich
    writes) starts ``::`` gets that colon written as ``\\x3a``; ``##[`` anywhere becomes
    ``##\\x5b``. Other lines are returned unchanged.
    """
    start = _LINE_HEAD.match(line).end()  # type: ignore[union-attr]  # the pattern matches ""
    if line.startswith("::", start):
        line = f"{line[:start]}{COLON_ESCAPE}{line[start + 1 :]}"
    if OLD_COMMAND in line:
        line = line.replace(OLD_COMMAND, OLD_COMMAND_ESCAPE)
    return line


def guard_lines(text: str) -> str:
    """Every line of ``text`` guarded by :func:`guard_line` (line breaks kept as they are)."""
    if "::" not in text and OLD_COMMAND not in text:
        return text
    parts = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text)
    out = [guard_line(parts[0])]
    for line_break, part in zip(breaks, parts[1:], strict=True):
        out.append(line_break)
        out.append(guard_line(part))
    return "".join(out)


class GuardedStream:
    """A text stream that passes everything to the stream ``target()`` returns (looked up at
    each write, so a swapped ``sys.stdout`` is followed) with every line guarded by
    :func:`guard_line`, however the writes split the lines.

    The start of a line is held back only while it could still become ``::`` (white space,
    colour codes, one colon); everything else goes through at once. kbctl ends every output
    with a newline, so nothing stays held back.
    """

    def __init__(self, target: Callable[[], IO[str]]) -> None:
        self._target = target
        self._head = ""  # the start of the current line, held back while undecided
        self._at_line_start = True

    def write(self, text: str) -> int:
        """Write ``text``, guarded; returns ``len(text)`` as a stream does."""
        self._target().write(self._guard(text))
        return len(text)

    def _guard(self, text: str) -> str:
        out: list[str] = []
        pieces = _LINE_BREAK.split(text)
        breaks = _LINE_BREAK.findall(text)
        for index, piece in enumerate(pieces):
            ended = index < len(breaks)
            if self._at_line_start:
                line = self._head + piece
                self._head = ""
                if not ended and _undecided(line):
                    self._head = line
                else:
                    out.append(guard_line(line))
                    self._at_line_start = False
            else:
                # Mid-line: only ``##[`` can matter; a split ``#`` / ``#[`` is not worth
                # holding text back for (Rich writes a line in one piece).
                out.append(piece.replace(OLD_COMMAND, OLD_COMMAND_ESCAPE))
            if ended:
                out.append(breaks[index])
                self._at_line_start = True
        return "".join(out)

    def flush(self) -> None:
        """Flush the underlying stream (a held-back line start stays held)."""
        self._target().flush()

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding ... are the underlying stream's.
        return getattr(self._target(), name)


def _undecided(line: str) -> bool:
    """Whether the start of a line could still turn into ``::`` with more text."""
    start = _LINE_HEAD.match(line).end()  # type: ignore[union-attr]
    return line[start:] in ("", ":")
