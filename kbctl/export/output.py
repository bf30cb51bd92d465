"""Writing an export: inside the output folder only, never through a symbolic link.

Every file is written to a temporary name and renamed into place. A name that would leave
the folder (absolute, ``..``) is refused; so is any existing folder or file on the way that
is a symbolic link (a base cannot make an export write elsewhere by planting one).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path, PurePosixPath

from kbctl.errors import KbError
from kbctl.i18n import _


class OutputError(KbError):
    """The export would write outside its output, or through a link."""


def _refuse_link(path: Path) -> None:
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode):
        raise OutputError(
            _("{path} is a symbolic link; kbctl export never writes through links").format(
                path=path
            ),
            hint=_("remove the link or choose another --output"),
        )


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (temporary file, then rename); ``path`` itself
    must not be a link."""
    _refuse_link(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".kbctl-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        Path(temporary).chmod(0o644)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class OutputDir:
    """The output folder of an export; names are POSIX paths relative to it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        _refuse_link(root)
        root.mkdir(parents=True, exist_ok=True)
        self.written: set[str] = set()

    def target(self, name: str) -> Path:
        """The path of ``name`` inside the folder; OutputError for a name that leaves it."""
        pure = PurePosixPath(name)
        if pure.is_absolute() or not pure.parts or any(part in ("..", "") for part in pure.parts):
            raise OutputError(
                _("refusing to write {name!r} outside {root}").format(name=name, root=self.root)
            )
        path = self.root
        for part in pure.parts[:-1]:
            path = path / part
            _refuse_link(path)
            path.mkdir(exist_ok=True)
        return path / pure.parts[-1]

    def write(self, name: str, data: str | bytes) -> None:
        """Write one file of the export."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        write_file(self.target(name), raw)
        self.written.add(name)

    def copy_in(self, name: str, source: Path) -> bool:
        """Copy a file of the base into the export (a regular file, not through a link);
        whether it could be read."""
        try:
            info = os.lstat(source)
            if not stat.S_ISREG(info.st_mode):
                return False
            data = source.read_bytes()
        except OSError:
            return False
        self.write(name, data)
        return True

    def remove(self, name: str) -> bool:
        """Remove one file of an earlier export (never through a link); whether it was there."""
        path = self.target(name)
        _refuse_link(path)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        return True

    def files(self) -> set[str]:
        """Every regular file under the folder, as names (links are not followed)."""
        found: set[str] = set()
        for folder, dirs, names in os.walk(self.root, followlinks=False):
            relative = Path(folder).relative_to(self.root)
            dirs[:] = [name for name in dirs if not (Path(folder) / name).is_symlink()]
            for name in names:
                found.add((relative / name).as_posix())
        return found
