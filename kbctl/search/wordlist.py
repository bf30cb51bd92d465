"""A general Russian and English word list: which words are real words.

Typo correction uses the base's own vocabulary as its dictionary, so without this list an
ordinary word that the base happens not to contain (``слово``) would be "corrected" into an
unrelated base word one edit away, and a misspelling that occurs in a few articles
(``recieve``) would count as a real word. The list is wordfreq's "small" lists for Russian
and English (about 61,000 and 29,000 word forms; wordfreq's data files are read directly with
msgpack, without importing wordfreq and its language-tag machinery). It is loaded only when a
correction is considered (about 60 ms; see bench/README.md), never on a query whose words are
all found as typed.
"""

from __future__ import annotations

import gzip
import importlib.util
from functools import lru_cache
from pathlib import Path

LANGUAGES = ("ru", "en")


def _data_folder() -> Path | None:
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@lru_cache(maxsize=1)
def general_words() -> frozenset[str] | None:
    """Every word form of the lists, folded (lower case, ``ё`` as ``е``); None when wordfreq's
    data is not installed (then no word counts as a known real word)."""
    folder = _data_folder()
    if folder is None:
        return None
    import msgpack

    words: set[str] = set()
    for language in LANGUAGES:
        try:
            with gzip.open(folder / f"small_{language}.msgpack.gz") as handle:
                data = msgpack.load(handle, raw=False)
        except (OSError, ValueError, EOFError):
            continue
        # wordfreq's "cB" format: a header, then one list of words per frequency step.
        for bucket in data[1:]:
            words.update(bucket)
    if not words:
        return None
    return frozenset(word.replace("ё", "е") for word in words)


def is_real_word(word: str) -> bool:
    """Whether the folded ``word`` is a word of the general Russian/English list."""
    words = general_words()
    return words is not None and word in words
