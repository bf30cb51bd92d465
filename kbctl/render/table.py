"""Terminal output with Rich: tables and the article view.

Every value from the base goes through ``kbctl.textsafe`` (control and bidi characters
escaped) and, where Rich would read markup, through Rich's own markup escape: a title like
``[link=...]`` shows as written. The console's stream guards against workflow-command lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from itertools import pairwise
from typing import TYPE_CHECKING

from rich.table import Table

from kbctl.i18n import N_, _, age_text, ngettext
from kbctl.render.paths import PathView, article_root, shown_path
from kbctl.textsafe import block, one_line

if TYPE_CHECKING:
    from pathlib import Path

    from rich.console import Console
    from rich.text import Text

    from kbctl.duplicates import DuplicateGroup
    from kbctl.model import Article, Hit
    from kbctl.policy.queue import OpenFlag, OwnerRow, OwnersSummary, QueueItem
    from kbctl.search.explain import Explanation


# Columns whose values wrap between words on a narrow terminal; the others never split.
WRAPPABLE = frozenset(
    {
        "title",
        "owners",
        "why",
        "detail",
        "reason",
        "subject",
        "note",
        "for example",
        "last change",
        "oldest review",
        "problem",
        "shared passage",
    }
)
# Columns dropped on a narrow terminal, first to go first; the others always stay.
DROP_ORDER = (
    "audience", "reviewed", "every", "from", "roster", "detail", "note", "last change",
    "subject", "for example", "oldest review", "flagged", "owners", "status", "path", "why", "title",
)  # fmt: skip


# Every column heading, marked for the catalog: callers name columns in English (the keys
# of WRAPPABLE and DROP_ORDER) and print_table shows each in the active language.
HEADINGS = (
    N_("#"), N_("id"), N_("title"), N_("owners"), N_("owner"), N_("status"), N_("audience"),
    N_("reviewed"), N_("path"), N_("why"), N_("due"), N_("overdue"), N_("flagged"),
    N_("oldest review"), N_("roster"), N_("problem"), N_("articles"), N_("for example"),
    N_("detail"), N_("date"), N_("by"), N_("reason"), N_("every"), N_("last change"),
    N_("note"), N_("commit"), N_("subject"), N_("author"), N_("what"), N_("group"),
    N_("similar"), N_("suggest"), N_("links"), N_("reused"), N_("where"), N_("also in"),
    N_("shared passage"), N_("from"), N_("review"),
)  # fmt: skip
# The kinds of a commit in ``kbctl history`` (kbctl.history.report.HistoryEntry.kind).
ENTRY_KINDS = (N_("content"), N_("move"))


def wants_table(console: Console) -> bool:
    """Whether the console writes to a terminal (a table) or to a pipe or file (data: TSV).

    The stream decides, not the colour setting: ``--color always | less`` still gets
    tab-separated data (never coloured), as any pipe does.
    """
    try:
        return bool(console.file.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def print_table(
    console: Console,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    title: str | None = None,
    empty: str | None = None,
) -> None:
    """Print rows as a table on a terminal, as tab-separated lines with a header elsewhere.

    ``columns`` are English names (they choose which columns wrap and drop first); the
    headings show them in the active language (TSV too: ``--format json`` is the stable form).

    A missing cell is a dim dash on a terminal and empty in TSV. With no rows, ``empty`` goes
    to stderr and stdout gets nothing; in TSV the title goes to stderr too (a pipe gets data
    only).
    """
    import sys

    from kbctl.render import grid
    from kbctl.textsafe import guard_line

    rows = list(rows)
    if not rows:
        message = _("nothing to show") if empty is None else empty
        sys.stderr.write(guard_line(one_line(message)) + "\n")
        return
    if not wants_table(console):
        if title is not None:  # a summary, not data: stderr keeps the TSV clean
            sys.stderr.write(guard_line(one_line(title)) + "\n")
        console.file.write(grid.tsv([_(name) for name in columns], rows))
        return
    color = bool(console.color_system) and not console.no_color
    wrap = frozenset(i for i, name in enumerate(columns) if name in WRAPPABLE)
    position = {name: i for i, name in enumerate(columns)}
    drop = [position[name] for name in DROP_ORDER if name in position]
    headings = [_(name) for name in columns]
    text = grid.render(headings, rows, console.width, wrap=wrap, drop=drop, color=color)
    if title is not None:
        heading = guard_line(one_line(title))
        text = (f"{grid.BOLD}{heading}{grid.RESET}" if color else heading) + "\n" + text
    console.file.write(text)
    console.file.flush()


def _escape(value: object) -> str:
    """A value as Rich markup that shows it literally, on one line, control characters escaped."""
    from rich.markup import escape

    return escape(one_line(value))


def article_view(console: Console, article: Article, root: Path | None = None) -> None:
    """An article as a metadata panel over its body rendered as Markdown; with the base
    ``root``, relative links to other files show the path of the file they point to."""
    # Imported here: rich.markdown pulls in markdown-it and Pygments (~75 ms), which only
    # `kbctl show` needs.
    from rich.markdown import Markdown
    from rich.panel import Panel

    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column()
    fields = [
        (_("id"), article.id),
        (_("path"), f"{shown_path(article.abs_path)}:{article.body_line}"),
        (_("owners"), ", ".join(article.owners) or None),
        (_("status"), article.status),
        (_("audience"), article.audience),
        (_("tags"), ", ".join(article.tags) or None),
        (_("product"), article.product),
        (_("last reviewed"), article.last_reviewed),
        (_("aliases"), ", ".join(article.aliases) or None),
    ]
    for name, value in fields:
        meta.add_row(_escape(name), "[dim]-[/dim]" if value is None else _escape(value))
    for flag in article.flags:
        meta.add_row(
            f"[red]{_escape(_('flag'))}[/red]",
            _escape(
                _("{date} {by}: {reason}").format(
                    date=flag.date or "?", by=flag.by or "?", reason=flag.reason
                )
            ),
        )
    console.print(Panel(meta, title=_escape(article.title), title_align="left"))
    # Links show their target as text ("label (url)") rather than as a terminal hyperlink
    # whose label could pretend to be another address.
    body = Markdown(block(article.body), hyperlinks=False)
    if root is not None:
        from kbctl.render.links import resolve_article_links

        resolve_article_links(body.parsed, article.abs_path, root)
    console.print(body)


def print_hits(
    console: Console,
    hits: Sequence[Hit],
    today: date | None = None,
    *,
    root: Path | None = None,
    shown: Callable[[str], str] = str,
    explanations: Sequence[Explanation] | None = None,
) -> None:
    """Search hits, one block each: the title; ``path:line`` with the facts that say how far
    to trust the article (status, owner, last review and last change in git with their ages);
    the highlighted snippet. ``shown`` shows a base-relative path by the path contract. With
    the base ``root``, on a terminal with colour, the title and the path are hyperlinks (OSC 8)
    to the file. With ``explanations`` (``--explain``), each block ends with why it ranks.
    """
    from rich.style import Style
    from rich.text import Text

    from kbctl.render.links import file_url, hyperlinks_on

    today = today or date.today()
    linked = root is not None and hyperlinks_on(console)
    for number, hit in enumerate(hits, start=1):
        link = file_url(root / hit.path) if linked and root is not None else None
        lines = Text()
        lines.append(f"{number:>2}. ", style="dim")
        lines.append(one_line(hit.title), style=Style(bold=True, link=link))
        lines.append("\n    ")
        lines.append(
            f"{one_line(shown(hit.path))}:{hit.line}", style=Style(color="cyan", link=link)
        )
        lines.append("  ")
        lines.append(
            one_line(hit.status or _("no status")),
            style=_STATUS_STYLES.get(hit.status or "", "dim"),
        )
        lines.append(" · ")
        lines.append(
            one_line(", ".join(hit.owners) or _("no owner")), style="" if hit.owners else "red"
        )
        lines.append(" · ")
        reviewed = _age_text(hit.last_reviewed, today)
        lines.append(
            _("reviewed {when}").format(when=reviewed),
            style="" if hit.last_reviewed else "dim",
        )
        if hit.last_changed is not None:
            when = _age_text(hit.last_changed.date(), today)
            lines.append(" · ")
            if hit.last_changed_by:
                lines.append(
                    _("changed {when} by {author}").format(
                        when=when, author=one_line(hit.last_changed_by)
                    )
                )
            else:
                lines.append(_("changed {when}").format(when=when))
        if hit.snippet:
            lines.append("\n    ")
            lines.append(_highlighted(hit.snippet, hit.highlights))
        if explanations is not None and number <= len(explanations):
            lines.append(_explanation_text(explanations[number - 1]))
        console.print(lines)
        if number < len(hits):
            console.print()


# ``--explain``'s names for what was applied to a word and for the indexed fields.
EXPLAIN_KINDS = {
    "layout": N_("layout"),
    "transliteration": N_("transliteration"),
    "correction": N_("correction"),
    "synonym": N_("synonym"),
}
EXPLAIN_FIELDS = {"head": N_("head"), "labels": N_("labels"), "body": N_("body")}


def _explanation_text(explanation: Explanation) -> Text:
    """``--explain`` lines: the score parts, then each query word: how it was read and
    where its terms were found."""
    from rich.text import Text

    text = Text()
    parts = " · ".join(f"{name} {value:.4g}" for name, value in explanation.parts.items())
    text.append("\n    " + _("why:") + " ", style="dim")
    text.append(one_line(parts))
    for word in explanation.words:
        text.append("\n      ")
        text.append(one_line(word.word), style="bold" if word.matched else "dim")
        alternatives = list(word.terms)[1:] + [" ".join(g) for g in word.groups]
        if word.applied:
            changes = "; ".join(
                f"{_(EXPLAIN_KINDS.get(item.kind, item.kind))} {item.source} -> {item.target}"
                for item in word.applied
            )
            text.append(f" ({one_line(changes)})", style="dim")
        elif alternatives:
            also = _("also {words}").format(words=", ".join(alternatives))
            text.append(f" ({one_line(also)})", style="dim")
        if word.matched:
            found = "; ".join(
                f"{_(EXPLAIN_FIELDS.get(name, name))}: {', '.join(terms)}"
                for name, terms in word.fields.items()
            )
            text.append(f": {one_line(found)}")
        else:
            text.append(": " + _("not found"), style="dim")
    return text


def _highlighted(snippet: str, highlights: Sequence[tuple[int, int]]) -> Text:
    """The snippet made safe by :func:`one_line`, its highlight spans moved to match."""
    from rich.text import Text

    cuts = sorted(
        {0, len(snippet), *(i for span in highlights for i in span if 0 <= i <= len(snippet))}
    )
    moved: dict[int, int] = {}
    pieces: list[str] = []
    length = 0
    for start, end in pairwise(cuts):
        moved[start] = length
        piece = one_line(snippet[start:end])
        pieces.append(piece)
        length += len(piece)
    moved[cuts[-1]] = length
    text = Text("".join(pieces))
    for start, end in highlights:
        if start in moved and end in moved:
            text.stylize("bold yellow", moved[start], moved[end])
    return text


_STATUS_STYLES = {
    "validated": "green",
    "not_validated": "yellow",
    "wip": "yellow",
    "archived": "red",
}


def _age_text(when: date | None, today: date) -> str:
    """``2025-03-14 (8 mo ago)``; a dash when unknown."""
    if when is None:
        return "-"
    return _("{date} ({age})").format(date=when.isoformat(), age=age_text((today - when).days))


def owners_table(
    console: Console,
    summary: OwnersSummary,
    *,
    roster_known: bool,
    shown: Callable[[str], str] = str,
) -> None:
    """``kbctl owners``: per-owner counts, then owners the roster does not know or who left."""
    columns = ["owner", "articles", "due", "overdue", "flagged", "oldest review"]
    if roster_known:
        columns.insert(1, "roster")

    def row(item: OwnerRow) -> list[object]:
        oldest = f"{item.oldest} ({item.oldest_id})" if item.oldest else None
        cells: list[object] = [
            _("{owner} (team)").format(owner=item.owner) if item.is_team else item.owner,
            item.articles,
            item.due,
            item.overdue,
            item.flagged,
            oldest,
        ]
        if roster_known:
            cells.insert(1, str(item.standing))
        return cells

    print_table(console, columns, map(row, summary.owners), title=_("Owners"), empty=_("no owners"))
    if summary.roster_problems:
        print_table(
            console,
            ["owner", "problem", "articles", "for example"],
            (
                (
                    item.owner,
                    str(item.standing),
                    item.articles,
                    ", ".join(map(shown, item.paths[:3])),
                )
                for item in summary.roster_problems
            ),
            title=_("Owners missing from the roster or inactive"),
        )


def ownerless_table(console: Console, ownerless: Sequence[dict[str, object]]) -> None:
    """Articles nobody owns (records of :func:`kbctl.render.vocabulary.ownerless_records`)."""
    print_table(
        console,
        ["id", "path", "status", "audience", "why"],
        (
            (
                item["id"],
                item["path"],
                item["status"],
                item["audience"],
                item["why"]
                if item["owner_from"] == "none"
                else f"{item['why']}: {item['owner_from']}",
            )
            for item in ownerless
        ),
        title=_("Ownerless articles"),
        empty=_("every article has an owner"),
    )


def review_queue_table(console: Console, items: Sequence[QueueItem]) -> None:
    """``kbctl review``: the queue, most harmful first."""
    print_table(
        console,
        ["#", "id", "why", "audience", "status", "owners", "due", "detail", "path"],
        (
            (
                number,
                item.article.id,
                ", ".join(_(str(reason)) for reason in item.reasons),
                item.article.audience,
                item.article.status,
                ", ".join(item.ownership.owners) or None,
                item.review.due_date,
                "; ".join(item.detail),
                shown_path(item.article.abs_path),
            )
            for number, item in enumerate(items, start=1)
        ),
        title=_("Review queue"),
        empty=_("nothing to review"),
    )


def flags_table(console: Console, flags: Sequence[OpenFlag]) -> None:
    """``kbctl flags``: open flags, oldest first."""
    print_table(
        console,
        ["date", "id", "by", "reason", "owners", "path"],
        (
            (
                item.flag.date,
                item.article.id,
                item.flag.by,
                item.flag.reason,
                ", ".join(item.owners) or None,
                f"{shown_path(item.article.abs_path)}:{item.flag.line}",
            )
            for item in flags
        ),
        title=_("Open flags"),
        empty=_("no open flags"),
    )


if TYPE_CHECKING:
    from kbctl.history import ArticleLog, SkippedCommit
    from kbctl.policy.stale import StaleItem


def _local_date(moment: object) -> str | None:
    """A commit's moment as a date in the viewer's time zone (ages are computed in UTC)."""
    from datetime import datetime

    if not isinstance(moment, datetime):
        return None
    return moment.astimezone().date().isoformat()


def print_stale(
    console: Console, items: Sequence[StaleItem], *, git_available: bool, everything: bool = False
) -> None:
    """``kbctl stale``: articles due or overdue (with ``everything``: every article), oldest
    first, with the evidence for each."""

    def changed(item: StaleItem) -> str | None:
        facts = item.history
        if facts is None:
            return None if not git_available else "-"
        if not facts.committed:
            return _("not committed yet")
        if facts.last_change is None:
            return None
        mark = "" if facts.reliable else " (?)"
        when = _local_date(facts.last_change.authored)
        return f"{when} {facts.last_change.author}{mark}"

    print_table(
        console,
        ["due", "overdue", "id", "reviewed", "every", "last change", "owners", "path", "note"],
        (
            (
                item.review.due_date,
                _overdue_text(item.review.days_overdue),
                item.article.id,
                item.article.last_reviewed,
                _days(item.review.interval_days),
                changed(item),
                ", ".join(item.owners) or None,
                shown_path(item.article.abs_path),
                "; ".join(item.notes) or None,
            )
            for item in items
        ),
        title=(
            _("Articles: {count}").format(count=len(items))
            if everything
            else _("Due for review: {count}").format(count=len(items))
            if items
            else None
        ),
        empty=_("no articles") if everything else _("nothing is due for review"),
    )


def _days(days: int) -> str:
    """A count of days, short (``12d``, ``12 дн.``)."""
    return ngettext("{count}d", "{count}d", days).format(count=days)


def _overdue_text(days: int | None) -> str:
    if days is None:
        return _("never reviewed")
    if days > 0:
        return _days(days)
    return ngettext("in {count}d", "in {count}d", -days).format(count=-days)


def print_skipped(console: Console, skipped: Sequence[SkippedCommit]) -> None:
    """``kbctl history --skipped``: the commits not counted as content changes, and why."""
    print_table(
        console,
        ["date", "commit", "why", "subject"],
        (
            (_local_date(item.authored), item.commit[:10], item.reason, item.subject)
            for item in skipped
        ),
        title=_("Skipped as noise: {count}").format(count=len(skipped)) if skipped else None,
        empty=_("no commits were skipped as noise"),
    )


def print_article_log(
    console: Console, article: Article, log: ArticleLog, *, rows: int | None = None
) -> None:
    """``kbctl history``: an article's commits, newest first, noise marked (the first
    ``rows`` of them; the title counts all)."""
    content = [entry for entry in log.entries if entry.kind == "content"]
    authors = {entry.change.email.casefold() or entry.change.author for entry in log.entries}
    commits = ngettext("{count} commit", "{count} commits", len(log.entries)).format(
        count=len(log.entries)
    )
    people = ngettext("{count} author", "{count} authors", len(authors)).format(count=len(authors))
    path_of = PathView(article_root(article.abs_path, article.path))
    if content:
        title = _("{id}: {commits}, {authors}, last content change {date}").format(
            id=article.id,
            commits=commits,
            authors=people,
            date=_local_date(content[0].change.authored),
        )
    else:
        title = _("{id}: {commits}, {authors}").format(
            id=article.id, commits=commits, authors=people
        )
    print_table(
        console,
        ["date", "author", "commit", "what", "subject", "path"],
        (
            (
                _local_date(entry.change.authored),
                entry.change.author,
                entry.change.commit[:10],
                _("skipped: {reason}").format(reason=entry.reason or "")
                if entry.kind == "skipped"
                else _(entry.kind),
                entry.change.subject,
                path_of(entry.path),
            )
            for entry in log.entries[:rows]
        ),
        title=title,
        empty=_("no commits (not committed yet)") if not log.committed else _("no commits"),
    )


def duplicates_table(
    console: Console, groups: Sequence[DuplicateGroup], by_path: dict[str, Article]
) -> None:
    """``kbctl duplicates``: one row per article of each group (the keeper first), then, on
    a terminal, the passages each pair shares."""
    rows = []
    for number, group in enumerate(groups, 1):
        for path in group.paths:
            article = by_path[path]
            rows.append(
                (
                    number,
                    f"{group.similarity:.2f}",
                    _("keep") if path == group.keeper else _("merge"),
                    article.id,
                    article.status,
                    article.last_reviewed,
                    group.links_in.get(path, 0),
                    group.reuse.get(path, 0),
                    shown_path(article.abs_path),
                    article.title,
                )
            )
    print_table(
        console,
        [
            "group",
            "similar",
            "suggest",
            "id",
            "status",
            "reviewed",
            "links",
            "reused",
            "path",
            "title",
        ],
        rows,
        title=ngettext(
            "Near-duplicates: {count} group", "Near-duplicates: {count} groups", len(groups)
        ).format(count=len(groups)),
        empty=_("no near-duplicates"),
    )
    if not rows or not wants_table(console):
        return
    passages = []
    for number, group in enumerate(groups, 1):
        for pair in group.pairs:
            first, second = by_path[pair.first], by_path[pair.second]
            for passage in pair.passages:
                passages.append(
                    (
                        number,
                        f"{shown_path(first.abs_path)}:{passage.line}",
                        f"{shown_path(second.abs_path)}:{passage.other_line}",
                        passage.text,
                    )
                )
    console.file.write("\n")
    print_table(
        console,
        ["group", "where", "also in", "shared passage"],
        passages,
        title=_("Shared passages"),
    )
