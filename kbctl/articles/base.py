"""Loading a base: every article of one tree scan, parsed through the parse cache."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from kbctl.articles.cache import ParseCache
from kbctl.articles.parse import read_article
from kbctl.articles.tree import Tree, relative_path
from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Article, Diagnostic, LoadResult

DUPLICATE_ID_CODE = "duplicate-id"
"""The code of diagnostics about an id that an earlier article already has (KB105)."""

_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff]")


def article_files(config: Config, tree: Tree | None = None) -> list[Path]:
    """Every article file of the base, sorted by path: included, not excluded, not hidden."""
    return [path for _relative, path in (tree or Tree(config)).articles()]


def base_files(config: Config, tree: Tree | None = None) -> frozenset[str]:
    """Every file in the base (articles, images, includes), as base-relative POSIX paths.

    Rules that check links and images use it, so that they stay free of I/O.
    """
    return (tree or Tree(config)).files


def site_files(config: Config, limit: int = 200_000) -> frozenset[str]:
    """The files of ``[links] static_dirs`` as the site serves them (``images/a.png``).

    Folders are relative to kbctl.toml and must be inside its repository; a missing one
    gives nothing. Links inside them are
    not followed, hidden entries are skipped, and at most ``limit`` files are listed.
    """
    import os

    from kbctl.config import repository_root

    found: set[str] = set()
    repository = repository_root(config.config_dir).resolve()
    for name in config.settings.links.static_dirs:
        top = (config.config_dir / name).resolve()
        # Only folders of the base's own repository are listed.
        if not top.is_dir() or not top.is_relative_to(repository):
            continue
        for folder, dirs, files in os.walk(top, followlinks=False):
            dirs[:] = [entry for entry in dirs if not entry.startswith(".")]
            where = Path(folder).relative_to(top).as_posix()
            for entry in files:
                if not entry.startswith("."):
                    found.add(entry if where == "." else f"{where}/{entry}")
            if len(found) >= limit:
                return frozenset(found)
    return frozenset(found)


def scan_article_files(
    config: Config, known: Iterable[str] = (), tree: Tree | None = None
) -> dict[str, tuple[int, int]]:
    """Every article file as base-relative path -> (size, mtime_ns), as cheaply as possible.

    What the search index's freshness check runs before every search: one ``scandir`` pass
    (its entries carry the stat). Paths already ``known`` to be articles skip the
    include/exclude matching. The files are those :func:`load_base` reads: regular files, no
    links, none larger than ``max_article_bytes``.
    """
    return (tree or Tree(config)).article_stats(known)


def load_base(
    config: Config,
    paths: Iterable[Path] | None = None,
    *,
    use_cache: bool = True,
    tree: Tree | None = None,
) -> LoadResult:
    """Load every article (or only ``paths``), collecting diagnostics instead of failing.

    Parsed files are cached (see :class:`kbctl.articles.cache.ParseCache`), so a second run
    parses only the files that changed since. ``tree`` is a scan of the base to share with
    other consumers (a new one otherwise).
    """
    result = LoadResult(root=config.root)
    cache = ParseCache.open(config) if use_cache else None
    entries: Iterable[tuple[str, Path]]
    if paths is None:
        tree = tree or Tree(config)
        entries = tree.articles()
        result.diagnostics.extend(tree.diagnostics)
    else:
        entries = [(relative_path(path, config.root), path) for path in paths]
    for relative, path in entries:
        if cache is not None:
            article, diagnostics = cache.read_article(path, relative, config)
        else:
            article, diagnostics = read_article(path, config, relative)
        result.diagnostics.extend(diagnostics)
        if article is not None:
            result.articles.append(article)
    if cache is not None:
        cache.save()
    result.diagnostics.extend(duplicate_id_diagnostics(result.articles))
    return result


def id_key(value: str) -> str:
    """The form in which two ids are compared: the same key means the same id.

    Case is ignored, the Unicode normalisation too (NFC), and so are the characters no one
    can see: zero-width space, non-joiner and joiner, word joiner, BOM and soft hyphen.
    """
    if value.isascii():
        return value.casefold()
    value = unicodedata.normalize("NFC", _INVISIBLE.sub("", value))
    return unicodedata.normalize("NFC", value.casefold())


def duplicate_id_diagnostics(articles: Iterable[Article]) -> Iterator[Diagnostic]:
    """One diagnostic for each article whose id an earlier article already has (see id_key)."""
    first_path: dict[str, str] = {}
    for article in articles:
        key = id_key(article.id)
        if key in first_path:
            yield Diagnostic(
                article.path,
                article.line_of("id"),
                _("duplicate id {id} (also in {path})").format(
                    id=repr(article.id), path=first_path[key]
                ),
                code=DUPLICATE_ID_CODE,
            )
        else:
            first_path[key] = article.path
