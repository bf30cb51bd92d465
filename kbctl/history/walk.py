"""The walk: fold ``git log`` records into per-article facts, newest to oldest.

Pure moves (rename score 100) follow the article without counting as a content change; a
copy (an article made from a template) starts a new history; a merge is an edit only for
the files it resolved (the dense combined diff, :class:`~kbctl.history.git.DenseMerges`).
Commits listed in an ignore-revs file are noise. Noise is otherwise decided per file per
commit (:func:`apply_meta_only`): a change of ignorable front-matter keys only is noise; in
a commit over the bulk threshold, a file that got the same small edit as most of the commit
(a sweep) is noise, and a file whose own text changed (a retranslation) is a content change.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kbctl.config import Config
from kbctl.history.changes import (
    DEFAULT_META_ONLY_KEYS,
    FileChange,
    classify,
    sweep_signature,
)
from kbctl.history.git import GitLog, GitRepo, cat_files, decode_path
from kbctl.history.log import Commit, entries_of, records
from kbctl.history.merges import Blobs, DenseMerges, RenamePairs, Simplifier
from kbctl.history.report import HistoryEntry
from kbctl.model import Article


@dataclass(slots=True)
class Facts:
    """One article's facts while the walk runs (commits kept as headers)."""

    last: Commit | None = None
    first: Commit | None = None
    count: int = 0
    authors: set[str] = field(default_factory=set)
    born: bool = False
    # Changes that may be the last content change, newest first, with their kind: "certain"
    # (ends the list), "small" (noise only if meta-only), "merge", "bulk" (may be a sweep).
    candidates: list[tuple[Commit, bytes, bytes, str]] = field(default_factory=list)
    settled: bool = False  # no older change can be the last content change
    log: list[HistoryEntry] | None = None


@dataclass
class WalkResult:
    """How one ``git log`` walk ended, and the facts it folded."""

    facts: dict[str, Facts]
    paths_at_end: dict[bytes, str]  # the map when the walk ended: old raw path -> article
    skipped: list[tuple[Commit, str]]
    complete: bool = True
    stopped_early: bool = False
    error: str | None = None
    out_of_time: bool = False
    deleted_in_add_commits: set[str] = field(default_factory=set)  # born next to deletions


SWEEP_SAMPLE = 24  # files of a bulk commit compared to tell a sweep from a rewrite


class Walker:
    """Folds ``git log`` records into per-article facts, newest to oldest."""

    def __init__(
        self,
        config: Config,
        paths: dict[bytes, str],
        ignore_revs: dict[str, str],
        threshold: int,
        boundary: frozenset[str],
        *,
        targets: set[str] | None = None,
        last_change_only: bool = False,
        collect: bool = False,
        keep_candidates: int = 0,
        meta_keys: Sequence[str] = (),
    ) -> None:
        from kbctl.articles import is_article_path

        self.config = config
        self.is_article_path = is_article_path
        self.paths = dict(paths)
        self.facts: dict[str, Facts] = {name: Facts() for name in paths.values()}
        if collect:
            for facts in self.facts.values():
                facts.log = []
        self.ignore_full = {rev for rev in ignore_revs if len(rev) == 40}
        self.ignore_short = [rev for rev in ignore_revs if len(rev) < 40]
        self.ignore_revs = ignore_revs
        self.threshold = threshold
        self.boundary = boundary
        self.targets = set(self.facts) if targets is None else targets & set(self.facts)
        self.unresolved = set(self.targets)
        self.last_change_only = last_change_only
        self.keep_candidates = keep_candidates
        self.skipped: list[tuple[Commit, str]] = []
        self.article_like: dict[bytes, bool] = {}
        self.born_beside_delete: set[str] = set()
        self.meta_keys = tuple(meta_keys)
        self.prefix = b""  # the base folder, repo-relative (set by run_walk)
        self.dense: DenseMerges | None = None  # set by run_walk
        # Set by run_walk when the log reads every file: whether a path has an article's name.
        self.name_filter: Callable[[bytes], bool] | None = None
        self.bulk_entries: dict[str, list[tuple[bytes, bytes]]] = {}  # sha -> sampled (old, path)
        self.blobs: Blobs | None = None  # set by run_walk when candidates are kept

    def repo_path(self, path: bytes) -> bytes:
        """A walk path (base-relative, or ``../`` + repo-relative) as a repo-relative path."""
        return path[3:] if path.startswith(b"../") else self.prefix + path

    def done(self) -> bool:
        """Whether every target article is resolved, so the walk can stop early."""
        return not self.unresolved

    def _noise(self, commit: Commit, entries: list[tuple[bytes, bytes, bytes]]) -> str | None:
        if commit.sha in self.ignore_full or (
            self.ignore_short and any(commit.sha.startswith(rev) for rev in self.ignore_short)
        ):
            name = self.ignore_revs.get(commit.sha) or next(
                (self.ignore_revs[rev] for rev in self.ignore_short if commit.sha.startswith(rev)),
                "",
            )
            return f"ignore-revs ({name})"
        if not self.threshold or commit.sha in self.boundary or len(entries) <= self.threshold:
            return None
        touched = 0
        for status, _old, path in entries:
            if status == b"R100":
                continue
            like = self.article_like.get(path)
            if like is None:
                like = path in self.paths or self.is_article_path(decode_path(path), self.config)
                self.article_like[path] = like
            touched += like
        if touched > self.threshold:
            return f"bulk: touched {touched} articles"
        return None

    def fold(self, commit: Commit, entries: list[tuple[bytes, bytes, bytes]]) -> None:
        """Apply one commit (its name-status entries) to the facts and the path map."""
        paths = self.paths
        if commit.parents > 1:
            entries = self._resolved_in_merge(commit, entries)
        noise = None
        if self.ignore_revs or (self.threshold and len(entries) > self.threshold):
            noise = self._noise(commit, entries)
            if noise is not None:
                self.skipped.append((commit, noise))
                if self.keep_candidates and noise.startswith("bulk"):
                    self._sample(commit, entries)
        if commit.parents > 1:
            for status, _old, path in entries:
                name = paths.get(path)
                if name is not None:
                    added = bool(status) and all(letter == 65 for letter in status)
                    self._record(name, commit, noise, path, b"" if added else path, False)
                    if added:  # added in the merge
                        self._born(name, path)
            return
        beside_delete: bool | None = None  # whether the commit deletes a path; asked once
        for status, old, path in entries:
            kind = status[0]
            if kind == 77 or kind == 84:  # M, T
                name = paths.get(path)
                if name is not None:
                    self._record(name, commit, noise, path, path, False)
            elif kind == 82:  # R
                name = paths.pop(path, None)
                if name is not None:
                    paths[old] = name
                    self._record(name, commit, noise, path, old, status == b"R100")
            elif kind == 65 or kind == 67:  # A, C: the article starts here
                name = paths.pop(path, None)
                if name is not None:
                    self._record(name, commit, noise, path, b"", False)
                    self._born(name, path)
                    if beside_delete is None:
                        like = self.name_filter
                        beside_delete = any(
                            entry[0][:1] == b"D" and (like is None or like(entry[2]))
                            for entry in entries
                        )
                    if beside_delete:
                        self.born_beside_delete.add(name)

    def _resolved_in_merge(
        self, commit: Commit, entries: list[tuple[bytes, bytes, bytes]]
    ) -> list[tuple[bytes, bytes, bytes]]:
        """The merge's entries that it really resolved (all of them if git cannot say)."""
        if self.dense is None or not any(entry[2] in self.paths for entry in entries):
            return entries
        resolved = self.dense.resolved(commit.sha)
        if resolved is None:
            return entries
        return [entry for entry in entries if self.repo_path(entry[2]) in resolved]

    def _sample(self, commit: Commit, entries: list[tuple[bytes, bytes, bytes]]) -> None:
        """Keep a few of a bulk commit's edited articles, to tell a sweep from a rewrite."""
        sample: list[tuple[bytes, bytes]] = []
        for status, old, path in entries:
            if status[:1] in (b"M", b"R") and status != b"R100" and path in self.paths:
                sample.append((old or path, path))
                if len(sample) >= SWEEP_SAMPLE:
                    break
        self.bulk_entries[commit.sha] = sample
        if self.blobs is not None:
            self.blobs.ask(
                [spec for o, p in sample for spec in self.version_specs(commit.sha, o, p)]
            )

    def version_specs(self, sha: str, old: bytes, path: bytes) -> tuple[str, str]:
        """The ``rev:path`` specs of a file before and after commit ``sha``."""
        return (
            f"{sha}^:{_spec_path(self.repo_path(old))}",
            f"{sha}:{_spec_path(self.repo_path(path))}",
        )

    def _record(
        self, name: str, commit: Commit, noise: str | None, path: bytes, old: bytes, move: bool
    ) -> None:
        facts = self.facts[name]
        if facts.born:
            return
        facts.count += 1
        facts.authors.add(commit.author_key())
        facts.first = commit
        if facts.log is not None:
            kind = "skipped" if noise else ("move" if move else "content")
            facts.log.append(HistoryEntry(commit.change(), kind, decode_path(path), noise))
        if move or facts.settled:
            return
        bulk = noise is not None and noise.startswith("bulk") and bool(old)
        if noise and not (bulk and self.keep_candidates):
            return  # ignore-revs; a bulk import; or no per-file verdicts asked for
        if not self.keep_candidates:
            facts.last = facts.last or commit
            self._settle(name, facts)
            return
        if bulk:
            kind = "bulk"
        elif not old or not self.meta_keys:
            kind = "certain"  # an addition, or no key whose change alone is noise
        else:
            kind = "merge" if commit.parents > 1 else "small"
        facts.candidates.append((commit, old, path, kind))
        if kind != "certain" and len(facts.candidates) == 1 and self.blobs is not None:
            # The first version apply_meta_only will read: ask git for it now.
            self.blobs.ask(self.version_specs(commit.sha, old, path))
        if kind != "bulk" and facts.last is None:
            facts.last = commit  # until apply_meta_only decides
        if kind == "certain" or len(facts.candidates) >= self.keep_candidates:
            self._settle(name, facts)

    def _settle(self, name: str, facts: Facts) -> None:
        facts.settled = True
        if self.last_change_only:
            self.unresolved.discard(name)

    def _born(self, name: str, path: bytes) -> None:
        self.facts[name].born = True
        self.unresolved.discard(name)


# Records are parsed (and git asked about them) in batches, and folded LAG batches behind:
# git's answers are then ready when the walk needs them, without one wait per batch for a
# helper process to be scheduled (on a busy machine each such wait took tens of ms). Small
# batches let the walk keep up with git: with 2,048 a log of a few thousand commits was
# folded only after git had finished (50 ms later on hugoDocs); 50k commits ran as fast.
BATCH = 256
LAG = 3


def run_walk(
    handle: GitRepo,
    walker: Walker,
    rev_range: Sequence[str],
    renames: str,
    deadline: float,
    log: GitLog | None = None,
) -> WalkResult:
    """Stream one ``git log`` through ``walker``; stop early when it is done or out of time.

    Records are folded a few batches behind the parser: the merges, the commits with renames
    to pair (when the log runs without rename detection) and the merges that may be TREESAME
    (when it reads every file; see :meth:`GitRepo.log_mode`) are asked about meanwhile, so
    git's answers are ready when the walk needs them.
    """
    log = log or GitLog(handle, rev_range, renames)
    walker.prefix = handle.prefix.encode("utf-8", "surrogateescape")
    dense = walker.dense = DenseMerges(handle, rev_range)
    if walker.keep_candidates and not walker.last_change_only:
        walker.blobs = Blobs(handle)
    pairs: RenamePairs | None = None
    like: Callable[[bytes], bool] | None = None
    simplifier: Simplifier | None = None
    in_spec: Callable[[bytes], bool] | None = None
    if handle.renames_asked():
        like = walker.name_filter = article_name_filter(walker.config)
        if renames != "off":
            pairs = RenamePairs(handle, renames)
        if handle.wide():
            in_spec = _spec_filter(walker.config, like)
            simplifier = Simplifier(handle)
    prefix = handle.prefix.encode()
    result = WalkResult(walker.facts, walker.paths, walker.skipped)
    chunks = log.chunks(deadline)
    stopped = False
    finished = False
    failed: str | None = None
    asked: set[str] = set()
    merges_asked: set[str] = set()

    def fold(batch: list[tuple[Commit, list[tuple[bytes, bytes, bytes]]]]) -> bool:
        nonlocal failed
        for commit, entries in batch:
            if simplifier is not None and not simplifier.keep(
                commit.sha, commit.parent_ids, commit.sha in merges_asked
            ):
                continue
            if pairs is not None and commit.sha in asked:
                body = pairs.answer(commit.sha)
                if body is None:
                    failed = pairs.error() or "git diff-tree failed"
                    return True
                entries = entries_of(body, True, prefix, len(prefix))
            elif (
                in_spec is not None
                and commit.parents <= 1
                and not any(in_spec(entry[2]) for entry in entries)
            ):
                continue  # a pathspec log would not show it (not even as noise)
            walker.fold(commit, entries)
            if walker.done():
                return True
        return False

    def send() -> None:
        if simplifier is not None:
            simplifier.flush()
        dense.flush()
        if pairs is not None:
            pairs.flush()

    try:
        batch: list[tuple[Commit, list[tuple[bytes, bytes, bytes]]]] = []
        waiting: deque[list[tuple[Commit, list[tuple[bytes, bytes, bytes]]]]] = deque()
        for record in records(chunks, prefix):
            commit, entries = record
            if commit.parents > 1:
                if (
                    in_spec is not None
                    and simplifier is not None
                    and not any(in_spec(entry[2]) for entry in entries)
                ):
                    # No article file differs from every parent: maybe TREESAME to one.
                    simplifier.ask(commit.sha, commit.parent_ids)
                    merges_asked.add(commit.sha)
                # The path map is a few batches behind; a merge missed here is asked when
                # the walk reaches it.
                if any(entry[2] in walker.paths for entry in entries):
                    dense.ask(commit.sha)
            elif pairs is not None and like is not None and _adds_and_deletes(entries, like):
                pairs.ask(commit.sha)
                asked.add(commit.sha)
            batch.append(record)
            if len(batch) >= BATCH:
                send()
                waiting.append(batch)
                batch = []
                while len(waiting) > LAG and not stopped:
                    stopped = fold(waiting.popleft())
                if stopped:
                    break
        if not stopped:
            send()
            waiting.append(batch)
            while waiting and not stopped:
                stopped = fold(waiting.popleft())
        finished = True
    finally:
        result.out_of_time = log.out_of_time
        status, errors = log.finish(kill=stopped or result.out_of_time or not finished)
        dense.finish()
        if pairs is not None:
            pairs.finish()
        if simplifier is not None:
            simplifier.finish()
    if failed is not None:
        stopped = False
        status, errors = 1, failed
    result.stopped_early = stopped
    result.deleted_in_add_commits = walker.born_beside_delete
    if result.out_of_time:
        result.complete = False
    elif not stopped and status != 0:
        result.complete = False
        lines = [line for line in errors.splitlines() if line.strip()]
        result.error = lines[-1].strip() if lines else f"git log exited with {status}"
    if walker.blobs is not None and not result.complete:
        walker.blobs.finish()  # apply_meta_only runs only after a complete walk
    return result


def _adds_and_deletes(
    entries: list[tuple[bytes, bytes, bytes]], like: Callable[[bytes], bool]
) -> bool:
    """Whether a commit adds and deletes article-like files (so may rename one)."""
    added = deleted = False
    for status, _old, path in entries:
        kind = status[:1]
        if kind == b"A" and not added:
            added = like(path)
        elif kind == b"D" and not deleted:
            deleted = like(path)
        if added and deleted:
            return True
    return False


def _spec_filter(config: Config, like: Callable[[bytes], bool]) -> Callable[[bytes], bool]:
    """Whether a walk path (base-relative, or ``../`` + repo-relative) is in the article
    pathspec: an article's name, and not excluded inside the base."""
    from kbctl.values import glob_match_any

    excludes = tuple(config.exclude)

    def in_spec(path: bytes) -> bool:
        if not like(path):
            return False
        if path.startswith(b"../") or not excludes:
            return True
        return not glob_match_any(excludes, decode_path(path))

    return in_spec


def article_name_filter(config: Config) -> Callable[[bytes], bool]:
    """Whether a path's last segment matches one of the include globs' last segments (the
    names :func:`~kbctl.history.git.article_pathspec` gives git, before its excludes)."""
    import fnmatch

    suffixes: list[bytes] = []
    patterns: list[bytes] = []
    for pattern in config.include:
        last = pattern.rstrip("/").rsplit("/", 1)[-1].encode("utf-8", "surrogateescape")
        if last.startswith(b"*") and not any(c in last[1:] for c in b"*?[]\\"):
            suffixes.append(last[1:])
        else:
            patterns.append(last)
    ends = tuple(suffixes)

    def like(path: bytes) -> bool:
        if ends and path.endswith(ends):
            return True
        if patterns:
            name = path.rsplit(b"/", 1)[-1]
            return any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
        return False

    return like


def apply_meta_only(handle: GitRepo, walker: Walker, keys: Sequence[str]) -> None:
    """Decide noise per file per commit for the candidates the walk kept, and set each
    article's last content change to the newest candidate a reader could see.

    Reads blobs only where a verdict is needed, in rounds (one ``git cat-file --batch``
    each): first every article's newest uncertain candidate; the next one only for articles
    whose candidate was noise. A bulk commit's sample (to recognise a sweep by its repeated
    edit) is read the first time one of its files is asked about.
    """
    ignored = tuple(keys)
    changes: dict[tuple[str, bytes, bytes], FileChange | None] = {}
    sweeps: dict[str, tuple[object, ...] | None] = {}
    counted: dict[str, int] = {}
    pending = {name: 0 for name, facts in walker.facts.items() if facts.candidates}
    while pending:
        need: set[tuple[str, bytes, bytes]] = set()
        new_bulk: set[str] = set()
        for name, index in pending.items():
            commit, old, path, kind = walker.facts[name].candidates[index]
            if kind == "certain":
                continue
            if (commit.sha, old, path) not in changes:
                need.add((commit.sha, old, path))
            if kind == "bulk" and commit.sha not in sweeps:
                new_bulk.add(commit.sha)
                need.update((commit.sha, o, p) for o, p in walker.bulk_entries.get(commit.sha, ()))
        need.difference_update(changes)
        _classify_all(handle, walker, sorted(need), ignored, changes)
        for sha in new_bulk:
            sample = [changes.get((sha, o, p)) for o, p in walker.bulk_entries.get(sha, ())]
            sweeps[sha] = sweep_signature([change for change in sample if change])
        following: dict[str, int] = {}
        for name, index in pending.items():
            facts = walker.facts[name]
            commit, old, path, kind = facts.candidates[index]
            change = changes.get((commit.sha, old, path))
            if kind == "certain":
                visible = True
            elif change is None:
                visible = kind != "bulk"  # unreadable: as before, bulk is noise, else content
            else:
                visible = change.visible and not (
                    kind == "bulk" and change.signature == sweeps.get(commit.sha)
                )
            if visible:
                facts.last = commit
                if kind == "bulk":
                    counted[commit.sha] = counted.get(commit.sha, 0) + 1
            elif index + 1 < len(facts.candidates):
                following[name] = index + 1
            else:
                facts.last = None
        pending = following
    if walker.blobs is not None:
        walker.blobs.finish()
    if counted:
        walker.skipped[:] = [
            (commit, f"{why}; counted for {counted[commit.sha]} whose own text changed")
            if commit.sha in counted
            else (commit, why)
            for commit, why in walker.skipped
        ]


def _classify_all(
    handle: GitRepo,
    walker: Walker,
    pairs: Sequence[tuple[str, bytes, bytes]],
    ignored: Sequence[str],
    changes: dict[tuple[str, bytes, bytes], FileChange | None],
) -> None:
    if not pairs:
        return
    specs: list[str] = []
    for sha, old, path in pairs:
        specs.extend(walker.version_specs(sha, old, path))
    if walker.blobs is not None:
        walker.blobs.ask(specs)  # those read ahead are not asked again
    blobs: list[bytes | None] = []
    missing: list[int] = []
    for spec in specs:
        found, blob = walker.blobs.take(spec) if walker.blobs else (False, None)
        if not found:
            missing.append(len(blobs))
        blobs.append(blob)
    if missing:  # git's reader stopped (or none was started): one batch process
        looked_up = cat_files(handle, [specs[index] for index in missing])
        for index, blob in zip(missing, looked_up, strict=True):
            blobs[index] = blob
    for index, pair in enumerate(pairs):
        before, after = blobs[2 * index], blobs[2 * index + 1]
        changes[pair] = (
            None if before is None or after is None else classify(before, after, ignored)
        )


def meta_only_keys(
    configured: Sequence[str], use_defaults: bool, articles: Sequence[Article]
) -> tuple[str, ...]:
    """The configured ignorable keys, plus the built-in localisation keys the base uses.

    The built-in ones are added only when some article carries one of them, so that a base
    without them never pays for reading old versions of its articles.
    """
    keys = list(configured)
    if use_defaults:
        defaults = {key.casefold(): key for key in DEFAULT_META_ONLY_KEYS}
        present: set[str] = set()
        for article in articles:
            present.update(k for k in map(str.casefold, article.meta) if k in defaults)
            if len(present) == len(defaults):
                break
        known = {key.casefold() for key in keys}
        keys += [defaults[key] for key in sorted(present) if key not in known]
    return tuple(keys)


def _spec_path(raw: bytes) -> str:
    # The raw bytes as git wrote them (not NFC: an NFD name must be asked for as NFD).
    return raw.decode("utf-8", "surrogateescape")
