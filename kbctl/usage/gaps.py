"""What the usage log says: searches that failed, and what would fix them; article use.

Pure functions of merged events (:mod:`kbctl.usage.read`) and the articles: no files here.

A *sitting* is the events of one session (the event's ``session``, else one log and user),
split where nobody did anything for :data:`PAUSE`. In a sitting, a search is *answered*
when an article it showed is opened afterwards (or it opened one itself); a search with
hits that nobody opened is *poor*; one with none is *no hits*. When someone searched in
vain and then opened an article another way (a later search, ``kbctl show``), that article
is what the first query was looking for (within :data:`FOUND_LATER`): an alias would have
found it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from kbctl.i18n import _
from kbctl.model import Article
from kbctl.usage.log import OPEN_EVENTS, SEARCH_EVENTS
from kbctl.usage.read import Event

PAUSE = timedelta(minutes=30)
# An article opened this soon after a failed search, with no other search answered between,
# is what that search was looking for (a reformulated query, or ``kbctl show`` of an id).
FOUND_LATER = timedelta(minutes=5)
# ... and it takes that evidence from at least this many searches, and this share of the
# query's failures, to suggest an alias rather than a coincidence.
ALIAS_MIN_EVIDENCE = 2
ALIAS_MIN_SHARE = 0.3
WORD = re.compile(r"[^\W_]{3,}")
# A query word this similar (rapidfuzz ratio, 0-100) to a word of the base is a variant.
SIMILAR = 80
MIN_SYNONYM_LENGTH = 4


def normalise_query(query: str) -> str:
    """The form queries are counted under: case-folded, spaces collapsed."""
    return " ".join(query.casefold().split())


def sittings(events: Sequence[Event]) -> Iterator[list[Event]]:
    """The events (sorted by time) grouped into sittings, each in time order."""
    by_session: dict[str, list[Event]] = {}
    for event in events:
        by_session.setdefault(event.session, []).append(event)
    for group in by_session.values():
        current: list[Event] = []
        for event in group:
            if current and event.when - current[-1].when > PAUSE:
                yield current
                current = []
            current.append(event)
        if current:
            yield current


@dataclass(slots=True)
class QueryStats:
    """How one (normalised) query fared."""

    query: str
    searches: int = 0
    no_hits: int = 0
    poor: int = 0
    answered: int = 0
    last: datetime | None = None
    found_later: Counter[str] = field(default_factory=Counter)
    spellings: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> int:
        """Searches that found nothing or nothing anyone opened."""
        return self.no_hits + self.poor

    @property
    def text(self) -> str:
        """The query as people wrote it most often."""
        return self.spellings.most_common(1)[0][0] if self.spellings else self.query


@dataclass(slots=True)
class ArticleUse:
    """How often an article was shown in hits and opened, and when last."""

    id: str
    shown: int = 0
    opened: int = 0
    last_shown: datetime | None = None
    last_opened: datetime | None = None


@dataclass(slots=True)
class UsageFacts:
    """Everything the analyses need from the events, in one pass."""

    queries: dict[str, QueryStats] = field(default_factory=dict)
    articles: dict[str, ArticleUse] = field(default_factory=dict)
    searches: int = 0
    opens: int = 0
    first: datetime | None = None
    last: datetime | None = None


def usage_facts(events: Sequence[Event]) -> UsageFacts:
    """Fold the merged events (sorted by time) into per-query and per-article facts."""
    facts = UsageFacts()
    if events:
        facts.first, facts.last = events[0].when, events[-1].when
    forms: dict[str, tuple[str, str]] = {}
    for sitting in sittings(events):
        _fold_sitting(sitting, facts, forms)
    return facts


def _use(facts: UsageFacts, key: str) -> ArticleUse:
    found = facts.articles.get(key)
    if found is None:
        found = facts.articles[key] = ArticleUse(key)
    return found


def _fold_sitting(
    sitting: list[Event], facts: UsageFacts, forms: dict[str, tuple[str, str]]
) -> None:
    pending: list[tuple[QueryStats, Event]] = []
    queries = facts.queries
    for event in sitting:
        opened = event.opened
        query = event.query
        if query is not None and event.event in SEARCH_EVENTS:
            facts.searches += 1
            # Each distinct text is normalised once (a big log repeats its queries).
            form = forms.get(query)
            if form is None:
                form = forms[query] = (normalise_query(query), " ".join(query.split()))
            key, spelled = form
            if not key:
                continue
            stats = queries.get(key)
            if stats is None:
                stats = queries[key] = QueryStats(key)
            stats.searches += 1
            stats.spellings[spelled] += 1
            stats.last = event.when
            for shown in event.shown:
                use = _use(facts, shown)
                use.shown += 1
                use.last_shown = event.when
            if opened is None:
                pending.append((stats, event))
            else:
                stats.answered += 1
        elif event.event in OPEN_EVENTS and opened is not None:
            pass
        else:
            continue
        if opened is None:
            continue
        facts.opens += 1
        use = _use(facts, opened)
        use.opened += 1
        use.last_opened = event.when
        # Earlier searches of this sitting: answered if they showed it, else they missed it
        # (and, when recent, were looking for it).
        for stats, search in pending:
            if opened in search.shown:
                stats.answered += 1
                continue
            _failed(stats, search)
            if event.when - search.when <= FOUND_LATER:
                stats.found_later[opened] += 1
        pending = []
    for stats, search in pending:
        _failed(stats, search)


def _failed(stats: QueryStats, search: Event) -> None:
    if not search.hits:
        stats.no_hits += 1
    else:
        stats.poor += 1


class Fix(StrEnum):
    """What would fix a failed query."""

    ALIAS = "alias"
    SYNONYM = "synonym"
    NEW_ARTICLE = "new_article"


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One fix for a gap: ``text`` says it for a person, ``action`` is what to paste (a
    command, or a line for the synonyms file); ``article`` the id for an alias."""

    fix: Fix
    text: str
    action: str
    article: str | None = None


@dataclass(frozen=True, slots=True)
class Gap:
    """A query people searched for in vain, how often, and what would fix it."""

    query: str
    searches: int
    no_hits: int
    poor: int
    last: datetime | None
    suggestion: Suggestion

    @property
    def failed(self) -> int:
        """No-hit and poor searches together."""
        return self.no_hits + self.poor


def vocabulary(articles: Iterable[Article]) -> set[str]:
    """The words of the base (titles, aliases, tags, bodies), case-folded."""
    words: set[str] = set()
    for article in articles:
        for text in (article.title, article.body, " ".join(article.aliases), *article.tags):
            words.update(WORD.findall(text.casefold()))
    return words


def find_gaps(
    facts: UsageFacts,
    articles: Sequence[Article],
    *,
    words: set[str] | None = None,
    limit: int | None = 50,
) -> list[Gap]:
    """The queries that failed most often (no hits, or hits nobody opened), each with a fix:
    an alias on the article people opened next; else a synonym when a query word is a
    near miss of a word of the base; else a new article. ``words`` is the base's
    :func:`vocabulary` (computed when not given)."""
    failed = [stats for stats in facts.queries.values() if stats.failed]
    failed.sort(key=lambda stats: (-stats.failed, -stats.searches, stats.query))
    chosen = failed if limit is None else failed[:limit]
    if not chosen:
        return []
    known = words if words is not None else vocabulary(articles)
    titles = {article.id: article for article in articles}
    choices = sorted(known)  # one order for rapidfuzz: ties resolve the same way every run
    return [
        Gap(
            stats.text,
            stats.searches,
            stats.no_hits,
            stats.poor,
            stats.last,
            suggest(stats, known, titles, choices),
        )
        for stats in chosen
    ]


def suggest(
    stats: QueryStats,
    words: set[str],
    articles: Mapping[str, Article],
    choices: Sequence[str] | None = None,
) -> Suggestion:
    """The most direct fix for one failed query (see :func:`find_gaps`)."""
    target, evidence = (stats.found_later.most_common(1) or [("", 0)])[0]
    if evidence >= max(ALIAS_MIN_EVIDENCE, ALIAS_MIN_SHARE * stats.failed):
        article = articles.get(target)
        where = f"{target} ({article.path})" if article is not None else target
        return Suggestion(
            Fix.ALIAS,
            _(
                'add "{query}" to the aliases of {article}: people opened it after this search'
            ).format(query=stats.text, article=where),
            f'aliases: ["{_quoted(stats.text)}"]  # in {article.path if article else target}',
            target,
        )
    pairs = synonym_pairs(stats.query, words, choices)
    if pairs:
        line = ", ".join(f"{word} => {known}" for word, known in pairs)
        return Suggestion(
            Fix.SYNONYM,
            _("add to the synonyms file: {rules}").format(
                rules="; ".join(f"{w} => {k}" for w, k in pairs)
            ),
            line if len(pairs) == 1 else "\n".join(f"{w} => {k}" for w, k in pairs),
        )
    title = stats.text[:1].upper() + stats.text[1:]
    return Suggestion(
        Fix.NEW_ARTICLE,
        _("no article answers it: write one"),
        f'kbctl new --title "{_quoted(title)}"',
    )


def synonym_pairs(
    query: str, words: set[str], choices: Sequence[str] | None = None
) -> list[tuple[str, str]]:
    """(query word, word of the base) for each query word the base lacks but has a close
    variant of (a typo, another spelling): lines for a Solr synonyms file (``a => b``)."""
    from rapidfuzz import fuzz, process

    ordered = choices if choices is not None else sorted(words)
    pairs: list[tuple[str, str]] = []
    for word in WORD.findall(query.casefold()):
        if word in words or len(word) < MIN_SYNONYM_LENGTH:
            continue
        best = process.extractOne(word, ordered, scorer=fuzz.ratio, score_cutoff=SIMILAR)
        if best is not None:
            pairs.append((word, str(best[0])))
    return pairs


def _quoted(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
