"""The rule registry: every check's stable id, documentation, defaults and pure function.

A rule is either per article (called once for each article in scope, so ``--changed-since``
pays only for the changed ones) or base-wide (called once with the whole base, e.g. duplicate
ids). Rule functions are pure: they never read files or run git, and the same
:class:`CheckContext` (frozen) always gives the same findings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from kbctl.i18n import N_, _
from kbctl.model import Article, ArticleHistory, Diagnostic, Finding, Severity

if TYPE_CHECKING:
    from kbctl.config import Config
    from kbctl.ownership import Ownership, Roster


class Family(StrEnum):
    """Rule families; the hundreds digit of a rule id."""

    # The values are JSON data and SARIF tags; people read them translated (N_ marks them).
    FRONT_MATTER = N_("front matter and loading")
    OWNERSHIP = N_("ownership")
    REVIEW = N_("review and staleness")
    CONTENT = N_("links and content")
    FLAGS = N_("flags")


FAMILY_OF_DIGIT = {
    "1": Family.FRONT_MATTER,
    "2": Family.OWNERSHIP,
    "3": Family.REVIEW,
    "4": Family.CONTENT,
    "5": Family.FLAGS,
}


@dataclass(frozen=True, slots=True)
class CheckContext:
    """Everything a rule may look at: frozen data, built once per run (by the workspace).

    ``scope`` is the set of base-relative paths to report on (None: every article), chosen
    before the engine runs; ``params`` are the parameters of the rule being run with the
    configuration applied (the engine hands each rule a copy of this context with its own
    ``params``, see :meth:`with_params`); ``ownership`` is
    :func:`kbctl.ownership.resolve_ownership`'s result and ``roster`` the roster (None when
    there is none). ``by_path`` (every article by its base-relative path) and ``folders``
    (every folder holding a file of the base) are derived from ``articles`` and
    ``base_files``; ``site_files`` are the files of the ``[links] static_dirs``, as the site
    serves them (``images/a.png``). Collections are stored read-only (tuples, frozensets, mapping proxies),
    so no rule can change what the next rule sees.
    """

    articles: Sequence[Article]
    config: Config
    today: date
    diagnostics: Sequence[Diagnostic] = ()
    history: Mapping[str, ArticleHistory] | None = None
    ownership: Mapping[str, Ownership] | None = None
    roster: Roster | None = None
    base_files: frozenset[str] = frozenset()
    scope: frozenset[str] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    by_path: Mapping[str, Article] = field(default_factory=dict)
    folders: frozenset[str] = frozenset()
    site_files: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        fix = partial(object.__setattr__, self)
        fix("articles", tuple(self.articles))
        fix("diagnostics", tuple(self.diagnostics))
        fix("base_files", frozenset(self.base_files))
        fix("site_files", frozenset(self.site_files))
        if self.scope is not None:
            fix("scope", frozenset(self.scope))
        fix("params", _read_only(self.params))
        if self.history is not None:
            fix("history", _read_only(self.history))
        if self.ownership is not None:
            fix("ownership", _read_only(self.ownership))
        # Derived once; copies made by with_params() pass them on instead of recomputing.
        if not self.by_path and self.articles:
            fix("by_path", MappingProxyType({article.path: article for article in self.articles}))
        if not self.folders and self.base_files:
            fix("folders", _folders(self.base_files))

    def in_scope(self, path: str) -> bool:
        """Whether findings on ``path`` are wanted in this run."""
        return self.scope is None or path in self.scope

    def with_params(self, params: Mapping[str, Any]) -> CheckContext:
        """This context with a rule's ``params`` (nothing else changes or is recomputed)."""
        return replace(self, params=params)


def _read_only(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(mapping, MappingProxyType):
        return mapping
    return MappingProxyType(dict(mapping))


def _folders(base_files: Iterable[str]) -> frozenset[str]:
    """Every folder that holds a file of the base (base-relative, no trailing ``/``)."""
    found: set[str] = set()
    for path in base_files:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            found.add("/".join(parts[:depth]))
    return frozenset(found)


ArticleCheck = Callable[[Article, CheckContext], Iterable[Finding]]
BaseCheck = Callable[[CheckContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One check: identity, documentation, defaults and its function.

    Exactly one of ``article_check`` and ``base_check`` is set. ``dated`` rules depend on
    today's date (skipped by ``--no-date-rules``); ``needs_history`` rules need git facts;
    ``whole_base`` rules report on the whole base even with ``--changed-since`` or PATHS.
    """

    id: str
    name: str
    severity: Severity
    summary: str
    why: str
    fix: str
    configure: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    article_check: ArticleCheck | None = None
    base_check: BaseCheck | None = None
    dated: bool = False
    needs_history: bool = False
    skip_archived: bool = True
    whole_base: bool = False  # reports on every article even when the run is scoped
    enabled_by_default: bool = True  # False: on only when [check.rules] turns it on

    @property
    def family(self) -> Family:
        """The family the rule belongs to (from its id)."""
        return FAMILY_OF_DIGIT[self.id[2]]

    def finding(
        self,
        article_or_path: Article | str,
        line: int,
        message: str,
        hint: str | None = None,
    ) -> Finding:
        """A finding of this rule at its default severity (the engine applies config)."""
        path = article_or_path if isinstance(article_or_path, str) else article_or_path.path
        return Finding(
            rule_id=self.id,
            severity=self.severity,
            path=path,
            line=max(1, line),
            message=message,
            hint=hint if hint is not None else _(self.fix),
            rule_name=self.name,
        )


RULES: dict[str, Rule] = {}


def register(rule: Rule) -> Rule:
    """Add a rule to the registry (ids and names must be unique)."""
    if rule.id in RULES:
        raise ValueError(f"duplicate rule id {rule.id}")
    if any(existing.name == rule.name for existing in RULES.values()):
        raise ValueError(f"duplicate rule name {rule.name}")
    if (rule.article_check is None) == (rule.base_check is None):
        raise ValueError(f"{rule.id}: give exactly one of article_check and base_check")
    RULES[rule.id] = rule
    return rule


def all_rules() -> list[Rule]:
    """Every registered rule, sorted by id."""
    _load_rule_modules()
    return [RULES[rule_id] for rule_id in sorted(RULES)]


def find_rule(key: str) -> Rule | None:
    """A rule by id (``KB301``, any case) or by name (``review-overdue``)."""
    _load_rule_modules()
    wanted = key.strip()
    rule = RULES.get(wanted.upper())
    if rule is not None:
        return rule
    return next((rule for rule in RULES.values() if rule.name == wanted.lower()), None)


def _load_rule_modules() -> None:
    # Importing the modules registers their rules; the import is idempotent.
    from kbctl.rules import (  # noqa: F401
        content,
        flags,
        front_matter,
        history_dates,
        near_duplicates,
        ownership,
        staleness,
    )
