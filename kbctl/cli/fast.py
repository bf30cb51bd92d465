"""The console entry point, with a fast path for the everyday ``kbctl search``.

``kbctl search`` runs in loops, by people and by scripts, so its start-up counts: building
Typer's command tree (and importing every command module, their options and what those
import) costs more than the search itself. :func:`fast_search` reads the plain, common forms
of a search command line itself and runs the very code the Typer command runs
(:func:`kbctl.cli.search_run.run_search`); for anything else (``--help``, a filter, a flag
it does not know, a malformed value, an option glued to its value, completion requests) it
answers None and Typer reads the command line, with its help and its error messages. So the
fast path changes how quickly kbctl answers, never what it answers.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from kbctl.i18n import _

# The global options, accepted before or after the command name (``kbctl search vpn --kb DIR``).
GLOBAL_WITH_VALUE = frozenset({"--kb", "--color"})
GLOBAL_FLAGS = frozenset({"-q", "--quiet", "-v", "--verbose", "--no-pager"})
# The forms the fast path takes. Everything else (``-v`` too) goes to Typer.
_SEARCH_FLAGS = frozenset({"-q", "--quiet", "--no-pager"})
_COLORS = frozenset({"auto", "always", "never"})
_FORMATS = frozenset({"json", "paths", "vimgrep"})  # table loads Rich: Typer's cost is small


@dataclass(slots=True)
class FastSearch:
    """A ``kbctl search`` command line read by the fast path."""

    words: list[str] = field(default_factory=list)
    kb: str | None = None
    color: str = "auto"
    quiet: bool = False
    no_pager: bool = False
    limit: int = 10
    output_format: str = "table"
    include_archived: bool = False
    no_refresh: bool = False


def read_fast(args: list[str]) -> FastSearch | None:
    """``args`` (without the program name) as a plain search, or None for Typer to read."""
    if os.environ.get("_KBCTL_COMPLETE"):
        return None
    found = FastSearch()
    words = iter(args)
    seen_command = False
    for word in words:
        name, glued, value = word.partition("=")
        if not word.startswith("-"):
            if seen_command:
                found.words.append(word)
            elif word == "search":
                seen_command = True
            else:
                return None
            continue
        if name in GLOBAL_WITH_VALUE or (seen_command and name in ("--limit", "-n", "--format")):
            if not glued:
                given = next(words, None)
                if given is None:
                    return None
                value = given
            if not _take(found, name, value):
                return None
        elif glued:
            return None
        elif word in _SEARCH_FLAGS:
            found.quiet = found.quiet or word != "--no-pager"
            found.no_pager = found.no_pager or word == "--no-pager"
        elif seen_command and word in ("-f",):
            given = next(words, None)
            if given is None or not _take(found, "--format", given):
                return None
        elif seen_command and word == "--all":
            found.include_archived = True
        elif seen_command and word == "--no-refresh":
            found.no_refresh = True
        else:
            return None  # --help, -v, filters, --open, --, -word, unknown: Typer decides
    if not seen_command or not found.words or found.output_format not in _FORMATS:
        return None
    return found


def _take(found: FastSearch, name: str, value: str) -> bool:
    """Store an option's value; False when Typer should judge it."""
    if name == "--kb":
        if not value or value.startswith("-"):
            return False  # Click would take it, but let Typer be the one to say so
        found.kb = value
    elif name == "--color":
        if value not in _COLORS:
            return False
        found.color = value
    elif name in ("--limit", "-n"):
        if not value.isascii() or not value.isdigit() or int(value) < 1:
            return False
        found.limit = int(value)
    else:
        if value not in _FORMATS:
            return False
        found.output_format = value
    return True


def fast_search(args: list[str]) -> int | None:
    """Run ``kbctl search`` without Typer when :func:`read_fast` takes the command line;
    the exit code, or None when Typer must run it. Errors are reported as the Typer app's
    error boundary reports them."""
    found = read_fast(args)
    if found is None:
        return None
    from kbctl.cli.context import (
        AppState,
        ColorMode,
        open_workspace,
        report_error,
        set_options,
        silence_stdout,
    )
    from kbctl.errors import ExitCode, KbError

    set_options(
        AppState(
            kb=found.kb, color=ColorMode(found.color), quiet=found.quiet, no_pager=found.no_pager
        )
    )
    try:
        from kbctl.cli.search_run import HitFormat, run_search
        from kbctl.search.query import SearchFilter

        ws = open_workspace(found.kb)
        code = run_search(
            ws,
            found.words,
            SearchFilter(include_archived=found.include_archived),
            limit=found.limit,
            output_format=HitFormat(found.output_format),
            refresh=not found.no_refresh,
        )
        sys.stdout.flush()
        return code
    except KbError as error:
        report_error(error.message, error.hint)
        return int(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write(_("kbctl: interrupted") + "\n")
        return 130
    except BrokenPipeError:
        silence_stdout()
        return int(ExitCode.OK)
    except Exception as error:
        if os.environ.get("KBCTL_DEBUG"):
            raise
        report_error(
            _("internal error: {kind}: {error}").format(kind=type(error).__name__, error=error),
            _("run again with KBCTL_DEBUG=1 for the traceback, and report it"),
        )
        return int(ExitCode.ERROR)


# Commands that always read the whole history: git starts before Typer is built.
_READS_HISTORY = frozenset({"stale"})


def early_history(args: list[str]) -> None:
    """For ``kbctl [GLOBAL OPTIONS] stale ...``, start git before the CLI is built (see
    :func:`kbctl.history.read.start_history_early`); anything unusual is left to Typer.

    ``--kb`` may also follow the command (Typer's reading moves it before; the last one
    wins). A ``--kb`` that was really another option's value names another base: the
    command then does not take the read over, and git is stopped.
    """
    if os.environ.get("_KBCTL_COMPLETE") or "--help" in args or "-h" in args:
        return
    kb: str | None = None
    command: str | None = None
    words = iter(args)
    for word in words:
        if word == "--":
            break
        name, glued, value = word.partition("=")
        if name in GLOBAL_WITH_VALUE:
            given = value if glued else next(words, None)
            if given is None:
                return
            if name == "--kb":
                kb = given
        elif command is None and word not in GLOBAL_FLAGS:
            if word not in _READS_HISTORY:
                return
            command = word
    if command is not None:
        from kbctl.history.read import start_history_early

        start_history_early(kb)


def main() -> None:
    """Console-script entry point: the fast path, else the Typer application."""
    args = sys.argv[1:]
    code = fast_search(args)
    if code is not None:
        sys.exit(code)
    try:
        early_history(args)
    except KeyboardInterrupt:
        sys.stderr.write(_("kbctl: interrupted") + "\n")
        sys.exit(130)
    from kbctl.cli.app import run

    run()
