"""Plain text and slugs of exported articles."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from kbctl.model import Article

_BLANKS = re.compile(r"\n{3,}")
_SPACES = re.compile(r"[ \t]+")


@lru_cache(maxsize=1)
def markdown_parser() -> MarkdownIt:
    """The Markdown renderer of the export: CommonMark and tables, raw HTML kept (it is
    sanitised afterwards)."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table")


_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*$", re.MULTILINE)
# No pattern scans past the next opening bracket or ``<``: a line of unclosed ``[``, ``(`` or
# ``<`` then costs linear time (a hostile article must not hang the export).
_DESTINATION = r"\((?:[^()\n]|\([^()\n]*\))*\)"
_IMAGE = re.compile(r"!\[([^\[\]\n]*)\]" + _DESTINATION)
_LINK = re.compile(r"\[([^\[\]\n]*)\](?:" + _DESTINATION + r"|\[[^\[\]\n]*\])")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:.*$", re.MULTILINE)
_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+|[ \t]+#+[ \t]*$", re.MULTILINE)
_QUOTE_LIST = re.compile(r"^[ \t]*(?:>[ \t]?)+|^[ \t]*(?:[-*+]|\d+[.)])[ \t]+", re.MULTILINE)
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}.*$", re.MULTILINE)
_MARKS = re.compile(r"(\*\*|__|\*|`+|~~|\|)")


def plain_text(body: str) -> str:
    """The words a reader sees in ``body``: link and image syntax, tags, heading, list,
    quote and table marks and emphasis dropped (code kept as text). A light pass, not a
    parse: the text is for search terms and for tools, not for display."""
    text = _FENCE_LINE.sub("", body)
    text = _DEFINITION.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = _HEADING.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _QUOTE_LIST.sub("", text)
    text = html.unescape(_MARKS.sub(" ", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def slugify(text: str) -> str:
    """A file-name-safe ASCII slug (Cyrillic transliterated); empty when nothing is left."""
    from slugify import slugify as make_slug

    return str(make_slug(text, max_length=80, word_boundary=True))


def slug_of(article: Article, slug_keys: Sequence[str], taken: set[str]) -> str:
    """A unique slug for ``article``: its slug key, else its file name, else its id."""
    candidates: list[str] = []
    for key in slug_keys:
        value = article.meta.get(key)
        if isinstance(value, str):
            candidates.append(value.strip("/").rsplit("/", 1)[-1])
    candidates += [article.path.rsplit("/", 1)[-1].rsplit(".", 1)[0], article.id]
    slug = next((found for found in map(slugify, candidates) if found), "article")
    unique, counter = slug, 2
    while unique in taken:
        unique, counter = f"{slug}-{counter}", counter + 1
    taken.add(unique)
    return unique
