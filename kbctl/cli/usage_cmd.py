"""``kbctl gaps`` and ``kbctl usage``: what the usage log says; ``record`` writes to it."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import (
    LimitOption,
    TodayOption,
    notice,
    paged,
    parse_day,
    print_diagnostics,
    stdout_console,
    workspace,
    write_data,
)
from kbctl.i18n import _, ngettext

if TYPE_CHECKING:
    from collections.abc import Sequence

    from kbctl.usage.read import UsageLog
    from kbctl.workspace import Workspace


class UsageFormat(StrEnum):
    """Output formats of ``kbctl gaps`` and ``kbctl usage``."""

    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"


UsageFormatOption = Annotated[
    UsageFormat, typer.Option("--format", "-f", help=_("table, json or markdown."))
]
LogsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        metavar="[LOG...]",
        help=_("Usage logs to merge (default: this base's log, see [usage] in kbctl.toml)."),
        show_default=False,
    ),
]
SinceOption = Annotated[
    str | None,
    typer.Option("--since", metavar="DATE", help=_("Only events on or after DATE (YYYY-MM-DD).")),
]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("gaps", help=GAPS_HELP)(gaps)
    app.command("usage", help=USAGE_HELP)(usage)


GAPS_HELP = _(
    "The searches that fail most (no hits, or hits nobody opened), and what would fix each:\n"
    "an alias on the article people opened next, a synonym for a near-miss word, or a new\n"
    "article. Logs from several agents merge: each event counts once.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl gaps\n"
    "\n"
    "  kbctl gaps --since 2026-09-01 --format markdown\n"
    "\n"
    "  kbctl gaps kb-content/usage/sample-usage.jsonl --format json"
)

USAGE_HELP = _(
    "The most and least used articles, and the archive candidates: opened by nobody for\n"
    "[usage] archive_after days (default 180d) and not validated, or overdue for review.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl usage\n"
    "\n"
    "  kbctl usage --today 2026-11-22 --format json\n"
    "\n"
    "  kbctl usage kb-content/usage/sample-usage.jsonl --format markdown"
)


def record(
    ws: Workspace,
    event: str,
    *,
    query: str | None = None,
    hits: int | None = None,
    shown: Sequence[str] = (),
    opened: str | None = None,
) -> None:
    """Record a usage event when the usage log is on (a problem is a notice, never an error).

    The check comes before any import, so a command pays nothing when the log is off.
    """
    if not (ws.config.settings.usage.enabled or os.environ.get("KBCTL_USAGE_LOG")):
        return
    from kbctl.usage import record_event

    problem = record_event(
        ws.config,
        event,
        query=query,
        hits=hits,
        shown=shown,
        opened=opened,
        session=os.environ.get("KBCTL_SESSION") or None,
    )
    if problem:
        notice(problem)


def read_usage(ws: Workspace, logs: Sequence[Path] | None, since: str | None) -> UsageLog:
    """The merged logs (given, else this base's own), their problems on stderr."""
    from datetime import UTC, datetime, time

    from kbctl.usage import log_path
    from kbctl.usage.read import read_logs

    paths = list(logs or [])
    if not paths:
        own = log_path(ws.config)
        if not own.exists():
            notice(
                _(
                    "no usage log yet at {path}: turn it on with [usage] enabled = true in"
                    " kbctl.toml (or $KBCTL_USAGE_LOG), or give LOG files"
                ).format(path=own)
            )
        else:
            paths = [own]
    start = None
    if since is not None:
        start = datetime.combine(parse_day(since, "--since"), time.min, tzinfo=UTC)
    found = read_logs(paths, since=start)
    print_diagnostics(found.diagnostics)
    return found


def gaps(
    ctx: typer.Context,
    logs: LogsArgument = None,
    since: SinceOption = None,
    output_format: UsageFormatOption = UsageFormat.TABLE,
    limit: LimitOption = 20,
) -> None:
    """``kbctl gaps`` (its help: GAPS_HELP)."""
    from kbctl.render.language import speak_for_format
    from kbctl.usage.gaps import find_gaps, usage_facts

    ws = workspace(ctx)
    speak_for_format(output_format.value)  # JSON: English unless KBCTL_LANG asks
    found = read_usage(ws, logs, since)
    facts = usage_facts(found.events)
    result = find_gaps(facts, ws.articles, limit=limit)
    if output_format is UsageFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import gaps_json

        write_data(dumps(gaps_json(result, facts)))
        return
    if output_format is UsageFormat.MARKDOWN:
        from kbctl.render.usage import gaps_markdown

        write_data(gaps_markdown(result))
        return
    from kbctl.render.usage import gaps_table

    with paged(ctx):
        gaps_table(stdout_console(), result)
    searches = ngettext("{count} search", "{count} searches", facts.searches).format(
        count=facts.searches
    )
    events = ngettext("{count} event", "{count} events", len(found.events)).format(
        count=len(found.events)
    )
    shown = ngettext("{count} gap shown", "{count} gaps shown", len(result)).format(
        count=len(result)
    )
    # TRANSLATORS: {searches}, {events} and {shown} are counted phrases ("12 searches").
    notice(
        _("{searches} in {events}; {shown}").format(searches=searches, events=events, shown=shown)
    )


def usage(
    ctx: typer.Context,
    logs: LogsArgument = None,
    since: SinceOption = None,
    output_format: UsageFormatOption = UsageFormat.TABLE,
    today: TodayOption = None,
    limit: LimitOption = 10,
) -> None:
    """``kbctl usage`` (its help: USAGE_HELP)."""
    from kbctl.policy.archive import usage_summary
    from kbctl.render.language import speak_for_format
    from kbctl.usage.gaps import usage_facts

    on = parse_day(today)
    ws = workspace(ctx)
    speak_for_format(output_format.value)  # JSON: English unless KBCTL_LANG asks
    ws.prefetch_history()
    found = read_usage(ws, logs, since)
    facts = usage_facts(found.events)
    history = ws.history().facts
    summary = usage_summary(facts, ws.articles, ws.config, on, history=history, top=limit or 10)
    if not summary.covers_window and found.events:
        notice(
            ngettext(
                "the logs cover {count} day, less than archive_after ({days}d): "
                "'unused' means unused in the logs",
                "the logs cover {count} days, less than archive_after ({days}d): "
                "'unused' means unused in the logs",
                summary.covered_days,
            ).format(count=summary.covered_days, days=summary.archive_after)
        )
    if output_format is UsageFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import usage_json

        write_data(dumps(usage_json(summary)))
        return
    if output_format is UsageFormat.MARKDOWN:
        from kbctl.render.usage import usage_markdown

        write_data(usage_markdown(summary))
        return
    from kbctl.render.usage import usage_tables

    with paged(ctx):
        usage_tables(stdout_console(), summary)
