"""``kbctl list`` and ``kbctl show``: the articles of the base."""

from __future__ import annotations

from typing import Annotated

import typer

from kbctl.cli.context import DataFormat, FormatOption, stdout_console, workspace, write_data


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("list")(list_articles)
    app.command("show")(show_article)


def list_articles(
    ctx: typer.Context,
    tag: Annotated[list[str] | None, typer.Option(help="Only articles with this tag.")] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            help="Only articles of this owner: front matter, else CODEOWNERS; teams expanded."
        ),
    ] = None,
    status: Annotated[
        str | None, typer.Option(help="wip, not_validated, validated, archived.")
    ] = None,
    audience: Annotated[
        str | None, typer.Option(help="internal, partner, customer, public.")
    ] = None,
    output_format: FormatOption = DataFormat.TABLE,
) -> None:
    """List the articles of the base.

    Problems in files are printed on stderr as path:line: message; the rest still lists.

    Examples:

      kbctl list --tag billing --status validated

      kbctl list --owner @relay/billing --format json
    """
    from kbctl.selection import ArticleFilter

    ws = workspace(ctx)
    selected = ArticleFilter(tags=tuple(tag or ()), owner=owner, status=status, audience=audience)
    facts = ws.ownership if owner else None
    articles = [article for article in ws.articles if selected.matches(article, facts)]
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps

        write_data(dumps([article.summary() for article in articles]))
        return
    from kbctl.render.table import print_table

    print_table(
        stdout_console(),
        ["id", "title", "owners", "status", "audience", "reviewed", "path"],
        (
            (a.id, a.title, ", ".join(a.owners), a.status, a.audience, a.last_reviewed, a.path)
            for a in articles
        ),
        empty="no articles match",
    )


def show_article(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(metavar="ID|PATH", help="Article id or path.")],
    output_format: FormatOption = DataFormat.TABLE,
) -> None:
    """Show one article: metadata, then the body.

    Examples:

      kbctl show KB-0012

      kbctl show billing/refund-request.md --format json
    """
    article = workspace(ctx).article(key)
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps

        write_data(dumps({**article.summary(), "body": article.body}))
        return
    from kbctl.render.table import article_view

    article_view(stdout_console(), article)
