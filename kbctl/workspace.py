"""The application layer: what one command run needs, each fact built once, on first use.

A :class:`Workspace` is made per command run. Commands ask it for the configuration, the one
scan of the base, the loaded base, ownership, the roster, git history, the check context
and the search index instead of loading them their own way; whatever is asked for twice is
built once. It never prints: problems found while building a fact (``path:line``
diagnostics, one-line notices) go to the callbacks the caller gives, each once.

Heavy modules (YAML, git, Whoosh) are imported only when the fact that needs them is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kbctl.errors import UsageError
from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.articles import Tree
    from kbctl.config import Config
    from kbctl.history import ArticleLog, HistoryPrefetch, HistoryReport
    from kbctl.model import Article, Diagnostic, LoadResult
    from kbctl.ownership import OwnershipFacts, Roster
    from kbctl.rules.engine import CheckSettings
    from kbctl.rules.registry import CheckContext
    from kbctl.search.index import Progress, SearchIndex
    from kbctl.search.query import SearchFilter, SearchResult

ProblemSink = Callable[[Iterable["Diagnostic"]], None]
NoticeSink = Callable[[str], None]
# A long history pass reports (commits read so far, done); the CLI shows it on a terminal.
ProgressSink = Callable[[int, bool], None]


def _ignore_problems(_diagnostics: Iterable[Diagnostic]) -> None:
    return None


def _ignore_notice(_message: str) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Scope:
    """The articles a run reports on: base-relative paths (None: the whole base), and the
    given paths that lie outside the base (ignored)."""

    paths: frozenset[str] | None = None
    outside: tuple[Path, ...] = ()

    def __contains__(self, path: object) -> bool:
        return self.paths is None or path in self.paths


@dataclass(slots=True)
class BuildCounts:
    """How many times each fact was built in this workspace (one each is the promise)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str) -> None:
        """Count one build of ``name``."""
        self.counts[name] = self.counts.get(name, 0) + 1


class Workspace:
    """Everything a command run may need from the base, built lazily and once.

    ``kb`` is the ``--kb`` folder (None: ``$KBCTL_KB``, else kbctl.toml found by walking up);
    ``config`` a configuration already loaded. ``on_problems`` receives the diagnostics of
    each fact as it is built (loading, CODEOWNERS, roster); ``on_notice`` the history's
    notices, each message once. With ``load_problems=False`` the loader's diagnostics are
    kept in :attr:`base` but not passed on (``kbctl check`` reports them as findings).
    """

    def __init__(
        self,
        kb: str | None = None,
        *,
        config: Config | None = None,
        on_problems: ProblemSink = _ignore_problems,
        on_notice: NoticeSink = _ignore_notice,
        load_problems: bool = True,
        on_progress: ProgressSink | None = None,
    ) -> None:
        self._kb = kb
        self._on_progress = on_progress
        self.last_history: HistoryReport | None = None
        self._on_problems = on_problems
        self._on_notice = on_notice
        self._load_problems = load_problems
        self._prefetch: HistoryPrefetch | None = None
        self._histories: dict[tuple[tuple[str, ...] | None, bool], HistoryReport] = {}
        self._shown_notices: set[str] = set()
        self.built = BuildCounts()
        if config is not None:
            self.__dict__["config"] = config

    # ------------------------------------------------------------------ configuration, base

    @cached_property
    def config(self) -> Config:
        """The configuration (``--kb`` > ``$KBCTL_KB`` > kbctl.toml), validated."""
        from kbctl.config import load_config
        from kbctl.settings.core import WORKING_DIRECTORY

        self.built.add("config")
        config = load_config(kb=self._kb)
        if config.origins.get("content") == WORKING_DIRECTORY:
            self._on_notice(
                _(
                    "no kbctl.toml here or above: using the current folder {root} as the"
                    " base (run `kbctl init` to make that permanent, or pass --kb DIR)"
                ).format(root=config.root)
            )
        return config

    @cached_property
    def tree(self) -> Tree:
        """The one scan of the base, shared by loading, scopes and the link rules."""
        from kbctl.articles import Tree

        self.built.add("tree")
        return Tree(self.config)

    @cached_property
    def base(self) -> LoadResult:
        """Every article of the base, parsed through the parse cache, with load diagnostics."""
        from kbctl.articles import load_base

        config, tree = self.config, self.tree
        self.built.add("base")
        base = load_base(config, tree=tree)
        if self._load_problems:
            self._on_problems(base.diagnostics)
        return base

    @property
    def articles(self) -> list[Article]:
        """The loaded articles, sorted by path."""
        return self.base.articles

    def article(self, key: str) -> Article:
        """The article with id or path ``key`` (base-relative or from here); NotFoundError."""
        from kbctl.selection import not_found, resolve_article

        found = resolve_article(self.base, key, self.config)
        if found is None:
            raise not_found(self.base, [key])
        return found

    def articles_to_edit(self, keys: Sequence[str]) -> list[Article]:
        """The articles named by ``keys``, each once (see :func:`kbctl.selection.articles_to_edit`)."""
        from kbctl.selection import articles_to_edit

        return articles_to_edit(self.base, keys, self.config)

    # ------------------------------------------------------------------ ownership

    @cached_property
    def _roster_read(self) -> tuple[Roster | None, tuple[Diagnostic, ...]]:
        from kbctl.ownership import load_roster

        self.built.add("roster")
        roster, problems = load_roster(self.config)
        return roster, tuple(problems)

    @cached_property
    def roster(self) -> Roster | None:
        """The roster of people and teams (None without one); its problems reported once."""
        if "ownership" in self.__dict__:
            return self.ownership.roster
        roster, problems = self._roster_read
        self._on_problems(problems)
        return roster

    @cached_property
    def ownership(self) -> OwnershipFacts:
        """Owners of every article (front matter, else CODEOWNERS) and the roster.

        The same facts :func:`kbctl.ownership.load_ownership_facts` gives; the roster is
        read once even when :attr:`roster` was asked for first.
        """
        from kbctl.ownership import OwnershipFacts, ownership_report

        articles = self.articles
        self.built.add("ownership")
        report = ownership_report(self.config, articles)
        roster_known = "roster" in self.__dict__
        roster, roster_problems = self._roster_read
        self._on_problems([*report.diagnostics, *(() if roster_known else roster_problems)])
        return OwnershipFacts(report.ownership, roster, (*report.diagnostics, *roster_problems))

    # ------------------------------------------------------------------ history

    def prefetch_history(self) -> None:
        """Start reading git now, so that git works while the articles load.

        Call it before the first use of :attr:`base` in a command that will ask for
        :meth:`history` of many articles.
        """
        from kbctl.history import start_history

        if self._prefetch is None and not self._histories:
            self._prefetch = start_history(self.config)

    def history(
        self, articles: Sequence[Article] | None = None, *, last_change_only: bool = False
    ) -> HistoryReport:
        """Git facts for ``articles`` (default: every article), read once per selection.

        ``last_change_only`` stops reading once each article has its last change (for a
        few articles). The report's notices (shallow clone, no git ...) go to ``on_notice``
        once per workspace, however many times history is asked for.
        """
        from kbctl.history import read_history

        chosen = self.articles if articles is None else articles
        key = (None if articles is None else tuple(a.path for a in chosen), last_change_only)
        report = self._histories.get(key)
        if report is None:
            prefetch, self._prefetch = self._prefetch, None
            self.built.add("history")
            report = read_history(
                self.config,
                chosen,
                last_change_only=last_change_only,
                prefetch=prefetch,
                progress=self._on_progress,
            )
            self._histories[key] = report
        self.last_history = report
        for message in report.notices:
            if message not in self._shown_notices:
                self._shown_notices.add(message)
                self._on_notice(message)
        return report

    def article_log(self, article: Article) -> ArticleLog:
        """Every commit of one article, newest first, noise commits marked."""
        from kbctl.history import article_log

        return article_log(self.config, article)

    def refresh_history_cache(self) -> None:
        """Bring the history cache up to date for every tracked article, quietly (search
        hits take their ages from it; no article needs to be loaded for that)."""
        from kbctl.history import read_history

        self.built.add("history")
        read_history(self.config, [])

    # ------------------------------------------------------------------ check

    @cached_property
    def check_settings(self) -> CheckSettings:
        """The ``[check]`` settings, validated against the registered rules."""
        from kbctl.rules.engine import check_settings

        return check_settings(self.config.section("check"))

    def scope(self, paths: Sequence[Path] = (), changed_since: str | None = None) -> Scope:
        """The articles to report on: those in ``paths`` (files or folders) and, with
        ``changed_since``, changed since that revision (committed or not).

        With both, their intersection; with neither, the whole base. Raises UsageError for a
        path that does not exist. Folders are looked up in the run's one scan.
        """
        from kbctl.articles import relative_path

        changed = None
        if changed_since is not None:
            from kbctl.history import changed_paths

            changed = changed_paths(self.config, changed_since)
        chosen: set[str] | None = None
        outside: list[Path] = []
        root = self.config.root.resolve()
        for path in paths:
            resolved = path.expanduser().resolve()
            if not resolved.exists():
                raise UsageError(_("no such file or folder: {path}").format(path=path))
            chosen = set() if chosen is None else chosen
            if not resolved.is_relative_to(root):
                outside.append(path)
            elif resolved.is_dir():
                chosen.update(self.tree.articles_under(relative_path(resolved, root)))
            else:
                chosen.add(relative_path(resolved, root))
        if changed is not None:
            chosen = set(changed) if chosen is None else chosen & set(changed)
        return Scope(None if chosen is None else frozenset(chosen), tuple(outside))

    def check_context(
        self, today: date, scope: Scope | None = None, *, with_history: bool = True
    ) -> CheckContext:
        """The frozen context the rules run on: the whole base, its diagnostics and files,
        ownership and roster, history (of the articles in scope; none without
        ``with_history``), the settings and ``today``."""
        from kbctl.articles import site_files
        from kbctl.rules.registry import CheckContext

        scope = scope or Scope()
        in_scope = [article for article in self.articles if article.path in scope]
        history = None
        if with_history:
            partial = scope.paths is not None
            report = self.history(in_scope if partial else None, last_change_only=partial)
            history = report.facts if report.available else None
        ownership = self.ownership
        return CheckContext(
            articles=self.articles,
            config=self.config,
            today=today,
            diagnostics=self.base.diagnostics,
            history=history,
            ownership=ownership.by_path,
            roster=ownership.roster,
            base_files=self.tree.files,
            site_files=site_files(self.config),
            scope=scope.paths,
        )

    # ------------------------------------------------------------------ search

    def search_index(
        self, *, rebuild: bool = False, progress: Progress | None = None
    ) -> SearchIndex:
        """The search index, brought up to date (or rebuilt)."""
        from kbctl.search.index import open_index

        self.built.add("index")
        return open_index(self.config, rebuild=rebuild, progress=progress)

    def search(
        self,
        query: str,
        filters: SearchFilter | None = None,
        *,
        limit: int = 10,
        progress: Progress | None = None,
        refresh: bool = True,
        explain: bool = False,
    ) -> SearchResult:
        """Search the base (see :func:`kbctl.search.query.search`): the index is brought up
        to date first unless ``refresh`` is False; ``explain`` says why each hit ranks."""
        from kbctl.search.query import search

        return search(
            self.config,
            query,
            filters,
            limit=limit,
            progress=progress,
            refresh=refresh,
            explain=explain,
        )
