"""Choosing articles: the one metadata filter and resolving ``ID|PATH`` arguments."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kbctl.articles import normalise_audience, normalise_status, relative_path
from kbctl.config import Config
from kbctl.errors import NotFoundError
from kbctl.model import Article, LoadResult
from kbctl.ownership import OwnershipFacts, belongs_to, normalise_handle

__all__ = ["ArticleFilter", "articles_to_edit", "normalise_handle", "resolve_article"]


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Metadata filters shared by list, search, stale and review (all given must match)."""

    tags: tuple[str, ...] = ()
    owner: str | tuple[str, ...] | None = None
    status: str | None = None
    audience: str | None = None
    product: str | None = None

    def matches(self, article: Article, ownership: OwnershipFacts | None = None) -> bool:
        """Whether ``article`` passes every filter that was given.

        ``owner`` has the one meaning of :func:`kbctl.ownership.belongs_to` (front matter, else
        CODEOWNERS; teams expanded; handles and e-mails); without ``ownership`` only the
        front-matter owners are known.
        """
        if self.tags:
            have = {tag.casefold() for tag in article.tags}
            if not all(tag.casefold() in have for tag in self.tags):
                return False
        if self.owner and not belongs_to(article, self.owner, ownership):
            return False
        if self.status and article.status != normalise_status(self.status):
            return False
        if self.audience and article.audience != normalise_audience(self.audience):
            return False
        return not (self.product and (article.product or "").casefold() != self.product.casefold())


def resolve_article(base: LoadResult, key: str, config: Config) -> Article | None:
    """Find an article by id, by base-relative path, or by a path relative to the cwd."""
    article = base.find(key)
    if article is not None:
        return article
    candidate = Path(key).expanduser()
    if candidate.exists():
        return base.find(relative_path(candidate.resolve(), config.root))
    return None


def articles_to_edit(base: LoadResult, keys: Sequence[str], config: Config) -> list[Article]:
    """Articles for ``ID|PATH`` arguments, each once; raises NotFoundError naming every miss.

    A file of the base the loader skipped (broken front matter) is returned as a bare article,
    so that the editor refuses it with the precise reason rather than "no such article".
    """
    found: list[Article] = []
    missing: list[str] = []
    for key in keys:
        article = resolve_article(base, key, config) or _unloadable_file(key, config)
        if article is None:
            missing.append(key)
        elif article not in found:
            found.append(article)
    if missing:
        raise NotFoundError(
            f"no article with id or path {', '.join(map(repr, missing))}",
            hint="see `kbctl list` for ids and paths (files with broken front matter are skipped)",
        )
    return found


def _unloadable_file(key: str, config: Config) -> Article | None:
    root = config.root.resolve()
    for candidate in (Path(key).expanduser(), config.root / key):
        if candidate.is_file():
            path = candidate.resolve()
            if not path.is_relative_to(root):
                return None
            relative = relative_path(path, root)
            return Article(id=relative, path=relative, abs_path=path, title=relative, body="")
    return None
