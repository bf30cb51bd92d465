"""Tables without Rich's layout engine: tab-separated data for pipes, aligned columns for
terminals.

Off a terminal a table is data: a header line, then one line per row, cells separated by tabs,
never cut or wrapped (as ``gh`` prints). On a terminal the columns are fitted to the width:
long values of wrappable columns (titles, owners, reasons) wrap between words, other values
(ids, paths, statuses, dates) are never split; when even that does not fit, the columns named
droppable go, least useful first. Rows are laid out as plain strings in one pass, so a table
of 10,000 rows costs about what its JSON costs.

Every cell is made safe by :func:`kbctl.textsafe.one_line` (a tab in a value shows as ``\\t``
and cannot shift the columns); every line is guarded by :func:`kbctl.textsafe.guard_line`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len

from kbctl.textsafe import guard_line, one_line

GAP = 2
# A column taken back after a drop must leave wrapped text at least this wide.
ROOMY = 30
BOLD, DIM, RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def _width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


@dataclass(slots=True)
class Layout:
    """Which columns are shown and how wide each is."""

    shown: list[int]
    widths: dict[int, int]


def tsv(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The table as tab-separated lines with a header; an empty cell for a missing value."""
    lines = ["\t".join(columns)]
    lines.extend("\t".join("" if cell is None else one_line(cell) for cell in row) for row in rows)
    return "".join(guard_line(line) + "\n" for line in lines)


def _longest_word(text: str) -> int:
    return max((_width(word) for word in text.split(" ")), default=0)


def fit(
    columns: Sequence[str],
    cells: Sequence[Sequence[str | None]],
    width: int,
    *,
    wrap: frozenset[int],
    drop: Sequence[int],
) -> Layout:
    """Choose the columns and their widths for ``width`` terminal columns.

    A wrappable column may narrow down to its longest word; the others keep their widest
    value. When the narrowest layout is still too wide, the columns in ``drop`` go in that
    order; when none is left to drop, the table overflows rather than split a value.
    """
    count = len(columns)
    natural = [_width(name) for name in columns]
    narrow = list(natural)
    for row in cells:
        for i, cell in enumerate(row):
            if cell is None:
                continue
            size = _width(cell)
            if size > natural[i]:
                natural[i] = size
            if i in wrap:
                if size > narrow[i] and (word := _longest_word(cell)) > narrow[i]:
                    narrow[i] = word
            elif size > narrow[i]:
                narrow[i] = size

    def needs(chosen: Sequence[int], sizes: Sequence[int]) -> int:
        return sum(sizes[i] for i in chosen) + GAP * (len(chosen) - 1)

    shown = list(range(count))
    pending = [i for i in drop if 0 <= i < count]
    dropped: list[int] = []
    while needs(shown, narrow) > width and pending:
        dropped.append(pending.pop(0))
        shown.remove(dropped[-1])
    # A column dropped early may fit again once a wide one has gone: take back the most
    # useful ones that fit.
    roomy = [
        max(narrow[i], min(natural[i], ROOMY)) if i in wrap else narrow[i] for i in range(count)
    ]
    for i in reversed(dropped):
        if needs(sorted([*shown, i]), roomy) <= width:
            shown = sorted([*shown, i])
    if needs(shown, natural) <= width:
        return Layout(shown, {i: natural[i] for i in shown})
    widths = {i: natural[i] for i in shown}
    excess = sum(widths.values()) + GAP * (len(shown) - 1) - width
    # Take the room from the widest wrappable columns first, never below their longest word.
    while excess > 0:
        candidates = [i for i in shown if i in wrap and widths[i] > narrow[i]]
        if not candidates:
            break
        widest = max(candidates, key=lambda i: widths[i])
        others = [widths[i] for i in candidates if i != widest]
        target = max(narrow[widest], max(others, default=0), widths[widest] - excess)
        if target >= widths[widest]:
            target = widths[widest] - 1
        excess -= widths[widest] - target
        widths[widest] = target
    return Layout(shown, widths)


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` columns, broken between words only."""
    if _width(text) <= width:
        return [text]
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if line and _width(candidate) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    return lines


def _pad(text: str, size: int, width: int) -> str:
    return text + " " * (width - size) if size < width else text


def render(
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    width: int,
    *,
    wrap: frozenset[int] = frozenset(),
    drop: Sequence[int] = (),
    color: bool = False,
) -> str:
    """The table as aligned lines for a terminal ``width`` columns wide."""
    cells = [[None if cell is None else one_line(cell) for cell in row] for row in rows]
    layout = fit(columns, cells, width, wrap=wrap, drop=drop)
    shown, widths = layout.shown, layout.widths
    last = shown[-1]
    dash = f"{DIM}-{RESET}" if color else "-"
    header = (" " * GAP).join(
        columns[i] if i == last else _pad(columns[i], _width(columns[i]), widths[i]) for i in shown
    )
    out = [f"{BOLD}{header}{RESET}" if color else header]
    spacer = " " * GAP
    for row in cells:
        parts: list[list[str]] = []
        for i in shown:
            cell = row[i] if i < len(row) else None
            if cell is None:
                parts.append([dash + " " * (widths[i] - 1) if i != last else dash])
                continue
            pieces = _wrapped(cell, widths[i]) if i in wrap else [cell]
            if i != last:
                pieces = [_pad(piece, _width(piece), widths[i]) for piece in pieces]
            parts.append(pieces)
        height = max(len(piece) for piece in parts)
        if height == 1:
            out.append(spacer.join(piece[0] for piece in parts).rstrip())
            continue
        for line in range(height):
            out.append(
                spacer.join(
                    piece[line] if line < len(piece) else " " * widths[i]
                    for i, piece in zip(shown, parts, strict=True)
                ).rstrip()
            )
    return "".join(guard_line(line) + "\n" for line in out)
