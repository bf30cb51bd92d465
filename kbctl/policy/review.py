"""Review policy: when is an article due for review? Pure; ``today`` is a parameter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Article
from kbctl.values import glob_match


class ReviewState(StrEnum):
    """Where an article stands against its review interval."""

    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NEVER = "never"  # no review date and no dated content change: cannot tell
    ARCHIVED = "archived"


class ReviewBasis(StrEnum):
    """Which date the due date was counted from."""

    LAST_REVIEWED = "last_reviewed"
    LAST_CHANGED = "last_changed"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """An article's review standing on a given day.

    ``days_overdue`` is positive when overdue and negative (days left) otherwise.
    """

    state: ReviewState
    basis: ReviewBasis
    basis_date: date | None
    interval_days: int
    due_date: date | None
    days_overdue: int | None

    @property
    def reason(self) -> str:
        """A short human explanation of the verdict."""
        if self.state is ReviewState.ARCHIVED:
            return _("archived: not reviewed")
        if self.basis is ReviewBasis.NONE:
            return _("never reviewed and no dated change")
        if self.basis is ReviewBasis.LAST_REVIEWED:
            head = _("last reviewed {date}, every {days}d")
        else:
            head = _("no review date; last changed {date}, every {days}d")
        head = head.format(date=self.basis_date, days=self.interval_days)
        if self.state is ReviewState.OVERDUE:
            return _("{verdict}: overdue by {days}d").format(verdict=head, days=self.days_overdue)
        if self.state is ReviewState.DUE_SOON:
            return _("{verdict}: due in {days}d").format(
                verdict=head, days=-(self.days_overdue or 0)
            )
        return _("{verdict}: due {date}").format(verdict=head, date=self.due_date)


def review_interval(article: Article, config: Config) -> int:
    """The article's review interval in days: its own, else per-path, else per-tag, else default.

    Among several matching per-path or per-tag settings the shortest wins (the strictest).
    """
    if article.review_interval:
        return article.review_interval
    settings = config.settings
    by_path = [
        days
        for pattern, days in settings.review_interval_by_path.items()
        if glob_match(pattern, article.path)
    ]
    if by_path:
        return min(by_path)
    tags = {tag.casefold() for tag in article.tags}
    by_tag = [
        days for tag, days in settings.review_interval_by_tag.items() if tag.casefold() in tags
    ]
    if by_tag:
        return min(by_tag)
    return settings.review_interval


def review_status(
    article: Article,
    last_changed: date | None,
    config: Config,
    today: date,
    soon_days: int = 30,
) -> ReviewStatus:
    """Whether ``article`` is due for review on ``today``.

    Counted from ``last_reviewed``; without it, from the last content change (``last_changed``
    from git, or None). Archived articles are never due.
    """
    interval = review_interval(article, config)
    if article.last_reviewed is not None:
        basis, basis_date = ReviewBasis.LAST_REVIEWED, article.last_reviewed
    elif last_changed is not None:
        basis, basis_date = ReviewBasis.LAST_CHANGED, last_changed
    else:
        basis, basis_date = ReviewBasis.NONE, None
    if article.is_archived:
        return ReviewStatus(ReviewState.ARCHIVED, basis, basis_date, interval, None, None)
    if basis_date is None:
        return ReviewStatus(ReviewState.NEVER, basis, None, interval, None, None)
    due = basis_date + timedelta(days=interval)
    overdue_by = (today - due).days
    if overdue_by > 0:
        state = ReviewState.OVERDUE
    elif overdue_by > -soon_days:
        state = ReviewState.DUE_SOON
    else:
        state = ReviewState.OK
    return ReviewStatus(state, basis, basis_date, interval, due, overdue_by)
