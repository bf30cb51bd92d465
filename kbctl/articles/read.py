"""Reading one article file: bounded, never through a link, never blocking on a FIFO.

Kept apart from :mod:`kbctl.articles.tree` (the scan) so that reading the few files of a
search's hits does not load the scan, the ignore rules and the glob matching.
"""

from __future__ import annotations

import errno
import os
import stat
import unicodedata
from pathlib import Path

from kbctl.i18n import N_, _


def _mode_kind(mode: int) -> str:
    """What a file that is not a regular file is, for messages."""
    for test, kind in (
        (stat.S_ISFIFO, N_("a FIFO")),
        (stat.S_ISSOCK, N_("a socket")),
        (stat.S_ISCHR, N_("a character device")),
        (stat.S_ISBLK, N_("a block device")),
        (stat.S_ISDIR, N_("a folder")),
        (stat.S_ISLNK, N_("a symbolic link")),
    ):
        if test(mode):
            return _(kind)
    return _("unknown type")


class NotReadable(OSError):
    """A file kbctl refuses to read: a link, not a regular file, or too large.

    An OSError, so that callers that skip unreadable files skip these too.
    """


_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
)


def read_article_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of an article file, read without ever blocking or reading without bound.

    The path is checked with ``lstat`` before it is opened: a link, a FIFO, a socket or a
    device is refused (:class:`NotReadable`) unopened, and so is a file over ``max_bytes``.
    The open itself does not follow a link nor wait for a FIFO's writer (the file may be
    swapped between the check and the open), the open file is checked again, and at most
    ``max_bytes + 1`` bytes are read. Raises OSError when the file cannot be read.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        path = on_disk(path)
        info = os.lstat(path)
    _check_readable(info, max_bytes)
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise NotReadable(_(_LINK_REFUSED)) from None
        raise
    try:
        _check_readable(os.fstat(handle), max_bytes)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(handle, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(handle)
    if left <= 0:
        raise NotReadable(
            _("file grew past max_article_bytes ({limit}); not read").format(limit=max_bytes)
        )
    return b"".join(chunks)


def on_disk(path: Path) -> Path:
    """``path`` as it is spelt on disk, where the scan's NFC spelling is not (a name written
    in NFD, as macOS writes them, on a file system that keeps names as bytes)."""
    if path.name.isascii() or path.parent == path:
        return path
    parent = path.parent if path.parent.exists() else on_disk(path.parent)
    wanted = unicodedata.normalize("NFC", path.name)
    try:
        for entry in parent.iterdir():
            if unicodedata.normalize("NFC", entry.name) == wanted:
                return entry
    except OSError:
        return path
    return path


_LINK_REFUSED = N_("symbolic link; not read (kbctl never reads or edits through a link)")


def read_head(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a regular file, opened as articles are (no link followed,
    no wait on a FIFO); empty when it is anything else or cannot be read."""
    try:
        handle = os.open(path, _OPEN_FLAGS)
    except OSError:
        return b""
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return b""
        return os.read(handle, size)
    except OSError:
        return b""
    finally:
        os.close(handle)


def _check_readable(info: os.stat_result, max_bytes: int) -> None:
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        raise NotReadable(_(_LINK_REFUSED))
    if not stat.S_ISREG(mode):
        kind = _mode_kind(mode)
        raise NotReadable(_("not a regular file ({kind}); not read").format(kind=kind))
    if info.st_size > max_bytes:
        raise NotReadable(
            _(
                "file of {size} bytes is larger than max_article_bytes ({limit});"
                " not read (raise max_article_bytes in kbctl.toml, or split the article)"
            ).format(size=info.st_size, limit=max_bytes)
        )
