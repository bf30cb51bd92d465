"""Owners' digests: for each owner, what needs them, ready to paste into an issue.

Pure: the verdicts are the review queue's (:func:`kbctl.policy.queue.review_queue`: overdue,
never reviewed, due soon, flagged, WIP too old, with teams expanded to their members as in
``kbctl review --owner``); with usage facts, the failed searches that an alias on one of the
owner's articles would fix, and the owner's archive candidates.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from kbctl.config import Config
from kbctl.model import Article, ArticleHistory
from kbctl.ownership import Ownership, Roster, normalise_handle, owner_standing, queue_owners
from kbctl.policy.archive import ArchiveCandidate, usage_summary
from kbctl.policy.queue import QueueItem, QueueReason, review_queue
from kbctl.policy.verdicts import ownership_of
from kbctl.usage.gaps import Fix, Gap, UsageFacts, find_gaps


@dataclass(frozen=True, slots=True)
class DigestItem:
    """An article that needs its owner, and why."""

    id: str
    title: str
    path: str
    detail: str


@dataclass(slots=True)
class OwnerDigest:
    """What needs one owner."""

    owner: str
    standing: str
    overdue: list[DigestItem] = field(default_factory=list)
    due_soon: list[DigestItem] = field(default_factory=list)
    flagged: list[DigestItem] = field(default_factory=list)
    wip_too_old: list[DigestItem] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    archive: list[ArchiveCandidate] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Nothing needs this owner."""
        return not (
            self.overdue
            or self.due_soon
            or self.flagged
            or self.wip_too_old
            or self.gaps
            or self.archive
        )


def _item(queued: QueueItem, detail: str) -> DigestItem:
    article = queued.article
    return DigestItem(article.id, article.title, article.path, detail)


def _detail(queued: QueueItem, reason: QueueReason) -> str:
    """The queue's explanation of one reason (its details are in the reasons' order)."""
    for found, text in zip(queued.reasons, queued.detail, strict=False):
        if found is reason:
            return text
    return str(reason)


def owner_digests(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
    usage: UsageFacts | None = None,
    only: str | None = None,
) -> list[OwnerDigest]:
    """One digest per owner (teams expanded to members), owners with most overdue first;
    ``only`` keeps one owner (a handle, ``@`` and case optional). Owners with nothing to do
    are left out. Pure."""
    digests: dict[str, OwnerDigest] = {}
    wanted = normalise_handle(only) if only else None

    def owners_of(article: Article) -> list[OwnerDigest]:
        found = []
        owners = ownership_of(article, ownership, roster).owners
        for name in queue_owners(owners, roster):
            key = normalise_handle(name)
            if wanted is not None and key != wanted:
                continue
            digest = digests.get(key)
            if digest is None:
                standing = str(owner_standing(name, roster))
                digest = digests[key] = OwnerDigest(name, standing)
            found.append(digest)
        return found

    buckets = {
        QueueReason.OVERDUE: "overdue",
        QueueReason.NEVER_REVIEWED: "overdue",
        QueueReason.DUE_SOON: "due_soon",
        QueueReason.FLAGGED: "flagged",
        QueueReason.WIP_TOO_OLD: "wip_too_old",
    }
    for queued in review_queue(articles, ownership, roster, config, today, history=history):
        for digest in owners_of(queued.article):
            for reason in queued.reasons:
                bucket = buckets.get(reason)
                if bucket is not None:
                    getattr(digest, bucket).append(_item(queued, _detail(queued, reason)))
    if usage is not None:
        by_id = {article.id: article for article in articles}
        for gap in find_gaps(usage, articles, limit=200):
            target = by_id.get(gap.suggestion.article or "")
            if gap.suggestion.fix is Fix.ALIAS and target is not None:
                for digest in owners_of(target):
                    digest.gaps.append(gap)
        summary = usage_summary(usage, articles, config, today, history=history)
        for candidate in summary.candidates:
            for digest in owners_of(candidate.usage.article):
                digest.archive.append(candidate)
    chosen = [digest for digest in digests.values() if not digest.empty]
    chosen.sort(
        key=lambda d: (-len(d.overdue), -len(d.flagged), -len(d.due_soon), d.owner.casefold())
    )
    return chosen
