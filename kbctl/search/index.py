"""The search index: build, keep fresh, recover. The only module (with query.py) using Whoosh.

Layout under ``<cache>/search/``::

    CURRENT          name of the live index folder (replaced atomically after a full build)
    refresh.lock     held by whoever updates the index (others wait, readers never do)
    ix-<id>/         Whoosh files (non-compound), FORMAT, manifest.json, spelling.json
                     (the base's words by first letter and length, for typo fixes), and
                     SEAL, kbctl's proof that it wrote every file there (kbctl.cachefile)

The manifest maps every article path to (size, mtime_ns, content hash), so that a freshness
check only stats files and hashes the few whose size or mtime moved; only files whose content
really changed are parsed and re-indexed. A full build writes a new folder and switches
``CURRENT`` at the end, so a killed build leaves the old index (or nothing) in place; the
next writer removes what a failed or killed build left. Whoosh unpickles its table of
contents and stored fields, so a folder whose seal does not verify is never opened: it is
rebuilt, with a notice.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbctl.articles import read_article_bytes, scan_article_files
from kbctl.cachefile import (
    CacheWriteError,
    cache_write_error,
    folder_is_sealed,
    own_folder,
    read_regular,
    seal_folder,
    write_atomic,
)
from kbctl.config import Config, cache_root
from kbctl.errors import KbError

FORMAT_VERSION = 6  # 6: effective owners (CODEOWNERS, teams) and --where terms
INDEX_FOLDER = "search"
CURRENT_FILE = "CURRENT"
FORMAT_FILE = "FORMAT"
MANIFEST_FILE = "manifest.json"
SPELLING_FILE = "spelling.json"
FOLDER_NAME = re.compile(r"ix-[A-Za-z0-9_-]{1,80}")
LOCK_FILE = "refresh.lock"
# Small segments written by updates are folded into one once there are more than this.
MAX_SMALL_SEGMENTS = 3

# Text fields searched, with their weights (title and aliases count more than the body).
# Few fields: every field of every query word is one more posting list to merge per search.
TEXT_FIELDS: dict[str, float] = {
    "head": 4.0,  # id, title and aliases: what people call the article
    "labels": 2.0,  # tags and description
    "body": 1.0,
}

Progress = Callable[[int, int], None]
FileState = tuple[int, int, str]  # size, mtime_ns, content hash


class IndexLockedError(KbError):
    """Another kbctl process kept the index locked for too long."""


@dataclass(slots=True)
class Manifest:
    """What the index was built from: per file (size, mtime_ns, hash), and the config used."""

    fingerprint: str
    files: dict[str, FileState] = field(default_factory=dict)
    stamp: tuple[int, int, int] | None = None  # (inode, mtime_ns, size) of the file read


@dataclass(slots=True)
class RefreshReport:
    """What a refresh did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unreadable: list[str] = field(default_factory=list)
    rebuilt: bool = False
    total: int = 0
    notices: list[str] = field(default_factory=list)

    @property
    def touched(self) -> int:
        """How many articles were (re)indexed or removed."""
        return self.added + self.changed + self.removed


@dataclass(slots=True)
class SearchIndex:
    """An open, fresh index: the Whoosh index and the folder it lives in."""

    ix: Any
    folder: Path
    report: RefreshReport

    def spelling(self) -> dict[tuple[str, int], str]:
        """The vocabulary for typo correction: (first letter, length) -> words, most
        frequent first, one per line (loading is cheap: a few big strings)."""
        return _load_spelling(self.folder)


def _load_spelling(folder: Path) -> dict[tuple[str, int], str]:
    """The spelling buckets stored as ``[[letter, length, words], ...]`` (empty if unusable)."""
    data = read_regular(folder / SPELLING_FILE)
    try:
        rows = json.loads(data) if data is not None else []
        return {(str(letter), int(length)): str(words) for letter, length, words in rows}
    except (ValueError, TypeError):
        return {}


def _dump_spelling(spelling: dict[tuple[str, int], str]) -> bytes:
    rows = [[letter, length, words] for (letter, length), words in spelling.items()]
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8", "surrogatepass"
    )


def index_root(config: Config) -> Path:
    """``<cache>/search``, created on demand."""
    return own_folder(cache_root(config) / INDEX_FOLDER)


def config_fingerprint(config: Config) -> str:
    """What, in the configuration, changes which files are articles and what they contain."""
    parts = [
        str(config.root),
        repr(sorted(config.include)),
        repr(sorted(config.exclude)),
        repr(sorted((name, tuple(keys)) for name, keys in config.fields.items())),
        f"format={FORMAT_VERSION}",
        f"owners={_owner_files_digest(config)}",  # the owner field depends on these files
    ]
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=12).hexdigest()


def _owner_files_digest(config: Config) -> str:
    from kbctl.ownership import owner_files_digest

    return owner_files_digest(config)


def schema() -> Any:
    """The Whoosh schema. Text fields keep frequencies only (no positions)."""
    from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

    from kbctl.search.analysis import MixedAnalyzer, TermCounts

    analyzer = MixedAnalyzer()
    # Field weights are applied at query time (see TEXT_FIELDS), not baked into the index.
    text = {name: TEXT(analyzer=analyzer, phrase=False) for name in TEXT_FIELDS}
    for text_field in text.values():
        text_field.format = TermCounts()
    return Schema(
        path=ID(unique=True, stored=True),
        f_tag=KEYWORD(commas=True, lowercase=True),
        f_owner=KEYWORD(commas=True, lowercase=True),
        f_where=KEYWORD,
        f_product=ID,
        f_status=ID,
        f_audience=ID,
        meta=STORED,
        **text,
    )


# --- the freshness check ------------------------------------------------------------------


def file_hash(data: bytes) -> str:
    """The content hash kept in the manifest."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(slots=True)
class Plan:
    """The difference between the manifest and the files on disk."""

    to_index: dict[str, bytes] = field(default_factory=dict)  # path -> content (added/changed)
    added: set[str] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)
    files: dict[str, FileState] = field(default_factory=dict)  # the manifest after the change

    @property
    def empty(self) -> bool:
        """Nothing to write to the index (metadata-only changes may still need saving)."""
        return not self.to_index and not self.removed


def plan_changes(config: Config, manifest: Manifest) -> tuple[Plan, bool]:
    """Compare disk with the manifest. Returns the plan and whether the manifest needs saving."""
    on_disk = scan_article_files(config, manifest.files)
    plan = Plan()
    dirty = False
    old = manifest.files
    for path, (size, mtime) in on_disk.items():
        state = old.get(path)
        if state is not None and state[0] == size and state[1] == mtime:
            plan.files[path] = state
            continue
        try:
            data = read_article_bytes(config.root / path, config.max_article_bytes)
        except OSError:
            continue
        digest = file_hash(data)
        plan.files[path] = (len(data), mtime, digest)
        dirty = True
        if state is not None and state[2] == digest:
            continue  # touched, not changed
        plan.to_index[path] = data
        if state is None:
            plan.added.add(path)
    plan.removed = [path for path in old if path not in on_disk]
    return plan, dirty or bool(plan.removed)


# --- reading and writing the index --------------------------------------------------------


def _read_text(path: Path) -> str | None:
    """A small text file of the cache (``CURRENT``, ``FORMAT``): regular, links not followed."""
    data = read_regular(path, _SMALL_FILE_LIMIT)
    try:
        return None if data is None else data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None


_SMALL_FILE_LIMIT = 4096


def _load_manifest(folder: Path) -> Manifest | None:
    path = folder / MANIFEST_FILE
    data = read_regular(path)
    try:
        info = path.stat()
        version, fingerprint, files = json.loads(data.decode("utf-8", "surrogatepass"))  # type: ignore[union-attr]
        files = {str(name): (int(a), int(b), str(c)) for name, (a, b, c) in files.items()}
    except (OSError, AttributeError, ValueError, TypeError):
        return None
    if version != FORMAT_VERSION:
        return None
    return Manifest(str(fingerprint), files, (info.st_ino, info.st_mtime_ns, info.st_size))


def _save_manifest(folder: Path, manifest: Manifest) -> None:
    data = json.dumps(
        [FORMAT_VERSION, manifest.fingerprint, manifest.files],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    write_atomic(folder / MANIFEST_FILE, data.encode("utf-8", "surrogatepass"))


def _document(article: Any, owners: Any) -> dict[str, Any]:
    """The Whoosh document of an article (``article`` is a kbctl.model.Article).

    ``owners`` is a :class:`kbctl.ownership.OwnerFiles`. ``f_owner`` holds the keys of the
    article's effective owners (front matter, else CODEOWNERS; teams expanded; roster handles
    and e-mails), so that ``--owner`` selects what it selects in every other command;
    ``f_where`` holds a token per front-matter (key, value) for ``--where``.
    """
    from kbctl.selection import where_terms, where_token

    owned = owners.of(article)
    return {
        "path": article.path,
        "head": "\n".join((article.id, article.title, *article.aliases)),
        "labels": "\n".join((*article.tags, article.description or "")),
        "body": article.body,
        "f_tag": ",".join(tag.casefold() for tag in article.tags),
        "f_owner": ",".join(key.replace(",", " ") for key in sorted(owners.keys(article))),
        "f_where": " ".join(sorted(where_token(*term) for term in where_terms(article))),
        "f_product": (article.product or "").casefold() or None,
        "f_status": article.status or "none",
        "f_audience": article.audience or "none",
        "meta": {
            "id": article.id,
            "title": article.title,
            "description": article.description,
            "owners": list(owned.owners),
            "owner_source": str(owned.source),
            "status": article.status,
            "audience": article.audience,
            "tags": list(article.tags),
            "product": article.product,
            "last_reviewed": article.last_reviewed.isoformat() if article.last_reviewed else None,
            "body_line": article.body_line,
        },
    }


def _index_documents(
    writer: Any,
    config: Config,
    contents: dict[str, bytes | None],
    vocabulary: Counter[str],
    report: RefreshReport,
    progress: Progress | None,
    *,
    update: bool,
    files: dict[str, FileState] | None = None,
) -> None:
    """Parse and index articles. ``None`` contents are read here (one file in memory at a
    time) and their state is recorded in ``files``."""
    from kbctl.articles import parse_article
    from kbctl.ownership import load_owner_files
    from kbctl.search.analysis import vocabulary_words

    owners = load_owner_files(config)
    total = len(contents)
    for done, path in enumerate(sorted(contents), start=1):
        data = contents[path]
        if data is None:
            try:
                data = read_article_bytes(config.root / path, config.max_article_bytes)
            except OSError:
                continue
            if files is not None:
                files[path] = (len(data), files[path][1], file_hash(data))
        article, _diagnostics = parse_article(data, path, config.root / path, config)
        if article is None:
            report.unreadable.append(path)
            if update:
                writer.delete_by_term("path", path)
        else:
            document = _document(article, owners)
            (writer.update_document if update else writer.add_document)(**document)
            vocabulary.update(
                set(vocabulary_words(f"{article.title}\n{' '.join(article.aliases)}"))
                | set(vocabulary_words(article.body))
            )
        if progress is not None and (done % 50 == 0 or done == total):
            progress(done, total)


def _save_vocabulary(folder: Path, vocabulary: Counter[str]) -> None:
    """Write the spelling buckets of a full build (most frequent words first)."""
    buckets: dict[tuple[str, int], list[str]] = {}
    for word, _count in vocabulary.most_common():
        buckets.setdefault((word[0], len(word)), []).append(word)
    spelling = {key: "\n".join(words) for key, words in buckets.items()}
    write_atomic(folder / SPELLING_FILE, _dump_spelling(spelling))


def _add_to_vocabulary(folder: Path, words: Iterable[str]) -> None:
    """Append words not seen before to their spelling buckets (rewritten only if any)."""
    spelling = _load_spelling(folder)
    changed = False
    for word in sorted(set(words)):
        key = (word[0], len(word))
        bucket = spelling.get(key, "")
        if f"\n{word}\n" not in f"\n{bucket}\n":
            spelling[key] = f"{bucket}\n{word}" if bucket else word
            changed = True
    if changed:
        write_atomic(folder / SPELLING_FILE, _dump_spelling(spelling))


def _full_build(
    config: Config, root: Path, report: RefreshReport, progress: Progress | None
) -> Path:
    """Build a new index folder from scratch and make it current (call under the lock).

    Whatever earlier failed or killed builds left is removed first; a build that fails
    removes its own folder, and a full disk is a one-line error naming the cache folder.
    """
    current = _read_text(root / CURRENT_FILE)
    _remove_stale_folders(root, keep=current or "")
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"ix-{time.strftime('%Y%m%d%H%M%S')}-", dir=root))
    except OSError as error:
        raise cache_write_error(root / "ix", error) from None
    try:
        _build_into(config, folder, report, progress)
        write_atomic(root / CURRENT_FILE, folder.name.encode())
    except BaseException as error:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(error, OSError) and not isinstance(error, KbError):
            raise cache_write_error(folder, error) from None
        raise
    report.rebuilt = True
    _remove_stale_folders(root, keep=folder.name)
    return folder


def _build_into(
    config: Config, folder: Path, report: RefreshReport, progress: Progress | None
) -> None:
    """Index every article into the empty ``folder`` and seal it."""
    from whoosh.index import create_in

    manifest = Manifest(config_fingerprint(config))
    # Files are read one at a time while indexing: a 50k base does not fit in memory twice.
    files: dict[str, FileState] = {
        path: (size, mtime, "") for path, (size, mtime) in scan_article_files(config).items()
    }
    contents: dict[str, bytes | None] = dict.fromkeys(files)
    ix = create_in(str(folder), schema())
    writer = ix.writer(timeout=60.0, limitmb=64, compound=False)
    vocabulary: Counter[str] = Counter()
    try:
        _index_documents(
            writer, config, contents, vocabulary, report, progress, update=False, files=files
        )
        writer.commit(optimize=True)
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    finally:
        ix.close()
    manifest.files = {path: state for path, state in files.items() if state[2]}
    _save_vocabulary(folder, vocabulary)
    _save_manifest(folder, manifest)
    write_atomic(folder / FORMAT_FILE, f"{FORMAT_VERSION}\n".encode())
    seal_folder(folder)
    report.added = len(manifest.files) - len(report.unreadable)
    report.total = report.added


def _sweep(root: Path, keep: str) -> None:
    """Remove what a killed build left, if no writer is busy (one listing when clean)."""
    try:
        leftovers = [e for e in root.iterdir() if e.name.startswith("ix-") and e.name != keep]
    except OSError:
        return
    if leftovers:
        with _RefreshLock(root, 0.0) as lock:
            if lock.held:
                _remove_stale_folders(root, keep)


def _remove_stale_folders(root: Path, keep: str) -> None:
    """Remove every index folder but ``keep`` (left by older builds, or failed ones)."""
    try:
        entries = list(root.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("ix-") and entry.name != keep:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


def _update(
    config: Config,
    folder: Path,
    ix: Any,
    plan: Plan,
    report: RefreshReport,
    progress: Progress | None,
) -> bool:
    """Apply ``plan`` to an existing index (one commit). False when a full build is due.

    Each update writes one small segment. Past MAX_SMALL_SEGMENTS of them, the articles of
    the smallest ones are indexed again from their files into the new segment and those
    segments are dropped (Whoosh's own merge re-reads every posting: ~10x slower). When the
    small segments hold half as many articles as the big one, a full build is due.
    """
    from whoosh.index import LockError
    from whoosh.reading import SegmentReader

    report.added = len(plan.added)
    report.changed = len(plan.to_index) - len(plan.added)
    report.removed = len(plan.removed)
    try:
        writer = ix.writer(timeout=60.0, compound=False)
    except LockError:
        raise IndexLockedError(
            "the search index is locked by another process",
            hint="wait for the other kbctl run to finish, then try again",
        ) from None
    vocabulary: Counter[str] = Counter()
    try:
        segments = sorted(writer.segments, key=lambda seg: seg.doc_count_all(), reverse=True)
        folded: set[str] = set()
        if len(segments) > MAX_SMALL_SEGMENTS:
            small = segments[1:]
            live = sum(segment.doc_count() for segment in small)
            if live * 2 >= segments[0].doc_count():
                writer.cancel()
                return False
            chosen = _segments_to_fold(small)
            folded = {segment.segment_id() for segment in chosen}
            for segment in chosen:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                try:
                    paths = [fields["path"] for fields in reader.all_stored_fields()]
                finally:
                    reader.close()
                for path in paths:
                    if path not in plan.to_index and path in plan.files:
                        _reload(config, path, plan)
        for path in plan.removed:
            writer.delete_by_term("path", path)
        _index_documents(writer, config, plan.to_index, vocabulary, report, progress, update=True)
        writer.commit(
            mergetype=lambda _writer, current: [
                segment for segment in current if segment.segment_id() not in folded
            ]
        )
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    if vocabulary:
        # Words of removed articles stay until the next full build: suggestions are checked
        # against the index before they are shown, so a stale word costs nothing.
        _add_to_vocabulary(folder, vocabulary)
    return True


def _segments_to_fold(small: list[Any]) -> list[Any]:
    """The smallest segments, as long as each next one is no bigger than those taken so far
    (a binary counter: every document is indexed again only a logarithmic number of times)."""
    ascending = sorted(small, key=lambda segment: segment.doc_count_all())
    chosen = ascending[:2]
    for segment in ascending[2:]:
        if segment.doc_count_all() > sum(item.doc_count_all() for item in chosen):
            break
        chosen.append(segment)
    return chosen


def _reload(config: Config, path: str, plan: Plan) -> None:
    """Add an unchanged article to ``plan`` so that it is indexed again."""
    try:
        data = read_article_bytes(config.root / path, config.max_article_bytes)
        mtime = (config.root / path).stat().st_mtime_ns
    except OSError:
        return
    plan.to_index[path] = data
    plan.files[path] = (len(data), mtime, file_hash(data))


def _open_current(root: Path) -> tuple[Path | None, Any, Manifest | None, str | None]:
    """Open the live index. Returns (folder, ix, manifest, problem).

    The folder is opened only when its name is one kbctl gives and its seal verifies:
    Whoosh unpickles data when it opens an index, so a folder kbctl did not write (planted
    in a repository, copied from elsewhere, edited) is never handed to it.
    """
    name = _read_text(root / CURRENT_FILE)
    if not name:
        return None, None, None, None
    if not FOLDER_NAME.fullmatch(name):
        return None, None, None, "the search index pointer is not kbctl's"
    folder = root / name
    if not folder.is_dir() or folder.is_symlink():
        return None, None, None, "the search index is missing"
    if not folder_is_sealed(folder):
        return folder, None, None, "the search index was not written by this kbctl or was changed"
    version = _read_text(folder / FORMAT_FILE)
    if version != str(FORMAT_VERSION):
        return (
            folder,
            None,
            None,
            (
                f"the search index has format {version or 'unknown'}, this kbctl uses "
                f"{FORMAT_VERSION}"
            ),
        )
    manifest = _load_manifest(folder)
    if manifest is None:
        return folder, None, None, "the search index manifest is unreadable"
    try:
        from whoosh.index import open_dir

        ix = open_dir(str(folder))
    except Exception as error:  # any failure to open means a damaged index
        return folder, None, None, f"the search index is damaged ({type(error).__name__})"
    return folder, ix, manifest, None


class _RefreshLock:
    """The lock every index writer takes; waits up to ``timeout`` seconds."""

    def __init__(self, root: Path, timeout: float) -> None:
        self.path = root / LOCK_FILE
        self.timeout = timeout
        self.held = False
        self.fd: int | None = None

    def _try(self) -> bool:
        import fcntl
        import os

        if self.fd is None:
            # Never through a link: in a cache folder inside a repository, a committed link
            # would make kbctl create (or lock) a file anywhere.
            flags = os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
            self.fd = os.open(self.path, flags, 0o600)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def __enter__(self) -> _RefreshLock:
        deadline = time.monotonic() + self.timeout
        try:
            while not self._try():
                if time.monotonic() >= deadline:
                    return self
                time.sleep(0.05)
        except OSError as error:
            self._close()
            raise cache_write_error(self.path, error) from None
        self.held = True
        return self

    def __exit__(self, *exc: object) -> None:
        self.held = False
        self._close()

    def _close(self) -> None:
        import os

        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)  # closing drops the flock
            self.fd = None


def open_index(
    config: Config,
    *,
    rebuild: bool = False,
    refresh: bool = True,
    progress: Progress | None = None,
    wait: float = 600.0,
) -> SearchIndex:
    """The index of ``config``'s base, brought up to date first (or built, or rebuilt).

    Cheap when nothing changed: one stat per file and no parsing. Changes are applied under
    a lock, so concurrent writers wait for each other; a reader never waits for a writer
    when an index exists: while another process holds the lock (a rebuild, say), it answers
    from the last committed index with a notice. ``refresh=False`` skips the check when an
    index exists (for callers that keep it fresh another way, e.g. a git hook).
    """
    root = index_root(config)
    report = RefreshReport()
    fingerprint = config_fingerprint(config)
    first: tuple[Path | None, tuple[int, int, int] | None, Plan, bool] | None = None
    usable_now = False
    if not rebuild:
        folder, ix, manifest, _problem = _open_current(root)
        if ix is not None and manifest is not None and manifest.fingerprint == fingerprint:
            if not refresh:
                return SearchIndex(ix, folder, report)  # type: ignore[arg-type]
            plan, dirty = plan_changes(config, manifest)
            first = (folder, manifest.stamp, plan, dirty)
            if not dirty:
                report.total = len(manifest.files)
                _sweep(root, keep=folder.name)  # type: ignore[union-attr]
                return SearchIndex(ix, folder, report)  # type: ignore[arg-type]
            usable_now = True
        if ix is not None:
            ix.close()
    if usable_now:
        # With a usable index at hand, a busy lock is not worth waiting for: answer from it.
        with _RefreshLock(root, 0.0) as lock:
            if lock.held:
                return _refresh_guarded(config, root, report, progress, rebuild, first)
        with contextlib.suppress(IndexLockedError):
            return _stale_or_fail(root, report)
    with _RefreshLock(root, wait) as lock:
        if not lock.held:
            return _stale_or_fail(root, report)
        return _refresh_guarded(config, root, report, progress, rebuild, first)


def _refresh_guarded(
    config: Config,
    root: Path,
    report: RefreshReport,
    progress: Progress | None,
    rebuild: bool,
    first: tuple[Path | None, tuple[int, int, int] | None, Plan, bool] | None,
) -> SearchIndex:
    """:func:`_refresh_locked`, with a failed write turned into a one-line error."""
    try:
        return _refresh_locked(config, root, report, progress, rebuild=rebuild, first=first)
    except OSError as error:
        raise cache_write_error(root, error) from None


def _refresh_locked(
    config: Config,
    root: Path,
    report: RefreshReport,
    progress: Progress | None,
    *,
    rebuild: bool,
    first: tuple[Path | None, tuple[int, int, int] | None, Plan, bool] | None,
) -> SearchIndex:
    """The part of :func:`open_index` that writes; runs under the refresh lock."""
    fingerprint = config_fingerprint(config)
    # Look again under the lock: another process may have done the work meanwhile.
    folder, ix, manifest, problem = _open_current(root)
    if problem:
        report.notices.append(f"{problem}; rebuilding it")
    elif ix is not None and manifest is not None and manifest.fingerprint != fingerprint:
        report.notices.append("the configuration changed; rebuilding the search index")
    usable = ix is not None and manifest is not None and manifest.fingerprint == fingerprint
    if rebuild or not usable:
        if ix is not None:
            ix.close()
        folder = _full_build(config, root, report, progress)
        return SearchIndex(_open_fresh(folder), folder, report)
    assert folder is not None and manifest is not None
    if first is not None and first[:2] == (folder, manifest.stamp):
        plan, dirty = first[2], first[3]  # nobody updated the index meanwhile
    else:
        plan, dirty = plan_changes(config, manifest)
    if not plan.empty:
        try:
            updated = _update(config, folder, ix, plan, report, progress)
        except (IndexLockedError, CacheWriteError):
            ix.close()
            raise
        except OSError:
            ix.close()
            seal_folder(folder)  # what Whoosh committed is whole: keep it usable
            raise
        except Exception as error:  # a damaged index fails here: start over
            ix.close()
            report.notices.append(
                f"the search index is damaged ({type(error).__name__}); rebuilding it"
            )
            return _start_over(config, root, report, progress)
        ix.close()
        if not updated:  # the updates outgrew the index: start over, once in a while
            return _start_over(config, root, report, progress)
        ix = _open_fresh(folder)
    if dirty:
        _save_manifest(folder, Manifest(fingerprint, plan.files))
    if dirty or not plan.empty:
        seal_folder(folder)
    report.total = len(plan.files)
    return SearchIndex(ix, folder, report)


def _start_over(
    config: Config, root: Path, report: RefreshReport, progress: Progress | None
) -> SearchIndex:
    report.added = report.changed = report.removed = 0
    report.unreadable.clear()
    folder = _full_build(config, root, report, progress)
    return SearchIndex(_open_fresh(folder), folder, report)


def current_folder(config: Config) -> Path | None:
    """The live index folder named by ``CURRENT`` (None when there is none)."""
    root = index_root(config)
    name = _read_text(root / CURRENT_FILE)
    return root / name if name and FOLDER_NAME.fullmatch(name) else None


def _open_fresh(folder: Path) -> Any:
    from whoosh.index import open_dir

    return open_dir(str(folder))


def _stale_or_fail(root: Path, report: RefreshReport) -> SearchIndex:
    """The lock stayed busy: search the last committed index if there is one."""
    folder, ix, _manifest, _problem = _open_current(root)
    if ix is None or folder is None:
        raise IndexLockedError(
            "another kbctl process is building the search index",
            hint="wait for it to finish, then run the command again",
        )
    report.notices.append(
        "another kbctl process is updating the search index; results may miss the newest edits"
    )
    return SearchIndex(ix, folder, report)


def index_status(config: Config) -> dict[str, Any]:
    """Facts about the index without changing it (for ``kbctl index --status``)."""
    root = index_root(config)
    folder, ix, manifest, problem = _open_current(root)
    status: dict[str, Any] = {
        "cache": str(cache_root(config)),
        "folder": str(folder) if folder else None,
        "format": FORMAT_VERSION,
        "problem": problem,
        "articles": None,
        "segments": None,
        "size_bytes": None,
    }
    if ix is not None and folder is not None:
        status["articles"] = ix.doc_count()
        status["segments"] = len(ix._segments())
        status["size_bytes"] = sum(entry.stat().st_size for entry in folder.iterdir())
        ix.close()
    if manifest is not None:
        status["files"] = len(manifest.files)
    return status
