"""Choosing articles: the one metadata filter and resolving ``ID|PATH`` arguments.

Every command that selects articles (list, search, stale, review, owners, flags, check)
builds one :class:`ArticleFilter`: options AND together, several values of one option OR.
``search`` applies the same filter through its index, whose fields are built from the same
functions (:func:`where_terms`, the effective owners), so both give the same set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from kbctl.articles import normalise_audience, normalise_status, relative_path
from kbctl.config import Config
from kbctl.errors import NotFoundError, UsageError
from kbctl.i18n import _, ngettext
from kbctl.model import Article, Audience, LoadResult, Status
from kbctl.ownership import OwnershipFacts, belongs_to, effective_owners, normalise_handle

__all__ = [
    "ArticleFilter",
    "articles_to_edit",
    "did_you_mean_article",
    "normalise_handle",
    "not_found",
    "parse_audience",
    "parse_status",
    "parse_where",
    "resolve_article",
    "where_terms",
    "where_token",
]


def parse_status(value: str) -> str:
    """The KCS status meant by ``value`` (aliases such as ``draft`` accepted); UsageError
    listing the accepted values for anything else."""
    found = normalise_status(value)
    if found not in {status.value for status in Status}:
        raise UsageError(
            _("unknown status {value}").format(value=repr(value)),
            hint=_("use one of {values} (or draft, retired ...)").format(
                values=", ".join(s.value for s in Status)
            ),
        )
    return str(found)


def parse_audience(value: str) -> str:
    """The audience meant by ``value`` (aliases such as ``customers`` accepted); UsageError
    listing the accepted values for anything else."""
    found = normalise_audience(value)
    if found not in {audience.value for audience in Audience}:
        raise UsageError(
            _("unknown audience {value}").format(value=repr(value)),
            hint=_("use one of {values} (or external ...)").format(
                values=", ".join(a.value for a in Audience)
            ),
        )
    return str(found)


def parse_where(text: str) -> tuple[str, str]:
    """``KEY=VALUE`` as (key, normalised value); UsageError when there is no ``=`` or key."""
    key, equals, value = text.partition("=")
    if not equals or not key.strip():
        raise UsageError(
            _("cannot read {text}").format(text=repr(text)),
            hint=_("write KEY=VALUE, e.g. product=relay-mobile"),
        )
    return key.strip(), _term_value(value)


def _term_value(value: object) -> str:
    """A front-matter scalar as the text ``--where`` compares (case-folded, trimmed)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value).strip().casefold()


def where_terms(article: Article) -> frozenset[tuple[str, str]]:
    """Every (key, value) ``--where`` can match in the article's front matter: each top-level
    scalar, and each scalar item of a top-level list. Mappings are not matched."""
    terms: set[tuple[str, str]] = set()
    for key, value in article.meta.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            if item is None or isinstance(item, (dict, list)):
                continue
            terms.add((str(key).strip(), _term_value(item)))
    return frozenset(terms)


def where_token(key: str, value: str) -> str:
    """One (key, value) of :func:`where_terms` as a single index term (any text is safe)."""
    import hashlib

    return hashlib.blake2b(f"{key}\0{value}".encode(), digest_size=10).hexdigest()


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """The metadata filter of every command: options AND together, values of one option OR.

    ``statuses`` and ``audiences`` hold canonical values (see :func:`parse_status`); ``where``
    holds (key, value) pairs from :func:`parse_where` (pairs with the same key OR together).
    """

    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    audiences: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()

    @classmethod
    def build(
        cls,
        *,
        tags: Iterable[str] | None = None,
        owners: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        audiences: Iterable[str] | None = None,
        products: Iterable[str] | None = None,
        where: Iterable[str] | None = None,
    ) -> ArticleFilter:
        """A filter from raw option values; status, audience and where values are checked."""
        return cls(
            tags=_clean(tags),
            owners=_clean(owners),
            statuses=tuple(parse_status(value) for value in _clean(statuses)),
            audiences=tuple(parse_audience(value) for value in _clean(audiences)),
            products=_clean(products),
            where=tuple(parse_where(value) for value in where or ()),
        )

    @property
    def active(self) -> bool:
        """Whether any filter was given."""
        return bool(
            self.tags
            or self.owners
            or self.statuses
            or self.audiences
            or self.products
            or self.where
        )

    def where_groups(self) -> dict[str, set[str]]:
        """The ``where`` pairs grouped by key (values of one key OR together)."""
        groups: dict[str, set[str]] = {}
        for key, value in self.where:
            groups.setdefault(key, set()).add(value)
        return groups

    def matches(self, article: Article, ownership: OwnershipFacts | None = None) -> bool:
        """Whether ``article`` passes every filter that was given.

        ``owners`` has the one meaning of :func:`kbctl.ownership.belongs_to` (front matter,
        else CODEOWNERS; teams expanded; handles and e-mails); without ``ownership`` only the
        front-matter owners are known.
        """
        if self.tags:
            have = {tag.casefold() for tag in article.tags}
            if not any(tag.casefold() in have for tag in self.tags):
                return False
        if self.owners and not belongs_to(article, self.owners, ownership):
            return False
        if self.statuses and article.status not in self.statuses:
            return False
        if self.audiences and article.audience not in self.audiences:
            return False
        if self.products:
            product = (article.product or "").casefold()
            if product not in {wanted.casefold() for wanted in self.products}:
                return False
        if self.where:
            terms = where_terms(article)
            for key, values in self.where_groups().items():
                if not any((key, value) in terms for value in values):
                    return False
        return True

    def select(
        self, articles: Iterable[Article], ownership: OwnershipFacts | None = None
    ) -> list[Article]:
        """The articles that pass, in their order."""
        return [article for article in articles if self.matches(article, ownership)]

    def unmatched(
        self, articles: Sequence[Article], ownership: OwnershipFacts | None = None
    ) -> list[str]:
        """One message per ``--owner``, ``--tag`` or ``--product`` value that no article of
        ``articles`` has, with the closest values the base does have (a typo gives an empty
        result that looks like an all-clear)."""
        messages: list[str] = []
        if self.owners:
            known = {
                owner
                for article in articles
                for owner in effective_owners(article, ownership).owners
            }
            for owner in self.owners:
                if not any(belongs_to(article, owner, ownership) for article in articles):
                    messages.append(_no_match("--owner", owner, known))
        if self.tags:
            tags = {tag for article in articles for tag in article.tags}
            folded = {tag.casefold() for tag in tags}
            messages.extend(
                _no_match("--tag", tag, tags) for tag in self.tags if tag.casefold() not in folded
            )
        if self.products:
            products = {article.product for article in articles if article.product}
            folded = {product.casefold() for product in products}
            messages.extend(
                _no_match("--product", product, products)
                for product in self.products
                if product.casefold() not in folded
            )
        return messages


def _no_match(option: str, value: str, known: Iterable[str]) -> str:
    """``--owner nobody matches no article in the base (did you mean ...?)``."""
    import difflib

    by_key = {candidate.casefold().lstrip("@"): candidate for candidate in known}
    close = difflib.get_close_matches(value.casefold().lstrip("@"), list(by_key), n=3, cutoff=0.6)
    message = f"{option} {value} matches no article in the base"
    if close:
        message += " (did you mean " + " or ".join(by_key[key] for key in close) + "?)"
    return message


def _clean(values: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(value.strip() for value in values or () if value and value.strip())


def resolve_article(base: LoadResult, key: str, config: Config) -> Article | None:
    """Find an article by id (any case), by base-relative path, or by a path relative to the
    cwd; None when nothing matches.

    A key that names more than one article (two articles share the id, or it is one's id and
    another's path) is a UsageError listing them: showing one of them would be a guess.
    """
    candidates = _candidates(base, key, config)
    if len(candidates) > 1:
        listed = ", ".join(f"{article.path} ({article.id})" for article in candidates)
        raise UsageError(
            ngettext(
                "{key} names {count} article: {listed}",
                "{key} names {count} articles: {listed}",
                len(candidates),
            ).format(key=repr(key), count=len(candidates), listed=listed),
            hint=_("name one by its path (and give the others unique ids: `kbctl check`, KB102)"),
        )
    return candidates[0] if candidates else None


def _candidates(base: LoadResult, key: str, config: Config) -> list[Article]:
    wanted = key.strip().casefold()
    as_path = wanted.removeprefix("./")
    found = [
        article
        for article in base.articles
        if article.id.casefold() == wanted or article.path.casefold() == as_path
    ]
    candidate = Path(key).expanduser()
    if not found and candidate.exists():
        relative = relative_path(candidate.resolve(), config.root).casefold()
        found = [article for article in base.articles if article.path.casefold() == relative]
    if len(found) > 1 and candidate.is_file():
        # A path that exists names that file, whatever ids look like it.
        exact = candidate.resolve()
        same = [article for article in found if article.abs_path.resolve() == exact]
        if len(same) == 1:
            return same
    return found


def did_you_mean_article(base: LoadResult, key: str) -> str | None:
    """The id or path of the article ``key`` was most likely meant to name, if any.

    ``KB-012`` finds ``KB-0012`` (same prefix, same number); otherwise the closest id or
    base-relative path by spelling.
    """
    import difflib
    import re

    typed = key.strip()
    shape = re.fullmatch(r"([^\d]*?)0*(\d+)", typed)
    if shape:
        prefix, number = shape.group(1).casefold(), int(shape.group(2))
        for article in base.articles:
            other = re.fullmatch(r"([^\d]*?)0*(\d+)", article.id)
            if other and other.group(1).casefold() == prefix and int(other.group(2)) == number:
                return article.id
    names = {article.id.casefold(): article.id for article in base.articles}
    names.update({article.path.casefold(): article.path for article in base.articles})
    wanted = typed.casefold().removeprefix("./")
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.75)
    if not close:
        # A path from the current folder or with other folders: compare the file names.
        by_name = {Path(article.path).name.casefold(): article.path for article in base.articles}
        close_name = difflib.get_close_matches(Path(wanted).name, list(by_name), n=1, cutoff=0.75)
        return by_name[close_name[0]] if close_name else None
    return names[close[0]]


def not_found(base: LoadResult, keys: Sequence[str]) -> NotFoundError:
    """The error for ``keys`` that name no article, with a did-you-mean where there is one."""
    suggestions = [hint for key in keys if (hint := did_you_mean_article(base, key))]
    wanted = ", ".join(map(repr, keys))
    if suggestions:
        message = _("no article with id or path {keys} (did you mean {suggestions}?)").format(
            keys=wanted, suggestions=", ".join(map(repr, suggestions))
        )
    else:
        message = _("no article with id or path {keys}").format(keys=wanted)
    return NotFoundError(
        message,
        hint=_("see `kbctl list` for ids and paths (files with broken front matter are skipped)"),
    )


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
        raise not_found(base, missing)
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
