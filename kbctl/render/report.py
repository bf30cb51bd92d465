"""The health report as terminal text (Rich tables and bar charts) and as Markdown.

Both draw :class:`kbctl.report.model.Report`, in the report's language (``lang``: a
:class:`kbctl.i18n.Translator`; the user's language when not given). Every value from the base or a log is made
safe: :class:`rich.text.Text` cells (never read as markup) of :func:`kbctl.textsafe.one_line`
text on the terminal, :func:`kbctl.render.usage.md_cell` in Markdown.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kbctl.i18n import N_, Translator, active_language
from kbctl.render.usage import archive_markdown, md_cell
from kbctl.textsafe import one_line

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.table import Table

    from kbctl.report.model import ArticleLine, Count, Report, Trust

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


def _trust_fields(trust: Trust) -> dict[str, str | int]:
    # The fields of the trust-score sentence, the same in the terminal and Markdown reports.
    return {
        "share": percent(trust.share),
        "trusted": trust.trusted,
        "total": trust.total,
        "target": percent(trust.target),
    }


# ------------------------------------------------------------------------------ text

# Column names (translated when drawn); the numeric ones are right-aligned.
NUMERIC = frozenset(
    {N_("articles"), N_("overdue"), N_("due soon"), N_("flagged"), N_("failed"), N_("share")}
)
COUNT_TITLES = (
    N_("By status"),
    N_("By audience"),
    N_("By owner (top)"),
    N_("By product (top)"),
    N_("By tag (top)"),
)


def _translator(lang: str | None) -> Translator:
    return Translator(lang or active_language())


def _counts_of(report: Report) -> list[tuple[str, Sequence[Count]]]:
    found = (report.by_status, report.by_audience, report.by_owner, report.by_product)
    return list(zip(COUNT_TITLES, (*found, report.by_tag), strict=True))


def print_report(console: Console, report: Report, lang: str | None = None) -> None:
    """The report on a console: a table per section, bars beside the counts. On a
    terminal with colour; piped, the same text without colour or box lines."""
    from kbctl.render.table import wants_table

    framed = wants_table(console)
    for item in _sections(report, _translator(lang), framed=framed):
        console.print(item)


def report_text(report: Report, width: int = 100, lang: str | None = None) -> str:
    """The report as plain text (``--format text --output FILE``)."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, no_color=True, highlight=False)
    for item in _sections(report, _translator(lang), framed=False):
        console.print(item)
    return buffer.getvalue()


def _text(value: object, style: str = "") -> RenderableType:
    from rich.text import Text

    return Text("-" if value is None else one_line(value), style=style)


def _table(tr: Translator, title: str, columns: Sequence[str], framed: bool) -> Table:
    """A table titled ``title`` (translated) with ``columns`` (English names, translated)."""
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
        table.add_column(
            tr.gettext(column) if column else "",
            justify="right" if column in NUMERIC else "left",
            overflow="fold",
        )
    return table


def _count_table(
    tr: Translator, title: str, found: Sequence[Count], framed: bool
) -> RenderableType:
    table = _table(tr, title, [N_("value"), N_("articles"), ""], framed)
    largest = max((count.value for count in found), default=0)
    for count in found:
        table.add_row(
            _text(count.label), str(count.value), _text(bar(count.value, largest), "cyan")
        )
    return table


def _article_table(
    tr: Translator, title: str, lines: Sequence[ArticleLine], framed: bool, *, when: str
) -> RenderableType:
    table = _table(tr, title, [N_("id"), N_("title"), N_("owners"), when, N_("why")], framed)
    for line in lines:
        table.add_row(
            _text(line.id),
            _text(line.title),
            _text(", ".join(line.owners) or "-"),
            _text(line.when),
            _text(line.detail),
        )
    return table


def _sections(report: Report, tr: Translator, *, framed: bool) -> list[RenderableType]:
    from rich.text import Text

    trust = report.trust
    verdict = tr.gettext("target met") if trust.met else tr.gettext("below target")
    head = Text()
    head.append(
        tr.gettext("Knowledge base health: {base}").format(base=one_line(report.base)),
        style="bold",
    )
    head.append(
        "  "
        + tr.ngettext(
            "({date}, {live} live of {total} article)",
            "({date}, {live} live of {total} articles)",
            report.total,
        ).format(
            date=tr.format_date(report.generated),
            live=tr.format_number(report.live),
            total=tr.format_number(report.total),
        )
        + "\n"
    )
    head.append(
        tr.ngettext(
            "Trust score {share} ({trusted}/{total} validated and reviewed on time;"
            " target {target}: {verdict})",
            "Trust score {share} ({trusted}/{total} validated and reviewed on time;"
            " target {target}: {verdict})",
            trust.total,
        ).format(**_trust_fields(trust), verdict=verdict)
        + " ",
    )
    head.append(bar(trust.share, 1.0), style="green" if trust.met else "red")
    out: list[RenderableType] = [head]
    for note in report.notes:
        out.append(Text(tr.gettext("note: {note}").format(note=note), style="dim"))
    review = report.review
    states = _table(
        tr, tr.gettext("Review health today"), [N_("state"), N_("articles"), ""], framed
    )
    largest = max(review.ok, review.due_soon, review.overdue, review.never, 1)
    for label, value, style in (
        (N_("on time"), review.ok, "green"),
        (N_("due soon"), review.due_soon, "yellow"),
        (N_("overdue"), review.overdue, "red"),
        (N_("never reviewed"), review.never, "magenta"),
    ):
        states.add_row(tr.gettext(label), str(value), _text(bar(value, largest), style))
    out.append(states)
    weeks = _table(
        tr,
        tr.gettext("Review health by week (at each week's end)"),
        [
            N_("week"),
            N_("on time"),
            N_("due soon"),
            N_("overdue"),
            N_("unknown"),
            N_("reviews"),
            N_("overdue bar"),
        ],
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
    for title, found in _counts_of(report):
        out.append(_count_table(tr, tr.gettext(title), found, framed))
    workload = _table(
        tr,
        tr.gettext("Workload per owner"),
        [N_("owner"), N_("articles"), N_("overdue"), N_("due soon"), N_("flagged"), N_("roster")],
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
    for title, lines, when in _article_lists(report):
        if lines:
            out.append(_article_table(tr, tr.gettext(title), lines, framed, when=when))
        else:
            out.append(
                Text(tr.gettext("{section}: none").format(section=tr.gettext(title)), style="bold")
            )
    out.append(_duplicates_text(report, tr))
    out.extend(_usage_text(report, tr, framed))
    return out


def _article_lists(report: Report) -> list[tuple[str, Sequence[ArticleLine], str]]:
    """The list sections: title, lines, the name of their date column (all to translate)."""
    return [
        (N_("Ownerless articles"), report.ownerless, N_("date")),
        (N_("Articles whose owners left"), report.departed, N_("date")),
        (N_("Open flags"), report.flags, N_("flagged")),
        (N_("Work in progress too long"), report.wip_too_old, N_("started")),
        (N_("Oldest articles (last review or change)"), report.oldest, N_("since")),
    ]


def _duplicates_text(report: Report, tr: Translator) -> RenderableType:
    from rich.text import Text

    if report.duplicates is None:
        return Text(
            tr.gettext("Duplicates: not available (duplicate detection not run)"), style="dim"
        )
    if not report.duplicates:
        return Text(tr.gettext("Duplicates: none found"), style="bold")
    count = len(report.duplicates)
    heading = tr.ngettext("Duplicates ({count} group)", "Duplicates ({count} groups)", count)
    text = Text(heading.format(count=count) + "\n", style="bold")
    for line in duplicate_lines(report, tr):
        text.append(f"  {line}\n", style="")
    return text


def duplicate_lines(report: Report, tr: Translator) -> list[str]:
    """One plain line per duplicate group (the first :data:`TOP`, then how many more):
    similarity, ids with the keeper marked, the keeper's title. Sanitised for a terminal."""
    from kbctl.report.model import TOP, duplicate_rows

    rows = duplicate_rows(report)
    keep = tr.gettext("keep")
    lines = []
    for group, articles in rows[:TOP]:
        ids = ", ".join(
            f"{article.id} ({keep})" if article.path == group.keeper else article.id
            for article in articles
        )
        lines.append(one_line(f"{group.similarity:.0%}  {ids}: {articles[0].title}"))
    if len(rows) > TOP:
        more = len(rows) - TOP
        lines.append(
            tr.ngettext(
                "... and {count} more (kbctl duplicates)",
                "... and {count} more (kbctl duplicates)",
                more,
            ).format(count=more)
        )
    return lines


def _usage_text(report: Report, tr: Translator, framed: bool) -> list[RenderableType]:
    from rich.text import Text

    usage = report.usage
    if usage is None:
        return [
            Text(
                tr.gettext(
                    "Usage: no usage log (kbctl report --log LOG, or [usage] in kbctl.toml)"
                ),
                style="dim",
            )
        ]
    gaps = _table(
        tr, _gaps_title(tr, usage.searches), [N_("query"), N_("failed"), N_("fix")], framed
    )
    for gap in usage.gaps:
        gaps.add_row(_text(gap.query), str(gap.failed), _text(gap.suggestion.action))
    archive = _table(
        tr, _archive_title(tr, usage.archive_after), [N_("id"), N_("title"), N_("why")], framed
    )
    for item in usage.archive:
        archive.add_row(
            _text(item.usage.article.id), _text(item.usage.article.title), _text(item.reason)
        )
    return [gaps, archive]


def _gaps_title(tr: Translator, searches: int) -> str:
    return tr.ngettext(
        "Top search gaps ({count} search)", "Top search gaps ({count} searches)", searches
    ).format(count=tr.format_number(searches))


def _archive_title(tr: Translator, days: int) -> str:
    return tr.ngettext(
        "Archive candidates (unused {count} day, not trusted)",
        "Archive candidates (unused {count} days, not trusted)",
        days,
    ).format(count=days)


# -------------------------------------------------------------------------- Markdown


def _md_counts(tr: Translator, title: str, found: Sequence[Count]) -> list[str]:
    lines = [f"### {tr.gettext(title)}", ""]
    if not found:
        return [*lines, tr.gettext("None."), ""]
    largest = max(count.value for count in found)
    lines += [f"| {tr.gettext('value')} | {tr.gettext('articles')} | |", "|---|---:|---|"]
    lines += [
        f"| {md_cell(count.label)} | {count.value} | {bar(count.value, largest, 20)} |"
        for count in found
    ]
    return [*lines, ""]


def _md_articles(tr: Translator, title: str, found: Sequence[ArticleLine], when: str) -> list[str]:
    lines = [f"### {tr.gettext(title)}", ""]
    if not found:
        return [*lines, tr.gettext("None."), ""]
    names = [tr.gettext(name) for name in ("id", "title", "owners", when, "why")]
    lines += ["| " + " | ".join(names) + " |", "|---|---|---|---|---|"]
    lines += [
        f"| {md_cell(line.id)} | {md_cell(line.title)} | {md_cell(', '.join(line.owners) or '-')}"
        f" | {line.when or '-'} | {md_cell(line.detail)} |"
        for line in found
    ]
    return [*lines, ""]


def _md_row(tr: Translator, names: Sequence[str]) -> str:
    return "| " + " | ".join(tr.gettext(name) for name in names) + " |"


def report_markdown(report: Report, lang: str | None = None) -> str:
    """The report as GitHub-flavoured Markdown (fits ``$GITHUB_STEP_SUMMARY``)."""
    tr = _translator(lang)
    trust, review = report.trust, report.review
    mark = "✅" if trust.met else "⚠️"
    lines = [
        "## "
        + tr.gettext("Knowledge base health: {base} ({date})").format(
            base=md_cell(report.base), date=tr.format_date(report.generated)
        ),
        "",
        f"{mark} "
        + tr.ngettext(
            "**Trust score {share}** ({trusted} of {total} live article validated and"
            " reviewed on time; target {target})",
            "**Trust score {share}** ({trusted} of {total} live articles validated and"
            " reviewed on time; target {target})",
            trust.total,
        ).format(**_trust_fields(trust)),
        "",
        tr.ngettext(
            "{live} live article of {total}.",
            "{live} live articles of {total}.",
            report.total,
        ).format(live=report.live, total=report.total)
        + " "
        + tr.gettext(
            "Review: **{overdue} overdue**, {due_soon} due soon, {never} never reviewed,"
            " {ok} on time."
        ).format(
            overdue=review.overdue, due_soon=review.due_soon, never=review.never, ok=review.ok
        ),
        "",
    ]
    lines += [f"> {md_cell(note)}" for note in report.notes]
    lines += [
        "### " + tr.gettext("Review health by week"),
        "",
        _md_row(
            tr,
            [
                N_("week ending"),
                N_("on time"),
                N_("due soon"),
                N_("overdue"),
                N_("unknown"),
                N_("reviews"),
                N_("overdue"),
            ],
        ),
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
        "_"
        + tr.gettext(
            "unknown: reviewed or changed after that week, so their state then is not known."
        )
        + "_",
        "",
    ]
    lines += _md_articles(tr, N_("Open flags"), report.flags, N_("flagged"))
    lines += _md_articles(tr, N_("Ownerless articles"), report.ownerless, N_("date"))
    lines += _md_articles(tr, N_("Articles whose owners left"), report.departed, N_("date"))
    lines += _md_articles(tr, N_("Work in progress too long"), report.wip_too_old, N_("started"))
    lines += _md_articles(tr, N_("Oldest articles"), report.oldest, N_("since"))
    lines += ["### " + tr.gettext("Workload per owner"), ""]
    if report.workload:
        lines += [
            _md_row(
                tr,
                [
                    N_("owner"),
                    N_("articles"),
                    N_("overdue"),
                    N_("due soon"),
                    N_("flagged"),
                    N_("roster"),
                ],
            ),
            "|---|---:|---:|---:|---:|---|",
        ]
        lines += [
            f"| {md_cell(row.owner)} | {row.articles} | {row.overdue} | {row.due_soon}"
            f" | {row.flagged} | {md_cell(row.standing)} |"
            for row in report.workload
        ]
    else:
        lines.append(tr.gettext("None."))
    lines.append("")
    for title, found in _counts_of(report):
        lines += _md_counts(tr, title, found)
    lines += ["### " + tr.gettext("Duplicates"), ""]
    if report.duplicates is None:
        lines.append("_" + tr.gettext("Not available: duplicate detection was not run.") + "_")
    elif not report.duplicates:
        lines.append(tr.gettext("None found."))
    else:
        lines += [f"- {md_cell(line)}" for line in duplicate_lines(report, tr)]
    lines.append("")
    usage = report.usage
    if usage is None:
        lines += [
            "_" + tr.gettext("No usage log given: no search gaps or archive candidates.") + "_",
            "",
        ]
    else:
        from kbctl.render.usage import gaps_markdown

        lines.append(gaps_markdown(usage.gaps, heading="### " + _gaps_title(tr, usage.searches)))
        lines += ["### " + _archive_title(tr, usage.archive_after), ""]
        lines += archive_markdown(usage.archive)
        lines.append("")
    return "\n".join(lines)
