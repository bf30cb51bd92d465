"""Cache files: written atomically, read back only when kbctl can prove it wrote them.

Everything kbctl caches (parsed articles, git history, the search index) is data, never code:
JSON for kbctl's own files, Whoosh's files for the index. Whoosh unpickles parts of its index
when it opens it, so an index folder must never be opened unless this user's kbctl wrote it.
Every cache file is therefore *sealed*: a keyed BLAKE2b tag over its bytes (for an index
folder, over the identity of each of its files, change time included), with a random key kept in
the user's state folder with mode 0600 (``$XDG_STATE_HOME/kbctl/cache.key``). A file planted
in a repository, copied from another machine or edited by hand fails the check and is
rebuilt; nothing of it is decoded first.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from kbctl.errors import KbError

ENV_STATE_DIR = "KBCTL_STATE_DIR"
KEY_FILE = "cache.key"
KEY_BYTES = 32
MAGIC = b"kbctl-sealed-1\n"
TAG_BYTES = 32

_key: bytes | None = None


class CacheWriteError(KbError):
    """A cache file could not be written (full disk, read-only folder)."""


def state_folder() -> Path:
    """Where the per-user cache key lives: ``$KBCTL_STATE_DIR``, else the platform's state folder."""
    explicit = os.environ.get(ENV_STATE_DIR)
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return Path(platformdirs.user_state_dir("kbctl", appauthor=False))


def cache_key() -> bytes:
    """The user's random sealing key, created on first use (mode 0600).

    A key file that is not a regular file owned by this user with no group or other access
    is replaced. Where no key can be stored, a key for this process alone is used: caches
    then never verify and are rebuilt, which is slow but safe.
    """
    global _key
    if _key is None:
        _key = _read_key() or _new_key()
    return _key


def _key_path() -> Path:
    return state_folder() / KEY_FILE


def _read_key() -> bytes | None:
    try:
        fd = os.open(_key_path(), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & 0o077
            or info.st_size != KEY_BYTES
        ):
            return None
        key = handle.read(KEY_BYTES + 1)
    return key if len(key) == KEY_BYTES else None


def _new_key() -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    path = _key_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_atomic(path, key)  # mkstemp makes the file 0600 before a byte is written
    except (OSError, CacheWriteError):
        return key
    return _read_key() or key  # another process may have won the race: use what is stored


def tag(data: bytes | Iterable[bytes]) -> bytes:
    """The seal tag of ``data`` (bytes, or chunks fed in order)."""
    mac = hashlib.blake2b(key=cache_key(), digest_size=TAG_BYTES)
    if isinstance(data, bytes | bytearray | memoryview):
        mac.update(data)
    else:
        for chunk in data:
            mac.update(chunk)
    return mac.digest()


def seal(data: bytes) -> bytes:
    """``data`` with its seal in front."""
    return MAGIC + tag(data) + data


def unseal(blob: bytes) -> bytes | None:
    """The data of a sealed blob, or None when the seal is missing or wrong."""
    head = len(MAGIC) + TAG_BYTES
    if len(blob) < head or not blob.startswith(MAGIC):
        return None
    data = blob[head:]
    if not hmac.compare_digest(blob[len(MAGIC) : head], tag(data)):
        return None
    return data


def own_folder(path: Path) -> Path:
    """Create the cache folder ``path`` (mode 0700) if needed; refuse it when it is a link.

    A cache folder may sit inside a repository (``cache_dir``), where anyone can commit a
    symbolic link in place of one of its folders: writing there would write outside the cache.
    """
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(path)
    except OSError as error:
        raise CacheWriteError(
            f"cannot create the cache folder {path}: {error.strerror or error}",
            hint="set $KBCTL_CACHE_DIR to a writable folder",
        ) from None
    if not stat.S_ISDIR(info.st_mode):
        raise CacheWriteError(
            f"the cache folder {path} is a symbolic link or not a folder; "
            "kbctl never writes through links",
            hint="delete it (kbctl creates it again), or set $KBCTL_CACHE_DIR",
        )
    return path


def read_regular(path: Path, limit: int | None = None) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (links not followed) within ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or (limit is not None and info.st_size > limit):
            return None
        data = handle.read() if limit is None else handle.read(limit + 1)
    return None if limit is not None and len(data) > limit else data


def read_sealed(path: Path) -> bytes | None:
    """The data of a sealed cache file, or None when it is absent, not ours or damaged.

    The seal is checked in chunks before the file is read whole, so a huge file planted in
    a cache folder (one inside a repository) costs time, never memory.
    """
    head = len(MAGIC) + TAG_BYTES
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            start = handle.read(head)
            if len(start) < head or not start.startswith(MAGIC):
                return None
            stored = start[len(MAGIC) :]
            if not hmac.compare_digest(stored, tag(iter(lambda: handle.read(1 << 20), b""))):
                return None
            handle.seek(head)
            data = handle.read()
        except OSError:
            return None
    # The file may have been replaced meanwhile: check what was read, as before.
    return data if hmac.compare_digest(stored, tag(data)) else None


def write_sealed(path: Path, data: bytes) -> None:
    """Write ``data`` sealed, atomically."""
    write_atomic(path, seal(data))


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` at once: a temporary file in the same folder, renamed.

    A failure leaves no temporary file behind and raises :class:`CacheWriteError` naming the
    path (a full disk says so).
    """
    try:
        import tempfile  # not at import: a search that writes nothing need not load it

        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise cache_write_error(path, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        Path(temporary).replace(path)
    except OSError as error:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise cache_write_error(path, error) from None


def cache_write_error(path: Path, error: OSError) -> CacheWriteError:
    """The one-line error for a cache that could not be written."""
    if error.errno == errno.ENOSPC:
        return CacheWriteError(
            f"no space left on the device to write the cache at {path.parent}",
            hint="free some space (or set $KBCTL_CACHE_DIR to another disk); "
            "the next run repairs the cache by itself",
        )
    reason = error.strerror or type(error).__name__
    return CacheWriteError(
        f"cannot write the cache at {path.parent}: {reason}",
        hint="set $KBCTL_CACHE_DIR to a writable folder",
    )


def folder_tag(folder: Path) -> bytes | None:
    """The seal tag of a folder's regular files (None when one is not a regular file).

    Each file counts by its identity: name, inode, size, modification and change time. The
    change time cannot be set back by anyone, so a file that is rewritten, replaced (as a
    checkout or a copy does) or added after sealing changes the tag, and no file has to be
    read to check it.
    """
    parts: list[bytes] = []
    try:
        names = sorted(entry.name for entry in folder.iterdir())
    except OSError:
        return None
    for name in names:
        if name == SEAL_FILE or name.endswith(("LOCK", ".lock")):
            continue
        try:
            info = (folder / name).lstat()
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        identity = f"{info.st_ino}:{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}"
        parts.append(f"{name}\0{identity}\n".encode("utf-8", "surrogateescape"))
    return tag(parts)


SEAL_FILE = "SEAL"


def seal_folder(folder: Path) -> None:
    """Record the seal of ``folder``'s files as they are now."""
    value = folder_tag(folder)
    if value is None:
        raise CacheWriteError(f"cannot seal the cache folder {folder}: unexpected files in it")
    write_atomic(folder / SEAL_FILE, value.hex().encode())


def folder_is_sealed(folder: Path) -> bool:
    """True when ``folder`` holds exactly the files kbctl sealed in it."""
    stored = read_regular(folder / SEAL_FILE, 2 * TAG_BYTES)
    if stored is None:
        return False
    value = folder_tag(folder)
    return value is not None and hmac.compare_digest(stored, value.hex().encode())
