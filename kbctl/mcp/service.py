"""What the MCP tools answer: the knowledge base seen through one audience ceiling.

:class:`KbService` answers every tool and resource of ``kbctl mcp`` from the same code the
CLI uses: the workspace (config, base, ownership, history, the search index), the review
policy (review state, trust, the stale list, the review queue), the check rules and the
byte-preserving editor. It imports no MCP code.

Two promises hold for every answer:

- **The audience ceiling.** Articles above the ceiling are filtered out before anything
  is built from them: search filters on the index's audience field and re-checks each hit
  against its file, look-ups resolve ids and paths among visible articles only (so a
  "did you mean" never names a hidden one), related lists and counts come from visible
  articles, check messages have hidden articles' paths and ids masked, and a search under a
  ceiling returns no spelling suggestion or query interpretation (the spelling vocabulary
  is the whole base's).
- **Fresh answers.** Each call reads the base as it is now: search runs the index's
  freshness check (one ``stat`` per article, only changed files re-indexed), the other
  tools load the base through the parse cache, and ``kbctl.toml`` is read again when it
  changes. Calls run one at a time.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from kbctl.errors import KbError, NotFoundError, UsageError
from kbctl.i18n import _
from kbctl.mcp import usage
from kbctl.mcp.shapes import (
    ArticleInfo,
    ArticleList,
    ArticleText,
    CheckAnswer,
    DraftAnswer,
    Filters,
    FindingOut,
    FlagAnswer,
    RelatedArticles,
    SearchAnswer,
    SearchHit,
)
from kbctl.model import (
    Article,
    ArticleHistory,
    Change,
    Hit,
    visible_audiences,
    within_ceiling,
)
from kbctl.policy.trust import Trust, assess_trust, warning_names

if TYPE_CHECKING:
    from kbctl.config import Config
    from kbctl.ownership import Ownership, Roster
    from kbctl.policy.review import ReviewStatus
    from kbctl.selection import ArticleFilter
    from kbctl.workspace import Workspace

T = TypeVar("T")

MAX_LIMIT = 100
RELATED_SIMILAR = 5
URI_SCHEME = "kb://"


class KbService:
    """The knowledge base as the MCP tools see it (see the module's docstring).

    ``kb`` is the ``--kb`` folder (None: ``$KBCTL_KB``, else kbctl.toml found by walking up);
    ``audience`` the ceiling (``internal``: everything); ``allow_write`` enables
    :meth:`flag_article`; ``by`` who flags (default: git's user, else "kbctl mcp");
    ``today`` pins the date (tests); ``refresh=False`` skips the index's freshness check.
    """

    def __init__(
        self,
        kb: str | None = None,
        *,
        audience: str = "internal",
        allow_write: bool = False,
        by: str | None = None,
        today: date | None = None,
        refresh: bool = True,
    ) -> None:
        from kbctl.selection import parse_audience

        self._kb = kb
        self.audience = parse_audience(audience)
        self.allowed = visible_audiences(self.audience)
        self.allow_write = allow_write
        self._by = by
        self._today = today
        self._refresh = refresh
        self._lock = threading.Lock()
        self._config: Config | None = None
        self._config_stamp: tuple[int, int] | None = None
        self._ws: Workspace | None = None
        self._marker: object = None
        self._by_path: tuple[Workspace, dict[str, Article]] | None = None

    # ------------------------------------------------------------------ plumbing

    def warm(self) -> None:
        """Bring the index up to date and load the base now, so the first call is fast
        (``kbctl mcp`` runs it in the background while the client connects)."""

        def load() -> None:
            ws = self.workspace()
            self.loaded(ws, "")  # the base, and the look-up by path
            _ = ws.ownership

        with contextlib.suppress(KbError):
            self._run(load)

    def _run(self, work: Callable[[], T]) -> T:
        """Run one call, alone: the index and the parse cache are not shared across threads."""
        with self._lock:
            return work()

    @property
    def today(self) -> date:
        """The day the review verdicts are computed for."""
        return self._today or date.today()

    def config(self) -> Config:
        """The configuration, read again when kbctl.toml changed since the last call."""
        if self._config is not None:
            stamp = _stamp(self._config.config_path)
            if stamp == self._config_stamp:
                return self._config
        from kbctl.config import load_config

        self._config = load_config(kb=self._kb)
        self._config_stamp = _stamp(self._config.config_path)
        return self._config

    def workspace(self, *, check: bool = True) -> Workspace:
        """The workspace of this call: the base as it is on disk now.

        The loaded base is kept between calls while the search index says no article changed:
        the index's freshness check (one ``stat`` per article, changed files re-indexed)
        runs first, and a new manifest (something was added, changed or removed; or
        another process updated the index) means the base is loaded again. With
        ``refresh=False``, or ``check=False`` (the caller has just run the check), only the
        manifest is looked at.
        """
        from kbctl.search.index import MANIFEST_FILE, current_folder, open_index

        config = self.config()
        if self._refresh and check:
            index = open_index(config)
            index.ix.close()
        folder = current_folder(config)
        marker = (config, _stamp(folder / MANIFEST_FILE) if folder else None)
        if self._ws is None or marker != self._marker:
            self._ws, self._marker, self._by_path = self.fresh_workspace(), marker, None
        return self._ws

    def fresh_workspace(self) -> Workspace:
        """A new workspace (the base read again through the parse cache), for the tools that
        also look at files the index does not hold (images and other link targets)."""
        from kbctl.workspace import Workspace

        return Workspace(config=self.config())

    def loaded(self, ws: Workspace, path: str) -> Article | None:
        """The article at base-relative ``path`` in ``ws`` (None when it is not loaded)."""
        if self._by_path is None or self._by_path[0] is not ws:
            self._by_path = (ws, {article.path: article for article in ws.articles})
        return self._by_path[1].get(path)

    def visible(self, articles: Iterable[Article]) -> list[Article]:
        """The articles at or below the ceiling."""
        return [article for article in articles if within_ceiling(article.audience, self.allowed)]

    def _selection(self, filters: Filters | None) -> tuple[ArticleFilter | None, bool]:
        """The article filter of ``filters`` with the ceiling folded into its audiences, and
        whether archived articles are wanted; None when the ceiling leaves nothing."""
        from kbctl.selection import ArticleFilter

        given = filters or Filters()
        selection = ArticleFilter.build(
            tags=given.tags,
            owners=given.owners,
            statuses=given.statuses,
            audiences=given.audiences,
            products=given.products,
            where=given.where,
        )
        if self.allowed is not None:
            wanted = set(selection.audiences) or set(self.allowed)
            audiences = tuple(sorted(wanted & self.allowed))
            if not audiences:
                return None, given.include_archived
            selection = replace(selection, audiences=audiences)
        archived = given.include_archived or "archived" in selection.statuses
        return selection, archived

    def resolve(self, ws: Workspace, key: str) -> Article:
        """The visible article named by id or path; NotFoundError naming only visible ones."""
        from kbctl.model import LoadResult
        from kbctl.selection import not_found, resolve_article

        key = key.strip()
        if key.startswith(URI_SCHEME):
            key = key[len(URI_SCHEME) :]
        shown = LoadResult(ws.base.root, self.visible(ws.articles))
        found = resolve_article(shown, key, ws.config)
        if found is None:
            raise not_found(shown, [key])
        return found

    # ------------------------------------------------------------------ trust

    def _info(
        self,
        article: Article,
        owned: Ownership,
        roster: Roster | None,
        history: ArticleHistory | None,
        **extra: Any,
    ) -> ArticleInfo:
        from kbctl.render.vocabulary import article_record

        review, trust = self._trust(article, owned, roster, history)
        record = article_record(article, owned)
        return ArticleInfo.model_validate(
            {
                **record,
                **_trust_fields(review, trust, history),
                "citation": f"{record['path']}:{article.body_line}",
                "uri": URI_SCHEME + article.id,
                **extra,
            }
        )

    def _trust(
        self,
        article: Article,
        owned: Ownership,
        roster: Roster | None,
        history: ArticleHistory | None,
    ) -> tuple[ReviewStatus, Trust]:
        from kbctl.policy.review import review_status
        from kbctl.policy.verdicts import trusted_last_change

        review = review_status(article, trusted_last_change(history), self.config(), self.today)
        return review, assess_trust(article, review, owned, roster, history)

    def _cached_history(self, articles: Sequence[Article]) -> dict[str, ArticleHistory]:
        """Git facts of ``articles`` from the history cache, without running git (the same
        source as `kbctl search`'s ages); empty when the cache is not current."""
        from kbctl.history import cached_last_changes

        changes = cached_last_changes(self.config(), [a.path for a in articles]) or {}
        return {path: _facts(path, change) for path, change in changes.items()}

    def _infos(
        self, ws: Workspace, articles: Sequence[Article], history: Mapping[str, ArticleHistory]
    ) -> list[ArticleInfo]:
        facts = ws.ownership
        return [
            self._info(article, facts.of(article), facts.roster, history.get(article.path))
            for article in articles
        ]

    # ------------------------------------------------------------------ tools

    def search(self, query: str, filters: Filters | None = None, limit: int = 10) -> SearchAnswer:
        """Search the base (as `kbctl search`): hits with citations and trust."""
        return self._run(lambda: self._search(query, filters, _limit(limit)))

    def _search(self, query: str, filters: Filters | None, limit: int) -> SearchAnswer:
        from kbctl.search.query import SearchFilter, search

        selection, archived = self._selection(filters)
        if selection is None:
            return SearchAnswer(query=query, hits=[], total=0)
        result = search(
            self.config(),
            query,
            SearchFilter(selection, include_archived=archived),
            limit=limit,
            refresh=self._refresh,  # the freshness check, once
        )
        ws = self.workspace(check=False)  # the base loaded again if the check changed it
        roster = ws.roster
        hits = []
        for hit in result.hits:
            made = self._hit(hit, ws, roster)
            if made is not None:
                hits.append(made)
        hidden = len(result.hits) - len(hits)
        ceiling = self.allowed is not None
        usage.record_search(self.config(), query, result.total - hidden, [hit.id for hit in hits])
        return SearchAnswer(
            query=query,
            hits=hits,
            total=result.total - hidden,
            notices=[] if ceiling else list(result.notices),
            suggestion=None if ceiling else result.suggestion,
        )

    def _hit(self, hit: Hit, ws: Workspace, roster: Roster | None) -> SearchHit | None:
        """A search hit with its trust verdict, from the loaded article; None when it is not
        loaded or is above the ceiling (the index's audience filter is only the first)."""
        from kbctl.ownership import Ownership
        from kbctl.render.paths import PathView
        from kbctl.render.vocabulary import hit_record

        config = ws.config
        article = self.loaded(ws, hit.path)
        if article is None or not within_ceiling(article.audience, self.allowed):
            return None
        source = "front-matter" if article.owners else "codeowners" if hit.owners else "none"
        owned = Ownership(hit.owners, source)
        change = (
            Change("", hit.last_changed, hit.last_changed_by or "", "", "")
            if hit.last_changed is not None
            else None
        )
        history = _facts(hit.path, change) if change is not None else None
        review, trust = self._trust(article, owned, roster, history)
        record = hit_record(hit, PathView(config.root))
        return SearchHit.model_validate(
            {
                **record,
                "flags": [_flag(flag) for flag in article.flags],
                **_trust_fields(review, trust, history),
                "citation": f"{record['path']}:{hit.line}",
                "uri": URI_SCHEME + hit.id,
            }
        )

    def get_article(self, id_or_path: str, section: str | None = None) -> ArticleText:
        """One article (or one section of it, by heading) as Markdown with its metadata."""
        return self._run(lambda: self._get_article(id_or_path, section))

    def _get_article(self, key: str, section: str | None) -> ArticleText:
        from kbctl.rules.content import find_section
        from kbctl.rules.markdown import headings

        ws = self.workspace()
        article = self.resolve(ws, key)
        info = self._infos(ws, [article], self._cached_history([article]))[0]
        body_lines = article.body.splitlines()
        heading_names = [heading.text for heading in headings(article.body)]
        usage.record_open(self.config(), article.id)
        if not section or not section.strip():
            return ArticleText(
                article=info,
                section=None,
                citation=info.citation,
                markdown=article.body,
                sections=heading_names,
            )
        found = find_section(article.body, section)
        if found is None:
            raise NotFoundError(
                _("{id} has no section {section}").format(id=article.id, section=repr(section)),
                hint=_("its sections: {names}").format(names=", ".join(heading_names) or _("none")),
            )
        start, end, heading = found
        return ArticleText(
            article=info,
            section=heading,
            citation=f"{info.path}:{article.body_line + start - 1}",
            markdown="\n".join(body_lines[start - 1 : end]).rstrip() + "\n",
            sections=heading_names,
        )

    def list_articles(self, filters: Filters | None = None, limit: int = 50) -> ArticleList:
        """The articles that pass ``filters`` (archived ones only when asked for), by path."""
        return self._run(lambda: self._list(filters, _limit(limit)))

    def _list(self, filters: Filters | None, limit: int) -> ArticleList:
        ws = self.workspace()
        chosen = self._selected(ws, filters)
        shown = chosen[:limit]
        return ArticleList(
            articles=self._infos(ws, shown, self._cached_history(shown)), total=len(chosen)
        )

    def _selected(self, ws: Workspace, filters: Filters | None) -> list[Article]:
        selection, archived = self._selection(filters)
        if selection is None:
            return []
        chosen = selection.select(self.visible(ws.articles), ws.ownership)
        return [article for article in chosen if archived or not article.is_archived]

    def stale(
        self, owner: str | None = None, days: int | None = None, limit: int = 50
    ) -> ArticleList:
        """Articles overdue or never reviewed (with ``days``: also due within that many days),
        oldest first, as `kbctl stale`."""
        return self._run(lambda: self._stale(owner, days, _limit(limit)))

    def _stale(self, owner: str | None, days: int | None, limit: int) -> ArticleList:
        from kbctl.history import read_history
        from kbctl.policy.stale import stale_items

        if days is not None and days < 0:
            raise UsageError(_("days must be 0 or more"), hint=_("e.g. days=30"))
        ws = self.workspace()
        articles = self._selected(ws, Filters(owners=[owner] if owner else []))
        facts = ws.ownership
        owners = {path: found.owners for path, found in facts.by_path.items()}
        report = read_history(ws.config, articles)
        items = stale_items(articles, report.facts, ws.config, self.today, days=days, owners=owners)
        infos = [
            self._info(
                item.article,
                facts.of(item.article),
                facts.roster,
                item.history,
                reasons=[item.reason],
            )
            for item in items[:limit]
        ]
        return ArticleList(articles=infos, total=len(items))

    def review_queue(self, owner: str | None = None, limit: int = 50) -> ArticleList:
        """The review queue, most harmful first, as `kbctl review`."""
        return self._run(lambda: self._queue(owner, _limit(limit)))

    def _queue(self, owner: str | None, limit: int) -> ArticleList:
        from kbctl.history import read_history
        from kbctl.policy.queue import review_queue

        ws = self.workspace()
        articles = self._selected(ws, Filters(owners=[owner] if owner else []))
        facts = ws.ownership
        history = read_history(ws.config, articles).facts
        items = review_queue(
            articles, facts.by_path, facts.roster, ws.config, self.today, history=history
        )
        infos = [
            self._info(
                item.article,
                item.ownership,
                facts.roster,
                history.get(item.article.path),
                reasons=[str(reason) for reason in item.reasons] + list(item.detail),
            )
            for item in items[:limit]
        ]
        return ArticleList(articles=infos, total=len(items))

    def related(self, id_or_path: str) -> RelatedArticles:
        """Articles the article links to, those that link to it, and similar ones."""
        return self._run(lambda: self._related(id_or_path))

    def _related(self, key: str) -> RelatedArticles:
        from kbctl.rules.content import linked_articles

        ws = self.workspace()
        article = self.resolve(ws, key)
        visible = self.visible(ws.articles)
        by_path = {other.path: other for other in visible}
        context = ws.check_context(self.today, with_history=False)
        links_to = [
            by_path[path]
            for path, _line in linked_articles(article, context)
            if path in by_path and not by_path[path].is_archived
        ]
        # With plain links (no site URLs) a link to the article names its file: only bodies
        # that hold the file's stem need parsing.
        from urllib.parse import quote

        stem = PurePosixPath(article.path).stem
        stems = {stem, quote(stem)}  # a link may percent-encode a non-ASCII file name
        plain = ws.config.settings.links.style == "plain"
        linked_from = [
            other
            for other in visible
            if other.path != article.path
            and not other.is_archived
            and (not plain or any(name in other.body for name in stems))
            and any(path == article.path for path, _line in linked_articles(other, context))
        ]
        seen = {article.path, *(a.path for a in links_to), *(a.path for a in linked_from)}
        similar = [by_path[path] for path in self._similar(ws, article) if path not in seen][
            :RELATED_SIMILAR
        ]
        everyone = [article, *links_to, *linked_from, *similar]
        history = self._cached_history(everyone)
        infos = self._infos(ws, everyone, history)
        first, second = 1 + len(links_to), 1 + len(links_to) + len(linked_from)
        return RelatedArticles(
            article=infos[0],
            links_to=infos[1:first],
            linked_from=infos[first:second],
            similar=infos[second:],
        )

    def _similar(self, ws: Workspace, article: Article) -> list[str]:
        """Paths of visible articles the search index finds for the article's title, tags and
        aliases (the article itself left out)."""
        from kbctl.search.query import SearchFilter

        selection, _archived = self._selection(None)
        if selection is None:
            return []
        words = " ".join([article.title, *article.tags, *article.aliases])
        try:
            result = ws.search(
                words, SearchFilter(selection), limit=RELATED_SIMILAR * 2 + 1, refresh=False
            )
        except UsageError:
            return []
        return [hit.path for hit in result.hits if hit.path != article.path]

    def check_article(self, id_or_path: str) -> CheckAnswer:
        """The check rules' findings for one article (as `kbctl check PATH`)."""
        return self._run(lambda: self._check(id_or_path))

    def _check(self, key: str) -> CheckAnswer:
        from kbctl.render.paths import PathView
        from kbctl.rules.engine import run_check
        from kbctl.workspace import Scope

        self.workspace()  # the index's freshness check, as for every call
        ws = self.fresh_workspace()
        article = self.resolve(ws, key)
        context = ws.check_context(self.today, Scope(frozenset({article.path})))
        result = run_check(context, ws.check_settings)
        mask = self._masker(ws.articles)
        shown = PathView(ws.config.root)
        findings = [
            FindingOut(
                rule=finding.rule_id,
                name=finding.rule_name,
                severity=str(finding.severity),
                citation=f"{shown(finding.path)}:{finding.line}",
                line=finding.line,
                message=mask(finding.message),
                hint=mask(finding.hint) if finding.hint else None,
            )
            for finding in result.findings
            if finding.path == article.path
        ]
        counts = dict.fromkeys(("error", "warning", "info"), 0)
        for finding in findings:
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
        info = self._infos(ws, [article], self._cached_history([article]))[0]
        return CheckAnswer(article=info, findings=findings, counts=counts)

    def _masker(self, articles: Sequence[Article]) -> Callable[[str], str]:
        """A function that replaces the paths and ids of articles above the ceiling."""
        hidden = [a for a in articles if not within_ceiling(a.audience, self.allowed)]
        if not hidden:
            return lambda text: text
        names = sorted({name for a in hidden for name in (a.path, a.id)}, key=len, reverse=True)
        pattern = re.compile("|".join(rf"(?<![\w/.-]){re.escape(name)}(?![\w-])" for name in names))
        return lambda text: pattern.sub("(an article above this audience)", text)

    def read_resource(self, article_id: str) -> str:
        """The ``kb://ID`` resource: the article as Markdown under a short metadata header."""
        answer = self.get_article(article_id)
        info = answer.article
        header = [
            f"# {info.title}",
            "",
            f"- id: {info.id}",
            f"- cite as: {info.citation}",
            f"- trust: {info.trust}",
        ]
        if info.warnings:
            header.append(f"- warnings: {', '.join(info.warnings)}")
        return "\n".join(header) + "\n\n---\n\n" + answer.markdown

    def resource_list(self) -> list[tuple[str, str, str | None]]:
        """(id, title, description) of every visible article that is not archived."""
        return self._run(self._resource_list)

    def _resource_list(self) -> list[tuple[str, str, str | None]]:
        ws = self.workspace()
        return [
            (article.id, article.title, article.description)
            for article in self.visible(ws.articles)
            if not article.is_archived
        ]

    # ------------------------------------------------------------------ writes

    def flag_article(self, id_or_path: str, reason: str) -> FlagAnswer:
        """Flag an article as wrong, through the same byte-preserving edit as `kbctl flag`."""
        return self._run(lambda: self._flag(id_or_path, reason))

    def _flag(self, key: str, reason: str) -> FlagAnswer:
        from kbctl.articles import update_front_matter
        from kbctl.policy.marks import flag_updates

        if not self.allow_write:
            raise UsageError(
                _("this server is read-only"), hint=_("start it with kbctl mcp --allow-write")
            )
        if not reason.strip():
            raise UsageError(_("say what is wrong"), hint=_("reason: one sentence"))
        ws = self.workspace()
        article = self.resolve(ws, key)
        config, who, on = ws.config, self._flagger(ws), self.today

        def add_flag(current: Article | None) -> dict[str, object | None]:
            return flag_updates(current or article, config, on=on, by=who, reason=reason.strip())

        update_front_matter(article.abs_path, add_flag, shown=article.path, config=config)
        self._ws = None  # the base changed: read it again
        fresh = self.workspace()
        flagged = self.resolve(fresh, article.path)
        info = self._infos(fresh, [flagged], self._cached_history([flagged]))[0]
        return FlagAnswer(article=info, flagged_by=who)

    def create_draft(self, title: str, body: str = "", template: str = "kcs") -> DraftAnswer:
        """A new Work in Progress article from a template, through `kbctl new`'s core
        (next free id, safe file name, never over an existing file)."""
        return self._run(lambda: self._create(title, body, template))

    def _create(self, title: str, body: str, template: str) -> DraftAnswer:
        from kbctl.articles import relative_path
        from kbctl.capture import create_article

        if not self.allow_write:
            raise UsageError(
                _("this server is read-only"), hint=_("start it with kbctl mcp --allow-write")
            )
        ws = self.workspace()
        # Under a ceiling the draft is for that audience, so the server that made it sees it.
        fields = {"audience": self.audience} if self.allowed is not None else None
        path = create_article(
            ws.config,
            title=title,
            template=template or "kcs",
            owner=self._by,
            body=body if body.strip() else None,
            today=self.today,
            fields=fields,
            articles=ws.articles,
            roster=ws.roster,
        )
        self._ws = None  # the base changed: read it again
        fresh = self.workspace()
        made = self.resolve(fresh, relative_path(path, fresh.config.root))
        info = self._infos(fresh, [made], {})[0]
        return DraftAnswer(article=info, markdown=made.body)

    def _flagger(self, ws: Workspace) -> str:
        """Who flags: ``by``, else git's user (as a roster handle when known), else kbctl mcp."""
        if self._by:
            return self._by
        from kbctl.history import git_identity

        identity = git_identity(ws.config.root)
        if not identity:
            return "kbctl mcp"
        roster = ws.roster
        entry = roster.get(identity) if roster is not None else None
        return entry.handle if entry is not None and not entry.is_team else identity


def _stamp(path: Path | None) -> tuple[int, int] | None:
    if path is None:
        return None
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _limit(limit: int) -> int:
    if limit < 1:
        raise UsageError(
            _("limit must be 1 or more"), hint=_("1 to {limit}").format(limit=MAX_LIMIT)
        )
    return min(limit, MAX_LIMIT)


def _facts(path: str, change: Change) -> ArticleHistory:
    """Git facts known from the history cache's sidecar: the last change only."""
    return ArticleHistory(path, last_change=change, commit_count=1)


def _flag(flag: Any) -> dict[str, Any]:
    return {"by": flag.by, "date": flag.date, "reason": flag.reason}


def _trust_fields(
    review: ReviewStatus, trust: Trust, history: ArticleHistory | None
) -> dict[str, Any]:
    last = history.last_change if history is not None else None
    return {
        "review_state": str(review.state),
        "due": review.due_date,
        "trust_level": str(trust.level),
        "warnings": warning_names(trust.warnings),
        "trust": trust.summary,
        "last_changed": last.authored if last else None,
        "last_changed_by": last.author if last else None,
    }


def error_text(error: KbError) -> str:
    """A KbError as one line for the assistant: the message, then the hint."""
    if error.hint:
        return _("{message} (hint: {hint})").format(message=error.message, hint=error.hint)
    return error.message
