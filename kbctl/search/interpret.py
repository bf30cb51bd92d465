"""Reading the query: its pieces and words, the keyboard layout, transliteration, typo
corrections, synonyms, and the "did you mean" suggestion.

Query syntax is forgiving: words are optional (more matched words rank higher), ``"quoted
words"`` and ``+word`` must all appear, ``-word`` excludes when the word has at least
:data:`MIN_EXCLUDED_LETTERS` characters (``-la``, ``-xzf``, ``-v`` are command-line flags and
are searched as words). Every other character is just a separator, so pasted text full of
``():*~`` still searches.

Other readings of a word (the other keyboard layout, Latin transliteration of Russian and
back) replace it only when they turn more of the query's words into words the base knows:
the decision is made per word of three letters or more that is not a stop word, and a short
word or stop word follows the others (``rfr yfcnhjbnm gjxne`` is switched whole, ``в`` is
never switched on its own).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kbctl.i18n import _
from kbctl.search.analysis import STOP_WORDS, Term, analyze, fold
from kbctl.search.searcher import Searcher
from kbctl.search.spelling import max_typos

if TYPE_CHECKING:
    from kbctl.search.synonyms import Synonyms

_EN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?'
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю." + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"
TO_RUSSIAN = str.maketrans(_EN, _RU)
TO_LATIN = str.maketrans(_RU, _EN)
_LATIN_LAYOUT = re.compile(r"[a-zA-Z`\[\];',./~{}:\"<>?]+")
_CYRILLIC_ONLY = re.compile(r"[а-яА-ЯёЁ.,]+")
_CHUNK = re.compile(r'([+-]?)"([^"]*)"?|(\S+)')
HAS_LETTER = re.compile(r"[^\W\d_]")
_LATIN_WORD = re.compile(r"[a-zA-Z']+")
_CYRILLIC_WORD = re.compile(r"[а-яА-ЯёЁ]+")

# A dash before a shorter word is a command-line flag (``ls -la``, ``tar -xzf``), not an
# exclusion.
MIN_EXCLUDED_LETTERS = 4
# Weights of alternatives beside the word as typed (1.0): an exact match ranks first.
SYNONYM_WEIGHT = 0.7
# A single word in at least this many articles, and this share of them, gets no synonyms.
SYNONYM_SKIP_ARTICLES = 50
SYNONYM_SKIP_SHARE = 0.05
RARE_CORRECTION_WEIGHT = 0.8
TRANSLITERATION_WEIGHT = 0.8

# Latin -> Cyrillic as Russian is commonly typed in Latin letters (GOST/ICAO passport
# spellings and informal "translit" mixed): longest spellings first.
_TO_CYRILLIC = [
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ts", "ц"), ("tz", "ц"), ("yu", "ю"), ("iu", "ю"), ("ju", "ю"), ("ya", "я"), ("ia", "я"),
    ("ja", "я"), ("yo", "ё"), ("jo", "ё"), ("ye", "е"), ("je", "е"), ("ii", "ий"), ("iy", "ий"),
    ("yi", "ый"), ("a", "а"), ("b", "б"), ("v", "в"), ("w", "в"), ("g", "г"), ("d", "д"),
    ("e", "е"), ("z", "з"), ("i", "и"), ("j", "й"), ("k", "к"), ("q", "к"), ("l", "л"),
    ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"),
    ("u", "у"), ("f", "ф"), ("h", "х"), ("x", "кс"), ("'", "ь"),
]  # fmt: skip
_TO_CYRILLIC_PATTERN = re.compile("|".join(re.escape(latin) for latin, _cyr in _TO_CYRILLIC))
_TO_CYRILLIC_MAP = dict(_TO_CYRILLIC)
_TO_LATIN_MAP = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_VOWELS = "aeiouy"


@dataclass(slots=True)
class Unit:
    """One word of the query: its term alternatives (term -> weight), word groups that stand
    for it (synonym phrases: all their terms must appear), its role, and what was done to it
    (``applied``: (kind, from, to) with kind layout, transliteration, correction, synonym)."""

    surface: str
    terms: dict[str, float]
    compound_parts: tuple[str, ...] = ()
    required: bool = False
    excluded: bool = False
    groups: dict[tuple[str, ...], float] = field(default_factory=dict)
    applied: list[tuple[str, str, str]] = field(default_factory=list)
    key: tuple[int, int] = (0, 0)  # (piece of the query, word position in it)

    def match_terms(self) -> list[str]:
        """Every term whose presence counts as this word matching."""
        return [*self.terms, *self.compound_parts, *(t for group in self.groups for t in group)]


def convert_layout(text: str) -> str | None:
    """``text`` as it was meant in the other keyboard layout (ЙЦУКЕН <-> QWERTY), or None."""
    if _LATIN_LAYOUT.fullmatch(text) and re.search(r"[a-zA-Z]", text):
        return text.translate(TO_RUSSIAN)
    if _CYRILLIC_ONLY.fullmatch(text) and re.search(r"[а-яА-ЯёЁ]", text):
        return text.translate(TO_LATIN)
    return None


def _latin_to_cyrillic(word: str) -> str:
    def replace(match: re.Match[str]) -> str:
        latin = match.group()
        start = match.start()
        if latin == "e" and (start == 0 or word[start - 1] in _VOWELS):
            return "э" if start == 0 else "е"
        if latin == "y":  # after a vowel: й (moy); else ы (vy, my)
            return "й" if start and word[start - 1] in _VOWELS else "ы"
        if latin == "c":
            return "ц"
        return _TO_CYRILLIC_MAP[latin]

    return _TO_CYRILLIC_PATTERN.sub(replace, word)


def transliterate(text: str) -> str | None:
    """``text`` as the other script spells it: Latin translit -> Russian (``klient`` ->
    ``клиент``), Cyrillic -> Latin (``кубернетес`` -> ``kubernetes``); None for other text."""
    lower = text.lower()
    if _LATIN_WORD.fullmatch(lower) and any(char.isalpha() for char in lower):
        cyrillic = _latin_to_cyrillic(lower)
        return None if re.search(r"[a-z]", cyrillic) else cyrillic
    if _CYRILLIC_WORD.fullmatch(lower):
        return "".join(_TO_LATIN_MAP.get(char, char) for char in lower)
    return None


def _units_of(
    chunk: str, *, required: bool, excluded: bool, keep_stops: bool, piece: int = 0
) -> list[Unit]:
    units: list[Unit] = []
    terms: list[Term] = analyze(chunk, keep_stop_words=keep_stops)
    index = 0
    while index < len(terms):
        term = terms[index]
        key = (piece, term.position)
        if term.compound:
            parts = []
            index += 1
            while index < len(terms) and terms[index].position == term.position:
                parts.append(terms[index].text)
                index += 1
            units.append(
                Unit(term.surface, {term.text: 1.0}, tuple(parts), required, excluded, key=key)
            )
            continue
        units.append(Unit(term.surface, {term.text: 1.0}, (), required, excluded, key=key))
        index += 1
    return units


def _chunks(query: str) -> list[tuple[str, bool, bool]]:
    """Split the query into (text, required, excluded) pieces."""
    chunks = []
    for match in _CHUNK.finditer(query):
        if match.group(3) is not None:
            text = match.group(3)
            sign = text[0] if text[0] in "+-" and len(text) > 1 else ""
            if sign and HAS_LETTER.match(text[1:2] or ""):
                text = text[1:]
                if sign == "-" and len(text) < MIN_EXCLUDED_LETTERS:
                    text, sign = "-" + text, ""  # a command-line flag: a word
            else:
                sign = ""
            chunks.append((text, sign == "+", sign == "-"))
        else:
            sign = match.group(1)
            chunks.append((match.group(2), sign != "-", sign == "-"))
    return chunks


def _content(units: list[Unit]) -> list[Unit]:
    """Units that may decide a reading: words of three letters or more, not stop words."""
    return [
        unit for unit in units if len(unit.surface) >= 3 and fold(unit.surface) not in STOP_WORDS
    ]


@dataclass(slots=True)
class _Reading:
    kind: str  # "" for the query as typed, else "layout" or "transliteration"
    text: str
    units: list[Unit]
    known: int
    fixable: int = -1  # computed only when a tie needs it (it may load the word list)

    def fixable_count(self, searcher: Searcher) -> int:
        if self.fixable < 0:
            self.fixable = _fixable_count(searcher, _content(self.units))
        return self.fixable


def _reading(
    searcher: Searcher,
    synonyms: Synonyms | None,
    kind: str,
    text: str,
    required: bool,
    excluded: bool,
    keep: bool,
    piece: int,
) -> _Reading:
    units = _units_of(text, required=required, excluded=excluded, keep_stops=keep, piece=piece)
    content = _content(units)
    known = _known_count(searcher, content)
    if synonyms is not None:  # a word of the synonym list is a word, not a typo
        known += sum(
            1
            for unit in content
            if not any(searcher.known(term) for term in unit.terms)
            and any(synonyms.lookup((term,)) for term in unit.terms)
        )
    return _Reading(kind, text, units, known)


def _better(searcher: Searcher, other: _Reading, original: _Reading) -> bool:
    if other.known != original.known or other.known:
        return other.known > original.known
    # Neither reading has a known word: the one whose words are typos of known words wins.
    return original.fixable_count(searcher) == 0 and other.fixable_count(searcher) > 0


def interpret(
    searcher: Searcher, query: str, synonyms: Synonyms | None = None
) -> tuple[list[Unit], list[str]]:
    """Turn the query into units: other readings chosen, typos corrected, synonyms added.
    Returns (units, notices)."""
    notices: list[str] = []
    chunks = _chunks(query)
    keep_stops = not any(
        _units_of(text, required=False, excluded=False, keep_stops=False) for text, _r, _e in chunks
    )
    chosen: list[_Reading] = []
    minor: list[tuple[int, list[_Reading]]] = []  # short words and stop words follow the rest
    switched: dict[tuple[str, bool], list[tuple[str, str]]] = {}
    for piece, (text, required, excluded) in enumerate(chunks):
        original = _reading(searcher, synonyms, "", text, required, excluded, keep_stops, piece)
        others = [
            _reading(searcher, synonyms, kind, other_text, required, excluded, keep_stops, piece)
            for kind, other_text in (
                ("layout", convert_layout(text)),
                ("transliteration", transliterate(text)),
            )
            if other_text is not None and other_text != text
        ]
        best = original
        for other in others:
            if _better(searcher, other, best):
                best = other
        if best is original:
            _add_known_readings(searcher, original, others)
        if best is original:
            short = not _content(original.units) or any(not _content(o.units) for o in others)
            if others and short and original.known == 0:
                minor.append((len(chosen), others))
        else:
            switched.setdefault((best.kind, _is_latin(text)), []).append((text, best.text))
        chosen.append(best)
    for position, others in minor:
        # A short word or stop word switches only along with other words of its script.
        latin = _is_latin(chosen[position].text)
        for other in others:
            if (other.kind, latin) in switched:
                switched[(other.kind, latin)].append((chosen[position].text, other.text))
                chosen[position] = other
                break
    units = [unit for reading in chosen for unit in reading.units]
    for reading in chosen:
        for unit in reading.units:
            if reading.kind:
                unit.applied.append((reading.kind, _source(chunks, unit), reading.text))
    labels = {
        "layout": _("keyboard layout switched: {words}"),
        "transliteration": _("read as transliteration: {words}"),
    }
    for (kind, _latin), pairs in switched.items():
        if pairs:
            fixed = ", ".join(f"{old} -> {new}" for old, new in pairs)
            notices.append(labels[kind].format(words=fixed))
    if synonyms is not None and synonyms.rules:
        _add_synonyms(searcher, synonyms, chosen, units)
    _correct(searcher, units)  # a word with synonyms is not treated as a typo
    return units, notices


def _add_known_readings(searcher: Searcher, original: _Reading, others: list[_Reading]) -> None:
    """A transliteration that is a known word too (``server`` and ``сервер``) is added to
    the word as typed as an alternative: both may be what the base says."""
    for other in others:
        if other.kind != "transliteration" or len(other.units) != len(original.units):
            continue
        for unit, alternative in zip(original.units, other.units, strict=True):
            if unit.compound_parts or len(unit.surface) < 3:
                continue
            for term in alternative.terms:
                if term not in unit.terms and searcher.known(term):
                    unit.terms[term] = TRANSLITERATION_WEIGHT
                    unit.applied.append(("transliteration", unit.surface, alternative.surface))


def _is_latin(text: str) -> bool:
    return re.search(r"[a-zA-Z]", text) is not None


def _source(chunks: list[tuple[str, bool, bool]], unit: Unit) -> str:
    return chunks[unit.key[0]][0]


def _correct(searcher: Searcher, units: list[Unit]) -> None:
    for unit in units:
        if unit.excluded or unit.compound_parts:
            continue
        term = next(iter(unit.terms))  # the word as typed (alternatives follow it)
        word = fold(unit.surface)
        if len(unit.terms) > 1 or unit.groups:
            continue  # a known transliteration or a synonym was added: not a typo
        if searcher.known(term):
            better = searcher.rare_correction(word) if len(word) >= 5 else None
            if better is not None:
                unit.terms[better] = RARE_CORRECTION_WEIGHT
                unit.applied.append(("correction", word, better))
            continue
        for corrected, distance in searcher.corrections(word, max_typos(word)):
            unit.terms[corrected] = 0.8 if distance == 1 else 0.6
            unit.applied.append(("correction", word, corrected))


def _add_synonyms(
    searcher: Searcher, synonyms: Synonyms, chosen: list[_Reading], units: list[Unit]
) -> None:
    """Add the synonyms of every phrase of the query (longest first) to its words; the query
    is analysed as the synonym lines are (:func:`kbctl.search.synonyms.phrase_terms`)."""
    by_key = {unit.key: unit for unit in units if not unit.excluded}
    flat: list[tuple[str, tuple[int, int]]] = []
    for piece, reading in enumerate(chosen):
        if any(unit.excluded for unit in reading.units):
            continue
        for term in analyze(reading.text, keep_stop_words=True):
            if not term.compound:
                flat.append((term.text, (piece, term.position)))
    covered: set[int] = set()
    for start in range(len(flat)):
        for size in range(min(synonyms.longest, len(flat) - start), 0, -1):
            span = range(start, start + size)
            if all(index in covered for index in span):
                break
            phrase = tuple(flat[index][0] for index in span)
            targets = synonyms.lookup(phrase)
            if not targets:
                continue
            owners = [by_key[flat[i][1]] for i in span if flat[i][1] in by_key]
            owners = list({id(owner): owner for owner in owners}.values())
            if size == 1:
                owners = [owner for owner in owners if not _widely_used(searcher, phrase[0])]
            if not owners:
                continue
            covered.update(span)
            for target in sorted(targets):
                terms = tuple(term for term in target if term not in STOP_WORDS)
                if not terms:
                    continue
                for owner in owners:
                    if len(terms) == 1:
                        if terms[0] in owner.terms:
                            continue
                        owner.terms[terms[0]] = SYNONYM_WEIGHT
                    else:
                        owner.groups.setdefault(terms, SYNONYM_WEIGHT)
                    owner.applied.append(
                        ("synonym", synonyms.label(phrase), synonyms.label(target))
                    )
            break


def _widely_used(searcher: Searcher, term: str) -> bool:
    """Whether the base itself uses ``term`` widely: in at least SYNONYM_SKIP_ARTICLES
    articles and SYNONYM_SKIP_SHARE of them. Synonyms bridge the gap between the customer's
    words and the base's; such a word has no gap, and its synonyms would only add long
    posting lists to every search (twice the search time on 10k articles, measured)."""
    frequency = searcher.doc_frequency(term)
    if frequency < SYNONYM_SKIP_ARTICLES:
        return False
    return frequency >= SYNONYM_SKIP_SHARE * searcher.reader.doc_count()


def _known_count(searcher: Searcher, units: list[Unit]) -> int:
    return sum(1 for unit in units if any(searcher.known(term) for term in unit.terms))


def _fixable_count(searcher: Searcher, units: list[Unit]) -> int:
    count = 0
    for unit in units:
        word = fold(unit.surface)
        if not unit.compound_parts and searcher.corrections(word, max_typos(word)):
            count += 1
    return count


def describe(unit: Unit) -> str:
    """How ``unit`` was understood: its sign and its term alternatives (``+term|other``)."""
    prefix = "-" if unit.excluded else "+" if unit.required else ""
    alternatives = "|".join([*unit.terms, *("+".join(group) for group in unit.groups)])
    return prefix + alternatives


def suggest(searcher: Searcher, units: list[Unit]) -> str | None:
    """A corrected query worth trying, when one exists."""
    changed = False
    words: list[str] = []
    for unit in units:
        word = fold(unit.surface)
        if unit.excluded or any(searcher.known(term) for term in unit.terms):
            words.append(word)
            continue
        limit = 1 if len(word) < 5 else 2
        better = searcher.best_word(word, limit) if len(word) >= 3 else None
        if better:
            words.append(better)
            changed = True
        else:
            words.append(word)
    if changed:
        return " ".join(words)
    return None
