"""``kbctl search`` and ``kbctl index``: full-text search over the base, and its index.

Kept light at import: Whoosh, Rich and YAML load only inside the commands that need them.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from kbctl.cli.context import message_line, notice, workspace, write_data
from kbctl.cli.options import (
    AudienceOption,
    OwnerOption,
    ProductOption,
    StatusOption,
    TagOption,
    WhereOption,
    article_filter,
)
from kbctl.cli.search_run import PROGRESS_THRESHOLD, HitFormat, progress_bar, run_search
from kbctl.i18n import _, ngettext

__all__ = ["PROGRESS_THRESHOLD", "HitFormat", "register"]


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("search", help=SEARCH_HELP)(search_command)
    app.command("index", help=INDEX_HELP)(index_command)


SEARCH_HELP = _(
    "Search the base: Russian and English word forms, typos, wrong keyboard layout.\n"
    "\n"
    "The index is brought up to date by itself before every search, so results are never\n"
    'stale. Words are optional (more matches rank higher); "quoted words" and +word must\n'
    "appear; -word excludes when the word has 4 or more letters (quote the whole query then:\n"
    '"spam -dmarc"); -la, -xzf are command-line flags, searched as words. Synonyms (a\n'
    "built-in list and [search] synonyms in kbctl.toml) and Latin transliteration\n"
    "(klient -> клиент) are applied by themselves. Archived articles are hidden unless --all.\n"
    "\n"
    'Exit codes: 0 hits found, 1 no hits ("did you mean" on stderr when there is one),\n'
    "2 usage or error.\n"
    "\n"
    "Examples:\n"
    "\n"
    '  kbctl search "клиент не получает письма"\n'
    "\n"
    "  kbctl search 0x80070005 --status validated --format json\n"
    "\n"
    '  kbctl search gfhjkm --format vimgrep   (wrong layout: finds "пароль")\n'
    "\n"
    '  kbctl search "refund limit" --open 1\n'
    "\n"
    '  kbctl search "money back" --explain   (synonyms: finds "refund")\n'
    '  kbctl search -i "refund"   (interactive: see "Interactive search" in the README)'
)

INDEX_HELP = _(
    "Build or update the search index (kbctl search also does this by itself).\n"
    "\n"
    "Only added, changed and deleted articles are touched. Two runs at once wait for each\n"
    "other. The index lives in the user cache folder ($XDG_CACHE_HOME/kbctl/<base>-<hash>/ on\n"
    "Linux), or under $KBCTL_CACHE_DIR or cache_dir from kbctl.toml; `kbctl index --status`\n"
    "prints where.\n"
    "It also brings the git history cache up to date, from which search hits show when each\n"
    "article last changed (search reads that cache but never reads git itself).\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl index\n"
    "\n"
    "  kbctl index --rebuild"
)


def search_command(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None, typer.Argument(metavar="QUERY...", help=_("What to look for."))
    ] = None,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, metavar="N", help=_("Show at most N hits."))
    ] = 10,
    include_archived: Annotated[
        bool, typer.Option("--all", help=_("Include archived articles."))
    ] = False,
    output_format: Annotated[
        HitFormat, typer.Option("--format", "-f", help=_("table, json, paths or vimgrep."))
    ] = HitFormat.TABLE,
    no_refresh: Annotated[
        bool,
        typer.Option(
            "--no-refresh",
            help=_("Skip the freshness check (only when a hook runs `kbctl index` on changes)."),
        ),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help=_(
                "Say why each hit ranks: how each word was read (layout, transliteration, "
                "corrections, synonyms), where it was found, and the score parts (table, json)."
            ),
        ),
    ] = False,
    open_hit: Annotated[
        int | None,
        typer.Option(
            "--open",
            min=1,
            metavar="N",
            help=_("Open the N-th hit in $VISUAL/$EDITOR at its best passage (prints no hits)."),
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help=_("Search as you type in a full-screen view (QUERY and filters start it)."),
        ),
    ] = False,
) -> None:
    """``kbctl search`` (its help: SEARCH_HELP)."""
    from kbctl.search.query import SearchFilter

    if explain and output_format in (HitFormat.PATHS, HitFormat.VIMGREP):
        from kbctl.errors import UsageError

        raise UsageError(
            _("--explain shows in the table and json formats, not {format}").format(
                format=output_format.value
            ),
            hint=_("add --format json (or drop --format)"),
        )
    if interactive:
        _interactive(
            ctx,
            words or [],
            (tag, owner, status, audience, product, where),
            include_archived,
            no_refresh,
        )
        return
    if not words:
        from kbctl.errors import UsageError

        raise UsageError(_("missing QUERY"), hint=_('kbctl search "password reset" (or -i)'))
    ws = workspace(ctx)
    filters = SearchFilter(
        article_filter(tag, owner, status, audience, product, where),
        include_archived=include_archived,
    )
    code = run_search(
        ws,
        words,
        filters,
        limit=limit,
        output_format=output_format,
        refresh=not no_refresh,
        open_hit=open_hit,
        explain=explain,
    )
    if code:
        raise typer.Exit(code)


def _interactive(
    ctx: typer.Context,
    words: list[str],
    filters: tuple[list[str] | None, ...],
    include_archived: bool,
    no_refresh: bool,
) -> None:
    """``-i``: the interactive search, started with QUERY and the filter options as its query
    line (``--tag x`` is ``tag:x``); what was copied is printed on exit."""
    from kbctl.errors import UsageError

    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(
            _("kbctl search -i needs a terminal (stdin and stdout are not both one)"),
            hint=_('without -i for scripts and pipes: kbctl search "words" --format json'),
        )
    from kbctl.interactive import run_interactive
    from kbctl.textsafe import block

    keys = ("tag", "owner", "status", "audience", "product", "where")
    line = [*words]
    for key, values in zip(keys, filters, strict=True):
        line.extend(f"{key}:{value}" for value in values or ())
    ws = workspace(ctx)
    copied = run_interactive(
        ws.config, " ".join(line), include_archived=include_archived, refresh=not no_refresh
    )
    for text in copied:
        sys.stdout.write(block(text) + "\n")


def index_command(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help=_("Start over from scratch."))] = False,
    status: Annotated[
        bool, typer.Option("--status", help=_("Show facts about the index, change nothing."))
    ] = False,
) -> None:
    """``kbctl index`` (its help: INDEX_HELP)."""
    ws = workspace(ctx)
    if status:
        from kbctl.render.json import dumps
        from kbctl.render.language import speak_for_format
        from kbctl.search.index import index_status

        speak_for_format("json")  # its "problem" is English unless KBCTL_LANG asks

        write_data(dumps(index_status(ws.config)))
        return
    with progress_bar(_("indexing")) as progress:
        index = ws.search_index(rebuild=rebuild, progress=progress)
    index.ix.close()
    report = index.report
    for message in report.notices:
        notice(message)
    for path in report.unreadable:
        message_line(
            _("{path}:1: not indexed (cannot be parsed; see kbctl check)").format(path=path)
        )
    if report.rebuilt:
        summary = ngettext(
            "index built: {count} article", "index built: {count} articles", report.total
        ).format(count=report.total)
    elif report.touched:
        summary = ngettext(
            "index updated: {added} added, {changed} changed, {removed} removed ({count} article)",
            "index updated: {added} added, {changed} changed, {removed} removed ({count} articles)",
            report.total,
        ).format(
            added=report.added, changed=report.changed, removed=report.removed, count=report.total
        )
    else:
        summary = ngettext(
            "index is up to date ({count} article)",
            "index is up to date ({count} articles)",
            report.total,
        ).format(count=report.total)
    notice(summary)
    # Search hits take their ages from the history cache; quietly, as search works without
    # it (git trouble is `kbctl stale`'s to report).
    ws.refresh_history_cache()
