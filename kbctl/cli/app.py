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
    duplicates_cmd,
    edit_cmd,
    export_cmd,
    history_cmd,
    init_cmd,
    link_cmd,
    mcp_cmd,
    new_cmd,
    owners_cmd,
    report_cmd,
    search_cmd,
    usage_cmd,
)
from kbctl.cli.context import ColorMode, report_error, set_options, silence_stdout, state
from kbctl.cli.fast import GLOBAL_FLAGS, GLOBAL_WITH_VALUE
from kbctl.cli.library_messages import install as translate_library_messages
from kbctl.errors import ExitCode, KbError
from kbctl.i18n import N_, _

translate_library_messages()


class KbctlGroup(TyperGroup):
    """The error boundary: KbError and unexpected exceptions become one line and exit 2.

    Global options given after the command name are moved before it, so Click's parser sees
    them where it expects them (see :func:`hoist_global_options`).
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(self, args))

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except KbError as error:
            report_error(error.message, error.hint)
            raise typer.Exit(int(error.exit_code)) from None
        except KeyboardInterrupt:
            sys.stderr.write(_("kbctl: interrupted") + "\n")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader of our stdout went away (e.g. `| head`): not an error of ours.
            silence_stdout()
            raise typer.Exit(int(ExitCode.OK)) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as error:
            if os.environ.get("KBCTL_DEBUG") or _is_click_exception(error):
                raise
            report_error(
                _("internal error: {kind}: {error}").format(kind=type(error).__name__, error=error),
                _("run again with KBCTL_DEBUG=1 for the traceback, and report it"),
            )
            raise typer.Exit(int(ExitCode.ERROR)) from None


def _is_click_exception(error: Exception) -> bool:
    # Typer 0.26+ bundles its own copy of Click, so match Click's classes by name.
    return any(cls.__name__ in _CLICK_EXCEPTIONS for cls in type(error).__mro__)


_CLICK_EXCEPTIONS = {"ClickException", "Exit", "Abort"}


def hoist_global_options(group: Any, args: list[str]) -> list[str]:
    """``args`` with the global options found after the command name moved before it.

    The command's own options that take a value keep their value (``--where -q`` is a value),
    and nothing after ``--`` moves.
    """
    position = 0
    while position < len(args):
        word = args[position]
        if word == "--":
            return args
        if not word.startswith("-") or word == "-":
            break
        position += 2 if word in GLOBAL_WITH_VALUE else 1
    if position >= len(args):
        return args
    command = group.commands.get(args[position])
    if command is None:
        return args
    takes_value = _options_with_values(command)
    moved: list[str] = []
    kept: list[str] = []
    rest = iter(args[position + 1 :])
    for word in rest:
        name = word.split("=", 1)[0]
        if word == "--":
            kept += [word, *rest]
        elif word in GLOBAL_FLAGS:
            moved.append(word)
        elif name in GLOBAL_WITH_VALUE:
            moved += [word] if "=" in word else [word, *_one(rest)]
        elif word in takes_value:
            kept += [word, *_one(rest)]
        else:
            kept.append(word)
    return [*args[:position], *moved, args[position], *kept]


def _one(words: Any) -> list[str]:
    return [word for word in [next(words, None)] if word is not None]


def _options_with_values(command: Any) -> set[str]:
    """Every option name (of the command and its subcommands) that takes a value."""
    names: set[str] = set()
    for param in getattr(command, "params", ()):
        if getattr(param, "param_type_name", "") == "option" and not param.is_flag:
            names.update(param.opts)
    for sub in getattr(command, "commands", {}).values():
        names |= _options_with_values(sub)
    return names


app = typer.Typer(
    cls=KbctlGroup,
    name="kbctl",
    help=_(
        "Run a support team's knowledge base kept as Markdown files in git.\n\n"
        "The base is found from kbctl.toml (walking up from here), $KBCTL_KB or --kb.\n\n"
        "Global options (--kb, --color, -q, -v, --no-pager) may also follow the command name.\n\n"
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
        typer.Option("--kb", metavar="DIR", help=_("Knowledge base folder (overrides $KBCTL_KB).")),
    ] = None,
    color: Annotated[
        ColorMode,
        typer.Option(
            "--color",
            help=_(
                "Colour and hyperlinks: auto (on a terminal; NO_COLOR and CLICOLOR_FORCE "
                "honoured), always or never."
            ),
        ),
    ] = ColorMode.AUTO,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help=_("Findings and data only: no notices, no summaries.")),
    ] = False,
    verbose: Annotated[
        int,
        typer.Option(
            "--verbose", "-v", count=True, help=_("Say more on stderr (the base and config used).")
        ),
    ] = 0,
    no_pager: Annotated[
        bool,
        typer.Option(
            "--no-pager", help=_("Never page long output ($KBCTL_PAGER, $PAGER, less -FRX).")
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help=_("Show the version and exit."),
        ),
    ] = False,
) -> None:
    """Global options; they may also be given after the command name."""
    options = state(ctx)
    options.kb, options.color, options.quiet, options.verbose = kb, color, quiet, verbose
    options.no_pager = no_pager
    set_options(options)


# Registration order is the order of `kbctl --help`: the daily commands first.
for _module in (
    search_cmd,
    articles_cmd,
    edit_cmd,
    new_cmd,
    link_cmd,
    history_cmd,
    owners_cmd,
    check_cmd,
    duplicates_cmd,
    config_cmd,
    init_cmd,
    export_cmd,
    mcp_cmd,
    usage_cmd,
    report_cmd,
):
    _module.register(app)

# The one-line summaries of `kbctl --help`: whole sentences (Click would otherwise cut the
# first sentence of each command's help at about 45 characters, mid-word).
SUMMARIES = {
    "search": N_("Search the base (word forms, typos, wrong keyboard layout)."),
    "index": N_("Build or update the search index."),
    "list": N_("List the articles of the base."),
    "show": N_("Show one article: metadata, then the body."),
    "stale": N_("List the articles due or overdue for review."),
    "history": N_("Show an article's commits, newest first."),
    "owners": N_("Show who owns what, with due and overdue reviews."),
    "flag": N_("Flag an article as wrong."),
    "flags": N_("List the open flags, oldest first."),
    "check": N_("Check the base for problems (the CI gate)."),
    "rules": N_("Explain every check rule, or one."),
    "config": N_("Show the effective configuration and its sources."),
    "review": N_("Show the review queue; `kbctl review mark` records a review."),
    "mark": N_("Record a review in the article's front matter."),
    "edit": N_("Open an article in $VISUAL or $EDITOR at a line."),
    "init": N_("Write a commented kbctl.toml for an existing base."),
    "export": N_("Export what one audience may see: jsonl, opensearch, html, llms."),
    "duplicates": N_("Find near-duplicate articles and suggest which to keep."),
    "link": N_("Record that an article solved a ticket (KCS reuse)."),
    "new": N_("Create an article from a template (after a look for similar ones)."),
    "mcp": N_("Serve the base to AI assistants (Model Context Protocol)."),
    "gaps": N_("Searches that fail most (usage log), and what would fix them."),
    "digest": N_("Per owner, what needs them: ready to paste into an issue."),
    "report": N_("The health of the whole base: text, Markdown, HTML or JSON."),
    "usage": N_("Most and least used articles, and archive candidates (usage log)."),
}


def _summarise(typer_app: typer.Typer) -> None:
    for command in typer_app.registered_commands:
        name = command.name or (command.callback.__name__ if command.callback else "")
        command.short_help = command.short_help or _summary(name)
    for group in typer_app.registered_groups:
        if group.typer_instance is not None:
            group.short_help = group.short_help or _summary(group.name or "")
            _summarise(group.typer_instance)


def _summary(name: str) -> str | None:
    summary = SUMMARIES.get(name)
    return _(summary) if summary else None


_summarise(app)


def main() -> None:
    """Console-script entry point (``kbctl search`` may be answered by the fast path)."""
    from kbctl.cli.fast import fast_search

    code = fast_search(sys.argv[1:])
    if code is not None:
        sys.exit(code)
    run()


def run() -> None:
    """The Typer application on ``sys.argv`` (every command, help, completion)."""
    _accept_click_completion(os.environ)
    app(prog_name="kbctl")


COMPLETE_VAR = "_KBCTL_COMPLETE"


def _accept_click_completion(environ: Any) -> None:
    """Also answer Click's spelling of the completion request (``bash_complete``,
    ``zsh_complete`` with ``COMP_WORDS``/``COMP_CWORD``), which Typer spells
    ``complete_bash``/``complete_zsh`` (zsh with ``_TYPER_COMPLETE_ARGS``); the answer is in
    Typer's format, which the scripts of ``kbctl --install-completion`` read."""
    shell, _, action = environ.get(COMPLETE_VAR, "").partition("_")
    if shell not in ("bash", "zsh") or action not in ("complete", "source"):
        return
    environ[COMPLETE_VAR] = f"{action}_{shell}"
    if shell == "zsh" and action == "complete" and "_TYPER_COMPLETE_ARGS" not in environ:
        words = environ.get("COMP_WORDS", "")
        cword = int(environ.get("COMP_CWORD", "0") or 0)
        # Typer reads the words up to the cursor; a trailing space means a new, empty word.
        parts = words.split()
        typed = " ".join(parts[: cword + 1])
        environ["_TYPER_COMPLETE_ARGS"] = typed + (" " if cword >= len(parts) else "")
