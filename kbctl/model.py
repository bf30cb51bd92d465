"""The domain's data: articles, diagnostics, findings and history facts. No I/O here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any


class Status(StrEnum):
    """KCS confidence of an article."""

    WIP = "wip"
    NOT_VALIDATED = "not_validated"
    VALIDATED = "validated"
    ARCHIVED = "archived"


class Audience(StrEnum):
    """KCS audience (visibility) of an article, from narrowest to widest."""

    INTERNAL = "internal"
    PARTNER = "partner"
    CUSTOMER = "customer"
    PUBLIC = "public"


EXTERNAL_AUDIENCES = frozenset({Audience.CUSTOMER, Audience.PUBLIC})

# The one home of the audience order: a reader of an audience sees articles meant for that
# audience and for every wider one (internal sees all, public sees only public).
AUDIENCE_ORDER: tuple[Audience, ...] = (
    Audience.INTERNAL,
    Audience.PARTNER,
    Audience.CUSTOMER,
    Audience.PUBLIC,
)


def visible_audiences(reader: str) -> frozenset[str] | None:
    """The audiences a reader of audience ``reader`` may see: its own and the wider ones.

    None for ``internal``: the team sees everything, articles without an audience too. Under
    any other reader an article without an audience (or with one kbctl does not know) is
    hidden: it is not known to be meant for that reader. An unknown ``reader`` sees nothing.
    """
    try:
        wanted = Audience(reader)
    except ValueError:
        return frozenset()
    if wanted is Audience.INTERNAL:
        return None
    position = AUDIENCE_ORDER.index(wanted)
    return frozenset(audience.value for audience in AUDIENCE_ORDER[position:])


def within_ceiling(article_audience: str | None, allowed: frozenset[str] | None) -> bool:
    """Whether an article with ``article_audience`` may be shown under ``allowed`` (the
    result of :func:`visible_audiences`)."""
    return allowed is None or article_audience in allowed


def audience_allows(reader: str, audience: str | None) -> bool:
    """Whether a reader of audience ``reader`` may see an article meant for ``audience``.

    Both are canonical values (see ``kbctl.articles.normalise_audience``); the one rule of
    :func:`visible_audiences` (``kbctl export`` and ``kbctl mcp --audience`` both use it).
    """
    return within_ceiling(audience, visible_audiences(reader))


class Severity(StrEnum):
    """How bad a diagnostic or finding is; ordered by ``SEVERITY_RANK``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem met while loading a file: where it is and what is wrong."""

    path: str
    line: int
    message: str
    severity: Severity = Severity.ERROR
    code: str = "load"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Flag:
    """A "flag it or fix it" mark: someone found the article wrong."""

    by: str | None
    date: date | None
    reason: str
    line: int


@dataclass(slots=True)
class Article:
    """One knowledge article, read from its file and normalised.

    ``path`` is POSIX and relative to the base root; ``body_line`` is the 1-based line of the
    file where the body starts; ``key_lines`` maps top-level front-matter keys to their lines;
    ``field_keys`` maps a field ("owner") to the key that gave it ("ms.author").
    """

    id: str
    path: str
    abs_path: Path
    title: str
    body: str
    body_line: int = 1
    description: str | None = None
    type: str | None = None
    tags: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    status: str | None = None
    audience: str | None = None
    product: str | None = None
    environment: str | None = None
    created: date | None = None
    last_reviewed: date | None = None
    reviewed_by: str | None = None
    review_interval: int | None = None
    aliases: tuple[str, ...] = ()
    flags: tuple[Flag, ...] = ()
    ignored_rules: dict[str, str] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    field_keys: dict[str, str] = field(default_factory=dict)
    has_front_matter: bool = True

    def line_of(self, field_name: str, default: int = 1) -> int:
        """The line of the front-matter key that gave ``field_name`` (e.g. "owner") its value."""
        key = self.field_keys.get(field_name, field_name)
        return self.key_lines.get(key, default)

    @property
    def is_archived(self) -> bool:
        """Archived articles are hidden from search and never due for review."""
        return self.status == Status.ARCHIVED


@dataclass(slots=True)
class LoadResult:
    """A loaded base: its articles and every problem met on the way."""

    root: Path
    articles: list[Article] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def find(self, key: str) -> Article | None:
        """An article by id (case-insensitive) or by path relative to the base root."""
        wanted = key.strip().casefold()
        normalised_path = wanted.removeprefix("./")
        for article in self.articles:
            if article.id.casefold() == wanted or article.path.casefold() == normalised_path:
                return article
        return None


@dataclass(frozen=True, slots=True)
class Change:
    """One commit as it concerns an article: when, who, what."""

    commit: str
    authored: datetime  # timezone-aware, with the author's own offset
    author: str
    email: str
    subject: str


@dataclass(slots=True)
class ArticleHistory:
    """What git says about one article's life.

    ``last_change`` is the newest commit that changed its content (moves and noise commits
    skipped); ``committed`` is False for files git does not have yet; ``reliable`` is False
    when the history is known to be cut (a shallow clone) or could not be read.
    """

    path: str
    last_change: Change | None = None
    first_change: Change | None = None
    commit_count: int = 0
    authors: frozenset[str] = frozenset()
    committed: bool = True
    reliable: bool = True
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule's verdict on one place of the base."""

    rule_id: str
    severity: Severity
    path: str
    line: int
    message: str
    hint: str | None = None
    rule_name: str = ""


@dataclass(slots=True)
class Hit:
    """One search result: the article's metadata, its best passage and how well it matched.

    ``line`` is the 1-based line of the best passage in the file; ``highlights`` are
    (start, end) character spans of matched words inside ``snippet``; ``column`` is the
    1-based column of the first match on that line (for ``path:line:col``).
    """

    id: str
    path: str
    title: str
    score: float
    line: int
    snippet: str
    highlights: tuple[tuple[int, int], ...] = ()
    column: int = 1
    owners: tuple[str, ...] = ()
    status: str | None = None
    audience: str | None = None
    tags: tuple[str, ...] = ()
    product: str | None = None
    last_reviewed: date | None = None
    last_changed: datetime | None = None
    last_changed_by: str | None = None
