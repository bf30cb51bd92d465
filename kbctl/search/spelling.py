"""The spelling vocabulary: the base's words, kept for typo corrections.

The index folder holds ``spelling.json``: the words of titles, aliases and bodies bucketed by
(first letter, length), most frequent first, one per line (loading is cheap: a few big
strings). A full build writes it; an update appends new words. A query word unknown to the
index is compared with the words of its buckets only.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from kbctl.cachefile import read_regular, write_atomic

SPELLING_FILE = "spelling.json"

Buckets = dict[tuple[str, int], str]  # (first letter, length) -> words, one per line


def load_spelling(folder: Path) -> Buckets:
    """The spelling buckets stored as ``[[letter, length, words], ...]`` (empty if unusable)."""
    data = read_regular(folder / SPELLING_FILE)
    try:
        rows = json.loads(data) if data is not None else []
        return {(str(letter), int(length)): str(words) for letter, length, words in rows}
    except (ValueError, TypeError):
        return {}


def _dump_spelling(spelling: Buckets) -> bytes:
    rows = [[letter, length, words] for (letter, length), words in spelling.items()]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )


def save_vocabulary(folder: Path, vocabulary: Counter[str]) -> None:
    """Write the spelling buckets of a full build (most frequent words first)."""
    buckets: dict[tuple[str, int], list[str]] = {}
    for word, _count in vocabulary.most_common():
        buckets.setdefault((word[0], len(word)), []).append(word)
    spelling = {key: "\n".join(words) for key, words in buckets.items()}
    write_atomic(folder / SPELLING_FILE, _dump_spelling(spelling))


def add_to_vocabulary(folder: Path, words: Iterable[str]) -> None:
    """Append words not seen before to their spelling buckets (rewritten only if any)."""
    spelling = load_spelling(folder)
    changed = False
    for word in sorted(set(words)):
        key = (word[0], len(word))
        bucket = spelling.get(key, "")
        if f"\n{word}\n" not in f"\n{bucket}\n":
            spelling[key] = f"{bucket}\n{word}" if bucket else word
            changed = True
    if changed:
        write_atomic(folder / SPELLING_FILE, _dump_spelling(spelling))


def max_typos(word: str) -> int:
    """Edits allowed for a word by its length: none under 5 letters, 1 up to 8, then 2."""
    if len(word) < 5:
        return 0
    return 1 if len(word) <= 8 else 2


def edit_distance(first: str, second: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of neighbours is one edit), capped at limit+1."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, char in enumerate(first, start=1):
        current = [i] + [0] * len(second)
        best = i
        for j, other in enumerate(second, start=1):
            cost = 0 if char == other else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char == second[j - 2] and first[i - 2] == other:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            best = min(best, value)
        if best > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def within_one_edit(first: str, second: str) -> bool:
    """Whether one substitution, insertion, deletion or swap of neighbours turns ``first``
    into ``second`` (a fast special case of :func:`edit_distance` with limit 1)."""
    if first == second:
        return True
    size, other = len(first), len(second)
    if abs(size - other) > 1:
        return False
    index = 0
    shortest = min(size, other)
    while index < shortest and first[index] == second[index]:
        index += 1
    if size == other:
        if first[index + 1 :] == second[index + 1 :]:
            return True  # one substitution
        return (
            index + 1 < size
            and first[index] == second[index + 1]
            and first[index + 1] == second[index]
            and first[index + 2 :] == second[index + 2 :]
        )
    if size > other:
        return first[index + 1 :] == second[index:]
    return first[index:] == second[index + 1 :]


class Vocabulary:
    """Words of the base bucketed by (first letter, length), most frequent first."""

    def __init__(self, buckets: Buckets) -> None:
        self.buckets = buckets

    def corrections(self, word: str, limit: int) -> list[tuple[str, int, int]]:
        """Words within ``limit`` edits (same first letter), as (word, distance, rank)."""
        found = []
        size = len(word)
        for length in range(size - limit, size + limit + 1):
            bucket = self.buckets.get((word[0], length))
            if not bucket:
                continue
            for rank, candidate in enumerate(bucket.split("\n")):
                if candidate == word:
                    continue
                if within_one_edit(word, candidate):
                    found.append((candidate, 1, rank))
                elif limit > 1:
                    distance = edit_distance(word, candidate, limit)
                    if distance <= limit:
                        found.append((candidate, distance, rank))
        found.sort(key=lambda item: (item[1], item[2], item[0]))
        return found

    def first_letter_corrections(self, word: str, limit: int) -> list[tuple[str, int, int]]:
        """Words within ``limit`` edits whose first letter differs from ``word``'s (a typo in
        the first letter), as (word, distance, rank); rapidfuzz's OSA distance over the
        buckets of near lengths, so it is only run when :meth:`corrections` found nothing."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        size = len(word)
        choices: list[str] = []
        ranks: list[int] = []
        for (letter, length), bucket in self.buckets.items():
            if letter != word[0] and abs(length - size) <= limit:
                words = bucket.split("\n")
                choices.extend(words)
                ranks.extend(range(len(words)))
        found = [
            (choice, int(distance), ranks[index])
            for choice, distance, index in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=limit, limit=None
            )
        ]
        found.sort(key=lambda item: (item[1], item[2], item[0]))
        return found
