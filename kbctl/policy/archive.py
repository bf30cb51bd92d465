"""Article use from the usage log, and the archive candidates: articles nobody opens that
nobody vouches for either. Pure: facts, settings and ``today`` are parameters.

"Unused for N days" is only claimed from logs that reach back N days: with shorter logs the
verdict says how long they cover (``UsageSummary.covered_days``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from kbctl.config import Config
from kbctl.model import Article, ArticleHistory, Status
from kbctl.policy.queue import last_changed
from kbctl.policy.review import ReviewState, ReviewStatus, review_status
from kbctl.usage.gaps import ArticleUse, UsageFacts


@dataclass(frozen=True, slots=True)
class ArticleUsage:
    """One article with its use and review standing."""

    article: Article
    shown: int
    opened: int
    last_opened: date | None
    review: ReviewStatus


@dataclass(frozen=True, slots=True)
class ArchiveCandidate:
    """An article opened by nobody for ``archive_after`` days and not trusted either."""

    usage: ArticleUsage
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        """A short human explanation."""
        return "; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """Most and least used articles, archive candidates, and what the logs cover."""

    most_used: list[ArticleUsage]
    least_used: list[ArticleUsage]
    candidates: list[ArchiveCandidate]
    archive_after: int
    covered_days: int
    searches: int
    opens: int
    unknown_ids: list[str]

    @property
    def covers_window(self) -> bool:
        """Whether the logs reach back ``archive_after`` days."""
        return self.covered_days >= self.archive_after


def _day(moment: datetime | None) -> date | None:
    return moment.astimezone(UTC).date() if moment is not None else None


def usage_summary(
    facts: UsageFacts,
    articles: Sequence[Article],
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
    top: int = 10,
) -> UsageSummary:
    """Per-article use, the ``top`` most and least used (archived articles left out), and
    the archive candidates: unused for ``[usage] archive_after`` days and either not
    validated or overdue (or never) for review, the review verdict being
    :func:`kbctl.policy.review.review_status`."""
    after = config.settings.usage.archive_after
    live = [article for article in articles if not article.is_archived]
    rows: list[ArticleUsage] = []
    for article in live:
        use = facts.articles.get(article.id) or ArticleUse(article.id)
        review = review_status(article, last_changed(history, article), config, today)
        rows.append(ArticleUsage(article, use.shown, use.opened, _day(use.last_opened), review))
    most = sorted(rows, key=lambda row: (-row.opened, -row.shown, row.article.id))
    least = sorted(rows, key=lambda row: (row.opened, row.shown, row.article.id))
    first = _day(facts.first)
    covered = (today - first).days if first is not None else 0
    candidates = [
        ArchiveCandidate(row, reasons)
        for row in least
        if (reasons := _archive_reasons(row, today, after, covered))
    ]
    known = {article.id for article in articles}
    unknown = sorted(key for key in facts.articles if key not in known)
    return UsageSummary(
        [row for row in most[:top] if row.opened or row.shown],
        least[:top],
        candidates,
        after,
        covered,
        facts.searches,
        facts.opens,
        unknown,
    )


def _archive_reasons(row: ArticleUsage, today: date, after: int, covered: int) -> tuple[str, ...]:
    if row.last_opened is not None and (today - row.last_opened).days < after:
        return ()
    if row.last_opened is None:
        if covered >= after:
            unused = f"not opened in the last {after} days"
        else:
            unused = f"never opened in the {covered} days the logs cover (of {after})"
    else:
        unused = f"last opened {row.last_opened} ({(today - row.last_opened).days}d ago)"
    untrusted: list[str] = []
    if row.article.status != Status.VALIDATED:
        untrusted.append(f"status {row.article.status or 'not set'}")
    if row.review.state is ReviewState.OVERDUE:
        untrusted.append(f"review overdue by {row.review.days_overdue}d")
    elif row.review.state is ReviewState.NEVER:
        untrusted.append("never reviewed")
    if not untrusted:
        return ()
    return (unused, *untrusted)
