"""The health report of a whole base: one data model, built by one pure function.

Every renderer (text, Markdown, HTML, JSON) draws this same :class:`Report`; nothing here
reads a file, runs git or formats text for a person. The verdicts are the review policy's
(:mod:`kbctl.policy`): review state, live owners, open flags, WIP age, archive candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, timedelta

from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Article, ArticleHistory, Status
from kbctl.ownership import Ownership, Roster
from kbctl.policy.archive import ArchiveCandidate, usage_summary
from kbctl.policy.queue import open_flags, owners_summary
from kbctl.policy.review import ReviewState, review_status
from kbctl.policy.verdicts import (
    facts_of,
    owner_missing,
    ownership_of,
    trusted_history,
    trusted_last_change,
)
from kbctl.usage.gaps import Gap, UsageFacts, find_gaps

# Rows kept per list section: the report is a page a person reads, not an export.
TOP = 10
NO_VALUE = "(none)"


@dataclass(frozen=True, slots=True)
class Count:
    """One bar of a breakdown: a value and how many articles have it."""

    label: str
    value: int


@dataclass(frozen=True, slots=True)
class Trust:
    """The trust score: live articles validated and within their review interval."""

    trusted: int
    total: int
    target: float

    @property
    def share(self) -> float:
        """Trusted articles as a share of live ones (1.0 for an empty base)."""
        return self.trusted / self.total if self.total else 1.0

    @property
    def met(self) -> bool:
        """Whether the share reaches the team's target."""
        return self.share >= self.target


@dataclass(frozen=True, slots=True)
class ReviewHealth:
    """Live articles by review state today."""

    ok: int = 0
    due_soon: int = 0
    overdue: int = 0
    never: int = 0


@dataclass(frozen=True, slots=True)
class Week:
    """Review health at the end of one week (``end``), from today's review dates and git.

    ``unknown`` counts articles reviewed (or, without a review date, changed) after that
    week: their state then is not known from today's front matter. ``reviews`` counts
    reviews recorded during the week (their latest review only).
    """

    start: date
    end: date
    on_time: int
    due_soon: int
    overdue: int
    unknown: int
    reviews: int


@dataclass(frozen=True, slots=True)
class ArticleLine:
    """An article in a list section, with why it is there."""

    id: str
    title: str
    path: str
    owners: tuple[str, ...]
    detail: str
    when: date | None = None


@dataclass(frozen=True, slots=True)
class OwnerLoad:
    """One owner's workload: live articles, reviews overdue and due soon, flags."""

    owner: str
    standing: str
    articles: int
    overdue: int
    due_soon: int
    flagged: int


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Near-duplicate articles (``kbctl duplicates``) and which one to keep."""

    ids: tuple[str, ...]
    titles: tuple[str, ...]
    similarity: float
    keep: str | None = None


@dataclass(slots=True)
class UsagePart:
    """What the usage logs add: top gaps and archive candidates."""

    searches: int
    covered_days: int
    archive_after: int
    gaps: list[Gap]
    archive: list[ArchiveCandidate]


@dataclass(slots=True)
class Report:
    """The health of a base on ``generated``."""

    generated: date
    base: str
    total: int
    live: int
    by_status: list[Count]
    by_audience: list[Count]
    by_owner: list[Count]
    by_product: list[Count]
    by_tag: list[Count]
    trust: Trust
    review: ReviewHealth
    weeks: list[Week]
    ownerless: list[ArticleLine]
    departed: list[ArticleLine]
    flags: list[ArticleLine]
    wip_too_old: list[ArticleLine]
    oldest: list[ArticleLine]
    workload: list[OwnerLoad]
    history_available: bool
    # None: no duplicate detection on this branch yet (see build_report); []: none found.
    duplicates: list[DuplicateGroup] | None = None
    usage: UsagePart | None = None
    notes: list[str] = field(default_factory=list)


def counts(values: Iterable[str | None], *, top: int | None = None) -> list[Count]:
    """How many of each value, most first (ties by label); None counts as ``(none)``."""
    counted = Counter(value if value else NO_VALUE for value in values)
    ordered = sorted(counted.items(), key=lambda item: (-item[1], item[0]))
    return [Count(label, value) for label, value in ordered[:top]]


def _line(
    article: Article, owners: Sequence[str], detail: str, when: date | None = None
) -> ArticleLine:
    return ArticleLine(article.id, article.title, article.path, tuple(owners), detail, when)


def build_report(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
    usage: UsageFacts | None = None,
    base_name: str = "",
    duplicates: list[DuplicateGroup] | None = None,
) -> Report:
    """The report: counts, trust score, review health now and by week, ownerless and
    departed-owner articles, open flags, old WIP, oldest articles, per-owner workload; with
    ``usage`` (merged logs) the top gaps and the archive candidates. Pure.

    ``duplicates`` are the groups of the duplicate detector, when the caller has them.
    """
    from kbctl.policy.verdicts import wip_too_old

    live = [article for article in articles if not article.is_archived]
    owned = {article.path: ownership_of(article, ownership, roster) for article in articles}
    review = Counter[ReviewState]()
    trusted = 0
    ownerless: list[ArticleLine] = []
    departed: list[ArticleLine] = []
    old_wip: list[ArticleLine] = []
    dated: list[tuple[date | None, Article, str]] = []
    for article in live:
        facts = facts_of(history, article)
        status = review_status(article, trusted_last_change(facts), config, today)
        review[status.state] += 1
        if article.status == Status.VALIDATED and status.state in (
            ReviewState.OK,
            ReviewState.DUE_SOON,
        ):
            trusted += 1
        owners = owned[article.path]
        missing = owner_missing(owners, roster)
        if missing is not None:
            target = ownerless if missing.nobody_named else departed
            target.append(_line(article, owners.owners, missing.reason))
        if (wip := wip_too_old(article, facts, config, today)) is not None:
            old_wip.append(_line(article, owners.owners, wip.reason, wip.started))
        dated.append((status.basis_date, article, status.reason))
    dated.sort(key=lambda item: (item[0] is not None, item[0] or date.min, item[1].path))
    oldest = [
        _line(article, owned[article.path].owners, reason, when)
        for when, article, reason in dated[:TOP]
    ]
    flags = [
        _line(item.article, item.owners, item.flag.reason, item.flag.date)
        for item in open_flags(live, ownership)
    ]
    summary = owners_summary(live, ownership, roster, config, today, history=history)
    workload = [
        OwnerLoad(row.owner, str(row.standing), row.articles, row.overdue, row.due, row.flagged)
        for row in summary.owners
    ]
    weeks = review_weeks(live, config, today, config.settings.report.weeks, history=history)
    part = None
    if usage is not None:
        used = usage_summary(usage, articles, config, today, history=history, top=TOP)
        part = UsagePart(
            usage.searches,
            used.covered_days,
            used.archive_after,
            find_gaps(usage, articles, limit=TOP),
            used.candidates[:TOP],
        )
    notes: list[str] = []
    if history is None:
        notes.append(_("no git history: review dates from front matter only"))
    return Report(
        generated=today,
        base=base_name,
        total=len(articles),
        live=len(live),
        by_status=counts(article.status for article in articles),
        by_audience=counts(article.audience for article in live),
        by_owner=counts(
            (owner for article in live for owner in owned[article.path].owners or ("",)),
            top=TOP,
        ),
        by_product=counts((article.product for article in live), top=TOP),
        by_tag=counts((tag for article in live for tag in article.tags), top=TOP),
        trust=Trust(trusted, len(live), config.settings.report.trust_target),
        review=ReviewHealth(
            review[ReviewState.OK],
            review[ReviewState.DUE_SOON],
            review[ReviewState.OVERDUE],
            review[ReviewState.NEVER],
        ),
        weeks=weeks,
        ownerless=ownerless,
        departed=departed,
        flags=flags,
        wip_too_old=old_wip,
        oldest=oldest,
        workload=workload,
        history_available=history is not None,
        duplicates=duplicates,
        usage=part,
        notes=notes,
    )


def review_weeks(
    live: Sequence[Article],
    config: Config,
    today: date,
    weeks: int,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
) -> list[Week]:
    """Review health at the end of each of the last ``weeks`` weeks (oldest first).

    An article counts from its creation (``created``, else its first commit) on. Its state
    at a week's end is counted from its review date (else its last change) when that date
    is on or before the week's end; a later date means its state then is unknown.
    """
    starts: list[tuple[Article, date | None, date | None]] = []
    for article in live:
        facts = trusted_history(facts_of(history, article))
        first = article.created
        if first is None and facts is not None and facts.first_change is not None:
            first = facts.first_change.authored.astimezone(UTC).date()
        starts.append((article, first, trusted_last_change(facts)))
    result: list[Week] = []
    for back in range(weeks - 1, -1, -1):
        end = today - timedelta(days=7 * back)
        start = end - timedelta(days=6)
        tally = Counter[str]()
        for article, first, changed in starts:
            if first is not None and first > end:
                continue
            reviewed = article.last_reviewed
            if reviewed is not None and start <= reviewed <= end:
                tally["reviews"] += 1
            basis = reviewed if reviewed is not None else changed
            if basis is None or basis > end:
                tally["unknown"] += 1
                continue
            state = review_status(article, changed, config, end).state
            tally[state.value] += 1
        result.append(
            Week(
                start,
                end,
                tally[ReviewState.OK.value],
                tally[ReviewState.DUE_SOON.value],
                tally[ReviewState.OVERDUE.value],
                tally["unknown"],
                tally["reviews"],
            )
        )
    return result
