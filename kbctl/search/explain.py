"""``kbctl search --explain``: why each hit ranks where it does.

An :class:`Explanation` per hit holds, for each word of the query, how it was read (its term
alternatives and what was applied: layout switch, transliteration, correction, synonym) and
in which fields of the article which of its terms were found; and the score parts, a dict of
named numbers that the ranking code fills (:meth:`Explanation.add`), so a new ranking step
adds its part without changing the shape. The JSON shape is
:func:`kbctl.render.vocabulary.explanation_record`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from kbctl.search.document import TEXT_FIELDS
from kbctl.search.interpret import Unit


@dataclass(frozen=True, slots=True)
class Applied:
    """One change to a query word: kind (layout, transliteration, correction, synonym),
    what it was and what it added or became."""

    kind: str
    source: str
    target: str


@dataclass(slots=True)
class WordMatch:
    """One query word: its alternatives (term -> weight), synonym phrases (all their terms
    must appear), what was applied to it, and field -> the terms found in that field."""

    word: str
    terms: dict[str, float]
    groups: list[tuple[str, ...]] = field(default_factory=list)
    applied: list[Applied] = field(default_factory=list)
    fields: dict[str, list[str]] = field(default_factory=dict)
    required: bool = False

    @property
    def matched(self) -> bool:
        """Whether any term of the word was found in the article."""
        return any(self.fields.values())


@dataclass(slots=True)
class Explanation:
    """Why one hit ranks where it does: its words and its score parts (name -> value, in
    the order they were added; ``score`` is the final score)."""

    words: list[WordMatch] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)

    def add(self, name: str, value: float) -> None:
        """Record one score part (a later value of the same name replaces the earlier)."""
        self.parts[name] = float(value)


def word_matches(units: Sequence[Unit]) -> list[WordMatch]:
    """The query words as read, without any article's matches yet."""
    return [
        WordMatch(
            unit.surface,
            dict(unit.terms),
            list(unit.groups),
            [Applied(*item) for item in unit.applied],
            required=unit.required,
        )
        for unit in units
        if not unit.excluded
    ]


def _present(searcher: Any, name: str, term: str, docnums: Sequence[int]) -> set[int]:
    """Which of the sorted ``docnums`` hold ``term`` in field ``name`` (one postings walk)."""
    from whoosh.query import Term as WhooshTerm

    from kbctl.search.searcher import matching_docnums

    return set(matching_docnums(WhooshTerm(name, term).matcher(searcher), docnums))


def explain(searcher: Any, units: Sequence[Unit], docnums: Iterable[int]) -> dict[int, Explanation]:
    """An explanation per document number: which terms of each query word its fields hold.
    ``searcher`` is the Whoosh searcher; score parts are left for the ranking to add."""
    wanted = sorted(set(docnums))
    positive = [unit for unit in units if not unit.excluded]
    presence: dict[tuple[str, str], set[int]] = {}
    for unit in positive:
        for term in unit.match_terms():
            for name in TEXT_FIELDS:
                if (name, term) not in presence:
                    presence[(name, term)] = _present(searcher, name, term, wanted)
    result: dict[int, Explanation] = {}
    for docnum in wanted:
        words = word_matches(positive)
        for word, unit in zip(words, positive, strict=True):
            for name in TEXT_FIELDS:
                terms = [t for t in unit.match_terms() if docnum in presence[(name, t)]]
                if terms:
                    word.fields[name] = list(dict.fromkeys(terms))
        result[docnum] = Explanation(words)
    return result
