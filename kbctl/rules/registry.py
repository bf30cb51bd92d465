"""The rule registry: every check's stable id, documentation, defaults and pure function.

A rule is either per article (called once for each article in scope, so ``--changed-since``
pays only for the changed ones) or base-wide (called once with the whole base, e.g. duplicate
ids). Rule functions never read files or run git: everything they need is in :class:`CheckContext`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kbctl.model import Article, ArticleHistory, Diagnostic, Finding, Severity

if TYPE_CHECKING:
    from kbctl.config import Config
    from kbctl.ownership import Ownership, Roster


class Family(StrEnum):
    """Rule families; the hundreds digit of a rule id."""

    FRONT_MATTER = "front matter and loading"
    OWNERSHIP = "ownership"
    REVIEW = "review and staleness"
    CONTENT = "links and content"
    FLAGS = "flags"


FAMILY_OF_DIGIT = {
    "1": Family.FRONT_MATTER,
    "2": Family.OWNERSHIP,
    "3": Family.REVIEW,
    "4": Family.CONTENT,
    "5": Family.FLAGS,
}


@dataclass(slots=True)
class CheckContext:
    """Everything a rule may look at. Pure data, built by the caller.

    ``scope`` is the set of base-relative paths to report on (None: every article);
    ``params`` are the rule's parameters with config applied (set by the engine before
    each rule runs); ``ownership`` is :func:`kbctl.ownership.resolve_ownership`'s result and
    ``roster`` the roster (None when there is none).
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
    params: dict[str, Any] = field(default_factory=dict)
    _by_path: dict[str, Article] | None = None
    _folders: frozenset[str] | None = None

    def in_scope(self, path: str) -> bool:
        """Whether findings on ``path`` are wanted in this run."""
        return self.scope is None or path in self.scope

    @property
    def by_path(self) -> dict[str, Article]:
        """Every loaded article by its base-relative path."""
        if self._by_path is None:
            self._by_path = {article.path: article for article in self.articles}
        return self._by_path

    @property
    def folders(self) -> frozenset[str]:
        """Every folder that holds a file of the base (base-relative, no trailing ``/``)."""
        if self._folders is None:
            found: set[str] = set()
            for path in self.base_files:
                parts = path.split("/")[:-1]
                for depth in range(1, len(parts) + 1):
                    found.add("/".join(parts[:depth]))
            self._folders = frozenset(found)
        return self._folders


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
            hint=hint if hint is not None else self.fix,
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
    from kbctl.rules import content, flags, front_matter, ownership, staleness  # noqa: F401
