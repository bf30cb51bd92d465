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
from kbctl.model import Hit
from kbctl.search.document import TEXT_FIELDS
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
from kbctl.search.rank import RERANK_DEPTH, rerank
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
    return Or(alternatives)


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
) -> SearchResult:
    """Search the base (refreshing its index first when any article changed, unless
    ``refresh`` is False and an index exists).

    Hits carry their last content change from git when the history cache is current (it is
    only read, never computed here: search stays fast; `kbctl stale` or `check` fill it).
    """
    result = _search(config, query, filters, limit=limit, progress=progress, refresh=refresh)
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
) -> SearchResult:
    notices: list[str] = []
    query = query.strip()
    if len(query) > MAX_QUERY_LENGTH:
        query = query[:MAX_QUERY_LENGTH]
        notices.append(f"query cut to its first {MAX_QUERY_LENGTH} characters")
    if not HAS_LETTER.search(query) and not any(char.isdigit() for char in query):
        raise UsageError("the query is empty", hint='try e.g. kbctl search "password reset"')
    index = open_index(config, progress=progress, refresh=refresh)
    notices.extend(index.report.notices)
    try:
        return _search_open(index, config, query, filters or SearchFilter(), limit, notices)
    except KbError:
        raise
    except Exception as error:  # a damaged segment only shows when it is read
        index.ix.close()
        moved = current_folder(config) != index.folder  # a rebuild finished meanwhile
        if not moved:
            notices.append(f"the search index is damaged ({type(error).__name__}); rebuilding it")
        index = open_index(config, rebuild=not moved, progress=progress)
        return _search_open(index, config, query, filters or SearchFilter(), limit, notices)
    finally:
        index.ix.close()


def _search_open(
    index: SearchIndex,
    config: Config,
    query: str,
    filters: SearchFilter,
    limit: int,
    notices: list[str],
) -> SearchResult:
    from whoosh.query import And, AndMaybe, AndNot, Or

    searcher = Searcher(index)
    try:
        units, more = interpret(searcher, query)
        notices.extend(more)
        positive = [unit for unit in units if not unit.excluded]
        if not positive:
            raise UsageError(
                "the query has no words to search for",
                hint="use letters or digits; -word only excludes",
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
        ranked = rerank(searcher, results, positive, limit)
        interpreted = " ".join(describe(unit) for unit in units)
        hits = [make_hit(config, stored, score, positive) for stored, score in ranked]
        suggestion = None
        if not hits:
            suggestion = suggest(searcher, units)
        return SearchResult(hits, total, interpreted, notices, suggestion)
    finally:
        searcher.close()
