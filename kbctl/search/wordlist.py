"""A general Russian and English word list: which words are real words.

Typo correction uses the base's own vocabulary as its dictionary, so without this list an
ordinary word that the base happens not to contain (``слово``) would be "corrected" into an
unrelated base word one edit away, and a misspelling that occurs in a few articles
(``recieve``) would count as a real word. The list is wordfreq's "small" lists for Russian
and English (about 61,000 and 29,000 word forms; wordfreq's data files are read directly with
msgpack, without importing wordfreq and its language-tag machinery). Each language's list is
loaded only when a correction of a word in its script is considered (about 30 ms for Russian,
15 ms for English on an idle machine; see bench/README.md), never on a query whose words are
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


@lru_cache(maxsize=len(LANGUAGES))
def _language_text(language: str) -> str | None:
    """One language's words, folded (lower case, ``ё`` as ``е``), one per line with a line
    break before the first and after the last; None when wordfreq's data is not installed.
    A look-up is a substring search: building a set of 60,000 words would cost more than
    the few look-ups a query makes."""
    folder = _data_folder()
    if folder is None:
        return None
    import msgpack

    try:
        with gzip.open(folder / f"small_{language}.msgpack.gz") as handle:
            data = msgpack.load(handle, raw=False)
    except (OSError, ValueError, EOFError):
        return None
    # wordfreq's "cB" format: a header, then one list of words per frequency step.
    text = "\n".join(word for bucket in data[1:] for word in bucket)
    return f"\n{text.replace('ё', 'е')}\n" if text else None


def language_words(language: str) -> frozenset[str] | None:
    """Every word form of one language's list, folded; None when it is not installed."""
    text = _language_text(language)
    return frozenset(text.split()) if text else None


def general_words() -> frozenset[str] | None:
    """Both lists together (None when neither is installed)."""
    lists = [words for words in map(language_words, LANGUAGES) if words]
    return frozenset().union(*lists) if lists else None


def is_real_word(word: str) -> bool:
    """Whether the folded ``word`` is a word of the general list of its script (only that
    list is loaded: Cyrillic words are looked up in Russian, others in English)."""
    language = "ru" if any("а" <= char <= "я" for char in word) else "en"
    text = _language_text(language)
    return text is not None and "\n" not in word and f"\n{word}\n" in text
