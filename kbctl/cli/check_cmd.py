"""``kbctl check`` (the CI gate) and ``kbctl rules`` (documentation of every rule)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import notice, parse_day, workspace, write_data
from kbctl.cli.options import (
    AudienceOption,
    OwnerOption,
    ProductOption,
    StatusOption,
    TagOption,
    WhereOption,
    article_filter,
)
from kbctl.errors import ExitCode, UsageError

if TYPE_CHECKING:
    from kbctl.model import Finding
    from kbctl.render.paths import PathView
    from kbctl.rules.engine import CheckResult
    from kbctl.selection import ArticleFilter
    from kbctl.workspace import Scope, Workspace


class CheckFormat(StrEnum):
    """Output formats of ``kbctl check``."""

    TEXT = "text"
    JSON = "json"
    GITHUB = "github"
    GITLAB = "gitlab"
    JUNIT = "junit"
    SARIF = "sarif"


class FailOn(StrEnum):
    """The lowest severity that makes ``kbctl check`` exit 1."""

    ERROR = "error"
    WARNING = "warning"
    NEVER = "never"


class RulesFormat(StrEnum):
    """Output formats of ``kbctl rules``."""

    MARKDOWN = "markdown"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("check")(check)
    app.command("rules")(rules)


def check(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATHS", help="Only these articles or folders (default: the whole base)."
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REV",
            help="Only articles changed since REV (committed or not); base-wide rules still see everything.",
        ),
    ] = None,
    output_format: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format", "-f", help="Output format [default: github in GitHub Actions, else text]."
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout."
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help="Exit 1 when a finding is at or above this severity."),
    ] = FailOn.ERROR,
    today: Annotated[
        str | None,
        typer.Option(
            "--today", metavar="YYYY-MM-DD", help="Check as of this date (reproducible runs)."
        ),
    ] = None,
    no_history: Annotated[
        bool,
        typer.Option(
            "--no-history", help="Do not read git history (rules that need it are skipped)."
        ),
    ] = False,
    no_date_rules: Annotated[
        bool,
        typer.Option(
            "--no-date-rules",
            help="Skip rules that depend on today's date (review due, old flags).",
        ),
    ] = False,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
) -> None:
    """Check the base for problems: the CI gate (exit 0 clean, 1 findings, 2 error).

    Findings come from the rules listed by `kbctl rules`; configure them under [check] in
    kbctl.toml. Paths in the report are relative to the current folder (absolute outside it). Files or folders
    kbctl could not read (unreadable, not UTF-8 names, links, FIFOs, too large) are findings
    too (KB107, an error), so a gate never passes over what it did not check.

    Examples:

      kbctl check --fail-on warning

      kbctl check --changed-since origin/main --format github

      kbctl check --format sarif --output kbctl.sarif
    """
    from kbctl.rules.engine import fails, run_check

    ws = workspace(ctx, load_problems=False)  # loader problems are findings here
    settings = ws.check_settings
    as_of = parse_day(today)
    chosen = output_format or (
        CheckFormat.GITHUB if os.environ.get("GITHUB_ACTIONS") == "true" else CheckFormat.TEXT
    )
    selected = article_filter(tag, owner, status, audience, product, where)
    if not (paths or changed_since or no_history or selected.active):
        ws.prefetch_history()  # the whole base: git reads while the articles load
    scope = ws.scope(paths or (), changed_since)
    if scope.outside:
        notice(f"{len(scope.outside)} path(s) outside the base {ws.config.root} ignored")
    if selected.active:
        scope = _filtered(scope, selected, ws)
    context = ws.check_context(as_of, scope, with_history=not no_history)
    result = run_check(context, settings, date_rules=not no_date_rules)
    _emit(result, chosen, output, ws.config.root)
    if fails(result.findings, fail_on.value):
        raise typer.Exit(int(ExitCode.FINDINGS))


def rules(
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="Output format.")
    ] = RulesFormat.MARKDOWN,
) -> None:
    """Document every check rule: id, what, why, how to fix, how to configure.

    Examples:

      kbctl rules

      kbctl rules --format json
    """
    from kbctl.render.rules_doc import rules_json, rules_markdown
    from kbctl.rules.registry import all_rules

    registered = all_rules()
    write_data(
        rules_json(registered) if output_format is RulesFormat.JSON else rules_markdown(registered)
    )


def _filtered(scope: Scope, selected: ArticleFilter, ws: Workspace) -> Scope:
    """The scope narrowed to the articles that pass the filter options (owners resolved
    as in every other command)."""
    from kbctl.workspace import Scope

    facts = ws.ownership if selected.owners else None
    chosen = {article.path for article in selected.select(ws.articles, facts)}
    narrowed = chosen if scope.paths is None else chosen & scope.paths
    return Scope(frozenset(narrowed), scope.outside)


def _displayed(findings: list[Finding], shown: PathView) -> list[Finding]:
    """The findings with paths shown by the path contract: relative to the current folder
    when under it, else absolute (as CI annotations and editors need)."""
    return [replace(finding, path=shown(finding.path)) for finding in findings]


def _emit(result: CheckResult, chosen: CheckFormat, output: Path | None, root: Path) -> None:
    """Render the result in the chosen format to stdout or ``output`` (file paths relative
    to the current folder; JSON keeps the base-relative ``path`` too)."""
    from kbctl.render.paths import PathView

    shown = PathView(root)
    in_base = result.findings
    result.findings = _displayed(in_base, shown)
    if chosen is CheckFormat.TEXT and output is None and sys.stdout.isatty():
        from kbctl.cli.context import stdout_console
        from kbctl.render.text import print_text

        print_text(stdout_console(), result)
        return
    if chosen is CheckFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import check_json

        text = dumps(check_json(in_base, result.counts(), result.checked, result.silenced, shown))
    else:
        text = _render(result, chosen)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror}") from None
        from kbctl.render.text import summary_line

        notice(f"{summary_line(result)}; report written to {output}")
    else:
        write_data(text)
    if chosen is CheckFormat.GITHUB and (summary_file := os.environ.get("GITHUB_STEP_SUMMARY")):
        from kbctl.render.github import job_summary

        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(job_summary(result))
        except OSError as error:
            notice(f"cannot append the job summary to {summary_file}: {error.strerror}")


def _render(result: CheckResult, chosen: CheckFormat) -> str:
    if chosen is CheckFormat.GITHUB:
        from kbctl.render.github import render_github

        return render_github(result)
    if chosen is CheckFormat.GITLAB:
        from kbctl.render.gitlab import render_gitlab

        return render_gitlab(result)
    if chosen is CheckFormat.JUNIT:
        from kbctl.render.junit import render_junit

        return render_junit(result)
    if chosen is CheckFormat.SARIF:
        from kbctl.render.sarif import render_sarif

        return render_sarif(result)
    from kbctl.render.text import render_text

    return render_text(result)
