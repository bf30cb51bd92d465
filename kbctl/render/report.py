"""The health report as terminal text (Rich tables and bar charts) and as Markdown.

Both draw :class:`kbctl.report.model.Report`. Every value from the base or a log is made
safe: :class:`rich.text.Text` cells (never read as markup) of :func:`kbctl.textsafe.one_line`
text on the terminal, :func:`kbctl.render.usage.md_cell` in Markdown.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kbctl.render.usage import archive_markdown, md_cell
from kbctl.textsafe import one_line

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from kbctl.report.model import ArticleLine, Count, Report

BAR_WIDTH = 30
FULL, PARTS = "█", " ▏▎▍▌▋▊▉"


def bar(value: int | float, largest: int | float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``value`` against ``largest`` in ``width`` cells (eighths)."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return FULL * (eighths // 8) + (PARTS[eighths % 8] if eighths % 8 else "")


def percent(share: float) -> str:
    """A share as a whole percentage."""
    return f"{share * 100:.0f}%"


# ------------------------------------------------------------------------------ text


def print_report(console: Console, report: Report) -> None:
    """The report on a console: a table per section, bars beside the counts. On a
    terminal with colour; piped, the same text without colour or box lines."""
    from kbctl.render.table import wants_table

    framed = wants_table(console)
    for item in _sections(report, framed=framed):
        console.print(item)


def report_text(report: Report, width: int = 100) -> str:
    """The report as plain text (``--format text --output FILE``)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, no_color=True, highlight=False)
    for item in _sections(report, framed=False):
        console.print(item)
    return buffer.getvalue()


def _text(value: object, style: str = "") -> RenderableType:
    from rich.text import Text

    return Text("-" if value is None else one_line(value), style=style)


def _table(title: str, columns: Sequence[str], framed: bool) -> Table:
    from rich import box
    from rich.table import Table as RichTable

    table = RichTable(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD if framed else None,
        show_edge=False,
        pad_edge=False,
    )
    for column in columns:
        numeric = column in ("articles", "overdue", "due soon", "flagged", "failed", "share")
        table.add_column(column, justify="right" if numeric else "left", overflow="fold")
    return table


def _count_table(title: str, found: Sequence[Count], framed: bool) -> RenderableType:
    table = _table(title, ["value", "articles", ""], framed)
    largest = max((count.value for count in found), default=0)
    for count in found:
        table.add_row(
            _text(count.label), str(count.value), _text(bar(count.value, largest), "cyan")
        )
    return table


def _article_table(
    title: str, lines: Sequence[ArticleLine], framed: bool, *, when: str = "date"
) -> RenderableType:
    table = _table(title, ["id", "title", "owners", when, "why"], framed)
    for line in lines:
        table.add_row(
            _text(line.id),
            _text(line.title),
            _text(", ".join(line.owners) or "-"),
            _text(line.when),
            _text(line.detail),
        )
    return table


def _sections(report: Report, *, framed: bool) -> list[RenderableType]:
    from rich.text import Text

    trust = report.trust
    verdict = "target met" if trust.met else "below target"
    head = Text()
    head.append(f"Knowledge base health: {one_line(report.base)}", style="bold")
    head.append(f"  ({report.generated}, {report.live} live of {report.total} articles)\n")
    head.append(
        f"Trust score {percent(trust.share)} ({trust.trusted}/{trust.total} validated and"
        f" reviewed on time; target {percent(trust.target)}: {verdict}) ",
    )
    head.append(bar(trust.share, 1.0), style="green" if trust.met else "red")
    out: list[RenderableType] = [head]
    for note in report.notes:
        out.append(Text(f"note: {note}", style="dim"))
    review = report.review
    states = _table("Review health today", ["state", "articles", ""], framed)
    largest = max(review.ok, review.due_soon, review.overdue, review.never, 1)
    for label, value, style in (
        ("on time", review.ok, "green"),
        ("due soon", review.due_soon, "yellow"),
        ("overdue", review.overdue, "red"),
        ("never reviewed", review.never, "magenta"),
    ):
        states.add_row(label, str(value), _text(bar(value, largest), style))
    out.append(states)
    weeks = _table(
        "Review health by week (at each week's end)",
        ["week", "on time", "due soon", "overdue", "unknown", "reviews", "overdue bar"],
        framed,
    )
    most = max((week.overdue for week in report.weeks), default=0)
    for week in report.weeks:
        weeks.add_row(
            f"{week.start}..{week.end}",
            str(week.on_time),
            str(week.due_soon),
            str(week.overdue),
            str(week.unknown),
            str(week.reviews),
            _text(bar(week.overdue, most, 20), "red"),
        )
    out.append(weeks)
    for title, found in (
        ("By status", report.by_status),
        ("By audience", report.by_audience),
        ("By owner (top)", report.by_owner),
        ("By product (top)", report.by_product),
        ("By tag (top)", report.by_tag),
    ):
        out.append(_count_table(title, found, framed))
    workload = _table(
        "Workload per owner",
        ["owner", "articles", "overdue", "due soon", "flagged", "roster"],
        framed,
    )
    for row in report.workload:
        workload.add_row(
            _text(row.owner),
            str(row.articles),
            str(row.overdue),
            str(row.due_soon),
            str(row.flagged),
            _text(row.standing),
        )
    out.append(workload)
    for title, lines, when in (
        ("Ownerless articles", report.ownerless, "date"),
        ("Articles whose owners left", report.departed, "date"),
        ("Open flags", report.flags, "flagged"),
        ("Work in progress too long", report.wip_too_old, "started"),
        ("Oldest articles (last review or change)", report.oldest, "since"),
    ):
        if lines:
            out.append(_article_table(title, lines, framed, when=when))
        else:
            out.append(Text(f"{title}: none", style="bold"))
    out.append(_duplicates_text(report))
    out.extend(_usage_text(report, framed))
    return out


def _duplicates_text(report: Report) -> RenderableType:
    from rich.text import Text

    if report.duplicates is None:
        return Text("Duplicates: not available (duplicate detection not run)", style="dim")
    if not report.duplicates:
        return Text("Duplicates: none found", style="bold")
    text = Text(f"Duplicates ({len(report.duplicates)} groups)\n", style="bold")
    for line in duplicate_lines(report):
        text.append(f"  {line}\n", style="")
    return text


def duplicate_lines(report: Report) -> list[str]:
    """One plain line per duplicate group (the first :data:`TOP`, then how many more):
    similarity, ids with the keeper marked, the keeper's title. Sanitised for a terminal."""
    from kbctl.report.model import TOP, duplicate_rows

    rows = duplicate_rows(report)
    lines = []
    for group, articles in rows[:TOP]:
        ids = ", ".join(
            f"{article.id} (keep)" if article.path == group.keeper else article.id
            for article in articles
        )
        lines.append(one_line(f"{group.similarity:.0%}  {ids}: {articles[0].title}"))
    if len(rows) > TOP:
        lines.append(f"... and {len(rows) - TOP} more (kbctl duplicates)")
    return lines


def _usage_text(report: Report, framed: bool) -> list[RenderableType]:
    from rich.text import Text

    usage = report.usage
    if usage is None:
        return [
            Text(
                "Usage: no usage log (kbctl report --log LOG, or [usage] in kbctl.toml)",
                style="dim",
            )
        ]
    gaps = _table(
        f"Top search gaps ({usage.searches} searches)", ["query", "failed", "fix"], framed
    )
    for gap in usage.gaps:
        gaps.add_row(_text(gap.query), str(gap.failed), _text(gap.suggestion.action))
    archive = _table(
        f"Archive candidates (unused {usage.archive_after}d, not trusted)",
        ["id", "title", "why"],
        framed,
    )
    for item in usage.archive:
        archive.add_row(
            _text(item.usage.article.id), _text(item.usage.article.title), _text(item.reason)
        )
    return [gaps, archive]


# -------------------------------------------------------------------------- Markdown


def _md_counts(title: str, found: Sequence[Count]) -> list[str]:
    lines = [f"### {title}", ""]
    if not found:
        return [*lines, "None.", ""]
    largest = max(count.value for count in found)
    lines += ["| value | articles | |", "|---|---:|---|"]
    lines += [
        f"| {md_cell(count.label)} | {count.value} | {bar(count.value, largest, 20)} |"
        for count in found
    ]
    return [*lines, ""]


def _md_articles(title: str, found: Sequence[ArticleLine], when: str = "date") -> list[str]:
    lines = [f"### {title}", ""]
    if not found:
        return [*lines, "None.", ""]
    lines += [f"| id | title | owners | {when} | why |", "|---|---|---|---|---|"]
    lines += [
        f"| {md_cell(line.id)} | {md_cell(line.title)} | {md_cell(', '.join(line.owners) or '-')}"
        f" | {line.when or '-'} | {md_cell(line.detail)} |"
        for line in found
    ]
    return [*lines, ""]


def report_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown (fits ``$GITHUB_STEP_SUMMARY``)."""
    trust, review = report.trust, report.review
    mark = "✅" if trust.met else "⚠️"
    lines = [
        f"## Knowledge base health: {md_cell(report.base)} ({report.generated})",
        "",
        f"{mark} **Trust score {percent(trust.share)}** ({trust.trusted} of {trust.total} live"
        f" articles validated and reviewed on time; target {percent(trust.target)})",
        "",
        f"{report.live} live articles of {report.total}. Review: **{review.overdue} overdue**,"
        f" {review.due_soon} due soon, {review.never} never reviewed, {review.ok} on time.",
        "",
    ]
    lines += [f"> {md_cell(note)}" for note in report.notes]
    lines += [
        "### Review health by week",
        "",
        "| week ending | on time | due soon | overdue | unknown | reviews | overdue |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    most = max((week.overdue for week in report.weeks), default=0)
    lines += [
        f"| {week.end} | {week.on_time} | {week.due_soon} | {week.overdue} | {week.unknown}"
        f" | {week.reviews} | {bar(week.overdue, most, 15)} |"
        for week in report.weeks
    ]
    lines += [
        "",
        "_unknown: reviewed or changed after that week, so their state then is not known._",
        "",
    ]
    lines += _md_articles("Open flags", report.flags, "flagged")
    lines += _md_articles("Ownerless articles", report.ownerless)
    lines += _md_articles("Articles whose owners left", report.departed)
    lines += _md_articles("Work in progress too long", report.wip_too_old, "started")
    lines += _md_articles("Oldest articles", report.oldest, "since")
    lines += ["### Workload per owner", ""]
    if report.workload:
        lines += [
            "| owner | articles | overdue | due soon | flagged | roster |",
            "|---|---:|---:|---:|---:|---|",
        ]
        lines += [
            f"| {md_cell(row.owner)} | {row.articles} | {row.overdue} | {row.due_soon}"
            f" | {row.flagged} | {md_cell(row.standing)} |"
            for row in report.workload
        ]
    else:
        lines.append("None.")
    lines.append("")
    for title, found in (
        ("By status", report.by_status),
        ("By audience", report.by_audience),
        ("By owner (top)", report.by_owner),
        ("By product (top)", report.by_product),
        ("By tag (top)", report.by_tag),
    ):
        lines += _md_counts(title, found)
    lines += ["### Duplicates", ""]
    if report.duplicates is None:
        lines.append("_Not available: duplicate detection was not run._")
    elif not report.duplicates:
        lines.append("None found.")
    else:
        lines += [f"- {md_cell(line)}" for line in duplicate_lines(report)]
    lines.append("")
    usage = report.usage
    if usage is None:
        lines += ["_No usage log given: no search gaps or archive candidates._", ""]
    else:
        from kbctl.render.usage import gaps_markdown

        lines.append(
            gaps_markdown(usage.gaps, heading=f"### Top search gaps ({usage.searches} searches)")
        )
        lines += [f"### Archive candidates (unused {usage.archive_after}d, not trusted)", ""]
        lines += archive_markdown(usage.archive)
        lines.append("")
    return "\n".join(lines)
