"""``kbctl gaps`` and ``kbctl usage`` as tables (terminal/TSV) and Markdown.

Queries come from logs written by anyone: every value goes through ``kbctl.textsafe`` (the
tables) or :func:`md_cell` (Markdown: one line, pipes and markup characters escaped).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

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
            gap.suggestion.fix.value.replace("_", " "),
            gap.suggestion.action.replace("\n", "; "),
        ]
        for gap in gaps
    ]


GAP_COLUMNS = ["query", "failed", "no hits", "poor", "last", "fix", "what to do"]


def gaps_table(console: Console, gaps: Sequence[Gap]) -> None:
    """The gaps, most failed first."""
    from kbctl.render.table import print_table

    print_table(console, GAP_COLUMNS, gap_rows(gaps), empty="no failed searches in the logs")


def gaps_markdown(gaps: Sequence[Gap], *, heading: str = "## Search gaps") -> str:
    """The gaps as a Markdown section (a table, then the fixes to paste)."""
    lines = [heading, ""]
    if not gaps:
        return "\n".join([*lines, "No failed searches in the logs.", ""])
    lines += [
        "| query | failed | no hits | poor | fix |",
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
    lines += ["", "What to paste:", "", fence + "text", *actions, fence, ""]
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


USAGE_COLUMNS = ["id", "title", "opened", "shown", "last opened", "status", "review"]


def usage_tables(console: Console, summary: UsageSummary) -> None:
    """Most used, least used, archive candidates: three tables."""
    from kbctl.render.table import print_table

    print_table(
        console,
        USAGE_COLUMNS,
        [_usage_row(row) for row in summary.most_used],
        title="Most used",
        empty="no article was used in the logs",
    )
    print_table(
        console,
        USAGE_COLUMNS,
        [_usage_row(row) for row in summary.least_used],
        title="Least used",
        empty="no articles",
    )
    print_table(
        console,
        ["id", "title", "why", "path"],
        [
            [item.usage.article.id, item.usage.article.title, item.reason, item.usage.article.path]
            for item in summary.candidates
        ],
        title=f"Archive candidates (unused {summary.archive_after}d, not trusted)",
        empty="no archive candidates",
    )


def _usage_markdown_rows(rows: Sequence[ArticleUsage]) -> list[str]:
    lines = ["| id | title | opened | shown | last opened |", "|---|---|---:|---:|---|"]
    for row in rows:
        lines.append(
            f"| {md_cell(row.article.id)} | {md_cell(row.article.title)} | {row.opened}"
            f" | {row.shown} | {row.last_opened or '-'} |"
        )
    return lines


def usage_markdown(summary: UsageSummary, *, level: str = "##") -> str:
    """Article use as Markdown sections."""
    lines = [f"{level} Most used articles", ""]
    lines += _usage_markdown_rows(summary.most_used) if summary.most_used else ["None."]
    lines += ["", f"{level} Least used articles", ""]
    lines += _usage_markdown_rows(summary.least_used) if summary.least_used else ["None."]
    lines += ["", f"{level} Archive candidates", ""]
    lines += archive_markdown(summary.candidates)
    return "\n".join([*lines, ""])


def archive_markdown(candidates: Sequence[ArchiveCandidate]) -> list[str]:
    """The archive candidates as Markdown list lines."""
    if not candidates:
        return ["None."]
    return [
        f"- **{md_cell(item.usage.article.id)}** {md_cell(item.usage.article.title)}:"
        f" {md_cell(item.reason)}"
        for item in candidates
    ]
