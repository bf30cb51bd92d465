"""``kbctl report``: the health of the whole base, in text, Markdown, HTML or JSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import TodayOption, notice, parse_day, stdout_console, workspace, write_data
from kbctl.i18n import _, speaking

if TYPE_CHECKING:
    from kbctl.duplicates import DuplicateGroup
    from kbctl.report.model import Report
    from kbctl.workspace import Workspace


class ReportFormat(StrEnum):
    """Output formats of ``kbctl report``."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("report", help=REPORT_HELP)(report)
    app.command("digest", help=DIGEST_HELP)(digest)


REPORT_HELP = _(
    "The health of the whole base: counts by status, audience, owner, product and tag;\n"
    "the trust score against [report] trust_target; review health now and by week; ownerless\n"
    "and departed-owner articles; open flags; old work in progress; the oldest articles;\n"
    "per-owner workload; near-duplicate groups (as `kbctl duplicates`); with a usage log,\n"
    "the top search gaps and archive candidates.\n"
    "\n"
    "HTML is one self-contained file (no network, no scripts or fonts from elsewhere);\n"
    "Markdown fits a CI job summary ($GITHUB_STEP_SUMMARY).\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl report\n"
    "\n"
    "  kbctl report --format markdown\n"
    "\n"
    "  kbctl report --format html --output kb-report.html\n"
    "\n"
    "  kbctl report --format html --lang ru --output kb-report-ru.html\n"
    "\n"
    "  kbctl report --format json --today 2026-11-22"
)

DIGEST_HELP = _(
    "For each owner, what needs them: overdue and due reviews, flags, work in progress\n"
    "too long, searches an alias on their articles would fix, their archive candidates.\n"
    "Markdown is ready to paste into an issue; JSON gives each owner an issue title and\n"
    "that Markdown (see the README's weekly CI recipe). Owners with nothing to do are left out.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl digest\n"
    "\n"
    "  kbctl digest --owner @elena.sokolova\n"
    "\n"
    "  kbctl digest --format json --today 2026-11-22"
)


def build(ws: Workspace, today: str | None, logs: list[Path] | None, since: str | None) -> Report:
    """The report of the workspace's base on ``today``, with the usage logs when there are
    some (given, else this base's own log when it exists)."""
    from kbctl.report.model import build_report

    on = parse_day(today)
    ws.prefetch_history()
    articles = ws.articles
    facts = ws.ownership
    report = ws.history()
    usage = None
    if logs or _own_log_exists(ws):
        from kbctl.cli.usage_cmd import read_usage
        from kbctl.usage.gaps import usage_facts

        usage = usage_facts(read_usage(ws, logs, since).events)
    return build_report(
        articles,
        facts.by_path,
        facts.roster,
        ws.config,
        on,
        history=report.facts if report.available else None,
        usage=usage,
        base_name=ws.config.root.name,
        duplicates=_duplicates(ws),
    )


def _duplicates(ws: Workspace) -> list[DuplicateGroup]:
    """The groups `kbctl duplicates` finds (whole base, configured threshold), from the
    signature cache where bodies are unchanged."""
    from kbctl.duplicates import find_duplicates_cached
    from kbctl.policy.reuse import reuse_counts

    return find_duplicates_cached(
        ws.config,
        ws.articles,
        live=ws.articles,
        threshold=ws.config.settings.duplicates.threshold,
        reuse=reuse_counts(ws.articles),
    )


def _own_log_exists(ws: Workspace) -> bool:
    from kbctl.errors import ConfigError
    from kbctl.usage import log_path

    try:
        return log_path(ws.config).exists()
    except ConfigError as error:
        notice(error.message)
        return False


def report(
    ctx: typer.Context,
    output_format: Annotated[
        ReportFormat,
        typer.Option("--format", "-f", help=_("text, markdown (a CI job summary), html or json.")),
    ] = ReportFormat.TEXT,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help=_("Write the report to FILE instead of stdout.")
        ),
    ] = None,
    logs: Annotated[
        list[Path] | None,
        typer.Option(
            "--log",
            metavar="LOG",
            help=_("Usage log to include (repeatable; default: this base's log when it exists)."),
        ),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option("--since", metavar="DATE", help=_("Only usage events on or after DATE.")),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="LANG",
            help=_("The report's language: en or ru (default: lang in kbctl.toml, else yours)."),
        ),
    ] = None,
    today: TodayOption = None,
) -> None:
    """``kbctl report`` (its help: REPORT_HELP)."""
    ws = workspace(ctx)
    language = _language(lang, ws)
    # The model's texts (reasons, roster standing, notes) come from the core's messages:
    # made in the report's language, which may differ from the user's.
    with speaking(language):
        data = build(ws, today, logs, since)
        if output_format is ReportFormat.TEXT and output is None:
            from kbctl.render.report import print_report

            print_report(stdout_console(), data, language)
            return
        text = _render(data, output_format, language)
    if output is None:
        write_data(text)
        return
    _write(output, text)
    notice(_("report written to {path}").format(path=output))


def _language(lang: str | None, ws: Workspace) -> str:
    """The report's language: ``--lang``, else the base's ``lang`` in kbctl.toml, else the
    user's language."""
    from kbctl.errors import UsageError
    from kbctl.i18n import LANGUAGES, active_language

    if lang is None:
        return ws.config.settings.lang or active_language()
    if lang not in LANGUAGES:
        raise UsageError(
            _("--lang {lang}: unknown").format(lang=lang), hint=_("use --lang en or --lang ru")
        )
    return lang


def _render(data: Report, output_format: ReportFormat, lang: str = "en") -> str:
    if output_format is ReportFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import report_json

        return dumps(report_json(data))
    if output_format is ReportFormat.MARKDOWN:
        from kbctl.render.report import report_markdown

        return report_markdown(data, lang)
    if output_format is ReportFormat.HTML:
        from kbctl.render.report_html import report_html

        return report_html(data, lang)
    from kbctl.render.report import report_text

    return report_text(data, lang=lang)


def _write(path: Path, text: str) -> None:
    """Write the report where the user asked (their choice: any path), whole or not at all."""
    import contextlib

    from kbctl.errors import UsageError

    target = path.expanduser()
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        tmp.replace(target)
    except OSError as error:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise UsageError(
            _("cannot write {path}: {reason}").format(path=path, reason=error.strerror),
            hint=_("choose a writable file"),
        ) from None


class DigestFormat(StrEnum):
    """Output formats of ``kbctl digest``."""

    MARKDOWN = "markdown"
    JSON = "json"


def digest(
    ctx: typer.Context,
    owner: Annotated[
        str | None,
        typer.Option("--owner", metavar="OWNER", help=_("Only this owner's digest (a handle).")),
    ] = None,
    output_format: Annotated[
        DigestFormat,
        typer.Option("--format", "-f", help=_("markdown (to paste) or json (for a CI job).")),
    ] = DigestFormat.MARKDOWN,
    logs: Annotated[
        list[Path] | None,
        typer.Option(
            "--log",
            metavar="LOG",
            help=_("Usage log to include (repeatable; default: this base's log when it exists)."),
        ),
    ] = None,
    today: TodayOption = None,
) -> None:
    """``kbctl digest`` (its help: DIGEST_HELP)."""
    from kbctl.report.digest import owner_digests

    on = parse_day(today)
    ws = workspace(ctx)
    ws.prefetch_history()
    facts = ws.ownership
    history = ws.history()
    usage = None
    if logs or _own_log_exists(ws):
        from kbctl.cli.usage_cmd import read_usage
        from kbctl.usage.gaps import usage_facts

        usage = usage_facts(read_usage(ws, logs, None).events)
    found = owner_digests(
        ws.articles,
        facts.by_path,
        facts.roster,
        ws.config,
        on,
        history=history.facts if history.available else None,
        usage=usage,
        only=owner,
    )
    if output_format is DigestFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import digests_json

        write_data(dumps(digests_json(found, on)))
        return
    from kbctl.render.digest import digests_markdown

    write_data(digests_markdown(found, on))
