"""``kbctl search`` and ``kbctl index``: full-text search over the base, and its index.

Kept light at import: Whoosh, Rich and YAML load only inside the commands that need them.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

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
    warn_unmatched,
)
from kbctl.errors import ExitCode

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from kbctl.model import Hit
    from kbctl.search.index import Progress

# Builds touching fewer files than this finish in a blink: no progress bar for them.
PROGRESS_THRESHOLD = 200


class HitFormat(StrEnum):
    """Output formats of ``kbctl search``."""

    TABLE = "table"
    JSON = "json"
    PATHS = "paths"
    VIMGREP = "vimgrep"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("search")(search_command)
    app.command("index")(index_command)


def search_command(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None, typer.Argument(metavar="QUERY...", help="What to look for.")
    ] = None,
    tag: TagOption = None,
    owner: OwnerOption = None,
    status: StatusOption = None,
    audience: AudienceOption = None,
    product: ProductOption = None,
    where: WhereOption = None,
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, metavar="N", help="Show at most N hits.")
    ] = 10,
    include_archived: Annotated[
        bool, typer.Option("--all", help="Include archived articles.")
    ] = False,
    output_format: Annotated[
        HitFormat, typer.Option("--format", "-f", help="table, json, paths or vimgrep.")
    ] = HitFormat.TABLE,
    no_refresh: Annotated[
        bool,
        typer.Option(
            "--no-refresh",
            help="Skip the freshness check (only when a hook runs `kbctl index` on changes).",
        ),
    ] = False,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="Say why each hit ranks: how each word was read (layout, transliteration, "
            "corrections, synonyms), where it was found, and the score parts (table, json).",
        ),
    ] = False,
    open_hit: Annotated[
        int | None,
        typer.Option(
            "--open",
            min=1,
            metavar="N",
            help="Open the N-th hit in $VISUAL/$EDITOR at its best passage (prints no hits).",
        ),
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive",
            "-i",
            help="Search as you type in a full-screen view (QUERY and filters start it).",
        ),
    ] = False,
) -> None:
    """Search the base: Russian and English word forms, typos, wrong keyboard layout.

    The index is brought up to date by itself before every search, so results are never
    stale. Words are optional (more matches rank higher); "quoted words" and +word must
    appear; -word excludes when the word has 4 or more letters (quote the whole query then:
    "spam -dmarc"); -la, -xzf are command-line flags, searched as words. Synonyms (a
    built-in list and [search] synonyms in kbctl.toml) and Latin transliteration
    (klient -> клиент) are applied by themselves. Archived articles are hidden unless --all.

    Exit codes: 0 hits found, 1 no hits ("did you mean" on stderr when there is one),
    2 usage or error.

    Examples:

      kbctl search "клиент не получает письма"

      kbctl search 0x80070005 --status validated --format json

      kbctl search gfhjkm --format vimgrep   (wrong layout: finds "пароль")

      kbctl search "refund limit" --open 1

      kbctl search "money back" --explain   (synonyms: finds "refund")
      kbctl search -i "refund"   (interactive: see "Interactive search" in the README)
    """
    from kbctl.search.query import SearchFilter

    if explain and output_format in (HitFormat.PATHS, HitFormat.VIMGREP):
        from kbctl.errors import UsageError

        raise UsageError(
            f"--explain shows in the table and json formats, not {output_format.value}",
            hint="add --format json (or drop --format)",
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

        raise UsageError("missing QUERY", hint='kbctl search "password reset" (or -i)')
    ws = workspace(ctx)
    filters = SearchFilter(
        article_filter(tag, owner, status, audience, product, where),
        include_archived=include_archived,
    )
    with _progress_bar("indexing") as progress:
        result = ws.search(
            " ".join(words),
            filters,
            limit=max(limit, open_hit or 0),
            progress=progress,
            refresh=not no_refresh,
            explain=explain,
        )
    for message in result.notices:
        notice(message)
    if ws.config.settings.usage.enabled or os.environ.get("KBCTL_USAGE_LOG"):
        from kbctl.cli.usage_cmd import record

        chosen = open_hit is not None and 0 < open_hit <= len(result.hits)
        record(
            ws,
            "search",
            query=" ".join(words),
            hits=result.total,
            shown=[hit.id for hit in result.hits],
            opened=result.hits[open_hit - 1].id if chosen and open_hit else None,
        )
    if open_hit is not None and result.hits:
        _open_hit(ws.config.root, result.hits, open_hit)
        return
    from kbctl.render.paths import PathView

    shown = PathView(ws.config.root)
    if output_format is HitFormat.JSON:
        from kbctl.render.json import dumps
        from kbctl.render.vocabulary import explanation_record, hit_record

        records = [hit_record(hit, shown) for hit in result.hits]
        for entry, explanation in zip(records, result.explanations or (), strict=False):
            entry["explain"] = explanation_record(explanation)
        write_data(dumps(records))
    elif output_format is HitFormat.PATHS:
        from kbctl.render.plain import hits_paths

        sys.stdout.write(hits_paths(result.hits, shown))
    elif output_format is HitFormat.VIMGREP:
        from kbctl.render.plain import hits_vimgrep

        sys.stdout.write(hits_vimgrep(result.hits, shown))
    elif result.hits:
        from kbctl.cli.context import stdout_console
        from kbctl.render.table import print_hits

        print_hits(
            stdout_console(),
            result.hits,
            root=ws.config.root,
            shown=shown,
            explanations=result.explanations,
        )
    if result.hits and result.total > len(result.hits):
        notice(f"showing {len(result.hits)} of {result.total} hits (--limit N for more)")
    if not result.hits:
        message = "no articles match"
        if filters.active:
            message += " (filters are on: try without --tag/--owner/--status/--where/...)"
        notice(message)
        warn_unmatched(filters.selection, ws)
        if result.suggestion:
            notice(f'did you mean: kbctl search "{result.suggestion}"')
        raise typer.Exit(int(ExitCode.FINDINGS))


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
            "kbctl search -i needs a terminal (stdin and stdout are not both one)",
            hint='without -i for scripts and pipes: kbctl search "words" --format json',
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


def _open_hit(root: Path, hits: Sequence[Hit], number: int) -> None:
    """``--open N``: the N-th hit in the editor, at the line of its best passage."""
    from kbctl.cli.edit_cmd import open_in_editor
    from kbctl.errors import UsageError
    from kbctl.textsafe import one_line

    if number > len(hits):
        raise UsageError(
            f"--open {number}: there are only {len(hits)} hits",
            hint=f"--open 1 to {len(hits)}",
        )
    hit = hits[number - 1]
    notice(f"opening {number}. {one_line(hit.title)} ({one_line(hit.path)}:{hit.line})")
    open_in_editor(root / hit.path, hit.line)


def index_command(
    ctx: typer.Context,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start over from scratch.")] = False,
    status: Annotated[
        bool, typer.Option("--status", help="Show facts about the index, change nothing.")
    ] = False,
) -> None:
    """Build or update the search index (kbctl search also does this by itself).

    Only added, changed and deleted articles are touched. Two runs at once wait for each
    other. The index lives in the user cache folder ($XDG_CACHE_HOME/kbctl/<base>-<hash>/ on
    Linux), or under $KBCTL_CACHE_DIR or cache_dir from kbctl.toml; `kbctl index --status`
    prints where.
    It also brings the git history cache up to date, from which search hits show when each
    article last changed (search reads that cache but never reads git itself).

    Examples:

      kbctl index

      kbctl index --rebuild
    """
    ws = workspace(ctx)
    if status:
        from kbctl.render.json import dumps
        from kbctl.search.index import index_status

        write_data(dumps(index_status(ws.config)))
        return
    with _progress_bar("indexing") as progress:
        index = ws.search_index(rebuild=rebuild, progress=progress)
    index.ix.close()
    report = index.report
    for message in report.notices:
        notice(message)
    for path in report.unreadable:
        message_line(f"{path}:1: not indexed (cannot be parsed; see kbctl check)")
    if report.rebuilt:
        summary = f"index built: {report.total} articles"
    elif report.touched:
        summary = (
            f"index updated: {report.added} added, {report.changed} changed, "
            f"{report.removed} removed ({report.total} articles)"
        )
    else:
        summary = f"index is up to date ({report.total} articles)"
    notice(summary)
    # Search hits take their ages from the history cache; quietly, as search works without
    # it (git trouble is `kbctl stale`'s to report).
    ws.refresh_history_cache()


class _progress_bar:
    """A Rich progress bar on stderr, only on a terminal and only for a large build."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Progress | None:
        if not sys.stderr.isatty():
            return None
        return self.update

    def update(self, done: int, total: int) -> None:
        if total < PROGRESS_THRESHOLD:
            return
        if self.bar is None:
            from rich.progress import Progress as RichProgress

            from kbctl.cli.context import stderr_console

            self.bar = RichProgress(console=stderr_console(), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
