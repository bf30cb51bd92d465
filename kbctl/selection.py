"""Choosing articles: metadata filters and resolving ``ID|PATH`` arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kbctl.articles import normalise_audience, normalise_status, relative_path
from kbctl.config import Config
from kbctl.model import Article, LoadResult


def normalise_handle(handle: str) -> str:
    """Compare owner handles without case or a leading ``@``."""
    return handle.strip().lstrip("@").casefold()


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Metadata filters shared by list, search, stale and review (all given must match)."""

    tags: tuple[str, ...] = ()
    owner: str | None = None
    status: str | None = None
    audience: str | None = None
    product: str | None = None

    def matches(self, article: Article) -> bool:
        """Whether ``article`` passes every filter that was given."""
        if self.tags:
            have = {tag.casefold() for tag in article.tags}
            if not all(tag.casefold() in have for tag in self.tags):
                return False
        if self.owner and normalise_handle(self.owner) not in {
            normalise_handle(owner) for owner in article.owners
        }:
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
