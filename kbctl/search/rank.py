"""Re-ranking the top hits by how many of the query's words each one contains."""

from __future__ import annotations

from typing import Any

from kbctl.search.document import TEXT_FIELDS
from kbctl.search.interpret import Unit
from kbctl.search.searcher import Searcher

# How many top documents are re-ranked by the share of query words they contain.
RERANK_DEPTH = 30


def rerank(searcher: Searcher, results: Any, units: list[Unit]) -> list[tuple[dict, float]]:
    """Scale each score by the share of query words the document contains."""
    scored = [(hit.docnum, hit.score, hit.fields()) for hit in results]
    if len(units) < 2 or not scored:
        return [(stored, score) for _docnum, score, stored in scored]
    from whoosh.query import Or
    from whoosh.query import Term as WhooshTerm

    docnums = sorted({docnum for docnum, _score, _stored in scored})
    coverage = dict.fromkeys(docnums, 0)
    for unit in units:
        words = unit.match_terms()
        unit_query = Or([WhooshTerm(name, term) for term in words for name in TEXT_FIELDS])
        # Walk the unit's postings only to the top documents (skipping whole blocks).
        matcher = unit_query.matcher(searcher.searcher)
        for docnum in docnums:
            if not matcher.is_active():
                break
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    break
            if matcher.id() == docnum:
                coverage[docnum] += 1
    total = len(units)
    ranked = [
        (stored, score * (0.25 + 0.75 * coverage[docnum] / total))
        for docnum, score, stored in scored
    ]
    ranked.sort(key=lambda item: -item[1])
    return ranked
