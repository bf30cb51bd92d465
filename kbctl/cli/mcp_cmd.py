"""``kbctl mcp``: the knowledge base as a Model Context Protocol server for AI assistants."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from kbctl.cli.complete import complete_audiences
from kbctl.cli.context import parse_day, state, write_data
from kbctl.i18n import _


class Transport(StrEnum):
    """How the MCP client talks to the server."""

    STDIO = "stdio"
    HTTP = "http"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("mcp", help=MCP_COMMAND_HELP)(mcp_command)


MCP_COMMAND_HELP = _(
    "Serve the base to AI assistants over the Model Context Protocol (stdio by default).\n"
    "\n"
    "Tools: search, get_article, list_articles, stale, review_queue, related,\n"
    "check_article (flag_article and create_draft with --allow-write); resources kb://ARTICLE-ID; the\n"
    "prompt cite_and_warn. Every result carries its trust signals and a path:line citation.\n"
    "--audience is a hard ceiling: an audience sees its own articles and wider ones\n"
    "(customer sees customer and public; internal, the default, sees all). Every call reads\n"
    "the base as it is now. Messages go to stderr; stdout is the protocol.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl mcp --skill\n"
    "\n"
    "  claude mcp add kbctl -- kbctl mcp --kb /path/to/repo --audience internal\n"
    "\n"
    "  kbctl mcp --audience customer\n"
    "\n"
    "  kbctl mcp --audience customer --transport http --port 8765"
)


def mcp_command(
    ctx: typer.Context,
    audience: Annotated[
        str,
        typer.Option(
            "--audience",
            metavar="AUDIENCE",
            help=_("The ceiling: internal (all), partner, customer or public."),
            autocompletion=complete_audiences,
        ),
    ] = "internal",
    allow_write: Annotated[
        bool,
        typer.Option(
            "--allow-write",
            help=_("Add flag_article (as kbctl flag) and create_draft (as kbctl new)."),
        ),
    ] = False,
    by: Annotated[
        str | None,
        typer.Option(help=_("Who flags and owns drafts (default: git's user.email).")),
    ] = None,
    transport: Annotated[
        Transport, typer.Option("--transport", help=_("stdio (default) or http (streamable HTTP)."))
    ] = Transport.STDIO,
    host: Annotated[str, typer.Option(help=_("With --transport http: the address to bind."))] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help=_("With --transport http: the port."))] = 8000,
    skill: Annotated[
        bool,
        typer.Option(
            "--skill", help=_("Print the SKILL.md that teaches an assistant kbctl, and exit.")
        ),
    ] = False,
    no_refresh: Annotated[
        bool,
        typer.Option("--no-refresh", help=_("Skip the index's freshness check on every search.")),
    ] = False,
    today: Annotated[str | None, typer.Option(hidden=True, help=_("Pin today (tests)."))] = None,
) -> None:
    """``kbctl mcp`` (its help: MCP_COMMAND_HELP)."""
    if skill:
        from importlib.resources import files

        write_data(files("kbctl.mcp").joinpath("SKILL.md").read_text(encoding="utf-8"))
        return
    if not allow_write and by is not None:
        from kbctl.errors import UsageError

        raise UsageError(_("--by needs --allow-write"), hint="kbctl mcp --allow-write --by @you")
    from kbctl.mcp.server import serve
    from kbctl.mcp.service import KbService

    service = KbService(
        state(ctx).kb,
        audience=audience,
        allow_write=allow_write,
        by=by,
        today=parse_day(today) if today else None,
        refresh=not no_refresh,
    )
    service.config()  # a broken kbctl.toml is exit 2 now, not an error on every call
    serve(service, transport.value, host=host, port=port)
