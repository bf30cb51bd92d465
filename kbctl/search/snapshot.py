"""The quick freshness check: has anything the index was built from moved since?

The full check (:func:`kbctl.search.manifest.plan_changes`) walks the base: it lists every
folder, applies the ignore files and the include/exclude globs to every name and stats every
file. Most searches find nothing changed, so the index folder also keeps a *snapshot*:

- the modification and change times of every folder the walk could enter (a file added,
  removed or renamed, an editor's save-by-rename, a new sub-folder: each changes the time of
  its folder), taken *before* the walk whose result the index holds, so that anything that
  happens during or after that walk shows;
- the ``.gitignore``/``.ignore`` files of those folders and of the folders above the base,
  and whether each of those is the top of a git repository;
- every article file with the size and modification time the index was built from (the
  manifest's own figures, so the snapshot is never newer than the index);
- the settings that change what the walk finds (the fingerprint, ``max_article_bytes``,
  the cache folder it skips).

:func:`snapshot_holds` stats those folders and files (one ``stat`` per file, relative to an
open folder, and no matching) and compares. Anything it cannot vouch for sends the caller to
the full check, so results are never staler than the full check would make them; the full
check then writes a new snapshot. The file lives in the sealed index folder, so it is only
read when kbctl wrote it.

It works on strings and ``os`` calls, not :class:`~pathlib.Path`: at 50,000 files the
objects cost more than the ``stat`` calls.
"""

# ruff: noqa: PTH116, PTH118

from __future__ import annotations

import contextlib
import json
import os
import stat
from array import array
from pathlib import Path
from typing import Any

from kbctl.cachefile import read_regular, write_atomic
from kbctl.config import Config, shared_cache_dir

SNAPSHOT_FILE = "snapshot.bin"
_VERSION = 1
# kbctl.articles.ignore.IGNORE_FILES (a test keeps them equal): importing kbctl.articles
# would cost every search more than this check does.
IGNORE_FILES = (".gitignore", ".ignore")
_DIR_FLAGS = os.O_RDONLY | os.O_CLOEXEC | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW

FolderState = tuple[str, int, int]  # base-relative folder ("" for the base), mtime_ns, ctime_ns
Watched = tuple[list[FolderState], list[list[Any]]]  # folders, files of note (ignore files)


def _state(path: str) -> list[int] | None:
    """(size, mtime_ns, ctime_ns) of a file, links followed; None when it is not there."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns]


def _outer(config: Config) -> list[list[Any]]:
    """For every folder above the base: is it a repository's top, its ignore files."""
    found: list[list[Any]] = []
    for folder in config.root.parents:
        base = str(folder)
        found.append(
            [
                base,
                os.path.lexists(os.path.join(base, ".git")),
                [_state(os.path.join(base, name)) for name in IGNORE_FILES],
            ]
        )
    return found


def watch_folders(config: Config) -> Watched:
    """The state of every folder a walk of the base could enter, and of their ignore files.

    Taken before a walk: what changes after it must show as a difference. A superset of
    what the walk enters (ignored folders are in it too), never a subset.
    """
    root = str(config.root)
    cache = shared_cache_dir(config)
    skip = str(cache) if cache else None
    folders: list[FolderState] = []
    notes: list[list[Any]] = []
    stack = [(root, "")]
    while stack:
        path, prefix = stack.pop()
        try:
            info = os.stat(path, follow_symlinks=False)
            with os.scandir(path) as scan:
                entries = list(scan)
        except OSError:
            folders.append((prefix, -1, -1))  # unreadable: never vouched for
            continue
        folders.append((prefix, info.st_mtime_ns, info.st_ctime_ns))
        for entry in entries:
            name = entry.name
            if name in IGNORE_FILES:
                notes.append([f"{prefix}{name}", _state(entry.path)])
            if name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_folder and entry.path != skip:
                stack.append((entry.path, f"{prefix}{name}/"))
    return folders, notes


def _header(config: Config, fingerprint: str) -> list[Any]:
    cache = shared_cache_dir(config)
    return [_VERSION, fingerprint, str(config.root), config.max_article_bytes, str(cache or "")]


def save_snapshot(
    folder: Path,
    config: Config,
    fingerprint: str,
    watched: Watched,
    files: dict[str, tuple[int, int, str]],
) -> None:
    """Write the snapshot of an index built from ``files`` (path -> size, mtime, hash), with
    the folders as :func:`watch_folders` found them before the walk."""
    folders, notes = watched
    groups: dict[str, list[str]] = {}
    values = array("q")
    for path in sorted(files):
        parent, _, name = path.rpartition("/")
        groups.setdefault(parent, []).append(name)
    for parent, names in groups.items():
        prefix = f"{parent}/" if parent else ""
        for name in names:
            size, mtime, _digest = files[prefix + name]
            values.extend((size, mtime))
    head = [_header(config, fingerprint), folders, notes, _outer(config), list(groups.items())]
    text = json.dumps(head, separators=(",", ":")).encode("ascii")
    write_atomic(folder / SNAPSHOT_FILE, len(text).to_bytes(8, "little") + text + values.tobytes())


def drop_snapshot(folder: Path) -> None:
    """Remove the snapshot (the index changed without one being taken)."""
    with contextlib.suppress(FileNotFoundError):
        (folder / SNAPSHOT_FILE).unlink()


def snapshot_holds(folder: Path, config: Config, fingerprint: str) -> int | None:
    """The number of articles when nothing the index of ``folder`` was built from has moved
    since its snapshot; None when the full check must decide (no snapshot, or a
    difference, or anything that cannot be read)."""
    data = read_regular(folder / SNAPSHOT_FILE)
    if data is None or len(data) < 8:
        return None
    try:
        size = int.from_bytes(data[:8], "little")
        header, folders, notes, outer, groups = json.loads(data[8 : 8 + size])
        stored = data[8 + size :]
    except (ValueError, TypeError):
        return None
    if header != _header(config, fingerprint) or outer != _outer(config):
        return None
    root = str(config.root)
    try:
        for prefix, mtime, ctime in folders:
            info = os.stat(os.path.join(root, prefix), follow_symlinks=False)
            if (info.st_mtime_ns, info.st_ctime_ns) != (mtime, ctime) or mtime < 0:
                return None
        for path, state in notes:
            if _state(os.path.join(root, path)) != state:
                return None
        values = array("q")
        regular = stat.S_ISREG
        for parent, names in groups:
            handle = os.open(os.path.join(root, parent), _DIR_FLAGS)
            try:
                for name in names:
                    info = os.stat(name, dir_fd=handle, follow_symlinks=False)
                    if not regular(info.st_mode):
                        return None
                    values.append(info.st_size)
                    values.append(info.st_mtime_ns)
            finally:
                os.close(handle)
    except (OSError, ValueError, TypeError):
        return None
    if values.tobytes() != stored:
        return None
    return len(values) // 2
