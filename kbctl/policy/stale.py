"""The stale list: articles due or overdue for review, with what git adds to the verdict.

Pure functions of (articles, facts, settings, today); the facts come from
:mod:`kbctl.history`, the verdict from :mod:`kbctl.policy.review`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from kbctl.config import Config
from kbctl.history import NOT_COMMITTED
from kbctl.model import Article, ArticleHistory
from kbctl.policy.review import ReviewBasis, ReviewState, ReviewStatus, review_status
from kbctl.policy.verdicts import changed_since_review, trusted_last_change, utc_date


@dataclass(frozen=True, slots=True)
class StaleItem:
    """An article due or overdue for review, with the evidence from front matter and git."""

    article: Article
    owners: tuple[str, ...]
    review: ReviewStatus
    history: ArticleHistory | None

    @property
    def notes(self) -> list[str]:
        """What git adds to the verdict (not committed, unreliable, changed since review)."""
        parts: list[str] = []
        facts = self.history
        if facts is None:
            return parts
        if not facts.committed:
            parts.append(NOT_COMMITTED)
        elif not facts.reliable:
            parts.append(f"git date unreliable ({facts.note or 'partial history'})")
        elif (
            facts.last_change is None
            and facts.commit_count
            and self.review.basis is ReviewBasis.NONE
        ):
            parts.append("git shows only moves and noise commits")
        changed = changed_since_review(self.article, facts)
        if self.review.basis is ReviewBasis.LAST_REVIEWED and changed is not None:
            parts.append(f"changed since the review ({utc_date(changed)})")
        return parts

    @property
    def reason(self) -> str:
        """The review verdict plus what git adds to it."""
        return "; ".join([self.review.reason, *self.notes])


def usable_last_change(facts: ArticleHistory | None) -> date | None:
    """The UTC date of the last content change, when git can be trusted for it."""
    return trusted_last_change(facts)


def stale_items(
    articles: Sequence[Article],
    facts: Mapping[str, ArticleHistory],
    config: Config,
    today: date,
    *,
    days: int | None = None,
    owners: Mapping[str, tuple[str, ...]] | None = None,
) -> list[StaleItem]:
    """Articles overdue (or never reviewed, or due within ``days``), oldest first. Pure."""
    soon = 0 if days is None else days + 1
    wanted = {ReviewState.OVERDUE, ReviewState.NEVER, ReviewState.DUE_SOON}
    items: list[StaleItem] = []
    for article in articles:
        history = facts.get(article.path)
        review = review_status(article, trusted_last_change(history), config, today, soon)
        if review.state in wanted:
            article_owners = (owners or {}).get(article.path, article.owners)
            items.append(StaleItem(article, tuple(article_owners), review, history))
    items.sort(key=lambda item: (item.review.due_date or date.min, item.article.path))
    return items
