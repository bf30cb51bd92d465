"""Editing article files: lock, re-read, apply a byte-preserving edit, replace atomically.

The file is opened through its folder's descriptor without following links, the edit is
made by :func:`~kbctl.articles.edit_text.edit_front_matter_bytes`, and the new bytes
replace the file by a rename in the same folder.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kbctl.articles.edit_text import edit_front_matter_bytes
from kbctl.articles.parse import parse_article
from kbctl.articles.tree import relative_path
from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Article


def update_front_matter(
    path: Path,
    updates: Mapping[str, object | None] | Callable[[Article | None], Mapping[str, object | None]],
    *,
    shown: str | None = None,
    config: Config | None = None,
) -> Mapping[str, object | None]:
    """Set, replace or delete (value None) top-level front-matter keys of an article file.

    Only the given keys change: every other byte (key order, comments, quoting, line endings,
    a BOM, the body) stays as it was. New keys go at the end of the front matter; a file
    without front matter gets one at the top. The new text is checked by parsing it before
    it is written (atomically: a temporary file in the same folder, then ``os.replace``,
    keeping the file mode) and the written bytes are checked afterwards.

    The edit holds a lock per article (a lock file in the cache folder of ``config``'s base)
    from reading the file to replacing it, so concurrent kbctl edits of one article apply one
    after the other. ``updates`` may be a function of the article as it is on disk under the
    lock (None when it no longer parses), so that, for example, a new flag is appended to the
    flags present now, not to those seen when the command started. Returns the updates applied.

    The file is opened without following links: a symbolic link, a file whose folder lies
    outside the base (``config.root``; default: the file's own folder) or a read-only file or
    folder is refused. Raises :class:`~kbctl.errors.EditError` (file untouched) when the file
    cannot be edited safely: not UTF-8, front matter that is not valid YAML or not a mapping, a
    key written twice, or a value spread over several lines that is not a list. ``shown`` names
    the file in messages (default: ``path``).
    """
    from kbctl.errors import EditError

    path = Path(path)
    shown = shown or str(path)
    if config is None:
        config = Config(root=path.absolute().parent)
    folder, name, relative = _article_folder(path, config, shown)
    try:
        info = _editable_file(folder, name, shown)
        with _edit_lock(config, relative, shown):
            original = _read_no_follow(folder, name, shown)
            updates, edited = _edited(original, updates, relative, path, config, shown)
            if edited == original:
                return updates
            _replace_in_folder(folder, name, edited, info.st_mode, shown)
            if _read_no_follow(folder, name, shown) != edited:
                raise EditError(
                    _("{path}: the file changed while it was written").format(path=shown),
                    hint=_("another program is editing it; check the file and try again"),
                )
            return updates
    finally:
        os.close(folder)


def preview_front_matter(
    path: Path,
    updates: Mapping[str, object | None] | Callable[[Article | None], Mapping[str, object | None]],
    *,
    shown: str | None = None,
    config: Config | None = None,
) -> tuple[bytes, bytes]:
    """(the file's bytes now, the bytes :func:`update_front_matter` would write): for
    ``--dry-run``. Writes nothing, not even a lock file.

    The file is read and checked as :func:`update_front_matter` does (no links, inside the
    base, writable) and the edit is computed by the same function, so a file that would be
    refused raises the same :class:`~kbctl.errors.EditError` here.
    """
    path = Path(path)
    shown = shown or str(path)
    if config is None:
        config = Config(root=path.absolute().parent)
    folder, name, relative = _article_folder(path, config, shown)
    try:
        _editable_file(folder, name, shown)
        original = _read_no_follow(folder, name, shown)
        _updates, edited = _edited(original, updates, relative, path, config, shown)
        return original, edited
    finally:
        os.close(folder)


def _edited(
    original: bytes,
    updates: Mapping[str, object | None] | Callable[[Article | None], Mapping[str, object | None]],
    relative: str,
    path: Path,
    config: Config,
    shown: str,
) -> tuple[Mapping[str, object | None], bytes]:
    """(the updates, the file's new bytes): the one edit both writing and previewing use."""
    if callable(updates):
        current, _diagnostics = parse_article(original, relative, path, config)
        updates = updates(current)
    return updates, edit_front_matter_bytes(original, updates, shown=shown)


_LOCK_TIMEOUT_S = 30.0


def _article_folder(path: Path, config: Config, shown: str) -> tuple[int, str, str]:
    """(descriptor of the file's real folder, file name, base-relative path), checked.

    The folder (links resolved) must lie inside the base; the file name itself is never
    resolved, so a link is seen as a link.
    """
    from kbctl.errors import EditError

    absolute = path.absolute()
    root = Path(os.path.realpath(config.root))
    real_folder = Path(os.path.realpath(absolute.parent))
    if not real_folder.is_relative_to(root) or absolute.name in ("", ".", ".."):
        raise EditError(
            _("{path}: the file is outside the knowledge base ({folder}); not edited").format(
                path=shown, folder=real_folder
            ),
            hint=_("kbctl only edits articles inside {root}").format(root=root),
        )
    try:
        folder = os.open(real_folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError as error:
        raise EditError(
            _("{path}: cannot open its folder ({error}); not edited").format(
                path=shown, error=error.strerror
            )
        ) from None
    return folder, absolute.name, relative_path(real_folder / absolute.name, root)


def _editable_file(folder: int, name: str, shown: str) -> os.stat_result:
    """The ``lstat`` of a regular, writable file in a writable folder; else EditError."""
    import stat

    from kbctl.errors import EditError

    try:
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
    except OSError as error:
        raise EditError(
            _("{path}: cannot read ({error})").format(path=shown, error=error.strerror)
        ) from None
    if stat.S_ISLNK(info.st_mode):
        raise EditError(
            _("{path}: is a symbolic link; kbctl never edits through links; not edited").format(
                path=shown
            ),
            hint=_("edit the file the link points to by hand, or replace the link with the file"),
        )
    if not stat.S_ISREG(info.st_mode):
        raise EditError(_("{path}: not a regular file; not edited").format(path=shown))
    # Root may write anything, so the mode bits are checked too: a file or folder nobody may
    # write to was made read-only on purpose.
    if not info.st_mode & 0o222 or not os.access(name, os.W_OK, dir_fd=folder):
        raise EditError(
            _("{path}: the file is read-only; not edited").format(path=shown),
            hint=_("make it writable (chmod u+w) if it should be edited"),
        )
    folder_info = os.fstat(folder)
    if not folder_info.st_mode & 0o222 or not os.access(".", os.W_OK, dir_fd=folder):
        raise EditError(
            _("{path}: its folder is read-only; not edited").format(path=shown),
            hint=_(
                "kbctl replaces a file by writing a new one next to it: make the folder writable"
            ),
        )
    return info


def _edit_lock(config: Config, relative: str, shown: str) -> contextlib.AbstractContextManager[Any]:
    """The lock of one article, held while it is read, edited and replaced."""
    import hashlib

    from filelock import FileLock, Timeout

    from kbctl.cachefile import CacheWriteError, own_folder
    from kbctl.config import cache_root
    from kbctl.errors import EditError

    folder = cache_root(config) / "locks"
    digest = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    lock = FileLock(folder / f"{digest}.lock", timeout=_LOCK_TIMEOUT_S)

    @contextlib.contextmanager
    def held() -> Iterator[None]:
        try:
            own_folder(folder)
            lock.acquire()
        except CacheWriteError as error:
            raise EditError(
                _("{path}: {problem}; not edited").format(path=shown, problem=error.message),
                hint=error.hint,
            ) from None
        except Timeout:
            raise EditError(
                _(
                    "{path}: another kbctl has been editing this article for {seconds} s;"
                    " not edited"
                ).format(path=shown, seconds=f"{_LOCK_TIMEOUT_S:.0f}"),
                hint=_("try again; if nothing else runs, delete {file}").format(
                    file=lock.lock_file
                ),
            ) from None
        except OSError as error:
            raise EditError(
                _("{path}: cannot lock the article ({error}: {folder}); not edited").format(
                    path=shown, error=error.strerror, folder=folder
                ),
                hint=_("set $KBCTL_CACHE_DIR to a writable folder"),
            ) from None
        try:
            yield
        finally:
            lock.release()

    return held()


def _read_no_follow(folder: int, name: str, shown: str) -> bytes:
    """The bytes of a regular file in ``folder``, opened without following a link."""
    import errno
    import stat

    from kbctl.errors import EditError

    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        handle = os.open(name, flags, dir_fd=folder)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise EditError(
                _("{path}: is a symbolic link; kbctl never edits through links; not edited").format(
                    path=shown
                )
            ) from None
        raise EditError(
            _("{path}: cannot read ({error})").format(path=shown, error=error.strerror)
        ) from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise EditError(_("{path}: not a regular file; not edited").format(path=shown))
        return stream.read()


def _replace_in_folder(folder: int, name: str, data: bytes, mode: int, shown: str) -> None:
    """Write ``data`` to a new file in ``folder`` and rename it over ``name`` (never a link)."""
    import secrets
    import stat

    from kbctl.errors import EditError

    # A short name: "." + a long article name + a suffix could pass the 255-byte name limit.
    temporary = f".kbctl-{secrets.token_hex(8)}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        handle = os.open(temporary, flags, 0o600, dir_fd=folder)
    except OSError as error:
        raise EditError(
            _("{path}: cannot write ({error}); file left as it was").format(
                path=shown, error=error.strerror
            ),
            hint=_("check that the folder is writable and the disk is not full"),
        ) from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fchmod(stream.fileno(), stat.S_IMODE(mode))
            os.fsync(stream.fileno())
        # rename() replaces the name itself: if a link appeared there meanwhile, the link is
        # replaced, its target is not written.
        os.replace(temporary, name, src_dir_fd=folder, dst_dir_fd=folder)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary, dir_fd=folder)
        raise EditError(
            _("{path}: cannot write ({error}); file left as it was").format(
                path=shown, error=error.strerror
            ),
            hint=_("check that the folder is writable and the disk is not full"),
        ) from None
    with contextlib.suppress(OSError):
        os.fsync(folder)
