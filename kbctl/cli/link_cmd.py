"""``kbctl link ID --ticket REF``: record that an article solved a ticket (KCS reuse)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import notice, workspace
from kbctl.cli.options import ArticleArgument
from kbctl.i18n import _, ngettext

if TYPE_CHECKING:
    from kbctl.model import Article


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("link", help=LINK_HELP)(link)


LINK_HELP = _(
    "Record that an article solved a ticket (KCS reuse).\n"
    "\n"
    "The reference is added to the article's `tickets:` front-matter list (byte-preserving:\n"
    "nothing else in the file changes; a ticket already there is not added twice). The\n"
    "number of tickets solved orders the review queue among equals and picks the keeper\n"
    "among duplicates.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl link KB-0012 --ticket RELAY-4711\n"
    "\n"
    "  kbctl link accounts/password-reset-link-expired.md --ticket RELAY-4712 --ticket RELAY-4713"
)


def link(
    ctx: typer.Context,
    target: ArticleArgument,
    ticket: Annotated[
        list[str],
        typer.Option("--ticket", metavar="REF", help=_("The ticket's id or URL (repeatable).")),
    ],
) -> None:
    """``kbctl link`` (its help: LINK_HELP)."""
    from kbctl.articles import update_front_matter
    from kbctl.policy.reuse import check_ticket, tickets, with_tickets

    references = [check_ticket(reference) for reference in ticket]
    ws = workspace(ctx)
    article = ws.article(target)

    def updates(current: Article | None) -> dict[str, object | None]:
        return dict(with_tickets(current or article, references))

    applied = update_front_matter(article.abs_path, updates, shown=article.path, config=ws.config)
    total = applied.get("tickets")
    count = len(total) if isinstance(total, list) else len(tickets(article))
    if applied:
        text = ngettext(
            "{id}: {tickets} recorded; solved {count} ticket(s)",
            "{id}: {tickets} recorded; solved {count} ticket(s)",
            count,
        )
    else:
        text = ngettext(
            "{id}: {tickets} already recorded; solved {count} ticket(s)",
            "{id}: {tickets} already recorded; solved {count} ticket(s)",
            count,
        )
    notice(text.format(id=article.id, tickets=", ".join(references), count=count))
