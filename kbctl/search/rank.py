"""Re-ranking the top hits: two rankings fused, then scaled by query-word coverage.

Whoosh scores each field on its own (each saturates separately) and weighs the title four
times the body, so an article whose title shares one frequent word with the query can beat
the one whose body holds most of the query's rarer words. A pure BM25F score (term
frequencies of all fields weighed and added *before* saturation) fixes those and breaks
others. So the top :data:`RERANK_DEPTH` documents of Whoosh's field-wise ranking also get a
BM25F score, the two are fused (each divided by its best among the candidates, BM25F's
share weighed by :data:`BM25F_WEIGHT`: a CombSUM), and the result is scaled by the share of
query words the document contains, as before. Reciprocal-rank fusion was measured too and
did worse on the tuning sets (it throws away how far apart the field-wise scores are).

:func:`rerank` returns, per document, the score parts (``fieldwise``, ``bm25f``, their
ranks, ``coverage``, ``fused``) for ``--explain``.

The constants were chosen on the ``tune`` half of the relevance sets only (see
bench/README.md, "Ranking fusion"): BM25F weights above 0.3 and reciprocal-rank fusion lost
queries there, below it nothing changed; a deeper re-rank (60, 100) changed nothing.
"""

from __future__ import annotations

import math
from typing import Any

from kbctl.search.interpret import Unit
from kbctl.search.searcher import Searcher, matching_docnums

# How many top documents of the field-wise ranking are re-ranked.
RERANK_DEPTH = 30
# The share of the BM25F score in the fused score (the field-wise score counts 1).
BM25F_WEIGHT = 0.3
# BM25F: field weights (applied to term frequencies before saturation), length
# normalisation per field, saturation.
BM25F_FIELDS: dict[str, tuple[float, float]] = {  # field -> (weight, b)
    "head": (3.0, 0.5),
    "labels": (1.5, 0.5),
    "body": (1.0, 0.75),
}
BM25F_K1 = 1.2
# Parts of a compound word (wi-fi, fail2ban) count this much of the whole word.
PART_WEIGHT = 0.5
# The final score: fused * (floor + (1 - floor) * share of query words present).
COVERAGE_FLOOR = 0.25

ScoreParts = dict[str, float]


def rerank(
    searcher: Searcher, results: Any, units: list[Unit], limit: int | None = None
) -> list[tuple[dict, float]]:
    """The first ``limit`` (else all) hits of ``results`` in their final order, each
    (stored fields, score)."""
    ranked = rerank_explained(searcher, results, units, limit)
    return [(stored, score) for stored, score, _parts in ranked]


def rerank_explained(
    searcher: Searcher, results: Any, units: list[Unit], limit: int | None = None
) -> list[tuple[dict, float, ScoreParts]]:
    """:func:`rerank`, with each hit's score parts."""
    scored = [(hit.docnum, hit.score, hit) for hit in results]
    if not scored:
        return []
    docnums = sorted({docnum for docnum, _score, _hit in scored})
    frequencies = _frequencies(searcher.searcher, units, docnums)
    bm25f = _bm25f(searcher.searcher, units, docnums, frequencies)
    by_bm25f = sorted(docnums, key=lambda docnum: (-bm25f[docnum], docnum))
    bm25f_rank = {docnum: rank for rank, docnum in enumerate(by_bm25f, 1)}
    total = len(units)
    top_score = max(score for _docnum, score, _hit in scored) or 1.0
    top_bm25f = max(bm25f.values()) or 1.0
    ranked: list[tuple[Any, float, ScoreParts]] = []
    for rank, (docnum, score, hit) in enumerate(scored, 1):
        fused = score / top_score + BM25F_WEIGHT * bm25f[docnum] / top_bm25f
        covered = sum(1 for unit_tf in frequencies[docnum] if unit_tf > 0)
        share = covered / total if total else 1.0
        final = fused * (COVERAGE_FLOOR + (1 - COVERAGE_FLOOR) * share)
        parts: ScoreParts = {
            "fieldwise": score,
            "fieldwise_rank": rank,
            "bm25f": bm25f[docnum],
            "bm25f_rank": bm25f_rank[docnum],
            "coverage": share,
            "fused": final,
        }
        ranked.append((hit, final, parts))
    ranked.sort(key=lambda item: -item[1])
    # Stored fields are decoded only for the hits shown.
    return [(hit.fields(), final, parts) for hit, final, parts in ranked[:limit]]


def _unit_terms(unit: Unit) -> list[tuple[str, float]]:
    """The terms of a query unit with their weights (readings, compound parts, synonym
    phrases' words)."""
    terms = list(unit.terms.items())
    terms += [(part, PART_WEIGHT) for part in unit.compound_parts if part not in unit.terms]
    # A synonym phrase's words share its weight, as in the query (query._unit_query).
    seen = {term for term, _weight in terms}
    for group, weight in unit.groups.items():
        terms += [(word, weight / len(group)) for word in group if word not in seen]
        seen.update(group)
    return terms


def _frequencies(
    whoosh_searcher: Any, units: list[Unit], docnums: list[int]
) -> dict[int, list[float]]:
    """Per document, per unit: the BM25F pseudo-frequency (field weights applied, fields
    length-normalised and added), walking each posting list only to the given documents."""
    lengths = {
        field: (
            whoosh_searcher.avg_field_length(field) or 1.0,
            {docnum: whoosh_searcher.doc_field_length(docnum, field, 0) for docnum in docnums},
        )
        for field in BM25F_FIELDS
    }
    found = {docnum: [0.0] * len(units) for docnum in docnums}
    for number, unit in enumerate(units):
        for term, term_weight in _unit_terms(unit):
            for field, (field_weight, b) in BM25F_FIELDS.items():
                try:
                    matcher = whoosh_searcher.postings(field, term)
                except Exception:  # the term is not in this field
                    continue
                average, length = lengths[field]
                for docnum in matching_docnums(matcher, docnums):
                    norm = 1 - b + b * length[docnum] / average
                    found[docnum][number] += term_weight * field_weight * matcher.weight() / norm
    return found


def _bm25f(
    whoosh_searcher: Any,
    units: list[Unit],
    docnums: list[int],
    frequencies: dict[int, list[float]],
) -> dict[int, float]:
    """BM25F per document: per unit, idf x saturated pseudo-frequency, summed."""
    count = max(whoosh_searcher.doc_count_all(), 1)
    idfs = []
    for unit in units:
        frequency = max(
            (
                whoosh_searcher.doc_frequency(field, term)
                for term, _weight in _unit_terms(unit)
                for field in BM25F_FIELDS
            ),
            default=0,
        )
        idfs.append(math.log(1 + (count - frequency + 0.5) / (frequency + 0.5)))
    return {
        docnum: sum(
            idf * tf / (BM25F_K1 + tf) for idf, tf in zip(idfs, frequencies[docnum], strict=True)
        )
        for docnum in docnums
    }
