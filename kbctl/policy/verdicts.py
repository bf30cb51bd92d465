"""Per-article verdicts that the review queue, the stale list and the check rules share.

What git facts can be trusted, when a Work in Progress article started and whether it is
too old, whether an article has a live owner, which flags have stayed open too long. Every
command that shows one of these verdicts calls these functions, so ``kbctl review`` and
``kbctl check`` cannot disagree. Pure: no files, no git, ``today`` is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date

from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Article, ArticleHistory, Change, Flag, Status
from kbctl.ownership import (
    Ownership,
    OwnershipFacts,
    OwnerSource,
    OwnerStanding,
    Roster,
    effective_owners,
    owner_standing,
)

# ----------------------------------------------------------------------------- git facts


def utc_date(change: Change | None) -> date | None:
    """The UTC calendar date of a change (None for None)."""
    return change.authored.astimezone(UTC).date() if change is not None else None


def trusted_history(facts: ArticleHistory | None) -> ArticleHistory | None:
    """The article's git facts when they can be trusted: committed, and not cut short by a
    shallow clone or a time budget. None otherwise."""
    if facts is None or not facts.committed or not facts.reliable:
        return None
    return facts


def trusted_last_change(facts: ArticleHistory | None) -> date | None:
    """The UTC date of the last content change, when git can be trusted for it."""
    trusted = trusted_history(facts)
    return utc_date(trusted.last_change) if trusted is not None else None


def facts_of(
    history: Mapping[str, ArticleHistory] | None, article: Article
) -> ArticleHistory | None:
    """The article's git facts from a by-path map (None without history)."""
    return history.get(article.path) if history else None


def changed_since_review(article: Article, facts: ArticleHistory | None) -> Change | None:
    """The last content change, when git can be trusted and it came after ``last_reviewed``."""
    trusted = trusted_history(facts)
    if trusted is None or trusted.last_change is None or article.last_reviewed is None:
        return None
    changed = utc_date(trusted.last_change)
    return trusted.last_change if changed is not None and changed > article.last_reviewed else None


# ---------------------------------------------------------------------- work in progress


def wip_max_age(config: Config) -> int:
    """Days a Work in Progress article may stay so: ``[review] wip_max_age`` (default 30d).

    The one WIP limit: the review queue and rule KB304 both use it. The deprecated
    ``[check.rules.KB304] max_days`` is mapped onto it when the config is loaded.
    """
    return config.settings.review.wip_max_age


def wip_started(article: Article, facts: ArticleHistory | None) -> date | None:
    """When a Work in Progress article was started: ``created``, else its first commit.

    The first commit counts only when git can be trusted (committed, not a shallow cut).
    """
    if article.created is not None:
        return article.created
    trusted = trusted_history(facts)
    return utc_date(trusted.first_change) if trusted is not None else None


@dataclass(frozen=True, slots=True)
class WipTooOld:
    """A Work in Progress article past the WIP limit."""

    started: date
    age: int
    limit: int

    @property
    def reason(self) -> str:
        """A short human explanation."""
        return _("work in progress for {age}d since {started} (max {limit}d)").format(
            age=self.age, started=self.started, limit=self.limit
        )


def wip_too_old(
    article: Article, facts: ArticleHistory | None, config: Config, today: date
) -> WipTooOld | None:
    """The verdict when ``article`` is Work in Progress for longer than :func:`wip_max_age`;
    None when it is not WIP, not too old, or its start cannot be told."""
    if article.status != Status.WIP or article.is_archived:
        return None
    started = wip_started(article, facts)
    if started is None:
        return None
    age, limit = (today - started).days, wip_max_age(config)
    return WipTooOld(started, age, limit) if age > limit else None


# ------------------------------------------------------------------------------ owners


def ownership_of(
    article: Article, ownership: Mapping[str, Ownership] | None, roster: Roster | None = None
) -> Ownership:
    """The article's effective owners: as resolved for the base (front matter, else
    CODEOWNERS); its front-matter owners when the map does not know it."""
    return effective_owners(article, OwnershipFacts(ownership or {}, roster))


def owner_standings(owned: Ownership, roster: Roster | None) -> list[tuple[str, OwnerStanding]]:
    """Each owner with its roster standing (``no roster`` for all without a roster)."""
    return [(name, owner_standing(name, roster)) for name in owned.owners]


@dataclass(frozen=True, slots=True)
class OwnerMissing:
    """An article without a live owner: nobody is named, or every named owner is inactive
    or not in the roster."""

    ownership: Ownership
    standings: tuple[tuple[str, OwnerStanding], ...]

    @property
    def nobody_named(self) -> bool:
        """True when no owner is named at all (not even a departed one)."""
        return not self.ownership.owners

    @property
    def reason(self) -> str:
        """A short human explanation (where the empty ownership came from, or who is gone)."""
        if self.ownership.owners:
            gone = ", ".join(f"{name} {standing}" for name, standing in self.standings)
            return _("no live owner: {owners}").format(owners=gone)
        if self.ownership.source == OwnerSource.CODEOWNERS:
            return _("no owner: {where} names nobody").format(where=self.ownership.describe)
        return _("no owner (neither front matter nor CODEOWNERS)")


def owner_missing(owned: Ownership, roster: Roster | None) -> OwnerMissing | None:
    """The one meaning of "owner missing": no live owner. Nobody named, or (with a roster)
    every named owner inactive or unknown to it. None when someone can answer for it."""
    standings = tuple(owner_standings(owned, roster))
    live = (OwnerStanding.OK, OwnerStanding.NO_ROSTER)
    if owned.owners and any(standing in live for _, standing in standings):
        return None
    return OwnerMissing(owned, standings)


# ------------------------------------------------------------------------------- flags


def old_flags(article: Article, today: date, max_days: int) -> list[tuple[Flag, int]]:
    """The article's dated flags open for more than ``max_days`` days, with their age."""
    found: list[tuple[Flag, int]] = []
    for flag in article.flags:
        if flag.date is not None and (age := (today - flag.date).days) > max_days:
            found.append((flag, age))
    return found
