"""One search session over an open index: the Whoosh searcher, term look-ups, and typo
corrections checked against the index.

A correction is offered only for a word that is not a real word (the general word list of
:mod:`kbctl.search.wordlist`); a typo in the first letter is looked for only when no
correction keeps the first letter. A word the base does contain is corrected too when it is
rare there and one edit from a word the base uses far more often (``recieve`` in 3 articles,
``receive`` in 300), unless it is a real word.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from kbctl.search.analysis import stem
from kbctl.search.document import TEXT_FIELDS
from kbctl.search.spelling import Vocabulary

if TYPE_CHECKING:
    from kbctl.search.index import SearchIndex


# A known word is a misspelling worth correcting when it is in at most this many articles,
# has at least this many letters, and a word one edit away is in RARE_RATIO times as many.
RARE_MAX_ARTICLES = 5
RARE_MIN_LENGTH = 5
RARE_RATIO = 10


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
        from kbctl.search.wordlist import is_real_word

        if is_real_word(word):
            return result
        vocabulary = self.vocabulary()
        found = vocabulary.corrections(word, limit) or vocabulary.first_letter_corrections(
            word, limit
        )
        seen: set[str] = set()
        for candidate, distance, _count in found:
            term = stem(candidate)
            if term not in seen and self.known(term):
                seen.add(term)
                result.append((term, distance))
            if len(result) == 3:
                break
        return result

    def doc_frequency(self, term: str) -> int:
        """In how many articles ``term`` occurs (summed over the text fields)."""
        return sum(self.reader.doc_frequency(name, term) for name in TEXT_FIELDS)

    def rare_correction(self, word: str) -> str | None:
        """The term of a far more frequent word one edit from ``word`` (a known word) when
        ``word`` is rare in the base and not a real word; else None."""
        term = stem(word)
        frequency = self.doc_frequency(term)
        if len(word) < RARE_MIN_LENGTH or frequency > RARE_MAX_ARTICLES:
            return None
        for candidate, distance, _rank in self.vocabulary().corrections(word, 1):
            other = stem(candidate)
            if distance != 1 or other == term:
                continue
            if self.doc_frequency(other) >= RARE_RATIO * frequency:
                from kbctl.search.wordlist import is_real_word

                return None if is_real_word(word) else other
        return None

    def best_word(self, word: str, limit: int) -> str | None:
        """The likeliest known word for a misspelt ``word`` (for "did you mean")."""
        for candidate, _distance, _count in self.vocabulary().corrections(word, limit):
            if self.known(stem(candidate)):
                return candidate
        return None


def matching_docnums(matcher: Any, docnums: Iterable[int]) -> Iterator[int]:
    """The ``docnums`` (sorted) that a Whoosh postings ``matcher`` holds, found in one walk
    that skips whole blocks; the matcher stands on each one yielded (for its weight)."""
    for docnum in docnums:
        if not matcher.is_active():
            return
        if matcher.id() < docnum:
            matcher.skip_to(docnum)
            if not matcher.is_active():
                return
        if matcher.id() == docnum:
            yield docnum
