"""``kbctl config``: the effective configuration, where each value came from, the schema."""

from __future__ import annotations

from typing import Annotated

import typer

from kbctl.cli.context import DataFormat, FormatOption, workspace, write_data
from kbctl.i18n import _


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("config", help=CONFIG_HELP)(config)


CONFIG_HELP = _(
    "Show the effective configuration and where each value came from\n"
    "(default, kbctl.toml:LINE, $KBCTL_KB / $KBCTL_CACHE_DIR, --kb).\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl config\n"
    "\n"
    "  kbctl config --format json\n"
    "\n"
    "  kbctl config --schema > kbctl.schema.json"
)


def config(
    ctx: typer.Context,
    schema: Annotated[
        bool, typer.Option("--schema", help=_("Print the JSON Schema of kbctl.toml and exit."))
    ] = False,
    output_format: FormatOption = DataFormat.TABLE,
) -> None:
    """``kbctl config`` (its help: CONFIG_HELP)."""
    if schema:
        from kbctl.settings.schema import schema_text

        write_data(schema_text())
        return
    from kbctl.render.settings import settings_json, settings_text
    from kbctl.settings.show import effective

    loaded = workspace(ctx).config
    entries = effective(loaded)
    if output_format is DataFormat.JSON:
        write_data(settings_json(entries, loaded.config_path, loaded.root))
    else:
        write_data(settings_text(entries, loaded.config_path))
