"""``kbctl export``: publish what one audience may see (jsonl, opensearch, html, llms)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kbctl.cli.context import message_line, notice, parse_day, workspace
from kbctl.errors import UsageError
from kbctl.i18n import _


class ExportFormat(StrEnum):
    """The export formats."""

    JSONL = "jsonl"
    OPENSEARCH = "opensearch"
    HTML = "html"
    LLMS = "llms"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("export", help=EXPORT_HELP)(export)


EXPORT_HELP = _(
    "Export the articles an audience may see, and nothing else: internal articles, links\n"
    "to them, internal parts of bodies and private front-matter keys stay in the base. What\n"
    "was withheld and why is written to OUTPUT.withheld.json (next to the output, not in it).\n"
    "With --since REV, a run into the output of an earlier export writes only what changed\n"
    "and the deletions (OUTPUT.kbctl-state.json remembers what was exported).\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl export --audience public --format html --output site\n"
    "\n"
    "  kbctl export --audience customer --format jsonl --output customer.jsonl\n"
    "\n"
    "  kbctl export --audience public --format opensearch --output os-export --since origin/main\n"
    "\n"
    "  kbctl export --audience partner --format llms --output llms --status validated"
)


def export(
    ctx: typer.Context,
    audience: Annotated[
        str,
        typer.Option(
            "--audience",
            help=_(
                "Who reads it: public, customer, partner or internal (each sees"
                " its own articles and the wider audiences')."
            ),
        ),
    ],
    output_format: Annotated[
        ExportFormat, typer.Option("--format", "-f", help=_("jsonl, opensearch, html or llms."))
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help=_("A file for jsonl, a folder for the others (created).")
        ),
    ],
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help=_("Statuses to export (repeatable; default validated; never archived)."),
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="REV",
            help=_("Incremental: only what changed since REV, and the deletions."),
        ),
    ] = None,
    include_owners: Annotated[
        bool, typer.Option("--include-owners", help=_("Export owners and reviewers too."))
    ] = False,
    today: Annotated[
        str | None, typer.Option("--today", help=_("Review states as of this day (YYYY-MM-DD)."))
    ] = None,
) -> None:
    """``kbctl export`` (its help: EXPORT_HELP)."""
    from kbctl.export.run import read_synonyms, run_export
    from kbctl.selection import parse_audience, parse_status

    chosen = parse_audience(audience)
    statuses = [parse_status(value) for value in status or []]
    ws = workspace(ctx)
    config = ws.config
    target = output.expanduser()
    # Resolved: ``..`` and links on the way must not lead the output into the base.
    absolute, root = target.resolve(), config.root.resolve()
    if absolute == root or root in absolute.parents:
        raise UsageError(
            _("{output} is inside the base {root}").format(output=output, root=config.root),
            hint=_("write the export outside the base (its files would be read as articles)"),
        )
    changed: set[str] | None = None
    if since is not None:
        from kbctl.history import changed_paths

        changed = changed_paths(config, since)
    result = run_export(
        ws.articles,
        config,
        fmt=output_format.value,
        output=target,
        audience=chosen,
        statuses=statuses,
        files=ws.tree.files,
        include_owners=include_owners,
        since=changed,
        today=parse_day(today) if today else None,
        synonyms=read_synonyms(config),
    )
    for text in result.notices:
        notice(text)
    if result.incremental:
        summary = _(
            "kbctl export: incremental {format} export for {audience} to {output}:"
            " {exported} articles ({written} written, {deleted} deleted),"
            " {withheld} withheld, {links} links made plain text; report in {report}"
        )
    else:
        summary = _(
            "kbctl export: full {format} export for {audience} to {output}:"
            " {exported} articles ({written} written, {deleted} deleted),"
            " {withheld} withheld, {links} links made plain text; report in {report}"
        )
    message_line(
        summary.format(
            format=output_format.value,
            audience=chosen,
            output=output,
            exported=result.exported,
            written=result.written,
            deleted=result.deleted,
            withheld=result.withheld,
            links=result.links_removed,
            report=result.report_path,
        )
    )
