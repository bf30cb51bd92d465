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
from kbctl.i18n import _, ngettext
from kbctl.model import Article, ArticleHistory
from kbctl.policy.review import ReviewBasis, ReviewState, ReviewStatus, review_status
from kbctl.policy.verdicts import changed_since_review, trusted_last_change, utc_date


@dataclass(frozen=True, slots=True)
class FrontMatterDate:
    """A "modified" date written in the front matter (``[history] modified_keys``)."""

    key: str
    value: date
    line: int


@dataclass(frozen=True, slots=True)
class Disagreement:
    """The front matter's modified date and git's last content change, ``days`` apart
    (positive: git is newer)."""

    front_matter: date
    git: date
    days: int


def front_matter_modified(article: Article, keys: Sequence[str]) -> FrontMatterDate | None:
    """The first of ``keys`` present in the front matter with a readable date (None if none:
    an unreadable value is the front-matter rules' business, not a date to compare)."""
    from kbctl.values import parse_date

    folded = {str(key).casefold(): key for key in article.meta}
    for wanted in keys:
        key = wanted if wanted in article.meta else folded.get(wanted.casefold())
        if key is None:
            continue
        try:
            value = parse_date(article.meta[key])
        except ValueError:
            continue
        if value is not None:
            return FrontMatterDate(str(key), value, article.key_lines.get(key, 1))
    return None


def date_disagreement(
    modified: FrontMatterDate | None, facts: ArticleHistory | None, span_days: int
) -> Disagreement | None:
    """How far the front matter's modified date and git's last change differ, when by more
    than ``span_days`` and git can be trusted; None otherwise."""
    changed = trusted_last_change(facts)
    if modified is None or changed is None:
        return None
    days = (changed - modified.value).days
    if abs(days) <= span_days:
        return None
    return Disagreement(modified.value, changed, days)


@dataclass(frozen=True, slots=True)
class StaleItem:
    """An article due or overdue for review, with the evidence from front matter and git."""

    article: Article
    owners: tuple[str, ...]
    review: ReviewStatus
    history: ArticleHistory | None
    modified: FrontMatterDate | None = None
    disagreement: Disagreement | None = None

    @property
    def notes(self) -> list[str]:
        """What git adds to the verdict (not committed, unreliable, changed since review)."""
        parts: list[str] = []
        facts = self.history
        if facts is None:
            return parts
        if not facts.committed:
            parts.append(_(NOT_COMMITTED))
        elif not facts.reliable:
            parts.append(
                _("git date unreliable ({note})").format(note=facts.note or _("partial history"))
            )
        elif (
            facts.last_change is None
            and facts.commit_count
            and self.review.basis is ReviewBasis.NONE
        ):
            parts.append(_("git shows only moves and noise commits"))
        changed = changed_since_review(self.article, facts)
        if self.review.basis is ReviewBasis.LAST_REVIEWED and changed is not None:
            parts.append(_("changed since the review ({date})").format(date=utc_date(changed)))
        apart = self.disagreement
        if apart is not None and self.modified is not None:
            parts.append(
                ngettext(
                    "front matter {key} {front_matter}, git {git} ({count} day apart)",
                    "front matter {key} {front_matter}, git {git} ({count} days apart)",
                    abs(apart.days),
                ).format(
                    key=self.modified.key,
                    front_matter=apart.front_matter,
                    git=apart.git,
                    count=abs(apart.days),
                )
            )
        return parts

    @property
    def reason(self) -> str:
        """The review verdict plus what git adds to it."""
        return "; ".join([self.review.reason, *self.notes])


def usable_last_change(facts: ArticleHistory | None) -> date | None:
    """The UTC date of the last content change, when git can be trusted for it."""
    return trusted_last_change(facts)


def is_due(item: StaleItem) -> bool:
    """Whether the item is a finding of ``kbctl stale`` (overdue, never reviewed, due soon)."""
    return item.review.state in {ReviewState.OVERDUE, ReviewState.NEVER, ReviewState.DUE_SOON}


def stale_items(
    articles: Sequence[Article],
    facts: Mapping[str, ArticleHistory],
    config: Config,
    today: date,
    *,
    days: int | None = None,
    owners: Mapping[str, tuple[str, ...]] | None = None,
    everything: bool = False,
) -> list[StaleItem]:
    """Articles overdue (or never reviewed, or due within ``days``), oldest first; with
    ``everything``, every article with its facts (``kbctl stale --all``). Pure."""
    soon = 0 if days is None else days + 1
    wanted = {ReviewState.OVERDUE, ReviewState.NEVER, ReviewState.DUE_SOON}
    settings = config.settings.history
    items: list[StaleItem] = []
    for article in articles:
        history = facts.get(article.path)
        review = review_status(article, trusted_last_change(history), config, today, soon)
        if everything or review.state in wanted:
            article_owners = (owners or {}).get(article.path, article.owners)
            modified = front_matter_modified(article, settings.modified_keys)
            apart = date_disagreement(modified, history, settings.disagreement_days)
            items.append(
                StaleItem(article, tuple(article_owners), review, history, modified, apart)
            )
    items.sort(key=lambda item: (item.review.due_date or date.min, item.article.path))
    return items
