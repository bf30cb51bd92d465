"""The index's folders under ``<cache>/search/``: finding, opening, locking, cleaning up.

Layout::

    CURRENT          name of the live index folder (replaced atomically after a full build)
    refresh.lock     held by whoever updates the index (others wait, readers never do)
    ix-<id>/         Whoosh files (non-compound), FORMAT, manifest.json, spelling.json
                     (the base's words by first letter and length, for typo fixes), and
                     SEAL, kbctl's proof that it wrote every file there (kbctl.cachefile)

Whoosh unpickles its table of contents and stored fields, so a folder whose seal does not
verify is never opened.
"""

from __future__ import annotations

import contextlib
import re
import time
from pathlib import Path
from typing import Any

from kbctl.cachefile import cache_write_error, folder_is_sealed, own_folder, read_regular
from kbctl.config import Config, cache_root
from kbctl.i18n import _
from kbctl.search.manifest import FORMAT_VERSION, Manifest, load_manifest

INDEX_FOLDER = "search"
CURRENT_FILE = "CURRENT"
FORMAT_FILE = "FORMAT"
FOLDER_NAME = re.compile(r"ix-[A-Za-z0-9_-]{1,80}")
LOCK_FILE = "refresh.lock"
_SMALL_FILE_LIMIT = 4096


def index_root(config: Config) -> Path:
    """``<cache>/search``, created on demand."""
    return own_folder(cache_root(config) / INDEX_FOLDER)


def read_text(path: Path) -> str | None:
    """A small text file of the cache (``CURRENT``, ``FORMAT``): regular, links not followed."""
    data = read_regular(path, _SMALL_FILE_LIMIT)
    try:
        return None if data is None else data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None


def current_folder(config: Config) -> Path | None:
    """The live index folder named by ``CURRENT`` (None when there is none)."""
    root = index_root(config)
    name = read_text(root / CURRENT_FILE)
    return root / name if name and FOLDER_NAME.fullmatch(name) else None


def checked_folder(root: Path) -> tuple[Path | None, str | None]:
    """The live index folder when it may be opened: (folder, None), else (folder or None,
    problem) (no problem either when there is no index yet).

    The folder is opened only when its name is one kbctl gives, its seal verifies and its
    format is this kbctl's: Whoosh unpickles data when it opens an index, so a folder kbctl
    did not write (planted in a repository, copied from elsewhere, edited) is never handed
    to it.
    """
    name = read_text(root / CURRENT_FILE)
    if not name:
        return None, None
    if not FOLDER_NAME.fullmatch(name):
        return None, "the search index pointer is not kbctl's"
    folder = root / name
    if not folder.is_dir() or folder.is_symlink():
        return None, _("the search index is missing")
    if not folder_is_sealed(folder):
        return folder, _("the search index was not written by this kbctl or was changed")
    version = read_text(folder / FORMAT_FILE)
    if version != str(FORMAT_VERSION):
        return folder, (
            _("the search index has format {found}, this kbctl uses {wanted}").format(
                found=version or _("unknown"), wanted=FORMAT_VERSION
            )
        )
    return folder, None


def open_checked(folder: Path) -> tuple[Any, str | None]:
    """Open the index in a folder :func:`checked_folder` vouched for: (ix, None), or
    (None, problem)."""
    try:
        from whoosh.index import open_dir

        return open_dir(str(folder)), None
    except Exception as error:  # any failure to open means a damaged index
        return None, _("the search index is damaged ({kind})").format(kind=type(error).__name__)


def open_current(root: Path) -> tuple[Path | None, Any, Manifest | None, str | None]:
    """Open the live index. Returns (folder, ix, manifest, problem) (see
    :func:`checked_folder` for when a folder is opened)."""
    folder, problem = checked_folder(root)
    if folder is None or problem:
        return folder, None, None, problem
    manifest = load_manifest(folder)
    if manifest is None:
        return folder, None, None, "the search index manifest is unreadable"
    ix, problem = open_checked(folder)
    if ix is None:
        return folder, None, None, problem
    return folder, ix, manifest, None


def open_fresh(folder: Path) -> Any:
    """Open the index in ``folder``, which this process has just written."""
    from whoosh.index import open_dir

    return open_dir(str(folder))


class RefreshLock:
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

    def __enter__(self) -> RefreshLock:
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


def sweep(root: Path, keep: str) -> None:
    """Remove what a killed build left, if no writer is busy (one listing when clean)."""
    try:
        leftovers = [e for e in root.iterdir() if e.name.startswith("ix-") and e.name != keep]
    except OSError:
        return
    if leftovers:
        with RefreshLock(root, 0.0) as lock:
            if lock.held:
                remove_stale_folders(root, keep)


def remove_stale_folders(root: Path, keep: str) -> None:
    """Remove every index folder but ``keep`` (left by older builds, or failed ones)."""
    import shutil

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
