"""How far to trust an article, and who may see it: one home for both verdicts.

:func:`assess_trust` folds what the review policy already decides (status, review state,
open flags, a live owner, a change since the review) into a level and a one-line summary,
so every surface that shows an article (the MCP server, ``kbctl show``) warns the same way.
:func:`visible_audiences` is the audience ceiling: an audience sees its own articles and
those meant for wider ones. Pure: no files, no git, ``today`` is a parameter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kbctl.i18n import N_, _, ngettext
from kbctl.model import Article, ArticleHistory, Status
from kbctl.ownership import Ownership, Roster
from kbctl.policy.review import ReviewState, ReviewStatus
from kbctl.policy.verdicts import changed_since_review, owner_missing, utc_date

# Narrowest first: each audience also sees every audience after it.
# The levels as people read them (the values are JSON data).
LEVEL_LABELS = (N_("high"), N_("medium"), N_("low"))


class TrustLevel(StrEnum):
    """How far an answer from the article can be relied on."""

    HIGH = "high"  # validated, review not overdue, no open flag, a live owner
    MEDIUM = "medium"  # usable with care: not validated yet, review due soon, changed since
    LOW = "low"  # warn the reader: draft, overdue or never reviewed, flagged, archived


class TrustWarning(StrEnum):
    """Reasons to warn about an article, worst first."""

    ARCHIVED = "archived"
    FLAGGED = "flagged"
    WIP = "wip"
    OVERDUE = "review_overdue"
    NEVER_REVIEWED = "never_reviewed"
    OWNER_MISSING = "owner_missing"
    NOT_VALIDATED = "not_validated"
    CHANGED_SINCE_REVIEW = "changed_since_review"
    DUE_SOON = "review_due_soon"


_LOW = frozenset(
    {
        TrustWarning.ARCHIVED,
        TrustWarning.FLAGGED,
        TrustWarning.WIP,
        TrustWarning.OVERDUE,
        TrustWarning.NEVER_REVIEWED,
    }
)


@dataclass(frozen=True, slots=True)
class Trust:
    """An article's trust verdict: the level, the warnings (worst first), one line for people."""

    level: TrustLevel
    warnings: tuple[TrustWarning, ...]
    summary: str


def assess_trust(
    article: Article,
    review: ReviewStatus,
    owned: Ownership,
    roster: Roster | None = None,
    history: ArticleHistory | None = None,
) -> Trust:
    """The trust verdict of ``article`` from the verdicts the review policy already made.

    ``review`` is :func:`kbctl.policy.review.review_status` of the article; ``owned`` its
    effective owners; ``history`` its git facts (None: unknown, no "changed since" warning).
    """
    warnings: list[TrustWarning] = []
    notes: list[str] = []
    status = article.status or _("no status")
    if article.is_archived:
        warnings.append(TrustWarning.ARCHIVED)
    if article.flags:
        warnings.append(TrustWarning.FLAGGED)
        last = article.flags[-1]
        notes.append(
            ngettext(
                "{count} open flag, latest: {reason}",
                "{count} open flags, latest: {reason}",
                len(article.flags),
            ).format(count=len(article.flags), reason=last.reason)
        )
    if article.status == Status.WIP:
        warnings.append(TrustWarning.WIP)
    elif article.status != Status.VALIDATED and not article.is_archived:
        warnings.append(TrustWarning.NOT_VALIDATED)
    if review.state is ReviewState.OVERDUE:
        warnings.append(TrustWarning.OVERDUE)
    elif review.state is ReviewState.NEVER:
        warnings.append(TrustWarning.NEVER_REVIEWED)
    elif review.state is ReviewState.DUE_SOON:
        warnings.append(TrustWarning.DUE_SOON)
    if not article.is_archived and owner_missing(owned, roster) is not None:
        warnings.append(TrustWarning.OWNER_MISSING)
    changed = changed_since_review(article, history)
    if changed is not None:
        warnings.append(TrustWarning.CHANGED_SINCE_REVIEW)
        notes.append(_("changed since the review ({date})").format(date=utc_date(changed)))
    ordered = tuple(sorted(set(warnings), key=list(TrustWarning).index))
    if _LOW & set(ordered):
        level = TrustLevel.LOW
    elif ordered:
        level = TrustLevel.MEDIUM
    else:
        level = TrustLevel.HIGH
    owners = ", ".join(owned.owners) if owned.owners else _("no owner")
    head = _("{level} trust: {status}").format(
        level=_(level.value), status=status.replace("_", " ")
    )
    parts = [head, review.reason, owners, *notes]
    return Trust(level, ordered, "; ".join(parts))


def warning_names(warnings: Iterable[TrustWarning]) -> list[str]:
    """The warnings as their names (for JSON)."""
    return [warning.value for warning in warnings]
