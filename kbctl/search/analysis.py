"""Text analysis for search: one pass that splits, folds and stems mixed Russian/English text.

Cyrillic words go through the Russian Snowball stemmer and Latin words through the English
(Porter2) one, both from PyStemmer; words with digits (``0x80070005``, ``2fa``, ``5.7.708``)
are kept as typed. ``ё`` folds to ``е`` and case is folded.

Words joined to digits (``fail2ban``, ``ipv6``) and CamelCase names (``PowerShell``,
``OneDrive``) are indexed whole and by their parts, as ``wi-fi`` and ``5.7.708`` are: a
query for the whole word or for its parts finds the article. Before the body is indexed,
:func:`index_text` drops what a reader never sees as words: ``data:`` URIs (base64
images), HTML tags with their attributes, ``<script>``/``<style>`` contents, comments, and
Markdown link and image targets (their text stays).

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
# Parts of a word joined to digits, and of a CamelCase word (an upper-case run before a
# capitalised word is a part of its own: HTTPServer -> HTTP, Server).
_ALNUM_PART = re.compile(r"[^\W\d_]+|\d+")
_CAMEL_PART = re.compile(r"[A-ZА-ЯЁ]+(?![a-zа-яё])|[A-ZА-ЯЁ]?[a-zа-яё]+|\d+")
_CAMEL = re.compile(r"[a-zа-яё][A-ZА-ЯЁ]")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_SPLIT_LIMIT = 32  # longer tokens (hashes, keys) are kept whole only

# What index_text drops. Tags are only HTML's own element names, so that placeholders in
# prose (<username>, <your-domain>) stay words.
_HTML_ELEMENTS = (
    "a|abbr|article|aside|audio|b|blockquote|br|button|caption|center|cite|code|col|colgroup|"
    "dd|del|details|div|dl|dt|em|embed|figcaption|figure|font|footer|form|h[1-6]|header|hr|i|"
    "iframe|img|input|ins|kbd|label|li|link|main|mark|meta|nav|noscript|object|ol|option|p|"
    "param|picture|pre|q|s|samp|section|select|small|source|span|strike|strong|sub|summary|"
    "sup|svg|path|table|tbody|td|textarea|tfoot|th|thead|tr|tt|u|ul|var|video|wbr"
)
_MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>"  # script and style: with their contents
    r"|<!--.*?(?:-->|\Z)"  # HTML comments
    r"|data:[\w/+.-]*(?:;[\w=.+-]+)*,[\w+/=%.~-]*"  # data: URIs (base64 images)
    rf"|</?(?:{_HTML_ELEMENTS})(?=[\s/>])(?:[^<>\"']|\"[^\"]*\"|'[^']*')*>"  # tags + attributes
    r"|!?\[(?P<text>[^\]\n]*)\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"\n]*\"|'[^'\n]*'))?\s*\)"
    r"|^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+[^\n]*$",  # link reference definitions
    re.DOTALL | re.IGNORECASE | re.MULTILINE,
)


def _keep_text(match: re.Match[str]) -> str:
    text = match.group("text")
    return f" {text} " if text else " "


def index_text(text: str) -> str:
    """``text`` (an article body) without what is not words for a reader: ``data:`` URIs,
    HTML tags and attributes, script/style/comments, link and image targets (link and image
    text is kept). What goes into the index and the spelling vocabulary."""
    if "<" not in text and "](" not in text and "data:" not in text and "]:" not in text:
        return text
    return _MARKUP.sub(_keep_text, text)


def part_spans(token: str) -> list[tuple[int, int]] | None:
    """Where the parts of a compound token are (start, end within ``token``), or None when
    the token is one word: joined by ``.``/``-`` (every part), or letters joined to digits,
    or CamelCase (parts of two letters or more, or digits; at least two of them)."""
    if "." in token or "-" in token:
        return [match.span() for match in _PART.finditer(token)]
    if len(token) > _SPLIT_LIMIT:
        return None
    if _DIGIT.search(token) and _HAS_LETTER.search(token):
        pattern = _ALNUM_PART
    elif _CAMEL.search(token):
        pattern = _CAMEL_PART
    else:
        return None
    spans = [
        match.span()
        for match in pattern.finditer(token)
        if match.end() - match.start() > 1 or token[match.start()].isdigit()
    ]
    return spans if len(spans) > 1 else None


def _whole_term(token: str, folded: str) -> str:
    """The index term of a compound token as a whole: joined words as written (folded),
    CamelCase stemmed like the same word in lower case."""
    if "." in folded or "-" in folded:
        return folded
    return stem(folded)


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
        spans = part_spans(token)
        if spans is not None:
            exact = len(folded) == len(token)
            whole = _whole_term(token, folded)
            terms.append(Term(whole, token, match.start(), match.end(), position, compound=True))
            for start, end in spans:
                word = fold(token[start:end]) if exact else folded
                if not exact:
                    start, end = 0, len(token)
                if keep_stop_words or word not in STOP_WORDS:
                    offset, stop = match.start() + start, match.start() + end
                    terms.append(Term(stem(word), text[offset:stop], offset, stop, position))
                if not exact:
                    break
        elif keep_stop_words or folded not in STOP_WORDS:
            terms.append(Term(stem(folded), token, match.start(), match.end(), position))
    return terms


def find_terms(text: str, wanted: dict[str, int]) -> list[tuple[int, int, int]]:
    """(start, end, wanted[term]) of every word of ``text`` whose term is in ``wanted``.

    The same analysis as :func:`analyze`, without building objects for the other words.
    """
    found: list[tuple[int, int, int]] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        folded = fold(token)
        spans = part_spans(token)
        if spans is not None:
            whole = _whole_term(token, folded)
            if whole in wanted:
                found.append((match.start(), match.end(), wanted[whole]))
                continue
            exact = len(folded) == len(token)
            for start, end in spans:
                term = stem(fold(token[start:end]))
                if term in wanted:
                    if exact:
                        found.append((match.start() + start, match.start() + end, wanted[term]))
                    else:
                        found.append((match.start(), match.end(), wanted[term]))
            continue
        term = stem(folded)
        if term in wanted:
            found.append((match.start(), match.end(), wanted[term]))
    return found


_TERM_CACHE: dict[str, str | tuple[str, ...]] = {}
_TERM_CACHE_LIMIT = 500_000


def _token_terms(token: str) -> str | tuple[str, ...]:
    """The index terms of one token: one term ("" for a stop word), or a compound's."""
    folded = token.lower().replace("ё", "е")
    spans = part_spans(token)
    if spans is None:
        return "" if folded in STOP_WORDS else stem(folded)
    if len(folded) != len(token):  # folding changed the length (rare Unicode): whole only
        return _whole_term(token, folded)
    parts = (folded[start:end] for start, end in spans)
    return (
        _whole_term(token, folded),
        *(stem(part) for part in parts if part not in STOP_WORDS),
    )


def index_terms(text: str) -> list[str]:
    """Just the terms of ``text``, fast (used when indexing): each distinct token is
    classified and stemmed once per process."""
    cache = _TERM_CACHE
    if len(cache) > _TERM_CACHE_LIMIT:
        cache.clear()
    terms: list[str] = []
    append = terms.append
    extend = terms.extend
    for token in _TOKEN.findall(text):
        found = cache.get(token)
        if found is None:
            found = cache[token] = _token_terms(token)
        if found.__class__ is str:
            if found:
                append(found)  # type: ignore[arg-type]
        else:
            extend(found)
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
