"""``kbctl init``: write a commented kbctl.toml for an existing base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kbctl.cli.context import message_line, write_data
from kbctl.errors import NotFoundError
from kbctl.i18n import _


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("init", help=INIT_HELP)(init)


INIT_HELP = _(
    "Inspect an existing base and write DIR/kbctl.toml for it: the articles' folder, what\n"
    "to exclude, which front-matter keys mean what, date order, ids, CODEOWNERS, localisation\n"
    "metadata. What was found and why goes to stderr.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl init --dry-run\n"
    "\n"
    "  kbctl init path/to/site && kbctl --kb path/to/site check\n"
    "\n"
    "  kbctl init --force"
)


def init(
    folder: Annotated[
        Path,
        typer.Argument(metavar="[DIR]", help=_("The repository or site folder (default: here).")),
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=_("Print the file on stdout; write nothing."))
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace an existing kbctl.toml."))
    ] = False,
) -> None:
    """``kbctl init`` (its help: INIT_HELP)."""
    from kbctl.init import CONFIG_NAME, inspect, write_config

    folder = folder.expanduser()
    if not folder.is_dir():
        raise NotFoundError(
            _("folder not found: {folder}").format(folder=folder),
            hint=_("pass the base's folder as DIR"),
        )
    proposal, text = inspect(folder.resolve())
    for finding in proposal.findings:
        message_line(f"kbctl init: {finding}")
    if dry_run:
        write_data(text)
        message_line(_("kbctl init: dry run; {file} not written").format(file=folder / CONFIG_NAME))
        return
    target = write_config(folder, text, force=force)
    message_line(
        _("kbctl init: wrote {file}; next: `kbctl config` and `kbctl check` there").format(
            file=target
        )
    )
