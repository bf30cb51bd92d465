"""Safe file names for new articles, from their titles."""

from __future__ import annotations

import re
import unicodedata

MAX_STEM = 80
"""Characters of a file name before ``.md`` (and a ``-N`` suffix)."""

_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"\s+")
MAX_TITLE = 300


def clean_title(title: str) -> str:
    """The title as it is written into the article: control, bidi and line-break
    characters become spaces, runs of white space one space; NFC; at most 300 characters."""
    text = unicodedata.normalize("NFC", title)
    text = _SPACES.sub(" ", _CONTROLS.sub(" ", text)).strip()
    return text[:MAX_TITLE].rstrip()


def file_stem(title: str, fallback: str) -> str:
    """A file name (without ``.md``) from ``title``: lower-case ASCII words joined by ``-``,
    Cyrillic transliterated (python-slugify), at most :data:`MAX_STEM` characters, cut at a
    word boundary; ``fallback`` (e.g. the id) slugified when the title gives nothing (emoji
    only). Only ``[a-z0-9-]`` ever comes out, so the name cannot leave its folder."""
    from slugify import slugify

    stem = slugify(title, max_length=MAX_STEM, word_boundary=True, save_order=True)
    if not stem:
        stem = slugify(fallback, max_length=MAX_STEM) or "article"
    return stem


def title_language(title: str) -> str:
    """ "ru" when the title has more Cyrillic than Latin letters, else "en"."""
    cyrillic = sum(1 for char in title if "\u0400" <= char <= "\u04ff")
    latin = sum(1 for char in title if char.isascii() and char.isalpha())
    return "ru" if cyrillic > latin else "en"
