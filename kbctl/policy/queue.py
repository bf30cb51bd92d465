"""The review queue and the reports that decide who must review what.

Pure functions of (articles, ownership facts, history facts, settings, today): nothing here
reads a file or runs git.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kbctl.config import Config
from kbctl.i18n import N_, ngettext
from kbctl.model import EXTERNAL_AUDIENCES, Article, ArticleHistory, Flag
from kbctl.ownership import (
    Ownership,
    OwnershipFacts,
    OwnerStanding,
    Roster,
    belongs_to,
    normalise_handle,
    owner_standing,
    queue_owners,
)
from kbctl.policy.review import ReviewState, ReviewStatus, review_status
from kbctl.policy.verdicts import (
    facts_of,
    owner_missing,
    ownership_of,
    trusted_last_change,
    wip_too_old,
)

# The reasons as the review table shows them (translated there; the values are JSON data).
REASON_LABELS = (
    N_("flagged"), N_("overdue"), N_("never reviewed"), N_("owner missing"), N_("wip too old"),
    N_("due soon"),
)  # fmt: skip


class QueueReason(StrEnum):
    """Why an article is in the review queue, most harmful first."""

    FLAGGED = "flagged"
    OVERDUE = "overdue"
    NEVER_REVIEWED = "never reviewed"
    OWNER_MISSING = "owner missing"
    WIP_TOO_OLD = "wip too old"
    DUE_SOON = "due soon"


_REASON_RANK = {reason: rank for rank, reason in enumerate(QueueReason)}


@dataclass(slots=True)
class QueueItem:
    """One article of the review queue."""

    article: Article
    ownership: Ownership
    review: ReviewStatus
    reasons: list[QueueReason]
    detail: list[str]
    reuse: int = 0

    @property
    def external(self) -> bool:
        """Customer- or public-facing: mistakes there hurt most."""
        return self.article.audience in EXTERNAL_AUDIENCES

    def rank(self) -> tuple[int, int, int, int, str]:
        """Sort key: worst reason, then external before internal, then most reused (tickets
        solved: a wrong article that is used a lot hurts most), then most overdue."""
        worst = min(_REASON_RANK[reason] for reason in self.reasons)
        audience_rank = 0 if self.external else (1 if self.article.audience == "partner" else 2)
        overdue = self.review.days_overdue if self.review.days_overdue is not None else 0
        return worst, audience_rank, -self.reuse, -overdue, self.article.id.casefold()


def last_changed(history: Mapping[str, ArticleHistory] | None, article: Article) -> date | None:
    """The UTC date of the article's last content change, when git can be trusted for it."""
    return trusted_last_change(facts_of(history, article))


def review_queue(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
    reuse: Mapping[str, int] | None = None,
) -> list[QueueItem]:
    """The review queue, most harmful first. Pure.

    In the queue: open flags; overdue or never-reviewed articles; articles without a live
    owner (:func:`~kbctl.policy.verdicts.owner_missing`); Work in Progress older than
    ``[review] wip_max_age``; reviews due soon. The verdicts are those of ``kbctl check``
    (KB201, KB301, KB302, KB304). ``history`` (git facts by path) dates articles without a
    review date and WIP without ``created``. To see one owner's queue, pass the articles
    :class:`kbctl.selection.ArticleFilter` selects. ``reuse`` (tickets solved, by path;
    default: each article's ``tickets`` key) puts the more reused first among equals.
    """
    from kbctl.policy.reuse import reuse_counts

    reused = reuse_counts(articles) if reuse is None else reuse
    items: list[QueueItem] = []
    for article in articles:
        if article.is_archived:
            continue
        owned = ownership_of(article, ownership, roster)
        git = facts_of(history, article)
        status = review_status(article, trusted_last_change(git), config, today)
        reasons: list[QueueReason] = []
        detail: list[str] = []
        if article.flags:
            reasons.append(QueueReason.FLAGGED)
            detail.append(
                ngettext(
                    "{count} open flag: {reason}",
                    "{count} open flags: {reason}",
                    len(article.flags),
                ).format(count=len(article.flags), reason=article.flags[-1].reason)
            )
        if status.state is ReviewState.OVERDUE:
            reasons.append(QueueReason.OVERDUE)
            detail.append(status.reason)
        elif status.state is ReviewState.NEVER:
            reasons.append(QueueReason.NEVER_REVIEWED)
            detail.append(status.reason)
        elif status.state is ReviewState.DUE_SOON:
            reasons.append(QueueReason.DUE_SOON)
            detail.append(status.reason)
        if (missing := owner_missing(owned, roster)) is not None:
            reasons.append(QueueReason.OWNER_MISSING)
            detail.append(missing.reason)
        if (wip := wip_too_old(article, git, config, today)) is not None:
            reasons.append(QueueReason.WIP_TOO_OLD)
            detail.append(wip.reason)
        if reasons:
            count = reused.get(article.path, 0)
            if count:
                detail.append(
                    ngettext("solved {count} ticket", "solved {count} tickets", count).format(
                        count=count
                    )
                )
            items.append(QueueItem(article, owned, status, reasons, detail, count))
    items.sort(key=QueueItem.rank)
    return items


@dataclass(slots=True)
class OwnerRow:
    """Per-owner counts for ``kbctl owners``."""

    owner: str
    standing: OwnerStanding
    is_team: bool
    articles: int = 0
    due: int = 0
    overdue: int = 0
    flagged: int = 0
    oldest: date | None = None
    oldest_id: str | None = None
    paths: list[str] = field(default_factory=list)


@dataclass(slots=True)
class OwnersSummary:
    """Everything ``kbctl owners`` shows."""

    owners: list[OwnerRow]
    ownerless: list[tuple[Article, Ownership]]
    roster_problems: list[OwnerRow]


def owners_summary(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
) -> OwnersSummary:
    """Per owner (teams and each of their members): articles, due, overdue, flagged, oldest.

    Archived articles are left out. "due" counts reviews due within 30 days; "overdue" counts
    overdue ones and those never reviewed with no dated change. Pure.
    """
    rows: dict[str, OwnerRow] = {}
    ownerless: list[tuple[Article, Ownership]] = []
    for article in articles:
        if article.is_archived:
            continue
        owned = ownership_of(article, ownership, roster)
        if owner_missing(owned, roster) is not None:
            ownerless.append((article, owned))
        if not owned.owners:
            continue
        status = review_status(article, last_changed(history, article), config, today)
        for name in queue_owners(owned.owners, roster):
            key = normalise_handle(name)
            entry = roster.get(name) if roster is not None else None
            row = rows.get(key)
            if row is None:
                row = rows[key] = OwnerRow(
                    name,
                    owner_standing(name, roster),
                    bool(entry and (entry.is_team or entry.members)),
                )
            row.articles += 1
            row.paths.append(article.path)
            if status.state is ReviewState.DUE_SOON:
                row.due += 1
            elif status.state in (ReviewState.OVERDUE, ReviewState.NEVER):
                row.overdue += 1
            if article.flags:
                row.flagged += 1
            if status.basis_date is not None and (
                row.oldest is None or status.basis_date < row.oldest
            ):
                row.oldest, row.oldest_id = status.basis_date, article.id
    ordered = sorted(
        rows.values(), key=lambda row: (-row.overdue, -row.due, normalise_handle(row.owner))
    )
    problems = [
        row for row in ordered if row.standing in (OwnerStanding.INACTIVE, OwnerStanding.UNKNOWN)
    ]
    ownerless.sort(key=lambda pair: pair[0].path)
    return OwnersSummary(ordered, ownerless, problems)


@dataclass(frozen=True, slots=True)
class OwnedArticle:
    """One article of an owner, for ``kbctl owners --owner``."""

    article: Article
    ownership: Ownership
    review: ReviewStatus


def owned_articles(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    who: Sequence[str],
    *,
    history: Mapping[str, ArticleHistory] | None = None,
) -> list[OwnedArticle]:
    """The articles that belong to any of ``who`` (:func:`kbctl.ownership.belongs_to`), by path.

    Archived articles are left out, as in :func:`owners_summary`. Pure.
    """
    facts = OwnershipFacts(ownership, roster)
    found = [
        OwnedArticle(
            article,
            facts.of(article),
            review_status(article, last_changed(history, article), config, today),
        )
        for article in articles
        if not article.is_archived and belongs_to(article, who, facts)
    ]
    found.sort(key=lambda item: item.article.path)
    return found


@dataclass(frozen=True, slots=True)
class OpenFlag:
    """One open flag and its article."""

    article: Article
    flag: Flag
    owners: tuple[str, ...]


def open_flags(articles: Sequence[Article], ownership: Mapping[str, Ownership]) -> list[OpenFlag]:
    """Every open flag of the base, oldest first (undated last)."""
    found = [
        OpenFlag(article, flag, ownership_of(article, ownership).owners)
        for article in articles
        for flag in article.flags
    ]
    found.sort(
        key=lambda item: (item.flag.date is None, item.flag.date or date.min, item.article.path)
    )
    return found


def due_for_review(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
) -> list[Article]:
    """Articles due, overdue or never reviewed on ``today``, in review-queue order. Pure."""
    due = (ReviewState.OVERDUE, ReviewState.DUE_SOON, ReviewState.NEVER)
    queue = review_queue(articles, ownership, roster, config, today, history=history)
    return [item.article for item in queue if item.review.state in due]
