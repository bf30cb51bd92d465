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
from typing import IO, TYPE_CHECKING, Any, TypeVar

from kbctl.i18n import _, ngettext

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from datetime import date
    from pathlib import Path

    import typer
    from rich.console import Console

    from kbctl.model import Diagnostic
    from kbctl.workspace import Workspace


T = TypeVar("T")


class DataFormat(StrEnum):
    """Output formats of commands that print data as a table or JSON."""

    TABLE = "table"
    JSON = "json"


if TYPE_CHECKING:  # for the type checker; at run time, module __getattr__ builds them
    from typing import Annotated

    FormatOption = Annotated[DataFormat, "--format"]
    LimitOption = Annotated[int | None, "--limit"]
    TodayOption = Annotated[str | None, "--today"]


def _option_aliases() -> dict[str, Any]:
    """The shared Typer option types. Built on first use: ``kbctl search``'s fast path
    (:mod:`kbctl.cli.fast`) uses this module without loading Typer."""
    from typing import Annotated

    import typer

    return {
        "FormatOption": Annotated[
            DataFormat, typer.Option("--format", "-f", help=_("Output format: table or json."))
        ],
        "LimitOption": Annotated[
            int | None,
            typer.Option(
                "--limit",
                "-n",
                min=1,
                metavar="N",
                help=_("Show at most N rows (stderr says how many in all)."),
            ),
        ],
        "TodayOption": Annotated[
            str | None,
            typer.Option(
                "--today", metavar="DATE", help=_("Count as if today were DATE (YYYY-MM-DD).")
            ),
        ],
    }


def __getattr__(name: str) -> Any:
    if name in ("FormatOption", "LimitOption", "TodayOption"):
        aliases = _option_aliases()
        globals().update(aliases)
        return aliases[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class ColorMode(StrEnum):
    """``--color``: colour on a terminal (auto), always, or never."""

    AUTO = "auto"
    ALWAYS = "always"
    NEVER = "never"


@dataclass(slots=True)
class AppState:
    """The global options (``--kb``, ``--color``, ``-q``, ``-v``), before or after the command."""

    kb: str | None = None
    color: ColorMode = ColorMode.AUTO
    quiet: bool = False
    verbose: int = 0
    no_pager: bool = False


# The global options of the running invocation: the consoles and the message helpers are
# called without a Click context, so the root callback publishes them here.
OPTIONS = AppState()


def set_options(options: AppState) -> None:
    """Publish the global options of this invocation (the consoles are made afresh)."""
    global OPTIONS
    OPTIONS = options
    stdout_console.cache_clear()
    stderr_console.cache_clear()


def use_color(stream: object) -> bool:
    """Whether to write colour (and other escapes such as hyperlinks) to ``stream``.

    ``--color always|never`` decide; with ``auto``, a non-empty ``NO_COLOR`` turns colour off,
    a ``CLICOLOR_FORCE`` other than ``0`` turns it on off a terminal, else only a terminal
    gets colour (https://no-color.org, https://bixense.com/clicolors).
    """
    import os

    if OPTIONS.color is not ColorMode.AUTO:
        return OPTIONS.color is ColorMode.ALWAYS
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _color_options(stream: object) -> dict[str, object]:
    """Rich Console arguments for :func:`use_color`'s answer on ``stream``."""
    if not use_color(stream):
        return {"color_system": None, "no_color": True}
    return {"force_terminal": True, "no_color": False}


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
    return open_workspace(state(ctx).kb, load_problems=load_problems)


def open_workspace(kb: str | None, *, load_problems: bool = True) -> Workspace:
    """The workspace of ``kb`` (else ``$KBCTL_KB``, else kbctl.toml), wired to stderr as
    :func:`workspace` describes (for callers without a Click context)."""
    from kbctl.workspace import Workspace

    def problems(diagnostics: Iterable[Diagnostic]) -> None:
        print_diagnostics(diagnostics, ws.config.root)

    ws = Workspace(
        kb,
        on_problems=problems,
        on_notice=notice,
        load_problems=load_problems,
        on_progress=HistoryProgress(),
    )
    speak_the_team_language(ws)
    if OPTIONS.verbose:
        config = ws.config
        detail(
            _("base {root} (configuration: {config})").format(
                root=config.root, config=config.config_path or _("none")
            )
        )
    return ws


def speak_the_team_language(ws: Workspace) -> None:
    """Speak the base's ``lang`` (kbctl.toml) from now on, unless ``KBCTL_LANG`` or the
    user's locale chose a language; a kbctl.toml that cannot be read changes nothing here
    (the command reports it when it reads the configuration)."""
    from kbctl.errors import KbError
    from kbctl.i18n import activate, choose_language

    try:
        team = ws.config.settings.lang
    except KbError:
        return
    activate(choose_language(team=team))


class HistoryProgress:
    """Shows a long history pass on stderr: only on a terminal, only after a second, on one
    line that is cleared when the pass ends (pipes and CI logs see nothing)."""

    DELAY = 1.0

    def __init__(self) -> None:
        import time

        self.started = time.monotonic()
        self.shown = False

    def __call__(self, commits: int, done: bool) -> None:
        """Report ``commits`` read so far (``done``: the pass ended)."""
        import time

        if not sys.stderr.isatty():
            return
        if done:
            if self.shown:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
            return
        if time.monotonic() - self.started < self.DELAY:
            return
        text = ngettext(
            "kbctl: reading git history: {count} commit...",
            "kbctl: reading git history: {count} commits...",
            commits,
        ).format(count=f"{commits:,}")
        sys.stderr.write("\r" + text)
        sys.stderr.flush()
        self.shown = True


@cache
def stderr_console() -> Console:
    """The console for messages (stderr); colour only on a terminal, NO_COLOR honoured."""
    from rich.console import Console

    from kbctl.textsafe import GuardedStream

    return Console(
        stderr=True,
        highlight=False,
        file=GuardedStream(lambda: sys.stderr),  # type: ignore[arg-type]
        **_color_options(sys.stderr),  # type: ignore[arg-type]
    )


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
        **_color_options(sys.stdout),  # type: ignore[arg-type]
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


def report_error(message: str, hint: str | None) -> None:
    """Print ``kbctl: error: ...`` and an optional hint on stderr, each on one line with
    control characters and line breaks escaped (a message may quote a file name)."""
    message_line(_("kbctl: error: {message}").format(message=message.strip() or _("error")))
    if hint:
        message_line(_("  hint: {hint}").format(hint=hint))


def notice(message: str) -> None:
    """A one-line notice on stderr (not with ``-q``: findings and data only)."""
    if not OPTIONS.quiet:
        message_line(f"kbctl: {message}")


def detail(message: str) -> None:
    """A one-line notice on stderr shown only with ``-v``."""
    if OPTIONS.verbose and not OPTIONS.quiet:
        message_line(f"kbctl: {message}")


def silence_stdout() -> None:
    """Point stdout at /dev/null (its reader went away: nothing more can reach it)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


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
        raise UsageError(f"{option}: {error}", hint=_("write the date as YYYY-MM-DD")) from None
    if parsed is None:
        raise UsageError(
            _("{option}: give a date").format(option=option), hint=_("write the date as YYYY-MM-DD")
        )
    return parsed


def cut(items: Sequence[T], limit: int | None, what: str = "rows") -> Sequence[T]:
    """The first ``limit`` items; when some are left out, ``showing N of M`` on stderr.

    ``what`` names the items: rows, articles, owners, flags, commits, groups (others are
    shown as given)."""
    if limit is None or len(items) <= limit:
        return items
    if not OPTIONS.quiet:
        message_line(showing(limit, len(items), what))
    return items[:limit]


def showing(shown: int, total: int, what: str) -> str:
    """``kbctl: showing N of M articles (--limit)``, in the active language."""
    forms = {
        "articles": ngettext(
            "kbctl: showing {shown} of {total} article (--limit)",
            "kbctl: showing {shown} of {total} articles (--limit)",
            total,
        ),
        "owners": ngettext(
            "kbctl: showing {shown} of {total} owner (--limit)",
            "kbctl: showing {shown} of {total} owners (--limit)",
            total,
        ),
        "flags": ngettext(
            "kbctl: showing {shown} of {total} flag (--limit)",
            "kbctl: showing {shown} of {total} flags (--limit)",
            total,
        ),
        "commits": ngettext(
            "kbctl: showing {shown} of {total} commit (--limit)",
            "kbctl: showing {shown} of {total} commits (--limit)",
            total,
        ),
        "groups": ngettext(
            "kbctl: showing {shown} of {total} group (--limit)",
            "kbctl: showing {shown} of {total} groups (--limit)",
            total,
        ),
        "rows": ngettext(
            "kbctl: showing {shown} of {total} row (--limit)",
            "kbctl: showing {shown} of {total} rows (--limit)",
            total,
        ),
    }
    text = forms.get(what) or _("kbctl: showing {shown} of {total} {what} (--limit)")
    return text.format(shown=shown, total=total, what=what)


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
