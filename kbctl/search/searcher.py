"""One search session over an open index: the Whoosh searcher, term look-ups, and typo
corrections checked against the index."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kbctl.search.analysis import stem
from kbctl.search.document import TEXT_FIELDS
from kbctl.search.spelling import Vocabulary

if TYPE_CHECKING:
    from kbctl.search.index import SearchIndex


class Searcher:
    """One search over an open index."""

    def __init__(self, index: SearchIndex) -> None:
        self.index = index
        self.searcher = index.ix.searcher()
        self.reader = self.searcher.reader()
        self._known: dict[str, bool] = {}
        self._vocabulary: Vocabulary | None = None
        self._corrections: dict[tuple[str, int], list[tuple[str, int]]] = {}

    def close(self) -> None:
        """Release the Whoosh searcher."""
        self.searcher.close()

    def known(self, term: str) -> bool:
        """Whether ``term`` is in any text field of the index."""
        cached = self._known.get(term)
        if cached is None:
            cached = any(self.reader.doc_frequency(name, term) > 0 for name in TEXT_FIELDS)
            self._known[term] = cached
        return cached

    def vocabulary(self) -> Vocabulary:
        """The base's spelling vocabulary, loaded on first use."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary(self.index.spelling())
        return self._vocabulary

    def corrections(self, word: str, limit: int) -> list[tuple[str, int]]:
        """Known corrections of ``word``: (term, distance), best first, at most three."""
        if limit <= 0 or not word or any(char.isdigit() for char in word):
            return []
        cached = self._corrections.get((word, limit))
        if cached is not None:
            return cached
        result: list[tuple[str, int]] = []
        self._corrections[(word, limit)] = result
        seen: set[str] = set()
        for candidate, distance, _count in self.vocabulary().corrections(word, limit):
            term = stem(candidate)
            if term not in seen and self.known(term):
                seen.add(term)
                result.append((term, distance))
            if len(result) == 3:
                break
        return result

    def best_word(self, word: str, limit: int) -> str | None:
        """The likeliest known word for a misspelt ``word`` (for "did you mean")."""
        for candidate, _distance, _count in self.vocabulary().corrections(word, limit):
            if self.known(stem(candidate)):
                return candidate
        return None
