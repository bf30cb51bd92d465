"""The Typer application, its global options, and the one error boundary."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from kbctl import __version__
from kbctl.cli import (
    articles_cmd,
    check_cmd,
    config_cmd,
    history_cmd,
    owners_cmd,
    search_cmd,
)
from kbctl.cli.context import state
from kbctl.errors import ExitCode, KbError


class KbctlGroup(TyperGroup):
    """The error boundary: KbError and unexpected exceptions become one line and exit 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KbError as error:
            report_error(error.message, error.hint)
            raise typer.Exit(int(error.exit_code)) from None
        except KeyboardInterrupt:
            sys.stderr.write("kbctl: interrupted\n")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader of our stdout went away (e.g. `| head`): not an error of ours.
            _silence_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as error:
            if os.environ.get("KBCTL_DEBUG") or _is_click_exception(error):
                raise
            report_error(
                f"internal error: {type(error).__name__}: {error}",
                "run again with KBCTL_DEBUG=1 for the traceback, and report it",
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None


def _is_click_exception(error: Exception) -> bool:
    # Typer 0.26+ bundles its own copy of Click, so match Click's classes by name.
    return any(cls.__name__ in _CLICK_EXCEPTIONS for cls in type(error).__mro__)


_CLICK_EXCEPTIONS = {"ClickException", "Exit", "Abort"}


def report_error(message: str, hint: str | None) -> None:
    """Print ``kbctl: error: ...`` and an optional hint on stderr, each on one line with
    control characters and line breaks escaped (a message may quote a file name)."""
    from kbctl.cli.context import message_line

    message_line(f"kbctl: error: {message.strip() or 'error'}")
    if hint:
        message_line(f"  hint: {hint}")


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


app = typer.Typer(
    cls=KbctlGroup,
    name="kbctl",
    help=(
        "Run a support team's knowledge base kept as Markdown files in git.\n\n"
        "The base is found from kbctl.toml (walking up from here), $KBCTL_KB or --kb.\n\n"
        "Exit codes: 0 clean, 1 findings, 2 usage or error."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kbctl {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    kb: Annotated[
        str | None,
        typer.Option("--kb", metavar="DIR", help="Knowledge base folder (overrides $KBCTL_KB)."),
    ] = None,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager", help="Never page long output ($KBCTL_PAGER, $PAGER, less -FRX)."
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Global options."""
    state(ctx).kb = kb
    state(ctx).no_pager = no_pager


# Registration order is the order of `kbctl --help`: the daily commands first.
for _module in (search_cmd, articles_cmd, history_cmd, owners_cmd, check_cmd, config_cmd):
    _module.register(app)


def main() -> None:
    """Console-script entry point."""
    app(prog_name="kbctl")
