"""The help center's search index: analysed at export time, matched in the browser.

Terms are kbctl's own (:func:`kbctl.search.analysis.index_terms`: Russian and English
Snowball stems, ``ё`` folded, codes as typed). The browser folds the query the same way and
matches a query word to a term when the term is the word itself, a stem the word starts with
(``письма`` -> ``письм``), a term the last word is the start of (typing), or, for words of
five letters or more, a term one edit away (two beyond eight letters), as ``kbctl search``.

Shape: ``{"v": 1, "docs": [[title, page, product, description]], "terms": {term: postings}}``
where postings are the numbers ``doc * 2 + (1 if the term is in the title)``, sorted and
delta-encoded (small numbers compress well).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kbctl.export.plan import ExportedArticle, ExportPlan

MAX_TERMS_PER_ARTICLE = 400
DESCRIPTION_CHARS = 160


def client_index(plan: ExportPlan, page: Callable[[ExportedArticle], str]) -> dict[str, Any]:
    """The search index of the help center for ``plan`` (every exported article)."""
    from kbctl.search.analysis import STOP_WORDS

    docs: list[list[Any]] = []
    postings: dict[str, list[int]] = {}
    for number, article in enumerate(plan.articles):
        summary = article.description or article.text[:DESCRIPTION_CHARS]
        docs.append([article.title, page(article), article.product or "", summary])
        in_title = set(article.title_terms)
        for term in article.terms[:MAX_TERMS_PER_ARTICLE]:
            postings.setdefault(term, []).append(number * 2 + (1 if term in in_title else 0))
    encoded: dict[str, list[int]] = {}
    for term in sorted(postings):
        previous, deltas = 0, []
        for value in sorted(postings[term]):
            deltas.append(value - previous)
            previous = value
        encoded[term] = deltas
    return {"v": 1, "docs": docs, "terms": encoded, "stops": sorted(STOP_WORDS)}
