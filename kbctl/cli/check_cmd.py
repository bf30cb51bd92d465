"""``kbctl check`` (the CI gate) and ``kbctl rules`` (documentation of every rule)."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.complete import complete_rules
from kbctl.cli.context import notice, parse_day, workspace, write_data
from kbctl.cli.options import (
    AudienceOption,
    OwnerOption,
    ProductOption,
    StatusOption,
    TagOption,
    WhereOption,
    article_filter,
    select,
)
from kbctl.errors import ExitCode, UsageError
from kbctl.i18n import _, ngettext

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
    app.command("check", help=CHECK_HELP)(check)
    app.command("rules", help=RULES_HELP)(rules)


CHECK_HELP = _(
    "Check the base for problems: the CI gate (exit 0 clean, 1 findings, 2 error).\n"
    "\n"
    "Findings come from the rules listed by `kbctl rules`; configure them under [check] in\n"
    "kbctl.toml. Paths in the report are relative to the current folder (absolute outside it). Files or folders\n"
    "kbctl could not read (unreadable, not UTF-8 names, links, FIFOs, too large) are findings\n"
    "too (KB107, an error), so a gate never passes over what it did not check.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl check --fail-on warning\n"
    "\n"
    "  kbctl check --changed-since origin/main --format github\n"
    "\n"
    "  kbctl check --format sarif --output kbctl.sarif"
)


def check(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATHS", help=_("Only these articles or folders (default: the whole base).")
        ),
    ] = None,
    changed_since: Annotated[
        str | None,
        typer.Option(
            "--changed-since",
            metavar="REV",
            help=_(
                "Only articles changed since REV (committed or not); base-wide rules still see everything."
            ),
        ),
    ] = None,
    output_format: Annotated[
        CheckFormat | None,
        typer.Option(
            "--format",
            "-f",
            help=_("Output format [default: github in GitHub Actions, else text]."),
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help=_("Write the report to FILE instead of stdout.")
        ),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option("--fail-on", help=_("Exit 1 when a finding is at or above this severity.")),
    ] = FailOn.ERROR,
    today: Annotated[
        str | None,
        typer.Option(
            "--today", metavar="YYYY-MM-DD", help=_("Check as of this date (reproducible runs).")
        ),
    ] = None,
    no_history: Annotated[
        bool,
        typer.Option(
            "--no-history", help=_("Do not read git history (rules that need it are skipped).")
        ),
    ] = False,
    no_date_rules: Annotated[
        bool,
        typer.Option(
            "--no-date-rules",
            help=_("Skip rules that depend on today's date (review due, old flags)."),
        ),
    ] = False,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
) -> None:
    """``kbctl check`` (its help: CHECK_HELP)."""
    from kbctl.render.language import speak_for_format
    from kbctl.rules.engine import fails, run_check

    ws = workspace(ctx, load_problems=False)  # loader problems are findings here
    settings = ws.check_settings
    as_of = parse_day(today)
    chosen = output_format or (
        CheckFormat.GITHUB if os.environ.get("GITHUB_ACTIONS") == "true" else CheckFormat.TEXT
    )
    speak_for_format(chosen.value)  # machine formats: English unless KBCTL_LANG asks
    selected = article_filter(tag, owner, status, audience, product, where)
    if not (paths or changed_since or no_history or selected.active):
        ws.prefetch_history()  # the whole base: git reads while the articles load
    _refuse_empty_base(ws)
    scope = ws.scope(paths or (), changed_since)
    if paths and not changed_since and scope.paths is not None and not scope.paths:
        shown = " ".join(str(path) for path in paths)
        raise UsageError(
            _("no articles under {paths}").format(paths=shown),
            hint=_("name article files or folders that hold them (see include/exclude)"),
        )
    if scope.outside:
        count = len(scope.outside)
        notice(
            ngettext(
                "{count} path outside the base {root} ignored",
                "{count} paths outside the base {root} ignored",
                count,
            ).format(count=count, root=ws.config.root)
        )
    if selected.active:
        scope = _filtered(scope, selected, ws)
    context = ws.check_context(as_of, scope, with_history=not no_history)
    result = run_check(context, settings, date_rules=not no_date_rules)
    if ws.last_history is not None:
        from kbctl.history.report import skipped_summary

        if summary := skipped_summary(ws.last_history.skipped):
            notice(summary)
    _emit(result, chosen, output, ws.config.root)
    if fails(result.findings, fail_on.value):
        raise typer.Exit(int(ExitCode.FINDINGS))


RULES_HELP = _(
    "Document every check rule, or one: id, what, why, how to fix, how to configure.\n"
    "\n"
    "On a terminal one rule is rendered for reading; piped, it is plain Markdown.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl rules\n"
    "\n"
    "  kbctl rules KB301\n"
    "\n"
    "  kbctl rules review-overdue --format json"
)


def rules(
    rule_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[RULE_ID]",
            help=_("Explain only this rule: its id (KB301) or name (review-overdue), any case."),
            autocompletion=complete_rules,
        ),
    ] = None,
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help=_("Output format."))
    ] = RulesFormat.MARKDOWN,
) -> None:
    """``kbctl rules`` (its help: RULES_HELP)."""
    from kbctl.render.language import speak_for_format
    from kbctl.render.rules_doc import rule_data, rule_section, rules_json, rules_markdown
    from kbctl.rules.registry import all_rules, find_rule

    speak_for_format(output_format.value)

    registered = all_rules()
    if rule_id is None:
        write_data(
            rules_json(registered)
            if output_format is RulesFormat.JSON
            else rules_markdown(registered)
        )
        return
    rule = find_rule(rule_id.strip())
    if rule is None:
        from kbctl.settings.kinds import did_you_mean

        wanted = rule_id.strip()
        suggestion = did_you_mean(wanted.upper(), [r.id for r in registered]) or did_you_mean(
            wanted.lower(), [r.name for r in registered]
        )
        raise UsageError(
            _("no rule {rule}{suggestion}").format(rule=repr(rule_id), suggestion=suggestion),
            hint=_("`kbctl rules` lists every rule"),
        )
    if output_format is RulesFormat.JSON:
        from kbctl.render.json import dumps

        write_data(dumps(rule_data(rule)))
        return
    text = "\n".join(rule_section(rule, level=1))
    if sys.stdout.isatty():
        from rich.markdown import Markdown

        from kbctl.cli.context import stdout_console

        stdout_console().print(Markdown(text))
        return
    write_data(text)


def _refuse_empty_base(ws: Workspace) -> None:
    """A gate over no article passes nothing: exit 2 when the base holds no article, and a
    warning for each config glob that matches no file (a typo there hides articles)."""
    from kbctl.settings.unmatched import unmatched_config_globs

    config = ws.config
    for key, pattern in unmatched_config_globs(config, ws.tree.files):
        notice(
            _("{key}: pattern {pattern} matches no file in the base").format(
                key=key, pattern=repr(pattern)
            )
        )
    if ws.tree.articles():
        return
    origin = config.origins.get("content", "")
    if config.config_path is not None and not origin:
        message = _("no articles under {root}, is `content` in {config} right?").format(
            root=config.root, config=config.config_path.name
        )
    elif origin.startswith(("--", "$")):
        message = _("no articles under {root}, is {origin} right?").format(
            root=config.root, origin=origin
        )
    else:
        message = _("no articles under {root}, is this the base's folder?").format(root=config.root)
    raise UsageError(
        message,
        hint=_(
            "point kbctl at the folder with the Markdown articles (include/exclude choose them)"
        ),
    )


def _filtered(scope: Scope, selected: ArticleFilter, ws: Workspace) -> Scope:
    """The scope narrowed to the articles that pass the filter options (owners resolved
    as in every other command)."""
    from kbctl.workspace import Scope

    facts = ws.ownership if selected.owners else None
    chosen = {article.path for article in select(selected, ws, facts)}
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
    from kbctl.cli.context import OPTIONS

    if chosen is CheckFormat.TEXT and OPTIONS.quiet:
        # -q: the findings only, no summary line (nothing at all when clean).
        text = "\n".join(render_text_lines(result)[:-1]).strip("\n")
        if text and output is None:
            write_data(text)
        elif output is not None:
            _write_report(output, text + "\n" if text else "")
        return
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
        _write_report(output, text)
        from kbctl.render.text import summary_line

        notice(
            _("{summary}; report written to {output}").format(
                summary=summary_line(result), output=output
            )
        )
    else:
        write_data(text)
    if chosen is CheckFormat.GITHUB and (summary_file := os.environ.get("GITHUB_STEP_SUMMARY")):
        from kbctl.render.github import job_summary

        try:
            with open(summary_file, "a", encoding="utf-8") as handle:
                handle.write(job_summary(result))
        except OSError as error:
            notice(
                _("cannot append the job summary to {file}: {reason}").format(
                    file=summary_file, reason=error.strerror
                )
            )


def _write_report(output: Path, text: str) -> None:
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(
            _("cannot write {file}: {reason}").format(file=output, reason=error.strerror)
        ) from None


def render_text_lines(result: CheckResult) -> list[str]:
    """The plain-text report as lines; the last one is the summary."""
    from kbctl.render.text import render_text

    return render_text(result).rstrip("\n").split("\n")


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
