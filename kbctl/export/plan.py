"""The export plan: which articles leave the base, decided once, and nothing else.

:func:`build_plan` is the only code of the export that sees the whole base. It picks the
articles an audience may see (:func:`kbctl.model.audience_allows`) that meet the status
filter (never archived), and turns each into an :class:`ExportedArticle`: kbctl's own fields,
the body with internal parts removed and links to anything not exported turned into text,
private front-matter keys left out. The formats get an :class:`ExportPlan` and nothing else:
it holds no :class:`~kbctl.model.Article`, no path to the base and nothing withheld, so a
format cannot name what it was not given. What was withheld, and why, goes to a separate
:class:`ExportReport`, which is written next to the output, never into it.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kbctl.errors import ConfigError, UsageError
from kbctl.export.body import (
    ARTICLE_SCHEME,
    DROP,
    MEDIA_SCHEME,
    Section,
    language_of,
    rewrite_links,
    sections,
    strip_internal,
)
from kbctl.export.text import plain_text, slug_of
from kbctl.i18n import _
from kbctl.model import Article, Audience, Status, audience_allows
from kbctl.settings import Config

MEDIA_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".pdf", ".txt", ".csv"})
URL_FIELDS = frozenset({"id", "slug", "product", "path", "language"})


@dataclass(frozen=True, slots=True)
class ExportedArticle:
    """One article as it leaves the base. ``body`` is Markdown whose links to other exported
    articles and files are placeholders (see :mod:`kbctl.export.body`); ``number`` is its
    place in the plan."""

    number: int
    id: str
    title: str
    description: str | None
    tags: tuple[str, ...]
    product: str | None
    language: str
    status: str
    audience: str
    path: str
    slug: str
    url: str | None
    last_reviewed: date | None
    review_state: str
    body: str
    text: str
    sections: tuple[Section, ...]
    terms: tuple[str, ...]
    title_terms: tuple[str, ...]
    aliases: tuple[str, ...]
    owners: tuple[str, ...]
    reviewers: tuple[str, ...]
    meta: tuple[tuple[str, Any], ...]
    digest: str


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file of the base (an image, an attachment) that an exported article shows or links."""

    number: int
    path: str
    source: Path


@dataclass(frozen=True, slots=True)
class Deleted:
    """An article exported before and not now (removed, or no longer for this audience)."""

    id: str
    slug: str


@dataclass(frozen=True, slots=True)
class ExportPlan:
    """Everything a format may write: the exported articles and the files they use.

    ``changed`` holds the numbers of the articles to write in an incremental export (None:
    all of them); ``deleted`` what to remove. ``synonyms`` are Solr-format lines.
    """

    audience: str
    statuses: tuple[str, ...]
    site_title: str
    articles: tuple[ExportedArticle, ...]
    media: tuple[MediaFile, ...]
    synonyms: tuple[str, ...] = ()
    changed: frozenset[int] | None = None
    deleted: tuple[Deleted, ...] = ()

    def to_write(self) -> tuple[ExportedArticle, ...]:
        """The articles a format writes now: the changed ones, or all in a full export."""
        if self.changed is None:
            return self.articles
        return tuple(article for article in self.articles if article.number in self.changed)


@dataclass(frozen=True, slots=True)
class Withheld:
    """An article left out, and why (for the report only)."""

    id: str
    path: str
    title: str
    reason: str


@dataclass(frozen=True, slots=True)
class RemovedLink:
    """A link of an exported article turned into plain text, and why."""

    article: str
    target: str
    reason: str


@dataclass(slots=True)
class ExportReport:
    """What the export left out; written next to the output (it names withheld articles)."""

    withheld: list[Withheld] = field(default_factory=list)
    links: list[RemovedLink] = field(default_factory=list)
    internal_parts: dict[str, int] = field(default_factory=dict)
    keys: dict[str, list[str]] = field(default_factory=dict)


def _statuses(statuses: Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(statuses)) or (Status.VALIDATED.value,)
    if Status.ARCHIVED.value in chosen:
        raise UsageError(
            "archived articles are never exported", hint="choose wip, not_validated or validated"
        )
    return chosen


def _why_not(article: Article, audience: str, statuses: tuple[str, ...]) -> str | None:
    if article.is_archived:
        return "archived"
    if not audience_allows(audience, article.audience):
        shown = article.audience or "none (counts as internal)"
        return f"audience {shown} is narrower than {audience}"
    if (article.status or "") not in statuses:
        return f"status {article.status or 'none'} is not {' or '.join(statuses)}"
    return None


def _url_pattern(config: Config) -> str | None:
    pattern = config.settings.export.url
    if pattern is None:
        return None
    try:
        names = {name for _text, name, _spec, _conv in string.Formatter().parse(pattern) if name}
    except ValueError as error:
        raise ConfigError(
            _("[export] url {pattern!r}: {error}").format(pattern=pattern, error=error)
        ) from None
    unknown = names - URL_FIELDS
    if unknown:
        raise ConfigError(
            _("[export] url names unknown fields: {fields}").format(
                fields=", ".join(sorted(unknown))
            ),
            hint=_("use {fields}").format(
                fields=", ".join("{" + name + "}" for name in sorted(URL_FIELDS))
            ),
        )
    return pattern


def _public_url(
    article: Article, pattern: str | None, values: Mapping[str, str], config: Config
) -> str | None:
    if pattern is not None:
        return pattern.format(**{key: quote(value, safe="/") for key, value in values.items()})
    for key in config.settings.links.url_keys:
        value = article.meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _digest(*parts: object) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(repr(part).encode("utf-8", "surrogatepass"))
    return hasher.hexdigest()[:20]


def build_plan(
    articles: Sequence[Article],
    config: Config,
    *,
    audience: str,
    statuses: Iterable[str] = (),
    files: frozenset[str] = frozenset(),
    include_owners: bool = False,
    today: date | None = None,
    synonyms: Sequence[str] = (),
) -> tuple[ExportPlan, ExportReport]:
    """The plan for ``audience`` and the report of what it leaves out.

    ``files`` are the base's files (base-relative), for images and attachments;
    ``synonyms`` Solr-format lines for the search formats.
    """
    from kbctl.policy.review import review_status
    from kbctl.rules.site import site_map
    from kbctl.search.analysis import index_terms

    if audience not in {value.value for value in Audience}:
        raise UsageError(_("unknown audience {audience!r}").format(audience=audience))
    chosen = _statuses(statuses)
    report = ExportReport()
    exported: list[Article] = []
    ids: set[str] = set()
    for article in sorted(articles, key=lambda item: item.path):
        why = _why_not(article, audience, chosen)
        if why is None and article.id.casefold() in ids:
            why = "duplicate id (the first article with it is exported)"
        if why is None:
            ids.add(article.id.casefold())
        if why is None:
            exported.append(article)
        else:
            report.withheld.append(Withheld(article.id, article.path, article.title, why))
    numbers = {article.path: number for number, article in enumerate(exported)}
    withheld_names = _names(articles, numbers)
    all_paths = {article.path for article in articles}
    site = site_map(list(articles), config.settings.links, frozenset())
    pattern = _url_pattern(config)
    settings = config.settings.export
    private = {key.casefold() for key in settings.private_keys}
    for name in ("owner", "reviewers", "reviewed_by", "flags", "ignore"):
        private.update(key.casefold() for key in config.fields.get(name, ()))
    media: dict[str, MediaFile] = {}
    today = today or date.today()
    slugs: set[str] = set()
    result: list[ExportedArticle] = []

    for number, article in enumerate(exported):

        def decide(target: str, image: bool, text: str, article: Article = article) -> str | None:
            found = _decide(article, target, numbers, all_paths, files, site, media, config, report)
            if found is None and _names_withheld(text, withheld_names):
                return DROP
            return found

        body, removed = strip_internal(article.body)
        if removed:
            report.internal_parts[article.id] = removed
        body = rewrite_links(body, decide)
        text = plain_text(body)
        slug = slug_of(article, config.settings.links.slug_keys, slugs)
        language = language_of(
            article.title + " " + text[:2000],
            article.meta.get("lang") or article.meta.get("language"),
        )
        values = {
            "id": article.id,
            "slug": slug,
            "product": article.product or "general",
            "path": posixpath.splitext(article.path)[0],
            "language": language,
        }
        meta = tuple(
            (key, article.meta[key])
            for key in settings.public_keys
            if key in article.meta and key.casefold() not in private
        )
        left_out = sorted(key for key in article.meta if key.casefold() in private)
        if left_out and not include_owners:
            report.keys[article.id] = left_out
        title_terms = tuple(dict.fromkeys(index_terms(" ".join([article.title, *article.aliases]))))
        terms = tuple(
            dict.fromkeys(
                [
                    *title_terms,
                    *index_terms(" ".join([article.description or "", *article.tags, text])),
                ]
            )
        )
        state = review_status(article, None, config, today).state
        owners = article.owners if include_owners else ()
        reviewers = article.reviewers if include_owners else ()
        result.append(
            ExportedArticle(
                number=number,
                id=article.id,
                title=article.title,
                description=article.description,
                tags=article.tags,
                product=article.product,
                language=language,
                status=article.status or "",
                audience=article.audience or "",
                path=article.path,
                slug=slug,
                url=_public_url(article, pattern, values, config),
                last_reviewed=article.last_reviewed,
                review_state=str(state),
                body=body,
                text=text,
                sections=sections(body),
                terms=terms,
                title_terms=title_terms,
                aliases=article.aliases,
                owners=owners,
                reviewers=reviewers,
                meta=meta,
                digest=_digest(
                    article.id,
                    article.title,
                    article.description,
                    article.tags,
                    article.product,
                    article.last_reviewed,
                    str(state),
                    _stable(body, exported, media),
                    owners,
                    reviewers,
                    meta,
                    slug,
                    language,
                ),
            )
        )
    report.links = list(dict.fromkeys(report.links))  # a reference link is decided per use
    plan = ExportPlan(
        audience=audience,
        statuses=chosen,
        site_title=settings.site_title,
        articles=tuple(result),
        media=tuple(sorted(media.values(), key=lambda item: item.number)),
        synonyms=tuple(synonyms),
    )
    return plan, report


def _names(articles: Sequence[Article], exported: Mapping[str, int]) -> frozenset[str]:
    """Ids, titles, aliases and paths of the articles not exported, folded for comparison."""
    names: set[str] = set()
    for article in articles:
        if article.path in exported:
            continue
        stem = posixpath.splitext(article.path)[0]
        for value in (article.id, article.title, article.path, stem, *article.aliases):
            folded = _fold(value or "")
            if folded:
                names.add(folded)
    return frozenset(names)


def _fold(text: str) -> str:
    """``text`` as words only: entities decoded, marks and punctuation (``_*`[]-/.``) made
    spaces, case folded; so ``_Title_``, ``Title&#32;x`` and ``ID_1`` compare as they read."""
    return " ".join(_NOT_WORD.sub(" ", html.unescape(text)).split()).casefold()


_NOT_WORD = re.compile(r"[\W_]+")


def _names_withheld(text: str, names: frozenset[str]) -> bool:
    """Whether a link's text names a withheld article (its id, title, alias or path, as
    whole words anywhere in it): then the link goes with its text, not just its target."""
    clean = _fold(text)
    if not clean:
        return False
    padded = f" {clean} "
    return any(f" {name} " in padded for name in names)


def _stable(body: str, exported: Sequence[Article], media: Mapping[str, MediaFile]) -> str:
    """``body`` with placeholders naming paths, not plan positions (which shift when an
    article comes or goes), for the digest."""
    from kbctl.export.body import resolve_placeholders

    by_number = {item.number: item.path for item in media.values()}
    return resolve_placeholders(
        body, lambda number: exported[number].path, lambda number: by_number.get(number, "")
    )


def _resolve(source: str, path_part: str) -> str | None:
    joined = (
        path_part.lstrip("/")
        if path_part.startswith("/")
        else posixpath.join(posixpath.dirname(source), path_part)
    )
    normal = posixpath.normpath(joined) if joined else ""
    if normal in ("", ".", "..") or normal.startswith("../"):
        return None
    return normal


def _decide(
    article: Article,
    target: str,
    numbers: Mapping[str, int],
    all_paths: set[str],
    files: frozenset[str],
    site: Any,
    media: dict[str, MediaFile],
    config: Config,
    report: ExportReport,
) -> str | None:
    """What a local link of an exported article becomes: a placeholder or None (text)."""
    from kbctl.rules import markdown

    path_part, anchor = markdown.split_target(target)
    if not path_part:
        return target
    suffix = f"#{anchor}" if anchor else ""
    resolved = _resolve(article.path, path_part)
    existing: str | None = None
    if resolved is not None:
        for candidate in (resolved, resolved + ".md", resolved + ".markdown"):
            if candidate in all_paths or candidate in files:
                existing = candidate
                break
    if existing is None and site.active:
        url = site.site_path(path_part) if path_part.startswith("/") else path_part
        existing = site.article_at(url) if url is not None else None
    if existing is None:
        report.links.append(RemovedLink(article.id, target, "links to nothing in the base"))
        return None
    if existing in numbers:
        return f"{ARTICLE_SCHEME}{numbers[existing]}{suffix}"
    if existing in all_paths:
        report.links.append(RemovedLink(article.id, target, "links to an article not exported"))
        return None
    hidden = any(part.startswith((".", "_")) for part in existing.split("/"))
    if posixpath.splitext(existing)[1].lower() not in MEDIA_SUFFIXES or hidden:
        report.links.append(
            RemovedLink(article.id, target, "links to a file that is not published")
        )
        return None
    source = config.root / existing
    if source.is_symlink() or not source.is_file():
        report.links.append(RemovedLink(article.id, target, "links to a file that is not regular"))
        return None
    found = media.get(existing)
    if found is None:
        found = media[existing] = MediaFile(len(media), existing, source)
    return f"{MEDIA_SCHEME}{found.number}"
