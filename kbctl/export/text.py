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


def plain_text(body: str) -> str:
    """The words a reader sees in ``body``: Markdown rendered, then every tag dropped."""
    import nh3

    rendered = markdown_parser().render(body)
    text = html.unescape(nh3.clean(rendered, tags=set(), clean_content_tags={"script", "style"}))
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
