"""``kbctl check`` (the CI gate) and ``kbctl rules`` (documentation of every rule)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import load_config, notice, parse_day, print_diagnostics, write_data
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
    from kbctl.articles import Tree
    from kbctl.config import Config
    from kbctl.model import Article, Finding
    from kbctl.rules.engine import CheckResult
    from kbctl.selection import ArticleFilter


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
    kbctl.toml. Paths in the report are relative to the current folder. Files or folders
    kbctl could not read (unreadable, not UTF-8 names, links, FIFOs, too large) are findings
    too (KB107, an error), so a gate never passes over what it did not check.

    Examples:

      kbctl check --fail-on warning

      kbctl check --changed-since origin/main --format github

      kbctl check --format sarif --output kbctl.sarif
    """
    from kbctl.articles import Tree, base_files, load_base
    from kbctl.ownership import load_ownership
    from kbctl.rules.engine import check_settings, fails, run_check
    from kbctl.rules.registry import CheckContext

    config = load_config(ctx)
    settings = check_settings(config.section("check"))
    as_of = parse_day(today)
    chosen = output_format or (
        CheckFormat.GITHUB if os.environ.get("GITHUB_ACTIONS") == "true" else CheckFormat.TEXT
    )
    tree = Tree(config)  # one scan of the base for loading, PATHS and link checks
    base = load_base(config, tree=tree)
    scope = _scope(config, paths, changed_since, tree)
    selected = article_filter(tag, owner, status, audience, product, where)
    if selected.active:
        scope = _filtered(scope, selected, config, base.articles)
    in_scope = [a for a in base.articles if scope is None or a.path in scope]
    history = None if no_history else _history(config, in_scope, partial=scope is not None)
    ownership, roster, problems = load_ownership(config, in_scope)
    print_diagnostics(problems)
    context = CheckContext(
        articles=base.articles,
        config=config,
        today=as_of,
        diagnostics=base.diagnostics,
        history=history,
        ownership=ownership,
        roster=roster,
        base_files=base_files(config, tree),
        scope=scope,
    )
    result = run_check(context, settings, date_rules=not no_date_rules)
    _emit(result, chosen, output, config.root)
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


def _scope(
    config: Config, paths: list[Path] | None, changed_since: str | None, tree: Tree
) -> frozenset[str] | None:
    """Base-relative paths to check (PATHS and ``--changed-since``), or None for everything."""
    from kbctl.rules.engine import check_scope

    changed = None
    if changed_since is not None:
        from kbctl.history import changed_paths

        changed = changed_paths(config, changed_since)
    scope, outside = check_scope(config, paths or (), changed, tree=tree)
    if outside:
        notice(f"{len(outside)} path(s) outside the base {config.root} ignored")
    return scope


def _filtered(
    scope: frozenset[str] | None,
    selected: ArticleFilter,
    config: Config,
    articles: list[Article],
) -> frozenset[str]:
    """The scope narrowed to the articles that pass the filter options."""
    facts = None
    if selected.owners:
        from kbctl.ownership import load_ownership_facts

        facts = load_ownership_facts(config, articles)
    chosen = {article.path for article in selected.select(articles, facts)}
    return frozenset(chosen if scope is None else chosen & scope)


def _history(config: Config, articles: list[Article], *, partial: bool) -> dict | None:
    """Git facts for the articles; notices (shallow clone ...) go to stderr.

    For a few articles (``partial``) git stops once each has its last change.
    """
    from kbctl.cli.context import load_history

    report = load_history(config, articles, last_change_only=partial)
    return report.facts if report.available else None


def _displayed(findings: list[Finding], root: Path) -> list[Finding]:
    """The findings with paths relative to the current folder (as CI annotations need)."""
    prefix = Path(os.path.relpath(root, Path.cwd().resolve())).as_posix()
    if prefix == ".":
        return findings
    return [replace(finding, path=f"{prefix}/{finding.path}") for finding in findings]


def _emit(result: CheckResult, chosen: CheckFormat, output: Path | None, root: Path) -> None:
    """Render the result in the chosen format to stdout or ``output`` (file paths relative
    to the current folder; JSON keeps the base-relative ``path`` too)."""
    in_base = result.findings
    result.findings = _displayed(in_base, root)
    if chosen is CheckFormat.TEXT and output is None and sys.stdout.isatty():
        from kbctl.cli.context import stdout_console
        from kbctl.render.text import print_text

        print_text(stdout_console(), result)
        return
    if chosen is CheckFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import check_json

        shown = {a.path: b.path for a, b in zip(in_base, result.findings, strict=True)}
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
