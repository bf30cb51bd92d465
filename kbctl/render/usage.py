"""``kbctl gaps`` and ``kbctl usage`` as tables (terminal/TSV) and Markdown.

Queries come from logs written by anyone: every value goes through ``kbctl.textsafe`` (the
tables) or :func:`md_cell` (Markdown: one line, pipes and markup characters escaped).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kbctl.i18n import N_, _
from kbctl.textsafe import one_line

if TYPE_CHECKING:
    from rich.console import Console

    from kbctl.policy.archive import ArchiveCandidate, ArticleUsage, UsageSummary
    from kbctl.usage.gaps import Gap

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_cell(value: object) -> str:
    """A value as the text of a Markdown table cell or list item: one line, control
    characters escaped, Markdown and HTML characters backslash-escaped (no link, image or
    tag can come out of a base's or a log's text)."""
    if value is None:
        return "-"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(value))


def day(moment: datetime | None) -> str | None:
    """A moment as its UTC date (YYYY-MM-DD)."""
    return moment.astimezone(UTC).date().isoformat() if moment is not None else None


def gap_rows(gaps: Sequence[Gap]) -> list[list[object]]:
    """The rows of the gaps table: query, failed, no hits, poor, last, fix, action."""
    return [
        [
            gap.query,
            gap.failed,
            gap.no_hits,
            gap.poor,
            day(gap.last),
            _(FIX_NAMES.get(gap.suggestion.fix.value, gap.suggestion.fix.value)),
            gap.suggestion.action.replace("\n", "; "),
        ]
        for gap in gaps
    ]


# Column names are English (print_table shows them in the active language).
GAP_COLUMNS = [N_("query"), N_("failed"), N_("no hits"), N_("poor"), N_("last"), N_("fix")]
GAP_COLUMNS.append(N_("what to do"))
# The kinds of fix, as the table shows them (JSON keeps the values: alias, synonym...).
FIX_NAMES = {"alias": N_("alias"), "synonym": N_("synonym"), "new_article": N_("new article")}


def gaps_table(console: Console, gaps: Sequence[Gap]) -> None:
    """The gaps, most failed first."""
    from kbctl.render.table import print_table

    print_table(console, GAP_COLUMNS, gap_rows(gaps), empty=_("no failed searches in the logs"))


def gaps_markdown(gaps: Sequence[Gap], *, heading: str | None = None) -> str:
    """The gaps as a Markdown section (a table, then the fixes to paste); ``heading``
    defaults to ``## Search gaps`` in the active language."""
    lines = [heading if heading is not None else _("## Search gaps"), ""]
    if not gaps:
        return "\n".join([*lines, _("No failed searches in the logs."), ""])
    lines += [
        _("| query | failed | no hits | poor | fix |"),
        "|---|---:|---:|---:|---|",
    ]
    for gap in gaps:
        lines.append(
            f"| {md_cell(gap.query)} | {gap.failed} | {gap.no_hits} | {gap.poor}"
            f" | {md_cell(gap.suggestion.text)} |"
        )
    actions = [one_line(gap.suggestion.action).replace("\\n", "\n") for gap in gaps]
    # A fence longer than any run of backticks in the actions: a query cannot close it.
    longest = max((len(run) for text in actions for run in re.findall("`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    lines += ["", _("What to paste:"), "", fence + "text", *actions, fence, ""]
    return "\n".join(lines)


def _usage_row(row: ArticleUsage) -> list[object]:
    return [
        row.article.id,
        row.article.title,
        row.opened,
        row.shown,
        row.last_opened,
        row.article.status,
        row.review.state.value,
    ]


USAGE_COLUMNS = ["id", "title", N_("opened"), N_("shown"), N_("last opened"), "status", "review"]


def usage_tables(console: Console, summary: UsageSummary) -> None:
    """Most used, least used, archive candidates: three tables."""
    from kbctl.render.table import print_table

    print_table(
        console,
        USAGE_COLUMNS,
        [_usage_row(row) for row in summary.most_used],
        title=_("Most used"),
        empty=_("no article was used in the logs"),
    )
    print_table(
        console,
        USAGE_COLUMNS,
        [_usage_row(row) for row in summary.least_used],
        title=_("Least used"),
        empty=_("no articles"),
    )
    print_table(
        console,
        ["id", "title", "why", "path"],
        [
            [item.usage.article.id, item.usage.article.title, item.reason, item.usage.article.path]
            for item in summary.candidates
        ],
        title=_("Archive candidates (unused {days}d, not trusted)").format(
            days=summary.archive_after
        ),
        empty=_("no archive candidates"),
    )


def _usage_markdown_rows(rows: Sequence[ArticleUsage]) -> list[str]:
    lines = [_("| id | title | opened | shown | last opened |"), "|---|---|---:|---:|---|"]
    for row in rows:
        lines.append(
            f"| {md_cell(row.article.id)} | {md_cell(row.article.title)} | {row.opened}"
            f" | {row.shown} | {row.last_opened or '-'} |"
        )
    return lines


def usage_markdown(summary: UsageSummary, *, level: str = "##") -> str:
    """Article use as Markdown sections."""
    none = _("None.")
    lines = [f"{level} " + _("Most used articles"), ""]
    lines += _usage_markdown_rows(summary.most_used) if summary.most_used else [none]
    lines += ["", f"{level} " + _("Least used articles"), ""]
    lines += _usage_markdown_rows(summary.least_used) if summary.least_used else [none]
    lines += ["", f"{level} " + _("Archive candidates"), ""]
    lines += archive_markdown(summary.candidates)
    return "\n".join([*lines, ""])


def archive_markdown(candidates: Sequence[ArchiveCandidate]) -> list[str]:
    """The archive candidates as Markdown list lines."""
    if not candidates:
        return [_("None.")]
    return [
        f"- **{md_cell(item.usage.article.id)}** {md_cell(item.usage.article.title)}:"
        f" {md_cell(item.reason)}"
        for item in candidates
    ]
