"""What ``kbctl search`` does once its options are read, without Typer.

Both the Typer command (:mod:`kbctl.cli.search_cmd`) and the fast path of the console entry
point (:mod:`kbctl.cli.fast`) run :func:`run_search`, so the two behave the same.
"""

from __future__ import annotations

import os
import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kbctl.cli.context import notice
from kbctl.errors import ExitCode
from kbctl.i18n import _, ngettext

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from kbctl.model import Hit
    from kbctl.search.index import Progress
    from kbctl.search.query import SearchFilter
    from kbctl.workspace import Workspace

# Builds touching fewer files than this finish in a blink: no progress bar for them.
PROGRESS_THRESHOLD = 200


class HitFormat(StrEnum):
    """Output formats of ``kbctl search``."""

    TABLE = "table"
    JSON = "json"
    PATHS = "paths"
    VIMGREP = "vimgrep"


def run_search(
    ws: Workspace,
    words: Sequence[str],
    filters: SearchFilter,
    *,
    limit: int,
    output_format: HitFormat,
    refresh: bool,
    open_hit: int | None = None,
    explain: bool = False,
) -> int:
    """Search, print the hits in ``output_format`` and the notices; the exit code
    (0 hits, 1 none). ``explain`` adds why each hit ranks where it does (table, json).
    The search is recorded in the usage log when that is on."""
    with progress_bar(_("indexing")) as progress:
        result = ws.search(
            " ".join(words),
            filters,
            limit=max(limit, open_hit or 0),
            progress=progress,
            refresh=refresh,
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
        return int(ExitCode.OK)
    from kbctl.render.paths import PathView

    shown = PathView(ws.config.root)
    if output_format is HitFormat.JSON:
        from kbctl.cli.context import write_data
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
        notice(
            ngettext(
                "showing {shown} of {count} hit (--limit N for more)",
                "showing {shown} of {count} hits (--limit N for more)",
                result.total,
            ).format(shown=len(result.hits), count=result.total)
        )
    if not result.hits:
        if filters.active:
            notice(
                _(
                    "no articles match (filters are on: try without "
                    "--tag/--owner/--status/--where/...)"
                )
            )
        else:
            notice(_("no articles match"))
        if filters.selection is not None and filters.active:
            from kbctl.cli.options import warn_unmatched

            warn_unmatched(filters.selection, ws)
        if result.suggestion:
            notice(
                _('did you mean: kbctl search "{suggestion}"').format(suggestion=result.suggestion)
            )
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)


def _open_hit(root: Path, hits: Sequence[Hit], number: int) -> None:
    """``--open N``: the N-th hit in the editor, at the line of its best passage."""
    from kbctl.cli.edit_cmd import open_in_editor
    from kbctl.errors import UsageError
    from kbctl.textsafe import one_line

    if number > len(hits):
        raise UsageError(
            ngettext(
                "--open {number}: there is only {count} hit",
                "--open {number}: there are only {count} hits",
                len(hits),
            ).format(number=number, count=len(hits)),
            hint=_("--open 1 to {count}").format(count=len(hits)),
        )
    hit = hits[number - 1]
    notice(
        _("opening {number}. {title} ({path}:{line})").format(
            number=number, title=one_line(hit.title), path=one_line(hit.path), line=hit.line
        )
    )
    open_in_editor(root / hit.path, hit.line)


class progress_bar:
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
