"""Searching: run a query over the fresh index, filter, rank and make the hits.

The parts: :mod:`~kbctl.search.interpret` reads the query (layout, typos, "did you mean"),
:mod:`~kbctl.search.rank` re-ranks the top hits, :mod:`~kbctl.search.snippets` finds the
best passage of each hit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kbctl.config import Config
from kbctl.errors import KbError, UsageError
from kbctl.i18n import _
from kbctl.model import Hit
from kbctl.search.document import TEXT_FIELDS
from kbctl.search.explain import Explanation
from kbctl.search.index import Progress, SearchIndex, current_folder, open_index
from kbctl.search.interpret import (
    HAS_LETTER,
    TO_LATIN,
    TO_RUSSIAN,
    Unit,
    convert_layout,
    describe,
    interpret,
    suggest,
)
from kbctl.search.rank import RERANK_DEPTH, ScoreParts, rerank_explained
from kbctl.search.searcher import Searcher
from kbctl.search.snippets import SNIPPET_WIDTH, make_hit
from kbctl.search.spelling import edit_distance, max_typos, within_one_edit

if TYPE_CHECKING:
    from kbctl.selection import ArticleFilter

__all__ = [
    "MAX_QUERY_LENGTH",
    "RERANK_DEPTH",
    "SNIPPET_WIDTH",
    "TO_LATIN",
    "TO_RUSSIAN",
    "SearchFilter",
    "SearchResult",
    "Unit",
    "convert_layout",
    "edit_distance",
    "interpret",
    "max_typos",
    "search",
    "search_open",
    "within_one_edit",
]

MAX_QUERY_LENGTH = 500


@dataclass(frozen=True, slots=True)
class SearchFilter:
    """Metadata filters of a search: the one article filter (None: no filter; a plain
    search need not load :mod:`kbctl.selection`), and whether archived show."""

    selection: ArticleFilter | None = None
    include_archived: bool = False

    @property
    def active(self) -> bool:
        """Whether any filter narrows the results."""
        return self.selection is not None and self.selection.active


@dataclass(slots=True)
class SearchResult:
    """Hits plus what the user should be told about the query."""

    hits: list[Hit]
    total: int
    interpreted: str
    notices: list[str] = field(default_factory=list)
    suggestion: str | None = None
    # With explain=True: one per hit, in the order of ``hits``.
    explanations: list[Explanation] | None = None


def _unit_query(unit: Unit) -> Any:
    from whoosh.query import And, Or
    from whoosh.query import Term as WhooshTerm

    alternatives = [
        WhooshTerm(name, term, boost=boost * weight)
        for term, weight in unit.terms.items()
        for name, boost in TEXT_FIELDS.items()
    ]
    if unit.compound_parts:
        parts = [
            Or([WhooshTerm(name, part, boost=boost) for name, boost in TEXT_FIELDS.items()])
            for part in unit.compound_parts
        ]
        alternatives.append(And(parts, boost=0.5))
    for group, weight in unit.groups.items():  # a synonym phrase: all its words
        words = [
            Or([WhooshTerm(name, word, boost=boost) for name, boost in TEXT_FIELDS.items()])
            for word in group
        ]
        # Shared among its words, so a phrase weighs no more than one word would.
        alternatives.append(And(words, boost=weight / len(group)))
    return Or(alternatives)


def _explanations(
    searcher: Searcher,
    results: Any,
    ranked: list[tuple[dict, float, ScoreParts]],
    units: list[Unit],
) -> list[Explanation]:
    """An explanation per ranked hit: its matched words and its score parts."""
    from kbctl.search.explain import explain

    first = {hit.fields()["path"]: hit.docnum for hit in results}
    docnums = [first[stored["path"]] for stored, _score, _parts in ranked]
    found = explain(searcher.searcher, units, docnums)
    explanations = []
    for docnum, (_stored, score, parts) in zip(docnums, ranked, strict=True):
        explanation = found[docnum]
        for name, value in parts.items():
            explanation.add(name, value)
        explanation.add("score", score)
        explanations.append(explanation)
    return explanations


def _filter_query(filters: SearchFilter) -> tuple[Any, Any]:
    """(filter, mask) queries for Whoosh: options AND together, values of one option OR,
    as :meth:`kbctl.selection.ArticleFilter.matches` decides (the index holds the effective
    owners and the ``--where`` terms)."""
    from whoosh.query import And, Or, Term

    chosen = filters.selection
    if chosen is None:
        mask = None if filters.include_archived else Term("f_status", "archived")
        return None, mask
    from kbctl.ownership import normalise_handle
    from kbctl.selection import where_token

    groups = [
        [Term("f_tag", tag.casefold()) for tag in chosen.tags],
        [Term("f_owner", normalise_handle(owner).replace(",", " ")) for owner in chosen.owners],
        [Term("f_status", status) for status in chosen.statuses],
        [Term("f_audience", audience) for audience in chosen.audiences],
        [Term("f_product", product.casefold()) for product in chosen.products],
        *(
            [Term("f_where", where_token(key, value)) for value in sorted(values)]
            for key, values in chosen.where_groups().items()
        ),
    ]
    wanted = [Or(group) if len(group) > 1 else group[0] for group in groups if group]
    hide_archived = not filters.include_archived and "archived" not in chosen.statuses
    mask = Term("f_status", "archived") if hide_archived else None
    return (And(wanted) if wanted else None), mask


def search(
    config: Config,
    query: str,
    filters: SearchFilter | None = None,
    *,
    limit: int = 10,
    progress: Progress | None = None,
    refresh: bool = True,
    explain: bool = False,
) -> SearchResult:
    """Search the base (refreshing its index first when any article changed, unless
    ``refresh`` is False and an index exists).

    Hits carry their last content change from git when the history cache is current (it is
    only read, never computed here: search stays fast; `kbctl stale` or `check` fill it).
    ``explain`` adds an :class:`~kbctl.search.explain.Explanation` per hit.
    """
    result = _search(
        config, query, filters, limit=limit, progress=progress, refresh=refresh, explain=explain
    )
    return _with_last_changes(config, result)


def search_open(
    index: SearchIndex,
    config: Config,
    query: str,
    filters: SearchFilter | None = None,
    *,
    limit: int = 10,
) -> SearchResult:
    """:func:`search` over an index the caller keeps open and fresh (``kbctl search -i``
    opens it once a session); the caller closes it. Raises UsageError for an empty query."""
    notices: list[str] = []
    query = _clean_query(query, notices)
    result = _search_open(index, config, query, filters or SearchFilter(), limit, notices)
    return _with_last_changes(config, result)


def _with_last_changes(config: Config, result: SearchResult) -> SearchResult:
    if not result.hits:
        return result
    from kbctl.history import cached_last_changes

    changes = cached_last_changes(config, [hit.path for hit in result.hits]) or {}
    for hit in result.hits:
        change = changes.get(hit.path)
        if change is not None:
            hit.last_changed, hit.last_changed_by = change.authored, change.author
    return result


def _search(
    config: Config,
    query: str,
    filters: SearchFilter | None,
    *,
    limit: int,
    progress: Progress | None,
    refresh: bool,
    explain: bool = False,
) -> SearchResult:
    notices: list[str] = []
    query = _clean_query(query, notices)
    index = open_index(config, progress=progress, refresh=refresh)
    notices.extend(index.report.notices)
    try:
        return _search_open(
            index, config, query, filters or SearchFilter(), limit, notices, explain
        )
    except KbError:
        raise
    except Exception as error:  # a damaged segment only shows when it is read
        index.ix.close()
        moved = current_folder(config) != index.folder  # a rebuild finished meanwhile
        if not moved:
            notices.append(
                _("the search index is damaged ({kind}); rebuilding it").format(
                    kind=type(error).__name__
                )
            )
        index = open_index(config, rebuild=not moved, progress=progress)
        return _search_open(
            index, config, query, filters or SearchFilter(), limit, notices, explain
        )
    finally:
        index.ix.close()


def _clean_query(query: str, notices: list[str]) -> str:
    """``query`` stripped and cut to its maximum length; UsageError when it has no word."""
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        query = query[:MAX_QUERY_LENGTH]
        notices.append(
            _("query cut to its first {count} characters").format(count=MAX_QUERY_LENGTH)
        )
    if not HAS_LETTER.search(query) and not any(char.isdigit() for char in query):
        raise UsageError(_("the query is empty"), hint=_('try e.g. kbctl search "password reset"'))
    return query


def _search_open(
    index: SearchIndex,
    config: Config,
    query: str,
    filters: SearchFilter,
    limit: int,
    notices: list[str],
    explain: bool = False,
) -> SearchResult:
    from whoosh.query import And, AndMaybe, AndNot, Or

    searcher = Searcher(index)
    try:
        from kbctl.search.synonyms import load_synonyms

        synonyms = load_synonyms(config)
        notices.extend(synonyms.warnings)
        units, more = interpret(searcher, query, synonyms)
        notices.extend(more)
        positive = [unit for unit in units if not unit.excluded]
        if not positive:
            raise UsageError(
                _("the query has no words to search for"),
                hint=_("use letters or digits; -word only excludes"),
            )
        required = [_unit_query(unit) for unit in positive if unit.required]
        optional = [_unit_query(unit) for unit in positive if not unit.required]
        if required and optional:
            whoosh_query: Any = AndMaybe(And(required), Or(optional))
        elif required:
            whoosh_query = And(required)
        else:
            whoosh_query = Or(optional)
        excluded = [_unit_query(unit) for unit in units if unit.excluded]
        if excluded:
            whoosh_query = AndNot(whoosh_query, Or(excluded))
        filter_query, mask = _filter_query(filters)
        results = searcher.searcher.search(
            whoosh_query,
            limit=max(limit, RERANK_DEPTH),
            filter=filter_query,
            mask=mask,
        )
        total = results.scored_length()
        ranked_parts = rerank_explained(searcher, results, positive, limit)
        ranked = [(stored, score) for stored, score, _parts in ranked_parts]
        interpreted = " ".join(describe(unit) for unit in units)
        hits = [make_hit(config, stored, score, positive) for stored, score in ranked]
        suggestion = None
        if not hits:
            suggestion = suggest(searcher, units)
        result = SearchResult(hits, total, interpreted, notices, suggestion)
        if explain:
            result.explanations = _explanations(searcher, results, ranked_parts, units)
        return result
    finally:
        searcher.close()
