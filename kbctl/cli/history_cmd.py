"""``kbctl stale`` and ``kbctl history``: review standing and the life of an article in git."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.complete import complete_articles
from kbctl.cli.context import (
    DataFormat,
    FormatOption,
    LimitOption,
    TodayOption,
    cut,
    paged,
    parse_day,
    stdout_console,
    workspace,
    write_data,
)
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
from kbctl.errors import ExitCode
from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.workspace import Workspace


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("stale", help=STALE_HELP)(stale)
    app.command("history", help=HISTORY_HELP)(history)


STALE_HELP = _(
    "List articles due or overdue for review, oldest first (exit 1 when any).\n"
    "\n"
    "Due = last_reviewed + review interval is past; without a review date the last content\n"
    "change in git counts (moves and noise commits skipped). Git notices go to stderr, with\n"
    "one line counting the commits skipped as noise (`kbctl history --skipped` lists them).\n"
    "With --all every article is listed (exit 1 still only when some are due).\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl stale --days 30\n"
    "\n"
    "  kbctl stale --all --format json\n"
    "\n"
    "  kbctl stale --owner @relay/billing --format json"
)


def stale(
    ctx: typer.Context,
    days: Annotated[
        int | None,
        typer.Option("--days", min=0, metavar="N", help=_("Also list articles due within N days.")),
    ] = None,
    everything: Annotated[
        bool,
        typer.Option("--all", help=_("List every article with its facts, not only the due ones.")),
    ] = False,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    today: TodayOption = None,
    output_format: FormatOption = DataFormat.TABLE,
    limit: LimitOption = None,
) -> None:
    """``kbctl stale`` (its help: STALE_HELP)."""
    from kbctl.cli.context import notice
    from kbctl.history.report import skipped_summary
    from kbctl.policy.stale import is_due, stale_items

    selected = article_filter(tag, owner, status, audience, product, where)
    when = parse_day(today)
    ws = workspace(ctx)
    ws.prefetch_history()  # git reads the history while the articles load
    facts = ws.ownership
    ownership = {path: found.owners for path, found in facts.by_path.items()}
    articles = select(selected, ws, facts)
    report = ws.history(articles)
    items = stale_items(
        articles, report.facts, ws.config, when, days=days, owners=ownership, everything=everything
    )
    summary = skipped_summary(report.skipped)
    if summary:
        notice(summary)
    shown_items = cut(items, limit, "articles")
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import stale_record

        write_data(dumps([stale_record(item, facts.of(item.article)) for item in shown_items]))
    else:
        from kbctl.render.table import print_stale

        with paged(ctx):
            print_stale(
                stdout_console(), shown_items, git_available=report.available, everything=everything
            )
    if any(is_due(item) for item in items):
        raise typer.Exit(int(ExitCode.FINDINGS))


HISTORY_HELP = _(
    "Show an article's commits, newest first: date, author, subject; moves and skipped\n"
    "noise commits (ignore-revs, bulk sweeps) are marked. With --skipped (and no article):\n"
    "every commit not counted as a content change, and why.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl history KB-0012\n"
    "\n"
    "  kbctl history billing/refund-approval-policy.md --format json\n"
    "\n"
    "  kbctl history --skipped"
)


def history(
    ctx: typer.Context,
    key: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID|PATH]", help=_("Article id or path."), autocompletion=complete_articles
        ),
    ] = None,
    skipped: Annotated[
        bool,
        typer.Option(
            "--skipped",
            help=_(
                "List the commits of the whole base skipped as noise (bulk sweeps, "
                "ignore-revs), with the reason."
            ),
        ),
    ] = False,
    output_format: FormatOption = DataFormat.TABLE,
    limit: LimitOption = None,
) -> None:
    """``kbctl history`` (its help: HISTORY_HELP)."""
    from kbctl.cli.context import notice
    from kbctl.errors import UsageError

    ws = workspace(ctx)
    if skipped:
        if key is not None:
            raise UsageError(
                _("--skipped lists the whole base's skipped commits"),
                hint=_("drop ID|PATH, or drop --skipped for one article's commits"),
            )
        _skipped(ctx, ws, output_format, limit)
        return
    if key is None:
        raise UsageError(_("give an article id or path"), hint=_("or --skipped for noise commits"))
    article = ws.article(key)
    log = ws.article_log(article)
    for message in log.notices:
        notice(message)
    if not log.committed:
        notice(_("{path}: not committed yet").format(path=article.path))
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import history_json

        log.entries = list(cut(log.entries, limit, "commits"))
        write_data(dumps(history_json(article, log)))
        return
    from kbctl.render.table import print_article_log

    rows = len(cut(log.entries, limit, "commits"))
    with paged(ctx):
        print_article_log(stdout_console(), article, log, rows=rows)


def _skipped(
    ctx: typer.Context, ws: Workspace, output_format: DataFormat, limit: int | None
) -> None:
    """``kbctl history --skipped``."""
    ws.prefetch_history()
    report = ws.history()
    skipped = cut(report.skipped, limit, "commits")
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import skipped_json

        write_data(dumps(skipped_json(skipped)))
        return
    from kbctl.render.table import print_skipped

    with paged(ctx):
        print_skipped(stdout_console(), skipped)
