"""``kbctl link ID --ticket REF``: record that an article solved a ticket (KCS reuse)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import notice, workspace
from kbctl.cli.options import ArticleArgument

if TYPE_CHECKING:
    from kbctl.model import Article


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("link")(link)


def link(
    ctx: typer.Context,
    target: ArticleArgument,
    ticket: Annotated[
        list[str],
        typer.Option("--ticket", metavar="REF", help="The ticket's id or URL (repeatable)."),
    ],
) -> None:
    """Record that an article solved a ticket (KCS reuse).

    The reference is added to the article's `tickets:` front-matter list (byte-preserving:
    nothing else in the file changes; a ticket already there is not added twice). The
    number of tickets solved orders the review queue among equals and picks the keeper
    among duplicates.

    Examples:

      kbctl link KB-0012 --ticket RELAY-4711

      kbctl link accounts/password-reset-link-expired.md --ticket RELAY-4712 --ticket RELAY-4713
    """
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
    what = "recorded" if applied else "already recorded"
    notice(f"{article.id}: {', '.join(references)} {what}; solved {count} ticket(s)")
