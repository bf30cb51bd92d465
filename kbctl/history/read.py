"""Reading the history: prefetch, the full and the incremental pass, one article's log.

One streaming pass of ``git log -z --name-status -M -c --topo-order`` walks the history
newest to oldest (see :mod:`kbctl.history.walk`). The facts are cached keyed by HEAD; when
HEAD moves forward only ``OLD..HEAD`` is read and folded in. Shallow clones, blobless clones,
missing objects and folders outside git all degrade to an answer plus a one-line notice,
never an exception. Author dates are kept with their offset.
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kbctl.config import Config
from kbctl.history.cache import (
    CACHE_FORMAT,
    commit_change,
    facts_from_state,
    read_cache,
    settings_signature,
    write_cache,
)
from kbctl.history.damage import (
    BLOBLESS_NOTICE,
    FIRST_UNKNOWN,
    OBJECT_MISSING,
    Progress,
    TrackingWalker,
    check_births,
    describe,
    is_damage,
    missing_ids,
    objects_present,
)
from kbctl.history.git import (
    GitLog,
    GitRepo,
    decode_path,
    is_ancestor,
    is_missing_object,
    open_git,
    tracked_articles,
)
from kbctl.history.log import Commit
from kbctl.history.report import (
    SHALLOW_FIX,
    ArticleLog,
    HistoryReport,
    SkippedCommit,
    uncommitted,
)
from kbctl.history.settings import (
    HistorySettings,
    bulk_threshold,
    history_settings,
    ignore_rev_files,
    read_ignore_revs,
)
from kbctl.history.walk import Walker, WalkResult, apply_meta_only, meta_only_keys, run_walk
from kbctl.i18n import _, ngettext
from kbctl.model import Article

CANDIDATES = 12  # changes kept per article while its last content change is undecided


@dataclass
class HistoryPrefetch:
    """History reading already under way (see :func:`start_history`). Opaque."""

    handle: GitRepo | None
    why_not: str | None
    settings: HistorySettings
    use_cache: bool
    tracked: dict[bytes, str] = field(default_factory=dict)
    threshold: int = 0
    signature: str = ""
    renames: str = "auto"
    cached: dict[str, Any] | None = None
    mode: str = "none"  # none | empty | cached | incremental | full
    log: GitLog | None = None
    config_root: Path | None = None


def start_history(config: Config, *, use_cache: bool = True) -> HistoryPrefetch:
    """Open the repository, check the cache, and start ``git log`` if one is needed, so that
    git works while the caller loads its articles; pass the result to :func:`read_history`.

    Takes over the read :func:`start_history_early` started, when it was for this same
    configuration.
    """
    global _early
    early, _early = _early, None
    if early is not None:
        plan, early_config = early
        if use_cache and early_config == config and plan.handle is not None:
            _complete_plan(plan, config, start_git=True)
            return plan
        _drop(plan)
    return _make_plan(config, use_cache, start_git=True)


_early: tuple[HistoryPrefetch, Config] | None = None


def start_history_early(kb: str | None) -> None:
    """Start ``git log`` before the command line is parsed, for a command that always reads
    the whole history (``kbctl stale``): building the CLI takes as long as git's first
    hundred milliseconds. Only what git needs is done here (HEAD's tree is listed when the
    command takes the read over, see :func:`start_history`); when the command asks for
    another configuration, or never asks, git is stopped. Problems (a malformed kbctl.toml,
    no base) are left to the command, which reports them as usual.
    """
    import atexit

    from kbctl.config import load_config

    global _early
    try:
        config = load_config(kb=kb)
        plan = _start_plan(config, True, start_git=True)
    except Exception:  # whatever failed, the command meets it again and reports it
        return
    _early = (plan, config)
    atexit.register(_drop_early)


def _drop_early() -> None:
    global _early
    early, _early = _early, None
    if early is not None:
        _drop(early[0])


def _drop(plan: HistoryPrefetch) -> None:
    if plan.log is not None:
        plan.log.finish(kill=True)
        plan.log = None


def _make_plan(config: Config, use_cache: bool, *, start_git: bool) -> HistoryPrefetch:
    plan = _start_plan(config, use_cache, start_git=start_git)
    _complete_plan(plan, config, start_git=start_git)
    return plan


def _start_plan(config: Config, use_cache: bool, *, start_git: bool) -> HistoryPrefetch:
    """Open the repository, read the cache and start git if a log is needed (the cached
    state is kept on the plan until :func:`_complete_plan` has checked its threshold)."""
    settings = history_settings(config)
    handle, why_not = open_git(config)
    plan = HistoryPrefetch(handle, why_not, settings, use_cache, config_root=config.root)
    if handle is None:
        return plan
    if handle.head is None:
        plan.mode = "empty"
        return plan
    plan.signature = settings_signature(config, settings, handle.toplevel, handle.prefix)
    plan.renames = settings.renames
    if plan.renames == "auto" and handle.partial:
        plan.renames = "exact"  # plain -M would fetch blobs one by one from the promisor remote
    cached = read_cache(config) if use_cache and not handle.shallow else None
    if cached is not None and cached.get("signature") != plan.signature:
        cached = None
    if cached is not None and objects_present(handle, cached.get("missing") or ()):
        cached = None  # the repository was repaired: what could not be read now can
    plan.cached = cached
    if cached is not None and cached.get("head") == handle.head:
        plan.mode = "cached"
    elif not start_git:
        plan.mode = "full"  # a last-change-only read: a pass that stops early, no folding
    elif cached is not None and is_ancestor(handle, cached.get("head")):
        plan.mode = "incremental"
        plan.log = GitLog(handle, [f"{cached['head']}..HEAD"], plan.renames)
    else:
        plan.mode = "full"
        plan.log = GitLog(handle, ["HEAD"], plan.renames)
    return plan


def _complete_plan(plan: HistoryPrefetch, config: Config, *, start_git: bool) -> None:
    """List HEAD's articles (while git runs) and drop a cache made with another bulk
    threshold: its verdicts may differ, so the whole history is read again."""
    handle = plan.handle
    if handle is None or handle.head is None:
        return
    plan.tracked = tracked_articles(handle, config)
    plan.threshold = bulk_threshold(plan.settings, len(plan.tracked))
    if plan.cached is not None and plan.cached.get("threshold") != plan.threshold:
        _drop(plan)
        plan.cached, plan.mode = None, "full"
        plan.log = GitLog(handle, ["HEAD"], plan.renames) if start_git else None


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector (restored after, if it was on).

    Folding a big history makes hundreds of thousands of small containers, and with a base
    of loaded articles in memory each full collection walks all of them: at 50k articles
    the collector took three quarters of the pass. Meanwhile reference counting still frees
    everything that is not a cycle; the few cycles (GitPython's) wait for the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_gc_paused()
def read_history(
    config: Config,
    articles: Sequence[Article],
    *,
    last_change_only: bool = False,
    use_cache: bool = True,
    prefetch: HistoryPrefetch | None = None,
    progress: Progress | None = None,
) -> HistoryReport:
    """Git facts for ``articles``: last content change, first commit, counts, authors.

    ``last_change_only`` stops reading once every article has its last change (for checks
    of a few files; first change and counts are then partial). ``prefetch`` is what
    :func:`start_history` started; ``progress`` is called with the commits read so far
    during a full pass (see :mod:`kbctl.history.damage`). Never raises on git trouble:
    problems become notices (also when the facts come from the cache).
    """
    plan = prefetch
    if plan is None or plan.config_root != config.root:
        plan = _make_plan(config, use_cache, start_git=not last_change_only)
    handle, settings = plan.handle, plan.settings
    keys = meta_only_keys(settings.ignore_meta_only_keys, settings.default_meta_only_keys, articles)
    settings = replace(settings, ignore_meta_only_keys=keys)
    if handle is None:
        return HistoryReport({}, [plan.why_not or _("no git history")], [], available=False)
    notices: list[str] = []
    if plan.mode == "empty":
        facts = {a.path: uncommitted(a.path) for a in articles}
        return HistoryReport(facts, [_("the repository has no commits yet")], [], head=None)
    cacheable = plan.use_cache and not handle.shallow
    state: dict[str, Any] | None = None
    if plan.mode == "cached":
        state = plan.cached
        if state is not None:
            notices.extend(state.get("notices", ()))
    elif plan.mode == "incremental" and plan.cached is not None:
        state = _incremental(handle, config, settings, plan.cached, plan.tracked,
                             plan.threshold, plan.renames, plan.log)  # fmt: skip
        plan.log = None
        if state is not None:
            notices.extend(state.get("notices", ()))
            state["signature"] = plan.signature
            write_cache(config, state)
    from_cache = state is not None
    if state is None:
        wanted = {a.path for a in articles} if last_change_only else None
        log = plan.log if plan.mode == "full" else None
        plan.log = None
        state, walk_notices, complete = _full_pass(
            handle, config, settings, plan.tracked, plan.threshold, plan.renames, wanted,
            last_change_only, log, progress,
        )  # fmt: skip
        notices.extend(walk_notices)
        if complete and cacheable and not last_change_only:
            state["signature"] = plan.signature
            write_cache(config, state)
    if handle.shallow:
        notices.insert(
            0,
            _(
                "shallow clone: git dates are unreliable (a change at the clone's boundary has "
                "no date: last_changed is null there); fix: {fix}"
            ).format(fix=_(SHALLOW_FIX)),
        )
    if handle.partial:
        notices.insert(0, _(BLOBLESS_NOTICE))
    boundary = handle.boundary if handle.shallow else None
    facts = facts_from_state(state, [a.path for a in articles], boundary=boundary)
    if last_change_only and not from_cache:
        # The walk stopped at each article's last change, so its first commit is unknown;
        # None makes rules that need it (an old draft's age) stay silent, not under-count.
        for fact in facts.values():
            fact.first_change = None
    skipped = [
        SkippedCommit(
            sha, commit_change(state, sha).authored, commit_change(state, sha).subject, why
        )
        for sha, why in state["skipped"]
    ]
    return HistoryReport(facts, notices, skipped, head=handle.head, from_cache=from_cache)


def _full_pass(
    handle: GitRepo,
    config: Config,
    settings: HistorySettings,
    tracked: dict[bytes, str],
    threshold: int,
    renames: str,
    wanted: set[str] | None,
    last_change_only: bool,
    log: GitLog | None = None,
    progress: Progress | None = None,
) -> tuple[dict[str, Any], list[str], bool]:
    """Read the whole history (with fallbacks); return (state, notices, cacheable).

    ``log`` is a ``git log HEAD`` already started with ``renames`` (the first attempt).
    A pass that met missing objects is still cacheable: its state lists the articles it
    could not date (``notes``) or whose first change it does not know (``partial``), and
    the missing object ids, so that a repaired repository is read again.
    """
    ignore = read_ignore_revs(ignore_rev_files(config, handle.toplevel, settings))
    notices: list[str] = []
    deadline = time.monotonic() + settings.time_budget
    attempts = [renames]
    if renames == "auto":
        attempts.append("exact")
    if renames != "off":
        attempts.append("off")
    result: WalkResult | None = None
    walker: TrackingWalker | None = None
    first_error: str | None = None
    missing: set[str] = set()
    for mode in attempts:
        walker = TrackingWalker(
            config,
            tracked,
            ignore,
            threshold,
            handle.boundary,
            targets=wanted,
            last_change_only=last_change_only,
            keep_candidates=CANDIDATES,
            meta_keys=settings.ignore_meta_only_keys,
            progress=progress,
        )
        result = run_walk(handle, walker, ["HEAD"], mode, deadline, log)
        log = None
        missing.update(missing_ids(handle, result.error))
        if result.complete or result.out_of_time or not is_damage(result.error):
            break
        first_error = first_error or result.error
    assert result is not None and walker is not None
    if progress is not None:
        progress(walker.commits_read, True)
    undated: list[str] = []
    partial: dict[str, str] = {}
    if first_error is not None:
        how = {"exact": _("only exact renames followed"), "off": _("renames not followed")}
        if mode in how:
            notices.append(
                _("missing objects in the repository ({error}); {renames}").format(
                    error=first_error, renames=how[mode]
                )
            )
        else:
            notices.append(
                _("missing objects in the repository ({error})").format(error=first_error)
            )
        if mode != "auto" and result.complete:
            partial = check_births(handle, walker, sorted(result.deleted_in_add_commits))
    if not result.complete:
        targets = walker.targets
        undated = sorted(
            name
            for name in targets
            if walker.facts[name].last is None and not walker.facts[name].born
        )
        if result.out_of_time:
            notices.append(
                ngettext(
                    "history reading stopped after the {budget}s time budget "
                    "(history.time_budget); {count} article(s) not dated: {names}",
                    "history reading stopped after the {budget}s time budget "
                    "(history.time_budget); {count} article(s) not dated: {names}",
                    len(undated),
                ).format(
                    budget=f"{settings.time_budget:g}", count=len(undated), names=describe(undated)
                )
            )
        else:
            if first_error is None:
                notices.append(_("git log failed: {error}").format(error=result.error))
            # The walk stopped at the damage: those with a last change keep it (the walk
            # goes newest first), but where they began is beyond the damage.
            for name in targets:
                facts = walker.facts[name]
                if facts.last is not None and not facts.born:
                    partial.setdefault(name, _(FIRST_UNKNOWN))
    if undated and not result.out_of_time:
        notices.append(
            ngettext(
                "{count} article(s) could not be dated: object missing: {names}; "
                "fix: `git fsck`, or clone the repository again",
                "{count} article(s) could not be dated: object missing: {names}; "
                "fix: `git fsck`, or clone the repository again",
                len(undated),
            ).format(count=len(undated), names=describe(undated))
        )
    if partial:
        notices.append(
            ngettext(
                "{count} article(s) with a first change unknown (objects missing): {names}",
                "{count} article(s) with a first change unknown (objects missing): {names}",
                len(partial),
            ).format(count=len(partial), names=describe(sorted(partial)))
        )
    if result.complete:
        apply_meta_only(handle, walker, settings.ignore_meta_only_keys)
    state = _state_from_walk(handle.head or "", threshold, walker, result)
    for name in undated:
        state["notes"][name] = (
            _("could not be dated (time budget)") if result.out_of_time else _(OBJECT_MISSING)
        )
    for name, reason in partial.items():
        state["facts"][name][1] = None
        state["partial"][name] = reason
    state["notices"] = list(notices)
    state["missing"] = sorted(missing)
    damaged_but_known = first_error is not None or bool(missing)
    cacheable = not result.out_of_time and (result.complete or damaged_but_known)
    return state, notices, cacheable


def _state_from_walk(
    head: str, threshold: int, walker: Walker, result: WalkResult
) -> dict[str, Any]:
    """The walk as plain, cacheable data."""
    commits: dict[str, list[str]] = {}

    def ref(commit: Commit | None) -> str | None:
        if commit is None:
            return None
        name, email, when, subject = commit.fields()
        commits.setdefault(commit.sha, [when, name, email, subject])
        return commit.sha

    facts = {
        name: [ref(f.last), ref(f.first), f.count, sorted(f.authors), f.born]
        for name, f in walker.facts.items()
    }
    skipped = [[ref(commit), why] for commit, why in walker.skipped]
    return {
        "format": CACHE_FORMAT,
        "head": head,
        "threshold": threshold,
        "commits": commits,
        "facts": facts,
        "skipped": skipped,
        "notes": {},
        "partial": {},
        "notices": [],
        "missing": [],
    }


def _incremental(
    handle: GitRepo,
    config: Config,
    settings: HistorySettings,
    cached: dict[str, Any],
    tracked: dict[bytes, str],
    threshold: int,
    renames: str,
    log: GitLog | None = None,
) -> dict[str, Any] | None:
    """Fold ``OLD..HEAD`` into the cached state; None when a full pass is needed.

    The caller checked that OLD is an ancestor of HEAD; ``log`` reads ``OLD..HEAD``.
    """
    old = cached["head"]
    ignore = read_ignore_revs(ignore_rev_files(config, handle.toplevel, settings))
    walker = Walker(
        config,
        tracked,
        ignore,
        threshold,
        handle.boundary,
        keep_candidates=CANDIDATES,
        meta_keys=settings.ignore_meta_only_keys,
    )
    deadline = time.monotonic() + settings.time_budget
    result = run_walk(handle, walker, [f"{old}..HEAD"], renames, deadline, log)
    if not result.complete:
        return None
    apply_meta_only(handle, walker, settings.ignore_meta_only_keys)
    new = _state_from_walk(handle.head or "", threshold, walker, result)
    old_facts: dict[str, list[Any]] = cached["facts"]
    old_notes: dict[str, str] = cached.get("notes", {})
    old_partial: dict[str, str] = cached.get("partial", {})
    merged_facts: dict[str, list[Any]] = {}
    commits = dict(cached["commits"])
    commits.update(new["commits"])
    for raw, name in walker.paths.items():
        # Not born in the window: the article lived at ``raw`` at OLD.
        previous = old_facts.get(decode_path(raw))
        if previous is None:
            return None  # it came from outside the tracked set: a full pass knows better
        last, first, count, authors, born = previous
        window = new["facts"][name]
        # What the damaged pass could not know stays unknown (under the article's new name).
        old_name = decode_path(raw)
        if old_name in old_notes:
            if window[0] is None:
                new["notes"][name] = old_notes[old_name]
            else:
                new["partial"][name] = _(FIRST_UNKNOWN)  # dated now; its beginning still not
        if old_name in old_partial:
            new["partial"][name] = old_partial[old_name]
        merged_facts[name] = [
            window[0] or last,
            first,
            count + window[2],
            sorted(set(authors) | set(window[3])),
            born,
        ]
    for name, row in new["facts"].items():
        if name not in merged_facts:
            merged_facts[name] = row  # born in the window
    new["commits"] = commits
    new["facts"] = merged_facts
    new["skipped"] = new["skipped"] + cached["skipped"]
    new["notices"] = list(cached.get("notices", ()))
    new["missing"] = list(cached.get("missing", ()))
    used = {row[0] for row in merged_facts.values()} | {row[1] for row in merged_facts.values()}
    used |= {sha for sha, _why in new["skipped"]}
    new["commits"] = {sha: value for sha, value in commits.items() if sha in used}
    return new


def article_log(config: Config, article: Article) -> ArticleLog:
    """Every commit of one article, newest first, noise commits marked (``kbctl history``)."""
    settings = history_settings(config)
    handle, why_not = open_git(config)
    if handle is None:
        return ArticleLog(article.path, [], [why_not or _("no git history")], available=False)
    notices: list[str] = []
    if handle.shallow:
        notices.append(
            _("shallow clone: the list below is cut at the clone's boundary; fix: {fix}").format(
                fix=_(SHALLOW_FIX)
            )
        )
    tracked = tracked_articles(handle, config)
    raw = next((key for key, name in tracked.items() if name == article.path), None)
    if raw is None:
        return ArticleLog(article.path, [], notices, committed=False)
    ignore = read_ignore_revs(ignore_rev_files(config, handle.toplevel, settings))
    renames = settings.renames
    if renames == "auto" and handle.partial:
        renames = "exact"
    attempts = [renames] + [mode for mode in ("exact", "off") if mode != renames]
    deadline = time.monotonic() + settings.time_budget
    for mode in attempts:
        # Every path is tracked so that bulk counts are right; only this article's birth
        # ends the walk early.
        walker = Walker(
            config,
            tracked,
            ignore,
            bulk_threshold(settings, len(tracked)),
            handle.boundary,
            targets={article.path},
        )
        walker.facts[article.path].log = []
        result = run_walk(handle, walker, ["HEAD"], mode, deadline)
        if result.complete or result.stopped_early or not is_missing_object(result.error):
            break
        notices.append(
            _("missing objects in the repository ({error}); renames: {mode} failed").format(
                error=result.error, mode=mode
            )
        )
    if result.out_of_time:
        notices.append(
            _("stopped after the {budget}s time budget: list is partial").format(
                budget=f"{settings.time_budget:g}"
            )
        )
    elif not result.complete and not result.stopped_early:
        notices.append(_("git log failed: {error}; the list is partial").format(error=result.error))
    return ArticleLog(article.path, walker.facts[article.path].log or [], notices)
