"""``kbctl duplicates``: near-duplicate articles, grouped, with a suggested keeper."""

from __future__ import annotations

from typing import Annotated

import typer

from kbctl.cli.context import (
    DataFormat,
    FormatOption,
    LimitOption,
    cut,
    paged,
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
from kbctl.i18n import _


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("duplicates", help=DUPLICATES_HELP)(duplicates)


DUPLICATES_HELP = _(
    "Find near-duplicate articles: groups, shared passages and which one to keep.\n"
    "\n"
    "Bodies are compared as runs of three stemmed words (Russian and English, as search\n"
    "reads them), found with MinHash/LSH: no article is compared with every other. A\n"
    "translation (the same article in the other language) is not a duplicate. The keeper\n"
    "suggested is the validated one, then the more recently reviewed, the more linked to,\n"
    "the more reused (tickets solved: `kbctl link`). Filters choose the articles compared;\n"
    "archived articles are left out. Exit 1 when there are duplicates.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl duplicates\n"
    "\n"
    "  kbctl duplicates --threshold 0.5 --tag integrations\n"
    "\n"
    "  kbctl duplicates --format json"
)


def duplicates(
    ctx: typer.Context,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.05,
            max=1.0,
            metavar="X",
            help=_(
                "Share of word shingles two bodies must share (0.05-1; default: "
                "[duplicates] threshold, 0.3)."
            ),
        ),
    ] = None,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    output_format: FormatOption = DataFormat.TABLE,
    limit: LimitOption = None,
) -> None:
    """``kbctl duplicates`` (its help: DUPLICATES_HELP)."""
    from kbctl.duplicates import find_duplicates_cached
    from kbctl.policy.reuse import reuse_counts
    from kbctl.render.language import speak_for_format

    selected = article_filter(tag, owner, status, audience, product, where)
    ws = workspace(ctx)
    speak_for_format(output_format.value)  # JSON: English unless KBCTL_LANG asks
    articles = select(selected, ws, ws.ownership if selected.owners else None)
    chosen = threshold if threshold is not None else ws.config.settings.duplicates.threshold
    groups = find_duplicates_cached(
        ws.config, articles, live=ws.articles, threshold=chosen, reuse=reuse_counts(ws.articles)
    )
    shown = cut(groups, limit, "groups")
    by_path = {article.path: article for article in ws.articles}
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import duplicates_json

        write_data(dumps(duplicates_json(shown, by_path)))
    else:
        from kbctl.render.table import duplicates_table

        with paged(ctx):
            duplicates_table(stdout_console(), shown, by_path)
    if groups:
        raise typer.Exit(1)
