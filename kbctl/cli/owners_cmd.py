"""``kbctl owners``, ``kbctl review`` (queue and ``mark``), ``kbctl flag`` and ``kbctl flags``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.complete import complete_articles, complete_owners
from kbctl.cli.context import (
    DataFormat,
    FormatOption,
    LimitOption,
    TodayOption,
    cut,
    message_line,
    notice,
    paged,
    parse_day,
    stdout_console,
    workspace,
    write_data,
)
from kbctl.cli.guard import DryRunOption, YesOption
from kbctl.cli.options import (
    OWNER_HELP,
    AudienceOption,
    OwnerOption,
    ProductOption,
    SetStatusOption,
    StatusOption,
    TagOption,
    WhereOption,
    article_filter,
    select,
)
from kbctl.errors import EditError, ExitCode, UsageError
from kbctl.i18n import _, ngettext

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from datetime import date

    from kbctl.config import Config
    from kbctl.model import Article, ArticleHistory
    from kbctl.ownership import Roster
    from kbctl.selection import ArticleFilter
    from kbctl.workspace import Workspace


review_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    rich_markup_mode=None,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("owners", help=OWNERS_HELP)(owners)
    app.add_typer(review_app, name="review")
    app.command("flag", help=FLAG_HELP)(flag)
    app.command("flags", help=FLAGS_HELP)(flags)


# --------------------------------------------------------------------------- helpers


def _selected(selected: ArticleFilter, ws: Workspace) -> list[Article]:
    """The articles that pass the command's filter (owners resolved as everywhere)."""
    if not selected.active:
        return ws.articles
    return select(selected, ws, ws.ownership)


def _reviewer(by: str | None, config: Config, roster: Roster | None) -> str:
    """Who records the review or flag: ``--by``, else git's user (as a roster handle if known)."""
    if by:
        return by
    from kbctl.history import git_identity

    identity = git_identity(config.root)
    if not identity:
        raise UsageError(
            _("cannot tell who you are: git has no user.email or user.name"),
            hint=_("pass --by @your-handle, or set `git config user.email`"),
        )
    if roster is not None and (entry := roster.get(identity)) is not None and not entry.is_team:
        return entry.handle
    return identity


def _edit_all(
    changes: Sequence[tuple[Article, Callable[[Article], dict[str, object | None]]]],
    config: Config,
) -> tuple[list[tuple[Article, Mapping[str, object | None]]], int]:
    """Apply front-matter edits one file at a time: (edited articles and their updates, number
    refused).

    Each edit is computed by its function from the article as it is on disk while the
    article's lock is held, so a concurrent edit of the same article is never lost. A single
    edit that is refused raises; with several, each refusal is printed and the rest go ahead
    (see :func:`_refused`).
    """
    from kbctl.articles import update_front_matter

    done: list[tuple[Article, Mapping[str, object | None]]] = []
    refused = 0
    for article, make in changes:

        def current_updates(
            current: Article | None,
            article: Article = article,
            make: Callable[[Article], dict[str, object | None]] = make,
        ) -> dict[str, object | None]:
            # A file that no longer parses is refused by the editor with the precise reason.
            return make(current or article)

        try:
            applied = update_front_matter(
                article.abs_path, current_updates, shown=article.path, config=config
            )
        except EditError as error:
            if len(changes) == 1:
                raise
            refused += 1
            message_line(_("kbctl: error: {message}").format(message=error.message))
        else:
            done.append((article, applied))
    return done, refused


def _refused(refused: int, total: int) -> None:
    """End the command with exit 2 when some of several edits were refused."""
    if refused:
        raise EditError(
            ngettext(
                "{refused} of {total} article were not edited (see above)",
                "{refused} of {total} articles were not edited (see above)",
                total,
            ).format(refused=refused, total=total),
            hint=_("the others were edited; fix the listed files by hand"),
        )


# --------------------------------------------------------------------------- owners


OWNERS_HELP = _(
    "Who owns what: per owner, articles, due, overdue, flagged and the oldest review.\n"
    "\n"
    "Owners come from the front matter, else CODEOWNERS; teams count for each member too.\n"
    "Also lists ownerless articles and owners missing from the roster or inactive. With\n"
    "--owner, lists that owner's articles instead; the other filters narrow the articles counted.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl owners\n"
    "\n"
    "  kbctl owners --missing --format json\n"
    "\n"
    "  kbctl owners --owner @anna.petrova"
)


def owners(
    ctx: typer.Context,
    missing: Annotated[
        bool, typer.Option("--missing", help=_("Only list articles nobody owns (exit 1 if any)."))
    ] = False,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    output_format: FormatOption = DataFormat.TABLE,
    today: TodayOption = None,
    limit: LimitOption = None,
) -> None:
    """``kbctl owners`` (its help: OWNERS_HELP)."""
    from kbctl.policy.queue import owners_summary

    if owner and missing:
        raise UsageError(
            _("--owner and --missing do not go together"),
            hint=_("ownerless articles have no owner"),
        )
    selected = article_filter(tag, owner, status, audience, product, where)
    on = parse_day(today, "--today")
    ws = workspace(ctx)
    ws.prefetch_history()
    ownership, roster = ws.ownership.by_path, ws.roster
    articles = _selected(selected, ws)
    history = ws.history(articles if selected.active else None).facts
    if owner:
        with paged(ctx):
            _owned_articles(ws, articles, on, owner, history, output_format, limit)
        return
    from kbctl.render.vocabulary import ownerless_records, owners_summary_json

    summary = owners_summary(articles, ownership, roster, ws.config, on, history=history)
    ownerless = ownerless_records(summary)
    if missing:
        ownerless = list(cut(ownerless, limit, "articles"))
    else:
        summary.owners = list(cut(summary.owners, limit, "owners"))
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps

        write_data(dumps(ownerless if missing else owners_summary_json(summary, roster)))
    else:
        from kbctl.render.paths import PathView
        from kbctl.render.table import ownerless_table, owners_table

        with paged(ctx):
            if not missing:
                owners_table(
                    stdout_console(),
                    summary,
                    roster_known=roster is not None,
                    shown=PathView(ws.config.root),
                )
            ownerless_table(stdout_console(), ownerless)
    if missing and ownerless:
        raise typer.Exit(int(ExitCode.FINDINGS))


def _owned_articles(
    ws: Workspace,
    articles: Sequence[Article],
    on: date,
    who: Sequence[str],
    history: Mapping[str, ArticleHistory],
    output_format: DataFormat,
    limit: int | None = None,
) -> None:
    """``kbctl owners --owner X``: the articles of X, with where their owners came from."""
    from kbctl.policy.queue import owned_articles

    facts = ws.ownership
    found = cut(
        owned_articles(articles, facts.by_path, facts.roster, ws.config, on, who, history=history),
        limit,
        "articles",
    )
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import owned_record

        write_data(dumps([owned_record(item) for item in found]))
        return
    from kbctl.render.paths import shown_path
    from kbctl.render.table import print_table

    print_table(
        stdout_console(),
        [_("id"), _("title"), _("owners"), _("from"), _("status"), _("review"), _("path")],
        (
            (
                item.article.id,
                item.article.title,
                ", ".join(item.ownership.owners),
                item.ownership.describe,
                item.article.status,
                item.review.state,
                shown_path(item.article.abs_path),
            )
            for item in found
        ),
        empty=_("no articles of {owners}").format(owners=", ".join(who)),
    )


# --------------------------------------------------------------------------- review


REVIEW_HELP = _(
    "The review queue, most harmful first; `kbctl review mark` records a review.\n"
    "\n"
    "Order: flagged, overdue (customer-facing before internal), never reviewed, Validated\n"
    "without a live owner, Work in Progress older than [review] wip_max_age, due soon.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl review --owner @anna.petrova\n"
    "\n"
    "  kbctl review mark KB-0012 --status validated --commit"
)


@review_app.callback(help=REVIEW_HELP)
def review(
    ctx: typer.Context,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    output_format: FormatOption = DataFormat.TABLE,
    today: TodayOption = None,
    limit: LimitOption = None,
) -> None:
    """``kbctl review`` (its help: REVIEW_HELP)."""
    if ctx.invoked_subcommand is not None:
        return
    from kbctl.policy.queue import review_queue

    selected = article_filter(tag, owner, status, audience, product, where)
    on = parse_day(today, "--today")
    ws = workspace(ctx)
    ws.prefetch_history()
    facts = ws.ownership
    articles = _selected(selected, ws)
    history = ws.history(articles if selected.active else None).facts
    items = cut(
        review_queue(articles, facts.by_path, facts.roster, ws.config, on, history=history),
        limit,
        "articles",
    )
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import queue_record

        write_data(dumps([queue_record(item) for item in items]))
        return
    from kbctl.render.table import review_queue_table

    with paged(ctx):
        review_queue_table(stdout_console(), items)


REVIEW_MARK_HELP = _(
    "Record a review: set last_reviewed (and reviewed_by, status) in the front matter.\n"
    "\n"
    "Only those keys change; every other byte of the file stays as it was. --dry-run shows\n"
    "the diff instead; more than 5 files asks first (--yes to skip; needed off a terminal).\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl review mark KB-0012 --status validated\n"
    "\n"
    "  kbctl review mark --owner @relay/billing --all-due --by @anna.petrova --dry-run"
)


@review_app.command("mark", help=REVIEW_MARK_HELP)
def review_mark(
    ctx: typer.Context,
    keys: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID|PATH...",
            help=_("Articles to mark as reviewed."),
            autocompletion=complete_articles,
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option(help=_("Who reviewed (default: git's user.email)."))
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help=_("Review date (default: today)."))
    ] = None,
    status: SetStatusOption = None,
    clear_flags: Annotated[
        bool, typer.Option("--clear-flags", help=_("Remove the article's open flags."))
    ] = False,
    owner: Annotated[
        list[str] | None,
        typer.Option(
            "--owner",
            metavar="OWNER",
            help=_("With --all-due: {owner_help}").format(owner_help=OWNER_HELP),
            autocompletion=complete_owners,
        ),
    ] = None,
    all_due: Annotated[
        bool,
        typer.Option("--all-due", help=_("Mark every article due or overdue (of --owner).")),
    ] = False,
    commit: Annotated[
        bool,
        typer.Option("--commit", help=_("Commit the edited files: docs(kb): mark ... reviewed.")),
    ] = False,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
) -> None:
    """``kbctl review mark`` (its help: REVIEW_MARK_HELP)."""
    from kbctl.cli import guard
    from kbctl.policy.marks import review_updates
    from kbctl.policy.queue import due_for_review

    if not keys and not all_due:
        raise UsageError(_("name the articles to mark"), hint=_("give ID|PATH... or --all-due"))
    if owner and not all_due:
        raise UsageError(_("--owner needs --all-due"), hint="kbctl review mark --owner X --all-due")
    ws = workspace(ctx)
    config, facts = ws.config, ws.ownership
    reviewed_on = parse_day(on, "--date")
    targets = ws.articles_to_edit(keys or [])
    if all_due:
        mine = _selected(article_filter(owner=owner), ws)
        history = ws.history(mine if owner else None).facts
        due = due_for_review(
            mine, facts.by_path, facts.roster, config, reviewed_on, history=history
        )
        targets += [article for article in due if article not in targets]
        if not targets:
            notice(_("nothing is due for review"))
            return
        if not owner:
            # The whole base's due articles: say how many and whose before anything happens.
            notice(
                ngettext(
                    "--all-due without --owner: {count} article of every owner: {owners}",
                    "--all-due without --owner: {count} articles of every owner: {owners}",
                    len(targets),
                ).format(count=len(targets), owners=guard.describe_owners(targets, facts))
            )
    who = _reviewer(by, config, facts.roster)
    new_status = status  # already canonical (aliases such as draft accepted)

    def mark(current: Article) -> dict[str, object | None]:
        return review_updates(
            current, config, on=reviewed_on, by=who, status=new_status, clear_flags=clear_flags
        )

    changes = [(article, mark) for article in targets]
    if dry_run:
        guard.dry_run(changes, config)
        return
    guard.confirm_many(
        changes,
        config,
        yes=yes,
        action=ngettext(
            "mark {count} article reviewed by {who}",
            "mark {count} articles reviewed by {who}",
            len(targets),
        ).format(count=len(targets), who=who),
    )
    edited, refused = _edit_all(changes, config)
    done = [article for article, _updates in edited]
    for article in done:
        notice(
            _("marked {id} reviewed on {date} by {who} ({path})").format(
                id=article.id, date=reviewed_on, who=who, path=article.path
            )
        )
    if commit and done:
        _commit(config, done, "reviewed")
    _refused(refused, len(targets))


def _commit(config: Config, articles: Sequence[Article], what: str) -> None:
    from kbctl.history import commit_files

    if len(articles) == 1:
        message = f"docs(kb): mark {articles[0].id} {what}"
    else:
        listed = "\n".join(f"- {article.id} ({article.path})" for article in articles)
        message = f"docs(kb): mark {len(articles)} articles {what}\n\n{listed}\n"
    sha = commit_files(config.root, [article.abs_path for article in articles], message)
    notice(_("committed {sha}: {subject}").format(sha=sha[:12], subject=message.splitlines()[0]))


# --------------------------------------------------------------------------- flags


FLAG_HELP = _(
    'Flag an article as wrong ("flag it or fix it"): who, when, why go into its front matter.\n'
    "\n"
    "`kbctl flags` lists open flags; `kbctl review mark ID --clear-flags` clears them.\n"
    "--dry-run shows the diff instead (--yes is accepted: one file never asks).\n"
    "\n"
    "Examples:\n"
    "\n"
    '  kbctl flag KB-0012 "step 3 points to the old billing console"\n'
    "\n"
    '  kbctl flag billing/refund-approval-policy.md "refund limit is 30 days now" --by @ivan'
)


def flag(
    ctx: typer.Context,
    key: Annotated[
        str,
        typer.Argument(
            metavar="ID|PATH",
            help=_("The article that is wrong."),
            autocompletion=complete_articles,
        ),
    ],
    reason: Annotated[
        str, typer.Argument(metavar="REASON", help=_("What is wrong, in a sentence."))
    ],
    by: Annotated[
        str | None, typer.Option(help=_("Who flags it (default: git's user.email)."))
    ] = None,
    on: Annotated[
        str | None, typer.Option("--date", metavar="DATE", help=_("Flag date (default: today)."))
    ] = None,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
) -> None:
    """``kbctl flag`` (its help: FLAG_HELP)."""
    from kbctl.policy.marks import flag_updates

    if not reason.strip():
        raise UsageError(_("say what is wrong"), hint=_('kbctl flag KB-0012 "what is wrong"'))
    flagged_on = parse_day(on, "--date")
    ws = workspace(ctx)
    config = ws.config
    (article,) = ws.articles_to_edit([key])
    who = _reviewer(by, config, ws.roster)

    def add_flag(current: Article) -> dict[str, object | None]:
        return flag_updates(current, config, on=flagged_on, by=who, reason=reason)

    if dry_run:
        from kbctl.cli.guard import dry_run as show_dry_run

        show_dry_run([(article, add_flag)], config)
        return
    del yes  # one file: never asks
    ((_article, updates),), _refused_count = _edit_all([(article, add_flag)], config)
    (flags,) = updates.values()
    count = len(flags) if isinstance(flags, list) else 1
    notice(
        ngettext(
            "flagged {id} ({path}): {count} open flag(s)",
            "flagged {id} ({path}): {count} open flag(s)",
            count,
        ).format(id=article.id, path=article.path, count=count)
    )


FLAGS_HELP = _(
    "List open flags, oldest first, with the article's owners.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl flags\n"
    "\n"
    "  kbctl flags --format json"
)


def flags(
    ctx: typer.Context,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    output_format: FormatOption = DataFormat.TABLE,
    limit: LimitOption = None,
) -> None:
    """``kbctl flags`` (its help: FLAGS_HELP)."""
    from kbctl.policy.queue import open_flags

    selected = article_filter(tag, owner, status, audience, product, where)
    ws = workspace(ctx)
    found = cut(open_flags(_selected(selected, ws), ws.ownership.by_path), limit, "flags")
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import flags_json

        write_data(dumps(flags_json(found)))
        return
    from kbctl.render.table import flags_table

    with paged(ctx):
        flags_table(stdout_console(), found)
