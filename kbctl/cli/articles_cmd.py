"""``kbctl list`` and ``kbctl show``: the articles of the base."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

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
from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.model import Article


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("list", help=LIST_ARTICLES_HELP)(list_articles)
    app.command("show", help=SHOW_ARTICLE_HELP)(show_article)


LIST_ARTICLES_HELP = _(
    "List the articles of the base.\n"
    "\n"
    "Problems in files are printed on stderr as path:line: message; the rest still lists.\n"
    "Filters: options AND together, several values of one option OR. On a terminal: a table\n"
    "fitted to the width, paged when long; piped: tab-separated lines with a header.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl list --tag billing --status validated\n"
    "\n"
    "  kbctl list --owner @relay/billing --format json\n"
    "\n"
    "  kbctl list --where product=relay-mobile --where type=howto"
)


def list_articles(
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
    """``kbctl list`` (its help: LIST_ARTICLES_HELP)."""
    selected = article_filter(tag, owner, status, audience, product, where)
    ws = workspace(ctx)
    facts = ws.ownership  # the owners column shows the effective owners too
    articles = cut(select(selected, ws, facts), limit, "articles")
    if output_format is DataFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import articles_json

        write_data(dumps(articles_json(articles, facts.by_path)))
        return
    from kbctl.render.paths import shown_path
    from kbctl.render.table import print_table

    with paged(ctx):
        print_table(
            stdout_console(),
            [
                _("id"),
                _("title"),
                _("owners"),
                _("status"),
                _("audience"),
                _("reviewed"),
                _("path"),
            ],
            (
                (
                    a.id,
                    a.title,
                    ", ".join(facts.of(a).owners),
                    a.status,
                    a.audience,
                    a.last_reviewed,
                    shown_path(a.abs_path),
                )
                for a in articles
            ),
            empty=_("no articles match"),
        )


SHOW_ARTICLE_HELP = _(
    "Show one article: metadata, then the body.\n"
    "\n"
    "On a terminal the body is rendered (link targets shown as text) and paged when long;\n"
    "piped, or with --raw, it is the Markdown as written (--front-matter adds the front\n"
    "matter), so `kbctl show ID | grep https` finds every link.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl show KB-0012\n"
    "\n"
    "  kbctl show KB-0012 --raw --front-matter\n"
    "\n"
    "  kbctl show billing/refund-approval-policy.md --format json"
)


def show_article(
    ctx: typer.Context,
    key: ArticleArgument,
    output_format: FormatOption = DataFormat.TABLE,
    raw: Annotated[
        bool, typer.Option("--raw", help=_("Print the article's Markdown as written."))
    ] = False,
    front_matter: Annotated[
        bool,
        typer.Option("--front-matter", help=_("With the raw Markdown, include the front matter.")),
    ] = False,
) -> None:
    """``kbctl show`` (its help: SHOW_ARTICLE_HELP)."""
    ws = workspace(ctx)
    article = ws.article(key)
    from kbctl.cli.usage_cmd import record

    record(ws, "show", opened=article.id)
    if output_format is DataFormat.JSON:
        from kbctl.ownership import load_ownership_facts
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import article_record

        owned = load_ownership_facts(ws.config, [article]).of(article)
        write_data(dumps(article_record(article, owned, body=True)))
        return
    import sys

    if raw or front_matter or not sys.stdout.isatty():
        _write_raw(article, front_matter=front_matter)
        return
    from kbctl.render.table import article_view

    with paged(ctx):
        article_view(stdout_console(), article, ws.config.root)


def _write_raw(article: Article, *, front_matter: bool) -> None:
    """The article's file as written: the body, or the whole file with ``front_matter``.

    Control characters are escaped and workflow-command lines guarded, as for every text
    from a base (kbctl.textsafe); line breaks are written as ``\\n``.
    """
    from kbctl.errors import NotFoundError
    from kbctl.textsafe import block

    try:
        text = article.abs_path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise NotFoundError(
            _("cannot read {path}: {reason}").format(path=article.path, reason=error.strerror),
            hint=_("run the command again"),
        ) from None
    lines = text.splitlines()
    if not front_matter:
        lines = lines[max(article.body_line - 1, 0) :]
    write_data(block("\n".join(lines)))
