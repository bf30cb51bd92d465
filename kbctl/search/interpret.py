"""Reading the query: its pieces and words, the keyboard layout, typo corrections, and the
"did you mean" suggestion.

Query syntax is forgiving: words are optional (more matched words rank higher), ``"quoted
words"`` and ``+word`` must all appear, ``-word`` excludes. Every other character is just a
separator, so pasted text full of ``():*~`` still searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kbctl.search.analysis import Term, analyze, fold
from kbctl.search.searcher import Searcher
from kbctl.search.spelling import max_typos

_EN = "`qwertyuiop[]asdfghjkl;'zxcvbnm,./" + '~QWERTYUIOP{}ASDFGHJKL:"ZXCVBNM<>?'
_RU = "ёйцукенгшщзхъфывапролджэячсмитьбю." + "ЁЙЦУКЕНГШЩЗХЪФЫВАПРОЛДЖЭЯЧСМИТЬБЮ,"
TO_RUSSIAN = str.maketrans(_EN, _RU)
TO_LATIN = str.maketrans(_RU, _EN)
_LATIN_LAYOUT = re.compile(r"[a-zA-Z`\[\];',./~{}:\"<>?]+")
_CYRILLIC_ONLY = re.compile(r"[а-яА-ЯёЁ.,]+")
_CHUNK = re.compile(r'([+-]?)"([^"]*)"?|(\S+)')
HAS_LETTER = re.compile(r"[^\W\d_]")


@dataclass(slots=True)
class Unit:
    """One word of the query: its term alternatives (term -> weight) and its role."""

    surface: str
    terms: dict[str, float]
    compound_parts: tuple[str, ...] = ()
    required: bool = False
    excluded: bool = False


def convert_layout(text: str) -> str | None:
    """``text`` as it was meant in the other keyboard layout (ЙЦУКЕН <-> QWERTY), or None."""
    if _LATIN_LAYOUT.fullmatch(text) and re.search(r"[a-zA-Z]", text):
        return text.translate(TO_RUSSIAN)
    if _CYRILLIC_ONLY.fullmatch(text) and re.search(r"[а-яА-ЯёЁ]", text):
        return text.translate(TO_LATIN)
    return None


def _units_of(chunk: str, *, required: bool, excluded: bool, keep_stops: bool) -> list[Unit]:
    units: list[Unit] = []
    terms: list[Term] = analyze(chunk, keep_stop_words=keep_stops)
    index = 0
    while index < len(terms):
        term = terms[index]
        if term.compound:
            parts = []
            index += 1
            while index < len(terms) and terms[index].position == term.position:
                parts.append(terms[index].text)
                index += 1
            units.append(Unit(term.surface, {term.text: 1.0}, tuple(parts), required, excluded))
            continue
        units.append(Unit(term.surface, {term.text: 1.0}, (), required, excluded))
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
            else:
                sign = ""
            chunks.append((text, sign == "+", sign == "-"))
        else:
            sign = match.group(1)
            chunks.append((match.group(2), sign != "-", sign == "-"))
    return chunks


def interpret(searcher: Searcher, query: str) -> tuple[list[Unit], list[str]]:
    """Turn the query into units: layout fixed, typos corrected. Returns (units, notices)."""
    notices: list[str] = []
    chunks = _chunks(query)
    keep_stops = not any(
        _units_of(text, required=False, excluded=False, keep_stops=False) for text, _r, _e in chunks
    )
    units: list[Unit] = []
    converted_words: list[tuple[str, str]] = []
    for text, required, excluded in chunks:
        original = _units_of(text, required=required, excluded=excluded, keep_stops=keep_stops)
        chosen = original
        other_text = convert_layout(text)
        if other_text is not None:
            other = _units_of(
                other_text, required=required, excluded=excluded, keep_stops=keep_stops
            )
            known, known_other = _known_count(searcher, original), _known_count(searcher, other)
            if known_other > known or (
                known == known_other == 0
                and _fixable_count(searcher, original) == 0
                and _fixable_count(searcher, other) > 0
            ):
                chosen = other
                converted_words.append((text, other_text))
        units.extend(chosen)
    if converted_words:
        fixed = ", ".join(f"{old} -> {new}" for old, new in converted_words)
        notices.append(f"keyboard layout switched: {fixed}")
    for unit in units:
        if unit.excluded or unit.compound_parts:
            continue
        (term,) = unit.terms
        if searcher.known(term):
            continue
        word = fold(unit.surface)
        for corrected, distance in searcher.corrections(word, max_typos(word)):
            unit.terms[corrected] = 0.8 if distance == 1 else 0.6
    return units, notices


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
    alternatives = "|".join(unit.terms)
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
