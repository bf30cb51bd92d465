"""What every command shares: the workspace of the chosen base, the two consoles, diagnostics
on stderr.

Rich is imported lazily so that commands writing JSON or plain paths do not pay for it.
Everything human-facing goes through ``kbctl.textsafe``: messages on stderr are escaped to one
line and guarded against workflow-command lines, and both consoles write through a
:class:`~kbctl.textsafe.GuardedStream`.
"""

from __future__ import annotations

import io
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import IO, TYPE_CHECKING, Annotated, TypeVar

import typer

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from datetime import date
    from pathlib import Path

    from rich.console import Console

    from kbctl.model import Diagnostic
    from kbctl.workspace import Workspace


T = TypeVar("T")


class DataFormat(StrEnum):
    """Output formats of commands that print data as a table or JSON."""

    TABLE = "table"
    JSON = "json"


FormatOption = Annotated[
    DataFormat, typer.Option("--format", "-f", help="Output format: table or json.")
]
LimitOption = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        min=1,
        metavar="N",
        help="Show at most N rows (stderr says how many in all).",
    ),
]
TodayOption = Annotated[
    str | None,
    typer.Option("--today", metavar="DATE", help="Count as if today were DATE (YYYY-MM-DD)."),
]


@dataclass(slots=True)
class AppState:
    """Options given before the command name (``kbctl --kb DIR ...``)."""

    kb: str | None = None
    no_pager: bool = False


def state(ctx: typer.Context) -> AppState:
    """The app state of the current invocation."""
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


def workspace(ctx: typer.Context, *, load_problems: bool = True) -> Workspace:
    """The workspace of this invocation (``--kb`` > ``$KBCTL_KB`` > kbctl.toml): problems met
    while loading (``path:line: message``) and git notices go to stderr, each once.

    With ``load_problems=False`` the loader's diagnostics are not printed (``kbctl check``
    reports them as findings).
    """
    from kbctl.workspace import Workspace

    def problems(diagnostics: Iterable[Diagnostic]) -> None:
        print_diagnostics(diagnostics, ws.config.root)

    ws = Workspace(
        state(ctx).kb, on_problems=problems, on_notice=notice, load_problems=load_problems
    )
    return ws


@cache
def stderr_console() -> Console:
    """The console for messages (stderr); colour only on a terminal, NO_COLOR honoured."""
    from rich.console import Console

    from kbctl.textsafe import GuardedStream

    return Console(stderr=True, highlight=False, file=GuardedStream(lambda: sys.stderr))  # type: ignore[arg-type]


@cache
def stdout_console() -> Console:
    """The console for data (stdout)."""
    import os

    from rich.console import Console

    # Off a terminal Rich assumes 80 columns, which folds every table in CI logs and pipes.
    class DataConsole(Console):
        def on_broken_pipe(self) -> None:
            # Rich exits 1 here, which reads as "findings"; the error boundary in cli/app.py
            # treats a reader that went away (`| head`) as a clean end.
            raise BrokenPipeError

    from kbctl.textsafe import GuardedStream

    piped = not sys.stdout.isatty()
    width = PIPE_WIDTH if piped and "COLUMNS" not in os.environ else None
    return DataConsole(
        highlight=False,
        soft_wrap=piped,
        width=width,
        file=GuardedStream(lambda: sys.stdout),  # type: ignore[arg-type]
    )


PIPE_WIDTH = 160


def message_line(text: str) -> None:
    """Write ``text`` on stderr as one safe line: control and bidi characters escaped
    (newlines too), and never a line GitHub Actions would run as a workflow command."""
    from kbctl.textsafe import guard_line, one_line

    sys.stderr.write(guard_line(one_line(text)) + "\n")


def print_diagnostics(diagnostics: Iterable[Diagnostic], root: Path | None = None) -> None:
    """Print one ``path:line: message`` line per diagnostic on stderr (plain, greppable).

    With ``root``, the path of a file of the base is shown by the path contract (relative to
    the current folder when under it, else absolute), so the line opens in an editor.
    """
    import os
    from dataclasses import replace

    from kbctl.render.paths import PathView

    shown = PathView(root) if root is not None else None
    for diagnostic in diagnostics:
        if shown is not None and os.path.lexists(root / diagnostic.path):  # type: ignore[operator]
            diagnostic = replace(diagnostic, path=shown(diagnostic.path))
        message_line(str(diagnostic))


def notice(message: str) -> None:
    """A one-line notice on stderr."""
    message_line(f"kbctl: {message}")


def write_data(text: str) -> None:
    """Write data to stdout, ending with one newline."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def parse_day(value: str | None, option: str = "--today") -> date:
    """A date option (YYYY-MM-DD, M/D/YYYY, D.M.YYYY); today (local) when not given."""
    from datetime import date

    from kbctl.errors import UsageError
    from kbctl.values import parse_date

    if value is None:
        return date.today()
    try:
        parsed = parse_date(value)
    except ValueError as error:
        raise UsageError(f"{option}: {error}", hint="write the date as YYYY-MM-DD") from None
    if parsed is None:
        raise UsageError(f"{option}: give a date", hint="write the date as YYYY-MM-DD")
    return parsed


def cut(items: Sequence[T], limit: int | None, what: str = "rows") -> Sequence[T]:
    """The first ``limit`` items; when some are left out, ``showing N of M`` on stderr."""
    if limit is None or len(items) <= limit:
        return items
    message_line(f"kbctl: showing {limit} of {len(items)} {what} (--limit)")
    return items[:limit]


class _PagerBuffer(io.StringIO):
    """What a command writes while its output may go to a pager; it stands for the terminal."""

    def isatty(self) -> bool:
        return True


def pager_command() -> list[str] | None:
    """The pager: ``$KBCTL_PAGER``, else ``$PAGER``, else ``less -FRX``; None when set empty
    or to ``cat`` (no pager)."""
    import os
    import shlex

    chosen = os.environ.get("KBCTL_PAGER")
    if chosen is None:
        chosen = os.environ.get("PAGER")
    if chosen is None:
        chosen = "less -FRX"
    try:
        words = shlex.split(chosen)
    except ValueError:
        return None
    if not words or words == ["cat"]:
        return None
    return words


@contextmanager
def paged(ctx: typer.Context) -> Iterator[None]:
    """Send what the block writes on stdout through a pager when stdout and stdin are a
    terminal and the output is taller than it (never when piped, nor with ``--no-pager``)."""
    import os

    command = pager_command()
    # Only when someone is at the terminal: a pager reads its keys from it.
    interactive = sys.stdout.isatty() and sys.stdin.isatty()
    if state(ctx).no_pager or command is None or not interactive:
        yield
        return
    real, buffer = sys.stdout, _PagerBuffer()
    sys.stdout = buffer
    try:
        yield
    finally:
        sys.stdout = real
    text = buffer.getvalue()
    try:
        height = os.get_terminal_size(real.fileno()).lines
    except (OSError, ValueError):
        height = 24
    if text.count("\n") < height:
        real.write(text)
        real.flush()
        return
    _run_pager(command, text, real)


def _run_pager(command: list[str], text: str, real: IO[str]) -> None:
    import os
    import subprocess

    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git does: colours, no screen clearing, quit if short
    env.setdefault("LV", "-c")
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:
        real.write(text)
        real.flush()
        return
    assert process.stdin is not None
    try:
        process.stdin.write(text.encode(getattr(real, "encoding", None) or "utf-8", "replace"))
        process.stdin.close()
    except BrokenPipeError:
        pass  # the reader quit the pager early
    except KeyboardInterrupt:
        pass
    while True:
        try:
            process.wait()
            return
        except KeyboardInterrupt:
            continue  # ^C belongs to the pager (less reads it itself)
