"""Text analysis for search: one pass that splits, folds and stems mixed Russian/English text.

Cyrillic words go through the Russian Snowball stemmer and Latin words through the English
(Porter2) one, both from PyStemmer; words with digits (``0x80070005``, ``2fa``, ``5.7.708``)
are kept as typed. ``ё`` folds to ``е`` and case is folded.

The module path of :class:`MixedAnalyzer` is pickled into every index: never move or rename it
(bump ``kbctl.search.index.FORMAT_VERSION`` instead when analysis changes).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from kbctl.search import _imports  # noqa: F401  (must come before any whoosh import)

from whoosh.analysis import Analyzer, Token  # isort: skip
from whoosh.formats import Frequency  # isort: skip
from whoosh.system import pack_uint  # isort: skip

# A token is a run of letters/digits; runs joined by "." or "-" stay one compound token too
# (error codes such as 5.7.708, product names such as wi-fi), and its parts are indexed as well.
_TOKEN = re.compile(r"[^\W_]+(?:[.\-][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")
_CYRILLIC = re.compile(r"[а-яё]")
_LATIN = re.compile(r"[a-z]")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]{4,}")

_RUSSIAN_STOPS = (
    "и в во не на с со к ко у о об от до по за из для при что как а но или ли же бы то это "
    "так ни его ее её их мы вы он она они я ты мне меня нас вас там тут где когда"
)
_ENGLISH_STOPS = (
    "a an the and or of to in on at by for with is are was were be been it its this that "
    "as from not no do does did my our your"
)
STOP_WORDS = frozenset(_RUSSIAN_STOPS.split()) | frozenset(_ENGLISH_STOPS.split())


@dataclass(frozen=True, slots=True)
class Term:
    """One analysed token: the index term, the word as written, where it is in the text."""

    text: str
    surface: str
    start: int
    end: int
    position: int
    compound: bool = False


def fold(text: str) -> str:
    """Lowercase and fold ``ё`` to ``е``."""
    return text.lower().replace("ё", "е")


@lru_cache(maxsize=2)
def _stemmer(language: str):  # type: ignore[no-untyped-def]
    import Stemmer

    return Stemmer.Stemmer(language)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The index term of one folded word: stemmed by its script, codes kept as typed."""
    if _DIGIT.search(word):
        return word
    if _CYRILLIC.search(word):
        if _LATIN.search(word):
            return word
        return _stemmer("russian").stemWord(word)
    if _LATIN.search(word):
        return _stemmer("english").stemWord(word)
    return word


def analyze(text: str, *, keep_stop_words: bool = False) -> list[Term]:
    """Split ``text`` into index terms (compound tokens followed by their parts)."""
    terms: list[Term] = []
    for position, match in enumerate(_TOKEN.finditer(text)):
        token = match.group()
        folded = fold(token)
        if len(folded) == len(token):
            start = match.start()
        else:  # folding changed the length (rare Unicode): keep offsets of the whole token
            start = -1
        if "." in folded or "-" in folded:
            terms.append(Term(folded, token, match.start(), match.end(), position, compound=True))
            for part in _PART.finditer(folded):
                word = part.group()
                if keep_stop_words or word not in STOP_WORDS:
                    offset = match.start() + part.start() if start >= 0 else match.start()
                    end = match.start() + part.end() if start >= 0 else match.end()
                    terms.append(Term(stem(word), text[offset:end], offset, end, position))
        elif keep_stop_words or folded not in STOP_WORDS:
            terms.append(Term(stem(folded), token, match.start(), match.end(), position))
    return terms


def find_terms(text: str, wanted: dict[str, int]) -> list[tuple[int, int, int]]:
    """(start, end, wanted[term]) of every word of ``text`` whose term is in ``wanted``.

    The same analysis as :func:`analyze`, without building objects for the other words.
    """
    found: list[tuple[int, int, int]] = []
    for match in _TOKEN.finditer(text):
        folded = fold(match.group())
        if "." in folded or "-" in folded:
            if folded in wanted:
                found.append((match.start(), match.end(), wanted[folded]))
                continue
            exact = len(folded) == len(match.group())
            for part in _PART.finditer(folded):
                term = stem(part.group())
                if term in wanted:
                    start = match.start() + part.start() if exact else match.start()
                    end = match.start() + part.end() if exact else match.end()
                    found.append((start, end, wanted[term]))
            continue
        term = stem(folded)
        if term in wanted:
            found.append((match.start(), match.end(), wanted[term]))
    return found


_TERM_CACHE: dict[str, str] = {}
_TERM_CACHE_LIMIT = 500_000


def index_terms(text: str) -> list[str]:
    """Just the terms of ``text``, fast (used when indexing): each distinct token is
    classified and stemmed once per process."""
    cache = _TERM_CACHE
    if len(cache) > _TERM_CACHE_LIMIT:
        cache.clear()
    terms: list[str] = []
    append = terms.append
    for token in _TOKEN.findall(text.lower().replace("ё", "е")):
        term = cache.get(token)
        if term is None:
            if "." in token or "-" in token:
                append(token)
                terms.extend(stem(part) for part in _PART.findall(token) if part not in STOP_WORDS)
                continue
            term = "" if token in STOP_WORDS else stem(token)
            cache[token] = term
        if term:
            append(term)
    return terms


def vocabulary_words(text: str) -> list[str]:
    """Plain words of four letters or more (folded), for typo correction."""
    return _WORD.findall(text.lower().replace("ё", "е"))


class MixedAnalyzer(Analyzer):
    """Whoosh analyzer over :func:`index_terms`: no positions, no character offsets.

    Snippets and ``path:line`` are computed by kbctl from the file, so the index keeps
    only term frequencies (smaller and faster to build).
    """

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MixedAnalyzer)

    def __hash__(self) -> int:
        return hash(MixedAnalyzer)

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        position = start_pos
        for text in index_terms(value):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
                position += 1
            if chars:
                token.startchar = token.endchar = start_char
            yield token


class TermCounts(Frequency):
    """Whoosh's Frequency format, counting terms in one C-level pass (no Token objects).

    Indexing spends most of its Python time per token; this skips the analyzer protocol for
    the index side. Like :class:`MixedAnalyzer`, its module path is pickled into the index.
    """

    def word_values(self, value: str, analyzer: object, **kwargs: object) -> Iterator[tuple]:  # type: ignore[override]
        boost = self.field_boost
        for term, freq in Counter(index_terms(value)).items():
            yield term, freq, freq * boost, pack_uint(freq)
