"""What the history reader hands back: per-article facts, skipped commits, one article's log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from kbctl.i18n import N_, _, ngettext
from kbctl.model import ArticleHistory, Change

SHALLOW_FIX = N_("fetch the whole history (`git fetch --unshallow`; in CI `fetch-depth: 0`)")
NOT_COMMITTED = N_("not committed yet")


@dataclass
class SkippedCommit:
    """A commit not counted as a content change, and why."""

    commit: str
    authored: datetime
    subject: str
    reason: str  # "ignore-revs (.git-blame-ignore-revs)" | "bulk: touched N articles"


@dataclass
class HistoryReport:
    """Git facts for a set of articles, plus what the reader should know about them."""

    facts: dict[str, ArticleHistory]  # keyed by Article.path
    notices: list[str] = field(default_factory=list)
    skipped: list[SkippedCommit] = field(default_factory=list)
    available: bool = True  # False when the base is not in a git repository
    head: str | None = None
    from_cache: bool = False


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One commit in an article's life, as ``kbctl history`` shows it.

    ``kind`` is "content" (counts as a change), "move" (a pure rename), or "skipped" (noise,
    with ``reason``); ``path`` is where the article lived after that commit.
    """

    change: Change
    kind: str
    path: str
    reason: str | None = None


@dataclass
class ArticleLog:
    """The commits of one article, newest first."""

    path: str
    entries: list[HistoryEntry]
    notices: list[str] = field(default_factory=list)
    available: bool = True
    committed: bool = True


def skip_kind(reason: str) -> str:
    """The kind of a skip reason: "bulk", "ignore-revs", or the reason's first word."""
    return reason.split(":", 1)[0].split(" (", 1)[0].strip() or "noise"


def skipped_summary(skipped: Sequence[SkippedCommit]) -> str | None:
    """One line for stderr: how many commits were skipped as noise, why, how to list them
    (None when none were)."""
    if not skipped:
        return None
    kinds = Counter(skip_kind(item.reason) for item in skipped)
    why = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
    return ngettext(
        "{count} commit(s) skipped as noise ({why}); list them: kbctl history --skipped",
        "{count} commit(s) skipped as noise ({why}); list them: kbctl history --skipped",
        len(skipped),
    ).format(count=len(skipped), why=why)


def uncommitted(path: str) -> ArticleHistory:
    """The facts of an article git does not know yet."""
    return ArticleHistory(path=path, committed=False, note=_(NOT_COMMITTED))
