"""The search index: open it, keep it fresh, rebuild it when it cannot be trusted.

The parts: :mod:`~kbctl.search.store` (the folders under ``<cache>/search/``, the lock),
:mod:`~kbctl.search.manifest` (what the index was built from, the freshness plan),
:mod:`~kbctl.search.document` (the schema), :mod:`~kbctl.search.build` (full builds),
:mod:`~kbctl.search.update` (incremental updates) and :mod:`~kbctl.search.spelling` (the
vocabulary for typo fixes). This module decides which of them runs.

A freshness check stats every file and hashes only those whose size or mtime moved; only
files whose content really changed are parsed and re-indexed. A folder whose seal does not
verify is never opened: it is rebuilt, with a notice.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbctl.cachefile import CacheWriteError, cache_write_error, seal_folder
from kbctl.config import Config, cache_root
from kbctl.i18n import _
from kbctl.search.document import TEXT_FIELDS, schema
from kbctl.search.manifest import (
    FORMAT_VERSION,
    MANIFEST_FILE,
    FileState,
    Manifest,
    Plan,
    config_fingerprint,
    file_hash,
    plan_changes,
    save_manifest,
)
from kbctl.search.report import IndexLockedError, Progress, RefreshReport
from kbctl.search.spelling import SPELLING_FILE, load_spelling
from kbctl.search.store import (
    CURRENT_FILE,
    FOLDER_NAME,
    FORMAT_FILE,
    INDEX_FOLDER,
    LOCK_FILE,
    RefreshLock,
    checked_folder,
    current_folder,
    index_root,
    open_checked,
    open_current,
    open_fresh,
    sweep,
)

__all__ = [
    "CURRENT_FILE",
    "FOLDER_NAME",
    "FORMAT_FILE",
    "FORMAT_VERSION",
    "INDEX_FOLDER",
    "LOCK_FILE",
    "MANIFEST_FILE",
    "SPELLING_FILE",
    "TEXT_FIELDS",
    "FileState",
    "IndexLockedError",
    "Manifest",
    "Plan",
    "Progress",
    "RefreshReport",
    "SearchIndex",
    "config_fingerprint",
    "current_folder",
    "file_hash",
    "index_root",
    "index_status",
    "open_index",
    "plan_changes",
    "schema",
]

# (folder, manifest stamp, plan, dirty) of a freshness check made before the lock was taken
_FirstLook = tuple[Path | None, tuple[int, int, int] | None, Plan, bool]


@dataclass(slots=True)
class SearchIndex:
    """An open, fresh index: the Whoosh index and the folder it lives in."""

    ix: Any
    folder: Path
    report: RefreshReport

    def spelling(self) -> dict[tuple[str, int], str]:
        """The vocabulary for typo correction: (first letter, length) -> words, most
        frequent first, one per line (loading is cheap: a few big strings)."""
        return load_spelling(self.folder)


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
    first: _FirstLook | None = None
    usable_now = False
    if not rebuild:
        quick = _open_unchanged(config, root, fingerprint, report) if refresh else None
        if quick is not None:
            return quick
        folder, ix, manifest, _problem = open_current(root)
        if ix is not None and manifest is not None and manifest.fingerprint == fingerprint:
            if not refresh:
                return SearchIndex(ix, folder, report)  # type: ignore[arg-type]
            plan, dirty = plan_changes(config, manifest)
            first = (folder, manifest.stamp, plan, dirty)
            if not dirty:
                report.total = len(manifest.files)
                sweep(root, keep=folder.name)  # type: ignore[union-attr]
                _retake_snapshot(config, root, folder, fingerprint, plan)  # type: ignore[arg-type]
                return SearchIndex(ix, folder, report)  # type: ignore[arg-type]
            usable_now = True
        if ix is not None:
            ix.close()
    if usable_now:
        # With a usable index at hand, a busy lock is not worth waiting for: answer from it.
        with RefreshLock(root, 0.0) as lock:
            if lock.held:
                return _refresh_guarded(config, root, report, progress, rebuild, first)
        with contextlib.suppress(IndexLockedError):
            return _stale_or_fail(root, report)
    with RefreshLock(root, wait) as lock:
        if not lock.held:
            return _stale_or_fail(root, report)
        return _refresh_guarded(config, root, report, progress, rebuild, first)


def _open_unchanged(
    config: Config, root: Path, fingerprint: str, report: RefreshReport
) -> SearchIndex | None:
    """The live index when its snapshot shows nothing moved (no walk of the base, no
    manifest read); None when the full check must run (see :mod:`kbctl.search.snapshot`)."""
    from kbctl.search.snapshot import snapshot_holds

    folder, problem = checked_folder(root)
    if folder is None or problem:
        return None
    total = snapshot_holds(folder, config, fingerprint)
    if total is None:
        return None
    ix, _problem = open_checked(folder)
    if ix is None:
        return None
    report.total = total
    sweep(root, keep=folder.name)
    return SearchIndex(ix, folder, report)


def _retake_snapshot(
    config: Config, root: Path, folder: Path, fingerprint: str, plan: Plan
) -> None:
    """After a full check found nothing to do, write a snapshot so that the next search
    can skip the walk; only when the lock is free and the index is still ``folder``."""
    from kbctl.search.snapshot import SNAPSHOT_FILE, save_snapshot

    if not plan.complete or plan.watched is None:
        return
    with RefreshLock(root, 0.0) as lock:
        if not lock.held or checked_folder(root) != (folder, None):
            return
        try:
            save_snapshot(folder, config, fingerprint, plan.watched, plan.files)
            seal_folder(folder)
        except (OSError, CacheWriteError):
            with contextlib.suppress(OSError):
                (folder / SNAPSHOT_FILE).unlink()
                seal_folder(folder)


def _refresh_guarded(
    config: Config,
    root: Path,
    report: RefreshReport,
    progress: Progress | None,
    rebuild: bool,
    first: _FirstLook | None,
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
    first: _FirstLook | None,
) -> SearchIndex:
    """The part of :func:`open_index` that writes; runs under the refresh lock."""
    from kbctl.search.build import full_build
    from kbctl.search.update import update

    fingerprint = config_fingerprint(config)
    # Look again under the lock: another process may have done the work meanwhile.
    folder, ix, manifest, problem = open_current(root)
    if problem:
        report.notices.append(_("{problem}; rebuilding it").format(problem=problem))
    elif ix is not None and manifest is not None and manifest.fingerprint != fingerprint:
        report.notices.append(_("the configuration changed; rebuilding the search index"))
    usable = ix is not None and manifest is not None and manifest.fingerprint == fingerprint
    if rebuild or not usable:
        if ix is not None:
            ix.close()
        folder = full_build(config, root, report, progress, first[2] if first else None)
        return SearchIndex(open_fresh(folder), folder, report)
    assert folder is not None and manifest is not None
    if first is not None and first[:2] == (folder, manifest.stamp):
        plan, dirty = first[2], first[3]  # nobody updated the index meanwhile
    else:
        plan, dirty = plan_changes(config, manifest, first[2] if first else None)
    if not plan.empty:
        try:
            updated = update(config, folder, ix, plan, report, progress)
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
                _("the search index is damaged ({kind}); rebuilding it").format(
                    kind=type(error).__name__
                )
            )
            return _start_over(config, root, report, progress, plan)
        ix.close()
        if not updated:  # the updates outgrew the index: start over, once in a while
            return _start_over(config, root, report, progress, plan)
        ix = open_fresh(folder)
    if dirty:
        save_manifest(folder, Manifest(fingerprint, plan.files))
    if dirty or not plan.empty:
        _write_snapshot(config, folder, fingerprint, plan)
        seal_folder(folder)
    report.total = len(plan.files)
    return SearchIndex(ix, folder, report)


def _write_snapshot(config: Config, folder: Path, fingerprint: str, plan: Plan) -> None:
    """The snapshot of the index just updated from ``plan``, or none when the plan cannot
    vouch for every file (the next search then runs the full check)."""
    from kbctl.search.snapshot import drop_snapshot, save_snapshot

    if plan.complete and plan.watched is not None:
        save_snapshot(folder, config, fingerprint, plan.watched, plan.files)
    else:
        drop_snapshot(folder)


def _start_over(
    config: Config, root: Path, report: RefreshReport, progress: Progress | None, plan: Plan
) -> SearchIndex:
    """A full build after an update failed or was not worth it (what ``plan`` read is reused)."""
    from kbctl.search.build import full_build

    report.added = report.changed = report.removed = 0
    report.unreadable.clear()
    folder = full_build(config, root, report, progress, plan)
    return SearchIndex(open_fresh(folder), folder, report)


def _stale_or_fail(root: Path, report: RefreshReport) -> SearchIndex:
    """The lock stayed busy: search the last committed index if there is one."""
    folder, ix, _manifest, _problem = open_current(root)
    if ix is None or folder is None:
        raise IndexLockedError(
            _("another kbctl process is building the search index"),
            hint=_("wait for it to finish, then run the command again"),
        )
    report.notices.append(
        _("another kbctl process is updating the search index; results may miss the newest edits")
    )
    return SearchIndex(ix, folder, report)


def index_status(config: Config) -> dict[str, Any]:
    """Facts about the index without changing it (for ``kbctl index --status``)."""
    root = index_root(config)
    folder, ix, manifest, problem = open_current(root)
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
