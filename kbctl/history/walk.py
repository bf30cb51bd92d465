"""The walk: fold ``git log`` records into per-article facts, newest to oldest.

Pure moves (rename score 100) follow the article without counting as a content change; a
copy (an article made from a template) starts a new history; changes made inside merges are
seen through ``-c``. Noise commits (listed in an ignore-revs file, or touching more articles
than the bulk threshold) are reported, not counted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kbctl.config import Config
from kbctl.history.git import GitLog, GitRepo, cat_files, decode_path
from kbctl.history.log import Commit, records
from kbctl.history.report import HistoryEntry


@dataclass(slots=True)
class Facts:
    """One article's facts while the walk runs (commits kept as headers)."""

    last: Commit | None = None
    first: Commit | None = None
    count: int = 0
    authors: set[str] = field(default_factory=set)
    born: bool = False
    candidates: list[tuple[Commit, bytes, bytes]] = field(default_factory=list)
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
        noise = None
        if self.ignore_revs or (self.threshold and len(entries) > self.threshold):
            noise = self._noise(commit, entries)
            if noise is not None:
                self.skipped.append((commit, noise))
        paths = self.paths
        if commit.parents > 1:
            for status, _old, path in entries:
                name = paths.get(path)
                if name is not None:
                    self._record(name, commit, noise, path, b"", False)
                    if status and all(letter == 65 for letter in status):  # added in the merge
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
                        beside_delete = any(entry[0][:1] == b"D" for entry in entries)
                    if beside_delete:
                        self.born_beside_delete.add(name)

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
        if noise or move:
            return
        if self.keep_candidates and len(facts.candidates) < self.keep_candidates:
            facts.candidates.append((commit, old, path))
        if facts.last is None:
            facts.last = commit
            if self.last_change_only:
                self.unresolved.discard(name)

    def _born(self, name: str, path: bytes) -> None:
        self.facts[name].born = True
        self.unresolved.discard(name)


def run_walk(
    handle: GitRepo,
    walker: Walker,
    rev_range: Sequence[str],
    renames: str,
    deadline: float,
    log: GitLog | None = None,
) -> WalkResult:
    """Stream one ``git log`` through ``walker``; stop early when it is done or out of time."""
    log = log or GitLog(handle, rev_range, renames)
    result = WalkResult(walker.facts, walker.paths, walker.skipped)
    chunks = log.chunks(deadline)
    stopped = False
    finished = False
    try:
        for commit, entries in records(chunks, handle.prefix.encode()):
            walker.fold(commit, entries)
            if walker.done():
                stopped = True
                break
        finished = True
    finally:
        result.out_of_time = log.out_of_time
        status, errors = log.finish(kill=stopped or result.out_of_time or not finished)
    result.stopped_early = stopped
    result.deleted_in_add_commits = walker.born_beside_delete
    if result.out_of_time:
        result.complete = False
    elif not stopped and status != 0:
        result.complete = False
        lines = [line for line in errors.splitlines() if line.strip()]
        result.error = lines[-1].strip() if lines else f"git log exited with {status}"
    return result


def apply_meta_only(handle: GitRepo, walker: Walker, keys: Sequence[str]) -> None:
    """Skip last changes that only touched front-matter keys in ``keys`` (e.g. ms.date)."""
    ignored = {key.casefold() for key in keys}
    pairs: list[tuple[str, Commit, bytes, bytes]] = []
    for name, facts in walker.facts.items():
        for commit, old, path in facts.candidates:
            if old:  # merges and additions cannot be "front matter only"
                pairs.append((name, commit, old, path))
    if not pairs:
        return
    specs: list[str] = []
    for _name, commit, old, path in pairs:
        specs.append(f"{commit.sha}^:{handle.prefix}{decode_path(old)}")
        specs.append(f"{commit.sha}:{handle.prefix}{decode_path(path)}")
    blobs = cat_files(handle, specs)
    verdict: dict[tuple[str, str], bool] = {}
    for index, (name, commit, _old, _path) in enumerate(pairs):
        before, after = blobs[2 * index], blobs[2 * index + 1]
        meta_only = (
            before is not None
            and after is not None
            and _reader_view(before, ignored, walker.config)
            == _reader_view(after, ignored, walker.config)
        )
        verdict[(name, commit.sha)] = meta_only
    for name, facts in walker.facts.items():
        if not facts.candidates:
            continue
        chosen = None
        for commit, _old, _path in facts.candidates:
            if not verdict.get((name, commit.sha), False):
                chosen = commit
                break
        if chosen is not facts.last:
            facts.last = chosen


def _reader_view(data: bytes, ignored: set[str], config: Config) -> tuple[str, str] | None:
    """What a reader sees of an article: its body and the front matter minus ``ignored``."""
    from kbctl.articles import parse_article

    article, _diagnostics = parse_article(data, "blob.md", Path("blob.md"), config)
    if article is None:
        return None
    meta = {key: value for key, value in article.meta.items() if key.casefold() not in ignored}
    return article.body, json.dumps(meta, sort_keys=True, default=str)
