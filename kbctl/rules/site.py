"""Site URLs -> articles: the URL conventions of ``[links]`` (Hugo, MkDocs, Docusaurus, Jekyll).

A link such as ``/functions/strings/trim/`` names a page of the published site, not a file.
:func:`site_map` builds, once per check run, every URL an article answers to (from its
path by the configured style, its ``permalink``/``url``/``slug`` keys and its aliases) and
the files served at the site root (``static_dirs``). Pure: built from the frozen context.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kbctl.model import Article
from kbctl.settings.model import LinksSection

_NUMBER_PREFIX = re.compile(r"^\d+[-_.]")
_JEKYLL_POST = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-(.+)$")
_INDEX_NAMES = {
    "hugo": ("_index", "index"),
    "mkdocs": ("index", "readme"),
    "docusaurus": ("index", "readme"),
    "jekyll": ("index",),
}


def normal_url(url: str) -> str:
    """A site URL as a lookup key: no leading/trailing ``/``, no ``index.html``/``.html``,
    case-folded (Hugo and most generators publish lower-case URLs)."""
    url = url.split("#", 1)[0].split("?", 1)[0].strip().strip("/")
    for suffix in ("index.html", ".html"):
        if url.endswith(suffix):
            url = url[: -len(suffix)].rstrip("/")
    return url.casefold()


def path_url(path: str, style: str) -> str:
    """The URL (normalised, see :func:`normal_url`) a base-relative file gets by ``style``."""
    folder, name = posixpath.split(path)
    stem = name.rsplit(".", 1)[0]
    parts = [part for part in folder.split("/") if part]
    if style == "docusaurus":
        parts = [_NUMBER_PREFIX.sub("", part) for part in parts]
        stem = _NUMBER_PREFIX.sub("", stem)
    if style == "jekyll" and parts[:1] == ["_posts"]:
        post = _JEKYLL_POST.match(stem)
        if post:
            return normal_url("/".join([*parts[1:], *post.groups()]))
    if stem.casefold() not in _INDEX_NAMES.get(style, ()):
        parts.append(stem)
    return normal_url("/".join(parts))


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def article_urls(article: Article, links: LinksSection) -> list[str]:
    """Every normalised URL ``article`` answers to."""
    own = path_url(article.path, links.style)
    urls = [own]
    parent = own.rsplit("/", 1)[0] if "/" in own else ""
    for key in links.url_keys:
        urls.extend(normal_url(url) for url in _texts(article.meta.get(key)))
    for key in links.slug_keys:
        for slug in _texts(article.meta.get(key)):
            whole = slug.startswith("/")
            urls.append(normal_url(slug if whole else posixpath.join(parent, slug)))
    for key in links.alias_keys:
        for alias in _texts(article.meta.get(key)):
            whole = alias.startswith("/")
            urls.append(normal_url(alias if whole else posixpath.join(parent, alias)))
    return urls


@dataclass(frozen=True, slots=True)
class SiteMap:
    """URL -> article path, and the files served at the site root (normalised paths)."""

    links: LinksSection
    urls: Mapping[str, str]
    static: frozenset[str]

    @property
    def active(self) -> bool:
        """Whether site URLs are resolved at all (a style other than ``plain``)."""
        return self.links.style != "plain"

    def site_path(self, target_path: str) -> str | None:
        """The part of an absolute link path after ``site_prefix``; None when not a site URL."""
        prefix = "/" + self.links.site_prefix.strip("/")
        prefix = prefix.rstrip("/") + "/"
        if not target_path.startswith("/"):
            return None
        if not (target_path + "/").startswith(prefix):
            return None
        return target_path[len(prefix) :] if len(target_path) >= len(prefix) else ""

    def article_at(self, url: str) -> str | None:
        """The article published at ``url`` (a path under the site prefix)."""
        return self.urls.get(normal_url(url))

    def static_file(self, url: str) -> bool:
        """Whether ``url`` names a file of a static folder."""
        clean = url.split("#", 1)[0].split("?", 1)[0].strip("/")
        return clean in self.static or clean.casefold() in self.static


_last: tuple[tuple[object, ...], SiteMap] | None = None


def site_map(articles: Sequence[Article], links: LinksSection, static: frozenset[str]) -> SiteMap:
    """The site map of a run; built once and reused while the inputs are the same objects."""
    global _last
    key = (articles, links, static)
    if _last is not None and all(a is b for a, b in zip(_last[0], key, strict=True)):
        return _last[1]
    urls: dict[str, str] = {}
    if links.style != "plain":
        # Paths first, then declared URLs: an explicit permalink wins over a path.
        for article in articles:
            urls.setdefault(path_url(article.path, links.style), article.path)
        for article in articles:
            for url in article_urls(article, links)[1:]:
                urls[url] = article.path
    static_set = frozenset(static) | frozenset(path.casefold() for path in static)
    built = SiteMap(links, urls, static_set)
    _last = (key, built)
    return built
