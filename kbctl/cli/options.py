"""The options every command shares, declared once.

The filter options (``--tag``, ``--owner``, ``--status``, ``--audience``, ``--product``,
``--where``) mean the same in every command that selects articles: options AND together,
several values of one option OR (see :class:`kbctl.selection.ArticleFilter`). Status and
audience values are checked when the options are read, so an unknown value is exit 2 with
the accepted values, and the aliases (``draft``, ``customers`` ...) work everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.complete import (
    complete_articles,
    complete_audiences,
    complete_owners,
    complete_products,
    complete_statuses,
    complete_tags,
)
from kbctl.i18n import _
from kbctl.selection import ArticleFilter, parse_audience, parse_status

if TYPE_CHECKING:
    from kbctl.model import Article
    from kbctl.ownership import OwnershipFacts
    from kbctl.workspace import Workspace

# The help of each filter option, shared with commands that declare a variant (review mark).
OWNER_HELP = _(
    "Only articles of this owner: front matter, else CODEOWNERS; teams expanded; "
    "a handle or an e-mail (repeatable: any of them)."
)
STATUS_HELP = _("wip, not_validated, validated, archived (aliases such as draft accepted).")
AUDIENCE_HELP = _("internal, partner, customer, public (aliases such as customers accepted).")


def _statuses(values: list[str] | None) -> list[str] | None:
    return None if values is None else [parse_status(value) for value in values]


def _audiences(values: list[str] | None) -> list[str] | None:
    return None if values is None else [parse_audience(value) for value in values]


def check_status(value: str | None) -> str | None:
    """Callback for a single ``--status`` value (``review mark``): aliases, exit 2 if unknown."""
    return None if value is None else parse_status(value)


TagOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        metavar="TAG",
        help=_("Only articles with this tag (repeatable: any)."),
        autocompletion=complete_tags,
    ),
]
OwnerOption = Annotated[
    list[str] | None,
    typer.Option("--owner", metavar="OWNER", help=OWNER_HELP, autocompletion=complete_owners),
]
StatusOption = Annotated[
    list[str] | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help=STATUS_HELP,
        callback=_statuses,
        autocompletion=complete_statuses,
    ),
]
AudienceOption = Annotated[
    list[str] | None,
    typer.Option(
        "--audience",
        metavar="AUDIENCE",
        help=AUDIENCE_HELP,
        callback=_audiences,
        autocompletion=complete_audiences,
    ),
]
ProductOption = Annotated[
    list[str] | None,
    typer.Option(
        "--product",
        metavar="PRODUCT",
        help=_("Only articles for this product."),
        autocompletion=complete_products,
    ),
]
WhereOption = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        metavar="KEY=VALUE",
        help=_(
            "Only articles whose front-matter KEY is VALUE (or a list holding it); "
            "repeatable: different keys all, one key any."
        ),
    ),
]
SetStatusOption = Annotated[
    str | None,
    typer.Option(
        "--status",
        metavar="STATUS",
        help=_("Also set the KCS status: {statuses}").format(statuses=STATUS_HELP),
        callback=check_status,
        autocompletion=complete_statuses,
    ),
]

ArticleArgument = Annotated[
    str,
    typer.Argument(
        metavar="ID|PATH", help=_("Article id or path."), autocompletion=complete_articles
    ),
]


def article_filter(
    tag: list[str] | None = None,
    owner: list[str] | None = None,
    status: list[str] | None = None,
    audience: list[str] | None = None,
    product: list[str] | None = None,
    where: list[str] | None = None,
) -> ArticleFilter:
    """The one filter from the shared options (values already checked by their callbacks)."""
    return ArticleFilter.build(
        tags=tag, owners=owner, statuses=status, audiences=audience, products=product, where=where
    )


def select(
    selected: ArticleFilter, ws: Workspace, facts: OwnershipFacts | None = None
) -> list[Article]:
    """The articles of the base that pass ``selected``; when none does, a warning on stderr
    for each ``--owner``/``--tag``/``--product`` value the base does not have at all."""
    chosen = selected.select(ws.articles, facts)
    if not chosen:
        warn_unmatched(selected, ws)
    return chosen


def warn_unmatched(selected: ArticleFilter, ws: Workspace) -> None:
    """Warn (stderr) about filter values no article of the base has, with a did-you-mean."""
    if not (selected.owners or selected.tags or selected.products):
        return
    from kbctl.cli.context import notice

    facts = ws.ownership if selected.owners else None
    for message in selected.unmatched(ws.articles, facts):
        notice(_("warning: {message}").format(message=message))
