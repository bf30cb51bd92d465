"""``kbctl init``: write a commented kbctl.toml for an existing base."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kbctl.cli.context import message_line, write_data
from kbctl.errors import NotFoundError


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("init")(init)


def init(
    folder: Annotated[
        Path, typer.Argument(metavar="[DIR]", help="The repository or site folder (default: here).")
    ] = Path(),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the file on stdout; write nothing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing kbctl.toml.")] = False,
) -> None:
    """Inspect an existing base and write DIR/kbctl.toml for it: the articles' folder, what
    to exclude, which front-matter keys mean what, date order, ids, CODEOWNERS, localisation
    metadata. What was found and why goes to stderr.

    Examples:

      kbctl init --dry-run

      kbctl init path/to/site && kbctl --kb path/to/site check

      kbctl init --force
    """
    from kbctl.init import CONFIG_NAME, inspect, write_config

    folder = folder.expanduser()
    if not folder.is_dir():
        raise NotFoundError(f"folder not found: {folder}", hint="pass the base's folder as DIR")
    proposal, text = inspect(folder.resolve())
    for finding in proposal.findings:
        message_line(f"kbctl init: {finding}")
    if dry_run:
        write_data(text)
        message_line(f"kbctl init: dry run; {folder / CONFIG_NAME} not written")
        return
    target = write_config(folder, text, force=force)
    message_line(f"kbctl init: wrote {target}; next: `kbctl config` and `kbctl check` there")
