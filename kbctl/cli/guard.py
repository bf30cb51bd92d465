"""Guarded writes: ``--dry-run`` and the confirmation before touching many files.

Every command that edits articles goes through here:

* ``--dry-run`` prints, per file, the unified diff the edit would apply (stdout) and writes
  nothing: not a byte, not an mtime, not a lock file. The diff comes from the same edit
  function the real write uses (:func:`kbctl.articles.preview_front_matter`).
* An edit that would change more than :data:`HANDFUL` files asks first on a terminal
  (``--yes``/``-y`` skips the question) and is refused, exit 2, when stdin is not a terminal
  and ``--yes`` was not given: a script must say that it means it.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import message_line, notice
from kbctl.errors import EditError, UsageError
from kbctl.i18n import _, ngettext

if TYPE_CHECKING:
    from kbctl.config import Config
    from kbctl.model import Article
    from kbctl.ownership import OwnershipFacts

HANDFUL = 5
"""Edits of more files than this ask for confirmation (or ``--yes``)."""

DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run", help=_("Show the diff of every file that would change; write nothing.")
    ),
]
YesOption = Annotated[
    bool,
    typer.Option(
        "--yes",
        "-y",
        help=_("Do not ask before editing more than {count} files (needed off a terminal).").format(
            count=HANDFUL
        ),
    ),
]

Change = tuple["Article", Callable[["Article"], dict[str, object | None]]]


def _preview(
    article: Article, make: Callable[[Article], dict[str, object | None]], config: Config
) -> tuple[bytes, bytes]:
    from kbctl.articles import preview_front_matter

    def current_updates(current: Article | None) -> dict[str, object | None]:
        return make(current or article)

    return preview_front_matter(
        article.abs_path, current_updates, shown=article.path, config=config
    )


def dry_run(changes: Sequence[Change], config: Config) -> None:
    """``--dry-run``: the diff of each file that would change on stdout, a summary on stderr.

    A file that would be refused is reported as the real run would report it, and the command
    ends with exit 2 (after the other diffs) as the real run would.
    """
    from kbctl.render.diff import unified_diff
    from kbctl.render.paths import shown_path

    changed = refused = 0
    for article, make in changes:
        try:
            before, after = _preview(article, make, config)
        except EditError as error:
            refused += 1
            message_line(_("kbctl: error: {message}").format(message=error.message))
            continue
        if before != after:
            changed += 1
            sys.stdout.write(unified_diff(shown_path(article.abs_path), before, after))
    notice(
        ngettext(
            "dry run: {count} file would change; nothing was written",
            "dry run: {count} files would change; nothing was written",
            changed,
        ).format(count=changed)
    )
    if refused:
        raise EditError(
            ngettext(
                "{refused} of {total} article could not be edited (see above)",
                "{refused} of {total} articles could not be edited (see above)",
                len(changes),
            ).format(refused=refused, total=len(changes)),
            hint=_("fix the listed files by hand"),
        )


def would_change(changes: Sequence[Change], config: Config) -> int:
    """How many of ``changes`` would change their file (refusals not counted: the real run
    reports them)."""
    count = 0
    for article, make in changes:
        try:
            before, after = _preview(article, make, config)
        except EditError:
            continue
        count += before != after
    return count


def confirm_many(changes: Sequence[Change], config: Config, *, yes: bool, action: str) -> None:
    """Go on only when the edit is small, ``--yes`` was given, or a person said yes.

    ``action`` completes "about to ..." ("mark 12 articles reviewed"). More than
    :data:`HANDFUL` files off a terminal without ``--yes`` is exit 2, nothing written.
    """
    if yes or len(changes) <= HANDFUL:
        return
    count = would_change(changes, config)
    if count <= HANDFUL:
        return
    if not sys.stdin.isatty():
        raise UsageError(
            ngettext(
                "refusing to edit {count} file without confirmation ({action}); "
                "nothing was written",
                "refusing to edit {count} files without confirmation ({action}); "
                "nothing was written",
                count,
            ).format(count=count, action=action),
            hint=_("check with --dry-run, then run again with --yes"),
        )
    question = ngettext(
        "kbctl: about to {action}: edit {count} file. Go on?",
        "kbctl: about to {action}: edit {count} files. Go on?",
        count,
    ).format(action=action, count=count)
    try:
        agreed = typer.confirm(question, err=True)
    except typer.Abort:  # end of input (Ctrl-D)
        agreed = False
    if not agreed:
        raise UsageError(
            _("not confirmed; nothing was written"), hint=_("--dry-run shows the changes")
        )


def describe_owners(articles: Sequence[Article], ownership: OwnershipFacts, limit: int = 5) -> str:
    """Whose articles these are: ``@a (12), @b (3) and 2 more owners; 4 without an owner``."""
    counts: Counter[str] = Counter()
    ownerless = 0
    for article in articles:
        owners = ownership.of(article).owners
        if not owners:
            ownerless += 1
        counts.update(owners)
    shown = [f"{owner} ({count})" for owner, count in counts.most_common(limit)]
    text = ", ".join(shown) if shown else _("no owner")
    if len(counts) > limit:
        more = len(counts) - limit
        text = ngettext(
            "{owners} and {count} more owner", "{owners} and {count} more owners", more
        ).format(owners=text, count=more)
    if ownerless and shown:
        text = ngettext(
            "{owners}; {count} without an owner", "{owners}; {count} without an owner", ownerless
        ).format(owners=text, count=ownerless)
    return text
