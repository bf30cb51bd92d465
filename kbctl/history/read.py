"""The only code that runs git: what the history says about every article, and its cache.

One streaming pass of ``git log -z --name-status -M -c --topo-order`` (custom format, parsed
as bytes) walks the history newest to oldest with a map from "the path at this point in
history" to the article living there today. Pure moves (rename score 100) follow the article
without counting as a content change; a copy (an article made from a template) starts a new
history; changes made inside merges are seen through ``-c``. Noise commits (listed in an
ignore-revs file, or touching more articles than the bulk threshold) are reported, not
counted. Author dates are kept with their offset; ages are computed in UTC by the rules.

The facts are cached under the cache root keyed by HEAD; when HEAD moves forward only
``OLD..HEAD`` is read and folded in. Shallow clones, blobless clones, missing objects and
folders outside git all degrade to an answer plus a one-line notice, never an exception.

GitPython (~105 ms to import) is imported only inside the functions that run git;
:func:`load_cached_history` reads ``.git`` by itself and never imports it.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import queue
import re
import threading
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from math import ceil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kbctl.config import Config, cache_root
from kbctl.errors import ConfigError, KbError, NotFoundError
from kbctl.model import Article, ArticleHistory, Change
from kbctl.policy.review import ReviewBasis, ReviewState, ReviewStatus, review_status

if TYPE_CHECKING:
    import git

CACHE_FORMAT = 2
DEFAULT_IGNORE_REVS = (".kbctl-ignore-revs", ".git-blame-ignore-revs")
# Bulk threshold. A writer's commit touches one to a few articles; a pull request that
# reworks a topic touches a dozen or two. Sweeps are different in kind: the metadata sweep in
# our notes touched 1,400 files, reformat and "update ms.date" commits in public docs bases
# touch hundreds, and importing a base touches all of it. So a commit is noise when it
# changes more than 50 articles, or more than a quarter of a small base (a 60-article base
# imported in one commit), but never at 10 articles or fewer, so that a tiny base's ordinary
# commits always count. threshold = min(bulk_threshold, max(10, ceil(bulk_share * N))).
DEFAULT_BULK_THRESHOLD = 50
DEFAULT_BULK_SHARE = 0.25
BULK_FLOOR = 10
DEFAULT_TIME_BUDGET = 300.0
SHALLOW_FIX = "fetch the whole history (`git fetch --unshallow`; in CI `fetch-depth: 0`)"
NOT_COMMITTED = "not committed yet"

_RECORD = b"\x1e"
_FIELD = b"\x1f"
_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%s"
_HEX = re.compile(r"^[0-9a-f]{7,40}$")
_MISSING_OBJECT = re.compile(
    r"unable to read|missing (?:blob|tree|commit)|bad object|could not read|"
    r"did not receive expected object|invalid object|is corrupt"
)


@dataclass
class SkippedCommit:
    """A commit not counted as a content change, and why."""

    commit: str
    authored: datetime
    subject: str
    reason: str  # "ignore-revs (.git-blame-ignore-revs)" | "bulk: touched N articles"


@dataclass
class HistoryReport:
    """Git facts for a set of articles, plus what the reader should know about them."""

    facts: dict[str, ArticleHistory]  # keyed by Article.path
    notices: list[str] = field(default_factory=list)
    skipped: list[SkippedCommit] = field(default_factory=list)
    available: bool = True  # False when the base is not in a git repository
    head: str | None = None
    from_cache: bool = False


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One commit in an article's life, as ``kbctl history`` shows it.

    ``kind`` is "content" (counts as a change), "move" (a pure rename), or "skipped" (noise,
    with ``reason``); ``path`` is where the article lived after that commit.
    """

    change: Change
    kind: str
    path: str
    reason: str | None = None


@dataclass
class ArticleLog:
    """The commits of one article, newest first."""

    path: str
    entries: list[HistoryEntry]
    notices: list[str] = field(default_factory=list)
    available: bool = True
    committed: bool = True


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """The ``[history]`` table of the config, validated."""

    ignore_revs: tuple[str, ...] = DEFAULT_IGNORE_REVS
    bulk_threshold: int = DEFAULT_BULK_THRESHOLD
    bulk_share: float = DEFAULT_BULK_SHARE
    ignore_meta_only_keys: tuple[str, ...] = ()
    time_budget: float = DEFAULT_TIME_BUDGET
    renames: str = "auto"  # auto | exact | off

    def threshold(self, article_count: int) -> int:
        """The effective bulk threshold for a base of ``article_count`` articles (0: off)."""
        if self.bulk_threshold <= 0:
            return 0
        if self.bulk_share <= 0:
            return self.bulk_threshold
        return min(self.bulk_threshold, max(BULK_FLOOR, ceil(self.bulk_share * article_count)))


def history_settings(config: Config) -> HistorySettings:
    """Read and validate ``[history]``; raise ConfigError on a wrong value."""
    table = config.section("history")
    where = config.config_path or "config"
    settings = HistorySettings()

    def fail(key: str, expected: str) -> ConfigError:
        return ConfigError(f"{where}: history.{key} must be {expected}")

    if "ignore_revs" in table:
        value = table["ignore_revs"]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail("ignore_revs", "a list of file paths")
        settings = replace(settings, ignore_revs=tuple(value))
    for key in ("bulk_threshold",):
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise fail(key, "a whole number >= 0 (0 turns the bulk rule off)")
            settings = replace(settings, bulk_threshold=value)
    if "bulk_share" in table:
        value = table["bulk_share"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise fail("bulk_share", "a number between 0 and 1 (0 turns the share rule off)")
        settings = replace(settings, bulk_share=float(value))
    if "ignore_meta_only_keys" in table:
        value = table["ignore_meta_only_keys"]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail("ignore_meta_only_keys", "a list of front-matter keys")
        settings = replace(settings, ignore_meta_only_keys=tuple(value))
    if "time_budget" in table:
        value = table["time_budget"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise fail("time_budget", "a positive number of seconds")
        settings = replace(settings, time_budget=float(value))
    if "renames" in table:
        value = table["renames"]
        if value not in ("auto", "exact", "off"):
            raise fail("renames", '"auto", "exact" or "off"')
        settings = replace(settings, renames=value)
    return settings


# --------------------------------------------------------------------------- repository


@dataclass
class _Git:
    """An open repository and where the base sits in it."""

    repo: git.Repo
    toplevel: Path
    git_dir: Path
    prefix: str  # the base's folder relative to the toplevel, "" or ending with "/"
    head: str | None
    shallow: bool
    partial: bool
    boundary: frozenset[str] = frozenset()

    def run(self, *args: str) -> tuple[int, bytes, str]:
        """Run ``git ARGS`` in the toplevel; (status, stdout bytes, stderr text)."""
        status, out, err = self.repo.git.execute(
            ["git", *args],
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
        )
        return status, out, err

    def pathspec(self) -> list[str]:
        """Arguments that limit a diff or log to the base (names stay repo-relative:
        ``--relative`` is not applied to the combined diffs of merges)."""
        if not self.prefix:
            return []
        return ["--", self.prefix]


def _open_git(config: Config) -> tuple[_Git | None, str | None]:
    """The repository holding the base, or (None, why not)."""
    try:
        import git
    except ImportError:
        return None, "git is not installed: staleness from front-matter dates alone"
    try:
        repo = git.Repo(config.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None, "not a git repository: staleness from front-matter dates alone"
    if repo.working_tree_dir is None:
        return None, "the base is in a bare git repository: no history to read"
    toplevel = Path(repo.working_tree_dir).resolve()
    try:
        relative = config.root.resolve().relative_to(toplevel).as_posix()
    except ValueError:
        return None, "the base is not inside the git working tree: no history to read"
    prefix = "" if relative in ("", ".") else relative.rstrip("/") + "/"
    handle = _Git(repo, toplevel, Path(repo.git_dir), prefix, None, False, False)
    try:
        status, out, _err = handle.run("rev-parse", "--is-shallow-repository")
    except git.GitCommandNotFound:
        return None, "git is not installed: staleness from front-matter dates alone"
    handle.shallow = out.strip() == b"true"
    status, out, _ = handle.run("rev-parse", "-q", "--verify", "HEAD^{commit}")
    handle.head = out.decode().strip() if status == 0 and out.strip() else None
    handle.partial = _is_partial_clone(repo)
    if handle.shallow:
        shallow_file = Path(repo.common_dir) / "shallow"
        with contextlib.suppress(OSError):
            handle.boundary = frozenset(shallow_file.read_text().split())
    return handle, None


def _is_partial_clone(repo: git.Repo) -> bool:
    try:
        reader = repo.config_reader("repository")
        for section in reader.sections():
            lowered = section.lower()
            if lowered == "extensions":
                if any(key.lower() == "partialclone" for key in reader.options(section)):
                    return True
            elif lowered.startswith("remote "):
                for key in reader.options(section):
                    if key.lower() == "promisor" and str(reader.get(section, key)).lower() in (
                        "true",
                        "1",
                        "yes",
                    ):
                        return True
    except Exception:  # an unreadable config only costs the blobless optimisation
        return False
    return False


def _decode_path(raw: bytes) -> str:
    return unicodedata.normalize("NFC", raw.decode("utf-8", "surrogateescape"))


def _tracked_articles(handle: _Git, config: Config) -> dict[bytes, str]:
    """Article-like files in HEAD's tree: raw base-relative name -> NFC name."""
    from kbctl.articles import is_article_path

    if handle.head is None:
        return {}
    args = ["ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD"]
    if handle.prefix:
        args += ["--", handle.prefix]
    status, out, _err = handle.run(*args)
    if status != 0:
        return {}
    skip = len(handle.prefix.encode())
    tracked: dict[bytes, str] = {}
    for raw in out.split(b"\0"):
        if not raw:
            continue
        raw = raw[skip:]
        name = _decode_path(raw)
        if is_article_path(name, config):
            tracked[raw] = name
    return tracked


def _ignore_rev_files(config: Config, toplevel: Path, settings: HistorySettings) -> list[Path]:
    found: list[Path] = []
    for name in settings.ignore_revs:
        for folder in (config.config_dir, toplevel):
            candidate = (folder / name).resolve()
            if candidate.is_file() and candidate not in found:
                found.append(candidate)
                break
    return found


def _read_ignore_revs(files: Sequence[Path]) -> dict[str, str]:
    """Commit ids (full or abbreviated, lower case) -> the file that lists them."""
    revs: dict[str, str] = {}
    for path in files:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            word = line.split("#", 1)[0].strip().lower()
            if _HEX.match(word):
                revs.setdefault(word, path.name)
    return revs


def _signature(config: Config, settings: HistorySettings, toplevel: Path, prefix: str) -> str:
    """What the cached facts depend on besides HEAD: settings and the noise files' contents."""
    digest = hashlib.sha256()
    parts: dict[str, Any] = {
        "format": CACHE_FORMAT,
        "prefix": prefix,
        "include": config.include,
        "exclude": config.exclude,
        "settings": [
            settings.bulk_threshold,
            settings.bulk_share,
            list(settings.ignore_meta_only_keys),
            settings.renames,
        ],
    }
    digest.update(json.dumps(parts, sort_keys=True).encode())
    for path in [*_ignore_rev_files(config, toplevel, settings), toplevel / ".mailmap"]:
        try:
            digest.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            digest.update(b"-\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------- the walk


class _Commit:
    """One commit's header; text fields are decoded only when a fact needs them."""

    __slots__ = ("_author", "_fields", "_rest", "parents", "sha")

    def __init__(self, header: bytes) -> None:
        sha, parents, self._rest = header.split(_FIELD, 2)
        self.sha = sha.decode("ascii", "replace")
        self.parents = parents.count(b" ") + 1 if parents else 0
        self._fields: tuple[str, str, str, str] | None = None
        self._author: str | None = None

    def fields(self) -> tuple[str, str, str, str]:
        """(author name, author e-mail, author date ISO, subject)."""
        if self._fields is None:
            name, email, when, subject = ([*self._rest.split(_FIELD, 3), b"", b"", b""])[:4]
            self._fields = (
                name.decode("utf-8", "replace"),
                email.decode("utf-8", "replace"),
                when.decode("ascii", "replace"),
                subject.decode("utf-8", "replace"),
            )
        return self._fields

    def author_key(self) -> str:
        if self._author is None:
            name, email, _when, _subject = self.fields()
            self._author = (email or name).casefold()
        return self._author

    def change(self) -> Change:
        name, email, when, subject = self.fields()
        return Change(self.sha, datetime.fromisoformat(when), name, email, subject)


@dataclass(slots=True)
class _Facts:
    last: _Commit | None = None
    first: _Commit | None = None
    count: int = 0
    authors: set[str] = field(default_factory=set)
    born: bool = False
    candidates: list[tuple[_Commit, bytes, bytes]] = field(default_factory=list)
    log: list[HistoryEntry] | None = None


@dataclass
class _WalkResult:
    facts: dict[str, _Facts]
    paths_at_end: dict[bytes, str]  # the map when the walk ended: old raw path -> article
    skipped: list[tuple[_Commit, str]]
    complete: bool = True
    stopped_early: bool = False
    error: str | None = None
    out_of_time: bool = False
    deleted_in_add_commits: set[str] = field(default_factory=set)  # born next to deletions


class _Walker:
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
        self.facts: dict[str, _Facts] = {name: _Facts() for name in paths.values()}
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
        self.skipped: list[tuple[_Commit, str]] = []
        self.article_like: dict[bytes, bool] = {}
        self.born_beside_delete: set[str] = set()

    def done(self) -> bool:
        return not self.unresolved

    def _noise(self, commit: _Commit, entries: list[tuple[bytes, bytes, bytes]]) -> str | None:
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
                like = path in self.paths or self.is_article_path(_decode_path(path), self.config)
                self.article_like[path] = like
            touched += like
        if touched > self.threshold:
            return f"bulk: touched {touched} articles"
        return None

    def fold(self, commit: _Commit, entries: list[tuple[bytes, bytes, bytes]]) -> None:
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
        self, name: str, commit: _Commit, noise: str | None, path: bytes, old: bytes, move: bool
    ) -> None:
        facts = self.facts[name]
        if facts.born:
            return
        facts.count += 1
        facts.authors.add(commit.author_key())
        facts.first = commit
        if facts.log is not None:
            kind = "skipped" if noise else ("move" if move else "content")
            facts.log.append(HistoryEntry(commit.change(), kind, _decode_path(path), noise))
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


def _records(
    stream: Iterator[bytes], prefix: bytes = b""
) -> Iterator[tuple[_Commit, list[tuple[bytes, bytes, bytes]]]]:
    """Parse the ``-z`` name-status stream into (commit, [(status, old, path)]).

    Records start with NUL + RS (a NUL cannot occur in a subject, and a path would have to
    begin with RS); paths are made relative to ``prefix`` (the base folder).
    """
    cut = len(prefix)
    separator = b"\0" + _RECORD
    # The incomplete record so far, in chunks: one commit of 50k paths spans dozens of
    # chunks, and joining or splitting it again at every chunk would be quadratic in its size.
    pieces: list[bytes] = []
    for chunk in stream:
        if not chunk:
            continue
        straddles = bool(pieces) and pieces[-1][-1:] == b"\0" and chunk[:1] == _RECORD
        if not straddles and separator not in chunk:
            pieces.append(chunk)
            continue
        pieces.append(chunk)
        parts = b"".join(pieces).split(separator)
        pieces = [parts.pop()]  # maybe incomplete (and within this chunk): wait for more
        for part in parts:
            record = _record(part, prefix, cut)
            if record is not None:
                yield record
    buffer = b"".join(pieces)
    if buffer:
        record = _record(buffer, prefix, cut)
        if record is not None:
            yield record


def _record(
    part: bytes, prefix: bytes, cut: int
) -> tuple[_Commit, list[tuple[bytes, bytes, bytes]]] | None:
    if part[:1] == _RECORD:  # the very first record has no NUL before it
        part = part[1:]
    header, _nul, body = part.partition(b"\0")
    if header.count(_FIELD) < 5:
        return None
    commit = _Commit(header)
    entries: list[tuple[bytes, bytes, bytes]] = []
    if not body:
        return commit, entries
    tokens = body.split(b"\0")
    pairs = commit.parents <= 1  # renames and copies name two paths (not in combined diffs)
    index, count = 0, len(tokens)
    while index < count:
        status = tokens[index].lstrip(b"\n")
        index += 1
        if not status:
            continue
        if pairs and status[0] in (82, 67):  # R, C
            if index + 1 >= count:
                break
            old, path = tokens[index], tokens[index + 1]
            index += 2
        else:
            if index >= count:
                break
            old, path = b"", tokens[index]
            index += 1
        if cut:
            path = path[cut:] if path.startswith(prefix) else b"../" + path
            if old:
                old = old[cut:] if old.startswith(prefix) else b"../" + old
        entries.append((status, old, path))
    return commit, entries


def _log_args(handle: _Git, rev_range: Sequence[str], renames: str) -> list[str]:
    rename_args = {"auto": ["-M"], "exact": ["-M100%"], "off": ["--no-renames"]}[renames]
    return [
        "-c",
        "log.showSignature=false",
        "-c",
        "diff.external=",
        "log",
        "-z",
        "--name-status",
        "-c",
        *rename_args,
        "--topo-order",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--encoding=UTF-8",
        f"--format={_FORMAT}",
        *rev_range,
        *handle.pathspec(),
    ]


class _GitLog:
    """A running ``git log`` whose output a thread drains into memory as it comes.

    Draining in a thread lets git run at full speed (and lets a command load its articles
    while git works: see :func:`start_history`); the parser takes chunks from the queue.
    """

    def __init__(self, handle: _Git, rev_range: Sequence[str], renames: str) -> None:
        # GIT_FLUSH=0: git flushes a pipe after every commit otherwise, and the thousands of
        # tiny writes and wake-ups cost more than the parsing (9.8 s vs 5.2 s at 50k commits).
        self.auto = handle.repo.git.execute(
            ["git", *_log_args(handle, rev_range, renames)],
            as_process=True,
            env={"GIT_FLUSH": "0"},
        )
        self.process = self.auto.proc
        self.queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._drain, name="kbctl-git-log", daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        read = self.process.stdout.read1
        try:
            while chunk := read(1 << 20):
                self.queue.put(chunk)
        except (OSError, ValueError):
            pass
        self.queue.put(None)

    def chunks(self, deadline: float, result: _WalkResult) -> Iterator[bytes]:
        """Output chunks until git is done, or until ``deadline`` (then marks the result)."""
        while (chunk := self.queue.get()) is not None:
            yield chunk
            if time.monotonic() > deadline:
                result.out_of_time = True
                return

    def finish(self, *, kill: bool) -> tuple[int, str]:
        """Stop (or wait for) git; its exit status and stderr."""
        if kill:
            with contextlib.suppress(OSError):
                self.process.kill()
        self.thread.join()
        errors = self.process.stderr.read().decode("utf-8", "replace")
        status = self.process.wait()
        self.process.stdout.close()
        self.process.stderr.close()
        self.auto.proc = None  # nothing left for GitPython's finaliser to clean up
        return status, errors


def _run_walk(
    handle: _Git,
    walker: _Walker,
    rev_range: Sequence[str],
    renames: str,
    deadline: float,
    log: _GitLog | None = None,
) -> _WalkResult:
    """Stream one ``git log`` through ``walker``; stop early when it is done or out of time."""
    log = log or _GitLog(handle, rev_range, renames)
    result = _WalkResult(walker.facts, walker.paths, walker.skipped)
    chunks = log.chunks(deadline, result)
    stopped = False
    finished = False
    try:
        for commit, entries in _records(chunks, handle.prefix.encode()):
            walker.fold(commit, entries)
            if walker.done():
                stopped = True
                break
        finished = True
    finally:
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


# --------------------------------------------------------------------------- public API


@dataclass
class HistoryPrefetch:
    """History reading already under way (see :func:`start_history`). Opaque."""

    handle: _Git | None
    why_not: str | None
    settings: HistorySettings
    use_cache: bool
    tracked: dict[bytes, str] = field(default_factory=dict)
    threshold: int = 0
    signature: str = ""
    renames: str = "auto"
    cached: dict[str, Any] | None = None
    mode: str = "none"  # none | empty | cached | incremental | full
    log: _GitLog | None = None
    config_root: Path | None = None


def start_history(config: Config, *, use_cache: bool = True) -> HistoryPrefetch:
    """Open the repository, check the cache, and start ``git log`` if one is needed, so that
    git works while the caller loads its articles; pass the result to :func:`read_history`.
    """
    return _make_plan(config, use_cache, start_git=True)


def _make_plan(config: Config, use_cache: bool, *, start_git: bool) -> HistoryPrefetch:
    settings = history_settings(config)
    handle, why_not = _open_git(config)
    plan = HistoryPrefetch(handle, why_not, settings, use_cache, config_root=config.root)
    if handle is None:
        return plan
    if handle.head is None:
        plan.mode = "empty"
        return plan
    plan.signature = _signature(config, settings, handle.toplevel, handle.prefix)
    plan.renames = settings.renames
    if plan.renames == "auto" and handle.partial:
        plan.renames = "exact"  # plain -M would fetch blobs one by one from the promisor remote
    cached = _read_cache(config) if use_cache and not handle.shallow else None
    if cached is not None and cached.get("signature") != plan.signature:
        cached = None
    # Start git before listing HEAD's tree: the log does not depend on it.
    if cached is not None and cached.get("head") == handle.head:
        plan.mode = "cached"
    elif not start_git:
        plan.mode = "full"  # a last-change-only read: a pass that stops early, no folding
    elif cached is not None and _is_ancestor(handle, cached.get("head")):
        plan.mode = "incremental"
        plan.log = _GitLog(handle, [f"{cached['head']}..HEAD"], plan.renames)
    else:
        plan.mode = "full"
        plan.log = _GitLog(handle, ["HEAD"], plan.renames)
    plan.tracked = _tracked_articles(handle, config)
    plan.threshold = settings.threshold(len(plan.tracked))
    if cached is not None and cached.get("threshold") != plan.threshold:
        # The base grew past a bulk-threshold step: earlier verdicts may differ. Start over.
        if plan.log is not None:
            plan.log.finish(kill=True)
        plan.cached, plan.mode = None, "full"
        plan.log = _GitLog(handle, ["HEAD"], plan.renames) if start_git else None
    else:
        plan.cached = cached
    return plan


def _is_ancestor(handle: _Git, old: object) -> bool:
    if not isinstance(old, str) or not _HEX.match(old):
        return False
    status, _out, _err = handle.run("merge-base", "--is-ancestor", old, "HEAD")
    return status == 0  # otherwise history was rewritten (or OLD is gone): full pass


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
) -> HistoryReport:
    """Git facts for ``articles``: last content change, first commit, counts, authors.

    ``last_change_only`` stops reading once every article has its last change (for checks
    of a few files; first change and counts are then partial). ``prefetch`` is what
    :func:`start_history` started. Never raises on git trouble: problems become notices.
    """
    plan = prefetch
    if plan is None or plan.config_root != config.root:
        plan = _make_plan(config, use_cache, start_git=not last_change_only)
    handle, settings = plan.handle, plan.settings
    if handle is None:
        return HistoryReport({}, [plan.why_not or "no git history"], [], available=False)
    notices: list[str] = []
    if plan.mode == "empty":
        facts = {a.path: _uncommitted(a.path) for a in articles}
        return HistoryReport(facts, ["the repository has no commits yet"], [], head=None)
    cacheable = plan.use_cache and not handle.shallow
    state: dict[str, Any] | None = None
    if plan.mode == "cached":
        state = plan.cached
    elif plan.mode == "incremental" and plan.cached is not None:
        state = _incremental(handle, config, settings, plan.cached, plan.tracked,
                             plan.threshold, plan.renames, plan.log)  # fmt: skip
        plan.log = None
        if state is not None:
            state["signature"] = plan.signature
            _write_cache(config, state)
    from_cache = state is not None
    if state is None:
        wanted = {a.path for a in articles} if last_change_only else None
        log = plan.log if plan.mode == "full" else None
        plan.log = None
        state, walk_notices, complete = _full_pass(
            handle, config, settings, plan.tracked, plan.threshold, plan.renames, wanted,
            last_change_only, log,
        )  # fmt: skip
        notices.extend(walk_notices)
        if complete and cacheable and not last_change_only:
            state["signature"] = plan.signature
            _write_cache(config, state)
    if handle.shallow:
        notices.insert(
            0,
            "shallow clone: git dates are unreliable (every article looks changed at the "
            f"clone's boundary); fix: {SHALLOW_FIX}",
        )
    facts = _facts_from_state(state, articles, unreliable=handle.shallow)
    if last_change_only and not from_cache:
        # The walk stopped at each article's last change, so its first commit is unknown;
        # None makes rules that need it (an old draft's age) stay silent, not under-count.
        for fact in facts.values():
            fact.first_change = None
    skipped = [
        SkippedCommit(
            sha, _commit_change(state, sha).authored, _commit_change(state, sha).subject, why
        )
        for sha, why in state["skipped"]
    ]
    return HistoryReport(facts, notices, skipped, head=handle.head, from_cache=from_cache)


def _uncommitted(path: str) -> ArticleHistory:
    return ArticleHistory(path=path, committed=False, note=NOT_COMMITTED)


def _full_pass(
    handle: _Git,
    config: Config,
    settings: HistorySettings,
    tracked: dict[bytes, str],
    threshold: int,
    renames: str,
    wanted: set[str] | None,
    last_change_only: bool,
    log: _GitLog | None = None,
) -> tuple[dict[str, Any], list[str], bool]:
    """Read the whole history (with fallbacks); return (state, notices, complete).

    ``log`` is a ``git log HEAD`` already started with ``renames`` (the first attempt).
    """
    ignore = _read_ignore_revs(_ignore_rev_files(config, handle.toplevel, settings))
    notices: list[str] = []
    deadline = time.monotonic() + settings.time_budget
    attempts = [renames]
    if renames == "auto":
        attempts.append("exact")
    if renames != "off":
        attempts.append("off")
    result: _WalkResult | None = None
    walker: _Walker | None = None
    first_error: str | None = None
    for mode in attempts:
        walker = _Walker(
            config,
            tracked,
            ignore,
            threshold,
            handle.boundary,
            targets=wanted,
            last_change_only=last_change_only,
            keep_candidates=8 if settings.ignore_meta_only_keys else 0,
        )
        result = _run_walk(handle, walker, ["HEAD"], mode, deadline, log)
        log = None
        if result.complete or result.out_of_time or not _is_missing_object(result.error):
            break
        first_error = first_error or result.error
    assert result is not None and walker is not None
    complete = result.complete
    undated: list[str] = []
    if first_error is not None:
        how = {"exact": "only exact renames followed", "off": "renames not followed"}
        mode_note = how.get(mode, "")
        notices.append(
            f"missing objects in the repository ({first_error}); {mode_note}".rstrip("; ")
        )
        if mode != "auto" and result.complete:
            maybe_cut = sorted(result.deleted_in_add_commits)
            if maybe_cut:
                notices.append(
                    f"{len(maybe_cut)} article(s) may have a shortened history (a rename with "
                    f"edits cannot be seen without the missing objects): {_short_list(maybe_cut)}"
                )
    if not result.complete:
        targets = walker.targets
        undated = sorted(
            name
            for name in targets
            if walker.facts[name].last is None and not walker.facts[name].born
        )
        if result.out_of_time:
            notices.append(
                f"history reading stopped after the {settings.time_budget:g}s time budget "
                f"(history.time_budget); {len(undated)} article(s) not dated: {_short_list(undated)}"
            )
        else:
            if first_error is None:
                notices.append(f"git log failed: {result.error}")
            notices.append(
                f"{len(undated)} article(s) could not be dated (missing objects): "
                f"{_short_list(undated)}; fix: `git fsck`, or clone the repository again"
            )
    if settings.ignore_meta_only_keys and result.complete:
        _apply_meta_only(handle, walker, settings.ignore_meta_only_keys)
    state = _state_from_walk(handle.head or "", threshold, walker, result)
    for name in undated:
        state["notes"][name] = "could not be dated" + (
            " (time budget)" if result.out_of_time else " (missing objects)"
        )
    for name in result.deleted_in_add_commits if first_error else ():
        state["notes"].setdefault(name, "history may be cut at an unfollowed rename")
    return state, notices, complete and first_error is None


def _is_missing_object(error: str | None) -> bool:
    return bool(error and _MISSING_OBJECT.search(error))


def _short_list(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _state_from_walk(
    head: str, threshold: int, walker: _Walker, result: _WalkResult
) -> dict[str, Any]:
    """The walk as plain, cacheable data."""
    commits: dict[str, list[str]] = {}

    def ref(commit: _Commit | None) -> str | None:
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
    }


def _commit_change(state: dict[str, Any], sha: str) -> Change:
    date, name, email, subject = state["commits"][sha]
    return Change(sha, datetime.fromisoformat(date), name, email, subject)


def _facts_from_state(
    state: dict[str, Any], articles: Sequence[Article], *, unreliable: bool = False
) -> dict[str, ArticleHistory]:
    changes: dict[str, Change] = {}

    def change(sha: str | None) -> Change | None:
        if sha is None:
            return None
        if sha not in changes:
            changes[sha] = _commit_change(state, sha)
        return changes[sha]

    facts: dict[str, ArticleHistory] = {}
    stored = state["facts"]
    notes = state.get("notes", {})
    for article in articles:
        row = stored.get(article.path)
        if row is None:
            facts[article.path] = _uncommitted(article.path)
            continue
        last, first, count, authors, _born = row
        note = notes.get(article.path)
        if unreliable:
            note = note or "shallow clone: date unreliable"
        facts[article.path] = ArticleHistory(
            path=article.path,
            last_change=change(last),
            first_change=change(first),
            commit_count=count,
            authors=frozenset(authors),
            committed=True,
            reliable=not unreliable and article.path not in notes,
            note=note,
        )
    return facts


def _incremental(
    handle: _Git,
    config: Config,
    settings: HistorySettings,
    cached: dict[str, Any],
    tracked: dict[bytes, str],
    threshold: int,
    renames: str,
    log: _GitLog | None = None,
) -> dict[str, Any] | None:
    """Fold ``OLD..HEAD`` into the cached state; None when a full pass is needed.

    The caller checked that OLD is an ancestor of HEAD; ``log`` reads ``OLD..HEAD``.
    """
    old = cached["head"]
    ignore = _read_ignore_revs(_ignore_rev_files(config, handle.toplevel, settings))
    walker = _Walker(
        config,
        tracked,
        ignore,
        threshold,
        handle.boundary,
        keep_candidates=8 if settings.ignore_meta_only_keys else 0,
    )
    deadline = time.monotonic() + settings.time_budget
    result = _run_walk(handle, walker, [f"{old}..HEAD"], renames, deadline, log)
    if not result.complete:
        return None
    if settings.ignore_meta_only_keys:
        _apply_meta_only(handle, walker, settings.ignore_meta_only_keys)
    new = _state_from_walk(handle.head or "", threshold, walker, result)
    old_facts: dict[str, list[Any]] = cached["facts"]
    merged_facts: dict[str, list[Any]] = {}
    commits = dict(cached["commits"])
    commits.update(new["commits"])
    for raw, name in walker.paths.items():
        # Not born in the window: the article lived at ``raw`` at OLD.
        previous = old_facts.get(_decode_path(raw))
        if previous is None:
            return None  # it came from outside the tracked set: a full pass knows better
        last, first, count, authors, born = previous
        window = new["facts"][name]
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
    used = {row[0] for row in merged_facts.values()} | {row[1] for row in merged_facts.values()}
    used |= {sha for sha, _why in new["skipped"]}
    new["commits"] = {sha: value for sha, value in commits.items() if sha in used}
    return new


def _apply_meta_only(handle: _Git, walker: _Walker, keys: Sequence[str]) -> None:
    """Skip last changes that only touched front-matter keys in ``keys`` (e.g. ms.date)."""
    ignored = {key.casefold() for key in keys}
    pairs: list[tuple[str, _Commit, bytes, bytes]] = []
    for name, facts in walker.facts.items():
        for commit, old, path in facts.candidates:
            if old:  # merges and additions cannot be "front matter only"
                pairs.append((name, commit, old, path))
    if not pairs:
        return
    specs: list[str] = []
    for _name, commit, old, path in pairs:
        specs.append(f"{commit.sha}^:{handle.prefix}{_decode_path(old)}")
        specs.append(f"{commit.sha}:{handle.prefix}{_decode_path(path)}")
    blobs = _cat_files(handle, specs)
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


def _cat_files(handle: _Git, specs: Sequence[str]) -> list[bytes | None]:
    """Contents of ``rev:path`` specs through one ``git cat-file --batch`` (None if absent)."""
    import tempfile

    data = "".join(spec + "\n" for spec in specs).encode("utf-8", "surrogateescape")
    with tempfile.TemporaryFile() as requests:
        requests.write(data)
        requests.seek(0)
        _status, out, _err = handle.repo.git.execute(
            ["git", "cat-file", "--batch"],
            istream=requests,
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
        )
    results: list[bytes | None] = []
    position = 0
    for _spec in specs:
        end = out.find(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            results.append(out[position : position + size])
            position += size + 1
        else:
            results.append(None)
    return results


# --------------------------------------------------------------------------- one article


def article_log(config: Config, article: Article) -> ArticleLog:
    """Every commit of one article, newest first, noise commits marked (``kbctl history``)."""
    settings = history_settings(config)
    handle, why_not = _open_git(config)
    if handle is None:
        return ArticleLog(article.path, [], [why_not or "no git history"], available=False)
    notices: list[str] = []
    if handle.shallow:
        notices.append(
            f"shallow clone: the list below is cut at the clone's boundary; fix: {SHALLOW_FIX}"
        )
    tracked = _tracked_articles(handle, config)
    raw = next((key for key, name in tracked.items() if name == article.path), None)
    if raw is None:
        return ArticleLog(article.path, [], notices, committed=False)
    ignore = _read_ignore_revs(_ignore_rev_files(config, handle.toplevel, settings))
    renames = settings.renames
    if renames == "auto" and handle.partial:
        renames = "exact"
    attempts = [renames] + [mode for mode in ("exact", "off") if mode != renames]
    deadline = time.monotonic() + settings.time_budget
    for mode in attempts:
        # Every path is tracked so that bulk counts are right; only this article's birth
        # ends the walk early.
        walker = _Walker(
            config,
            tracked,
            ignore,
            settings.threshold(len(tracked)),
            handle.boundary,
            targets={article.path},
        )
        walker.facts[article.path].log = []
        result = _run_walk(handle, walker, ["HEAD"], mode, deadline)
        if result.complete or result.stopped_early or not _is_missing_object(result.error):
            break
        notices.append(
            f"missing objects in the repository ({result.error}); renames: {mode} failed"
        )
    if result.out_of_time:
        notices.append(f"stopped after the {settings.time_budget:g}s time budget: list is partial")
    elif not result.complete and not result.stopped_early:
        notices.append(f"git log failed: {result.error}; the list is partial")
    return ArticleLog(article.path, walker.facts[article.path].log or [], notices)


# --------------------------------------------------------------------------- changed paths


def changed_paths(config: Config, rev: str) -> set[str]:
    """Base-relative paths changed between ``rev`` and the working tree (incl. untracked).

    Raises KbError when the base is not in git or ``rev`` is unknown.
    """
    handle, why_not = _open_git(config)
    if handle is None:
        raise KbError(why_not or "no git repository", hint="--changed-since needs a git checkout")
    status, out, _err = handle.run("rev-parse", "-q", "--verify", f"{rev}^{{commit}}")
    if status != 0:
        hint = "check the name, e.g. origin/main"
        if handle.shallow:
            hint += f"; this is a shallow clone: {SHALLOW_FIX}"
        raise NotFoundError(f"unknown git revision {rev!r}", hint=hint)
    sha = out.decode().strip()
    spec = ["--", handle.prefix] if handle.prefix else []
    relative = [f"--relative={handle.prefix}"] if handle.prefix else []
    found: set[str] = set()
    status, out, err = handle.run(
        "diff", "--name-only", "-z", "--no-renames", *relative, sha, *spec
    )
    if status != 0:
        raise KbError(f"git diff failed: {err.strip().splitlines()[-1] if err.strip() else status}")
    found.update(_decode_path(raw) for raw in out.split(b"\0") if raw)
    status, out, _err = handle.run(
        "ls-files", "-z", "--others", "--exclude-standard", "--", handle.prefix or "."
    )
    skip = len(handle.prefix.encode())
    if status == 0:
        found.update(_decode_path(raw[skip:]) for raw in out.split(b"\0") if raw)
    return found


# --------------------------------------------------------------------------- the cache


def _cache_file(config: Config) -> Path:
    key = hashlib.sha256(str(config.root.resolve()).encode()).hexdigest()[:16]
    return cache_root(config) / "history" / f"{key}.json"


def _read_cache(config: Config) -> dict[str, Any] | None:
    try:
        data = _read_json(_cache_file(config))
    except (OSError, ValueError, KbError):
        return None
    required = ("head", "threshold", "commits", "facts", "skipped", "signature")
    if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
        return None
    if not all(key in data for key in required):
        return None
    if not isinstance(data["facts"], dict) or not isinstance(data["commits"], dict):
        return None
    return data


def _write_cache(config: Config, state: dict[str, Any]) -> None:
    """Write the cache and its last-changes sidecar atomically.

    A cache that cannot be written is only a lost speed-up.
    """
    commits = state["commits"]
    sidecar = {
        "format": CACHE_FORMAT,
        "head": state["head"],
        "signature": state.get("signature"),
        "last": {
            path: [row[0], *commits[row[0]]]
            for path, row in state["facts"].items()
            if row[0] is not None and row[0] in commits
        },
    }
    try:
        _write_json(_cache_file(config), state)
        _write_json(_last_changes_file(config), sidecar)
    except (OSError, KbError, ValueError):
        pass


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Write sealed JSON (see kbctl.cachefile) atomically."""
    from kbctl.cachefile import write_sealed

    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # ASCII escapes, because a file name that is not UTF-8 arrives as surrogates, which
    # only an escaped dump can write (and read back unchanged).
    write_sealed(path, json.dumps(data, ensure_ascii=True, separators=(",", ":")).encode("ascii"))


def _read_json(path: Path) -> Any:
    """The data of a sealed JSON cache file; ValueError when it is absent or not ours."""
    from kbctl.cachefile import read_sealed

    data = read_sealed(path)
    if data is None:
        raise ValueError("no sealed cache")
    return json.loads(data)


def _last_changes_file(config: Config) -> Path:
    return _cache_file(config).with_suffix(".last.json")


def _find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """(toplevel, git dir) by walking up from ``start``, without running git."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return folder, dot_git
        if dot_git.is_file():
            try:
                text = dot_git.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                return folder, (folder / text[len("gitdir:") :].strip()).resolve()
            return None
    return None


def _resolve_head(git_dir: Path) -> str | None:
    """HEAD's commit id, read from the files (loose refs, then packed-refs)."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if _HEX.match(head) and len(head) == 40:
        return head
    if not head.startswith("ref:"):
        return None
    ref = head[4:].strip()
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        with contextlib.suppress(OSError):
            common = (git_dir / commondir.read_text(encoding="utf-8").strip()).resolve()
    for folder in (git_dir, common):
        with contextlib.suppress(OSError):
            value = (folder / ref).read_text(encoding="utf-8").strip()
            if len(value) == 40 and _HEX.match(value):
                return value
    with contextlib.suppress(OSError):
        for line in (common / "packed-refs").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref:
                return parts[0]
    return None


def load_cached_history(
    config: Config, paths: Iterable[str] | None = None
) -> dict[str, ArticleHistory] | None:
    """Facts from the cache only, valid for the current HEAD; never runs a full pass and
    does NOT import GitPython (reads .git/HEAD itself).

    Returns None when there is no valid cache (no repository, HEAD moved, settings changed).
    Uncommitted articles are simply absent from the result. ``paths`` limits the result to
    those articles. For a few articles' last change, :func:`cached_last_changes` is cheaper.
    """
    cached = _read_cache(config)
    if cached is None or not _cache_is_current(config, cached["head"], cached["signature"]):
        return None
    wanted = cached["facts"] if paths is None else [p for p in paths if p in cached["facts"]]
    stubs = [_Stub(path) for path in wanted]
    try:
        return _facts_from_state(cached, stubs)  # type: ignore[arg-type]
    except (ValueError, KeyError, TypeError):
        return None


def cached_last_changes(config: Config, paths: Iterable[str]) -> dict[str, Change] | None:
    """The last content change of each of ``paths``, from the small sidecar of the cache.

    Made for ``kbctl search``, which shows ages on every run: it reads a file of one line per
    article instead of the whole history cache (~5 ms instead of ~60 ms at 10k articles),
    runs no git and imports no GitPython. None when the cache is missing or out of date;
    uncommitted articles are absent.
    """
    try:
        sidecar = _read_json(_last_changes_file(config))
        if sidecar.get("format") != CACHE_FORMAT:
            return None
        if not _cache_is_current(config, sidecar["head"], sidecar["signature"]):
            return None
        last = sidecar["last"]
        return {
            path: Change(sha, datetime.fromisoformat(when), name, email, subject)
            for path in paths
            if path in last
            for sha, when, name, email, subject in [last[path]]
        }
    except (OSError, KbError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _cache_is_current(config: Config, head: object, signature: object) -> bool:
    """Whether a cache made at ``head`` with ``signature`` is valid now (cheap: no git)."""
    try:
        located = _find_git_dir(config.root.resolve())
        if located is None:
            return False
        toplevel, git_dir = located
        if (git_dir / "shallow").exists() or _resolve_head(git_dir) != head:
            return False
        relative = config.root.resolve().relative_to(toplevel).as_posix()
        prefix = "" if relative in ("", ".") else relative.rstrip("/") + "/"
        return signature == _signature(config, history_settings(config), toplevel, prefix)
    except (KbError, OSError, ValueError):
        return False


@dataclass(frozen=True, slots=True)
class _Stub:
    path: str


# --------------------------------------------------------------------------- staleness


@dataclass(frozen=True, slots=True)
class StaleItem:
    """An article due or overdue for review, with the evidence from front matter and git."""

    article: Article
    owners: tuple[str, ...]
    review: ReviewStatus
    history: ArticleHistory | None

    @property
    def notes(self) -> list[str]:
        """What git adds to the verdict (not committed, unreliable, changed since review)."""
        parts: list[str] = []
        facts = self.history
        if facts is None:
            return parts
        if not facts.committed:
            parts.append(NOT_COMMITTED)
        elif not facts.reliable:
            parts.append(f"git date unreliable ({facts.note or 'partial history'})")
        elif (
            facts.last_change is None
            and facts.commit_count
            and self.review.basis is ReviewBasis.NONE
        ):
            parts.append("git shows only moves and noise commits")
        last = _utc_date(facts.last_change)
        if (
            self.review.basis is ReviewBasis.LAST_REVIEWED
            and self.article.last_reviewed is not None
            and last is not None
            and last > self.article.last_reviewed
        ):
            parts.append(f"changed since the review ({last})")
        return parts

    @property
    def reason(self) -> str:
        """The review verdict plus what git adds to it."""
        return "; ".join([self.review.reason, *self.notes])

    def summary(self) -> dict[str, Any]:
        """As plain data for JSON output."""
        facts = self.history
        last = facts.last_change if facts else None
        return {
            "id": self.article.id,
            "path": self.article.path,
            "title": self.article.title,
            "owners": list(self.owners),
            "status": self.article.status,
            "state": self.review.state,
            "basis": self.review.basis,
            "last_reviewed": self.article.last_reviewed,
            "review_interval_days": self.review.interval_days,
            "due": self.review.due_date,
            "days_overdue": self.review.days_overdue,
            "last_changed": last.authored if last else None,
            "last_changed_by": last.author if last else None,
            "last_changed_commit": last.commit if last else None,
            "last_changed_subject": last.subject if last else None,
            "committed": facts.committed if facts else None,
            "git_reliable": facts.reliable if facts else None,
            "git_note": facts.note if facts else None,
            "reason": self.reason,
        }


def _utc_date(change: Change | None) -> date | None:
    return change.authored.astimezone(UTC).date() if change is not None else None


def usable_last_change(facts: ArticleHistory | None) -> date | None:
    """The UTC date of the last content change, when git can be trusted for it."""
    if facts is None or not facts.committed or not facts.reliable:
        return None
    return _utc_date(facts.last_change)


def stale_items(
    articles: Sequence[Article],
    facts: Mapping[str, ArticleHistory],
    config: Config,
    today: date,
    *,
    days: int | None = None,
    owners: Mapping[str, tuple[str, ...]] | None = None,
) -> list[StaleItem]:
    """Articles overdue (or never reviewed, or due within ``days``), oldest first. Pure."""
    soon = 0 if days is None else days + 1
    wanted = {ReviewState.OVERDUE, ReviewState.NEVER, ReviewState.DUE_SOON}
    items: list[StaleItem] = []
    for article in articles:
        history = facts.get(article.path)
        review = review_status(article, usable_last_change(history), config, today, soon)
        if review.state in wanted:
            article_owners = (owners or {}).get(article.path, article.owners)
            items.append(StaleItem(article, tuple(article_owners), review, history))
    items.sort(key=lambda item: (item.review.due_date or date.min, item.article.path))
    return items


# --------------------------------------------------------------------------- writing (review workflow)


def git_identity(root: Path) -> str | None:
    """The user's git ``user.email`` (else ``user.name``) as git sees it from ``root``; None if unset."""
    try:
        import git
    except ImportError:
        return None
    runner = git.Git(str(root))
    for key in ("user.email", "user.name"):
        try:
            value = str(runner.config("--get", key)).strip()
        except (git.GitCommandError, git.GitCommandNotFound):
            continue
        if value:
            return value
    return None


def commit_files(root: Path, paths: Sequence[Path], message: str) -> str:
    """Commit exactly ``paths`` (other staged changes are left out) with ``message``; the new sha.

    Raises KbError when the base is not in a git repository or git refuses the commit.
    """
    try:
        import git
    except ImportError:
        raise KbError("cannot commit: GitPython is not installed") from None
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise KbError(
            "cannot commit: the base is not in a git repository",
            hint="the files were edited; commit them yourself or run without --commit",
        ) from None
    toplevel = Path(repo.working_tree_dir or root).resolve()
    names = [path.resolve().relative_to(toplevel).as_posix() for path in paths]
    try:
        repo.git.add("--", *names)
        repo.git.commit("-q", "-m", message, "--", *names)
    except git.GitCommandError as error:
        lines = [line for line in str(error.stderr or "").splitlines() if line.strip()]
        reason = lines[-1].strip().removeprefix("stderr: ").strip("'") if lines else str(error)
        raise KbError(
            f"git commit failed: {reason}",
            hint="the files were edited but not committed; commit them yourself",
        ) from None
    return repo.head.commit.hexsha
