"""``kbctl list`` and ``kbctl show``: the articles of the base."""

from __future__ import annotations

import typer

from kbctl.cli.context import DataFormat, FormatOption, stdout_console, workspace, write_data
from kbctl.cli.options import (
    ArticleArgument,
    AudienceOption,
    OwnerOption,
    ProductOption,
    StatusOption,
    TagOption,
    WhereOption,
    article_filter,
    select,
)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("list")(list_articles)
    app.command("show")(show_article)


def list_articles(
    ctx: typer.Context,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    output_format: FormatOption = DataFormat.TABLE,
) -> None:
    """List the articles of the base.

    Problems in files are printed on stderr as path:line: message; the rest still lists.
    Filters: options AND together, several values of one option OR.

    Examples:

      kbctl list --tag billing --status validated

      kbctl list --owner @relay/billing --format json

      kbctl list --where product=relay-mobile --where type=howto
    """
    selected = article_filter(tag, owner, status, audience, product, where)
    ws = workspace(ctx)
    facts = ws.ownership  # the owners column shows the effective owners too
    articles = select(selected, ws, facts)
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import articles_json

        write_data(dumps(articles_json(articles, facts.by_path)))
        return
    from kbctl.render.table import print_table

    print_table(
        stdout_console(),
        ["id", "title", "owners", "status", "audience", "reviewed", "path"],
        (
            (
                a.id,
                a.title,
                ", ".join(facts.of(a).owners),
                a.status,
                a.audience,
                a.last_reviewed,
                a.path,
            )
            for a in articles
        ),
        empty="no articles match",
    )


def show_article(
    ctx: typer.Context,
    key: ArticleArgument,
    output_format: FormatOption = DataFormat.TABLE,
) -> None:
    """Show one article: metadata, then the body.

    Examples:

      kbctl show KB-0012

      kbctl show billing/refund-approval-policy.md --format json
    """
    ws = workspace(ctx)
    article = ws.article(key)
    if output_format is DataFormat.JSON:
        from kbctl.ownership import load_ownership_facts
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import article_record

        owned = load_ownership_facts(ws.config, [article]).of(article)
        write_data(dumps(article_record(article, owned, body=True)))
        return
    from kbctl.render.table import article_view

    article_view(stdout_console(), article, ws.config.root)
