"""The one scan of a base: which files there are, which are articles, and reading them.

Only regular files inside the base are read: links, FIFOs, devices, files over
``max_article_bytes`` and names that are not UTF-8 are skipped with a ``scan`` diagnostic.
A :class:`Tree` reads the folders once and serves every consumer of a run (loading, the
rules' link checks, check's folder arguments, the index's freshness check).
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

from kbctl.articles.ignore import IGNORE_FILES, IgnoreFile
from kbctl.articles.read import _mode_kind
from kbctl.config import Config, shared_cache_dir
from kbctl.i18n import _
from kbctl.model import Diagnostic, Severity
from kbctl.values import glob_match_any

_SURROGATE = re.compile("[\ud800-\udfff]")

SCAN_CODE = "scan"
"""The code of diagnostics about files or folders kbctl could not or would not read."""


class Tree:
    """One scan of a base, shared by everything a run needs from it.

    The folders are read once, on first use; :meth:`articles`, :attr:`files`,
    :meth:`article_stats` and :meth:`articles_under` all work from that one listing.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self._listing: list[tuple[str, os.DirEntry[str]]] | None = None
        # (position in the listing, problem): folders that could not be read, in scan order.
        self._folder_problems: list[tuple[int, Diagnostic]] = []
        self._articles: list[tuple[str, Path]] | None = None
        self._diagnostics: list[Diagnostic] = []

    def _entries(self) -> list[tuple[str, os.DirEntry[str]]]:
        if self._listing is None:
            listing: list[tuple[str, os.DirEntry[str]]] = []
            problems: list[Diagnostic] = []
            for item in walk(self.config, problems):
                self._take_problems(problems, len(listing))
                listing.append(item)
            self._take_problems(problems, len(listing))
            self._listing = listing
        return self._listing

    def _take_problems(self, problems: list[Diagnostic], position: int) -> None:
        self._folder_problems.extend((position, problem) for problem in problems)
        problems.clear()

    def _replay(self, problems: list[Diagnostic]) -> Iterator[tuple[str, os.DirEntry[str]]]:
        """The listing, adding each folder problem to ``problems`` where the scan met it."""
        listing = self._entries()
        pending = list(reversed(self._folder_problems))
        for position, item in enumerate(listing):
            while pending and pending[-1][0] <= position:
                problems.append(pending.pop()[1])
            yield item
        problems.extend(problem for _position, problem in reversed(pending))

    def articles(self) -> list[tuple[str, Path]]:
        """Every article file as (base-relative path, path), sorted by path.

        Included, not excluded, not hidden, regular files only; what was skipped is in
        :attr:`diagnostics`.
        """
        if self._articles is None:
            found = _readable_entries(
                self.config, self._replay(self._diagnostics), self._diagnostics
            )
            self._articles = sorted((relative, Path(entry.path)) for relative, entry in found)
        return self._articles

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """``scan`` diagnostics: what :meth:`articles` skipped and why (KB107 in check)."""
        self.articles()
        return self._diagnostics

    @property
    def files(self) -> frozenset[str]:
        """Every file in the base (articles, images, includes), as base-relative POSIX paths."""
        return frozenset(relative for relative, _entry in self._entries())

    def articles_under(self, folder: str) -> list[str]:
        """The base-relative paths of the article files in a base-relative folder."""
        prefix = "" if folder in ("", ".") else folder.rstrip("/") + "/"
        return [relative for relative, _path in self.articles() if relative.startswith(prefix)]

    def article_stats(self, known: Iterable[str] = ()) -> dict[str, tuple[int, int]]:
        """Every article file as base-relative path -> (size, mtime_ns).

        Paths already ``known`` to be articles skip the include/exclude matching. The files
        are those :meth:`articles` gives: regular files, no links, none larger than
        ``max_article_bytes``.
        """
        found: dict[str, tuple[int, int]] = {}
        limit = self.config.max_article_bytes
        for relative, entry in _readable_entries(self.config, self._entries(), None, known):
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISREG(info.st_mode) and info.st_size <= limit:
                found[relative] = (info.st_size, info.st_mtime_ns)
        return found


def _readable_entries(
    config: Config,
    listing: Iterable[tuple[str, os.DirEntry[str]]],
    problems: list[Diagnostic] | None,
    known: Iterable[str] = (),
) -> list[tuple[str, os.DirEntry[str]]]:
    """The article files kbctl reads, as (base-relative path, directory entry).

    The policy for what the tree holds (each skipped case is a ``scan`` diagnostic in
    ``problems``, which ``kbctl check`` reports as KB107):

    - Only regular files are articles. A FIFO, socket or device with an article's name is
      skipped and never opened (opening a FIFO blocks until a writer comes).
    - A symbolic link with an article's name is skipped, wherever it points: kbctl never
      reads or edits through a link. One whose target is in the base is still read under the
      target's own path when that is an article; the diagnostic says which case it is.
    - Links to folders are never followed (no loop, no way out of the base); one leading out
      of the base where articles could be is reported.
    - A name that is not valid UTF-8 cannot be shown, indexed or reported in CI: skipped.
    - A folder that cannot be read is reported, its files are not checked.
    - Two names that are one name in two Unicode normalisations (NFC and NFD, as macOS
      writes them) are both read, the second under its own spelling, with a diagnostic:
      a checkout on macOS or Windows keeps only one of them.
    """
    known_set = known if isinstance(known, (set, frozenset, dict)) else set(known)
    found: list[tuple[str, os.DirEntry[str]]] = []
    for relative, entry in listing:
        if relative not in known_set and not is_article_path(relative, config):
            if problems is not None:
                _report_skipped(relative, entry, config, problems)
            continue
        try:
            is_link = entry.is_symlink()
            is_regular = not is_link and entry.is_file(follow_symlinks=False)
        except OSError:
            is_link = is_regular = False
        if is_regular:
            found.append((relative, entry))
        elif problems is not None:
            if is_link:
                problems.append(_link_diagnostic(relative, entry, config))
            else:
                kind = _file_kind(entry)
                message = _("not a regular file ({kind}); not read").format(kind=kind)
                problems.append(Diagnostic(relative, 1, message, code=SCAN_CODE))
    return _separate_twins(config, found, problems)


def walk(
    config: Config, problems: list[Diagnostic] | None = None
) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """(base-relative NFC path, directory entry) of every file of the base.

    Hidden files and folders are skipped, and so are files and folders that ``.gitignore``
    (in a git repository) or ``.ignore`` files leave out (:mod:`kbctl.articles.ignore`),
    and a cache folder set by the user
    (``$KBCTL_CACHE_DIR`` or ``cache_dir``), which may sit inside the base. Links to folders
    are never followed (they come out as files). A folder that cannot be read, or that
    disappears while the scan runs, is reported in ``problems`` when it could hold articles.
    """
    from kbctl.articles.ignore import is_ignored, names_in, outer_ignores, read_ignore_file

    cache = shared_cache_dir(config)
    skip = str(cache) if cache else None
    in_repository, outer = outer_ignores(config.root)
    stack: list[tuple[str, str, list[IgnoreFile]]] = [(str(config.root), "", outer)]
    while stack:
        folder, prefix, ignores = stack.pop()
        entries: list[os.DirEntry[str]] = []
        try:
            with os.scandir(folder) as scan:
                iterator = iter(scan)
                while True:
                    try:
                        entries.append(next(iterator))
                    except StopIteration:
                        break
                    except OSError as error:
                        _report_folder(prefix, error, config, problems)
                        break
        except OSError as error:
            _report_folder(prefix, error, config, problems)
            continue
        present = {entry.name: True for entry in entries if entry.name in IGNORE_FILES}
        if present:
            ignores = list(ignores)
            for name in names_in(present, in_repository):
                found = read_ignore_file(f"{folder}{os.sep}{name}", prefix)
                if found is not None:
                    ignores.append(found)
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                # Not following links to folders: a link to a parent would loop.
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                if entry.path != skip and not (ignores and is_ignored(f"{prefix}{name}/", ignores)):
                    stack.append((entry.path, f"{prefix}{name}/", ignores))
                continue
            relative = prefix + name
            if ignores and is_ignored(relative, ignores):
                continue
            if not relative.isascii() and not unicodedata.is_normalized("NFC", relative):
                relative = unicodedata.normalize("NFC", relative)
            yield relative, entry


def _could_hold_articles(folder: str, config: Config) -> bool:
    """Whether a base-relative folder (``""`` or ending in ``/``) is where articles may be."""
    folder = _SURROGATE.sub("_", folder)
    return any(is_article_path(f"{folder}article{ext}", config) for ext in (".md", ".markdown"))


def shown_path(relative: str) -> str:
    """A base-relative path for messages: a name that is not UTF-8 shows its bytes escaped."""
    if relative.isascii() or not _SURROGATE.search(relative):
        return relative
    return os.fsencode(relative).decode("utf-8", "backslashreplace")


def _report_folder(
    prefix: str, error: OSError, config: Config, problems: list[Diagnostic] | None
) -> None:
    if problems is None or not _could_hold_articles(prefix, config):
        return
    if isinstance(error, FileNotFoundError):
        message = _("folder disappeared while it was read; its files are not checked")
    else:
        message = _("folder cannot be read ({error}); its files are not checked").format(
            error=error.strerror or error
        )
    where = shown_path(prefix) or "./"
    problems.append(Diagnostic(where, 1, message, code=SCAN_CODE))


def _report_skipped(
    relative: str, entry: os.DirEntry[str], config: Config, problems: list[Diagnostic]
) -> None:
    """Report a file outside the article set that kbctl skips against the user's intent."""
    if not relative.isascii() and _SURROGATE.search(relative):
        readable = _SURROGATE.sub("_", relative)
        if is_article_path(readable, config):
            message = _("file name is not valid UTF-8; not read (rename the file)")
            problems.append(Diagnostic(shown_path(relative), 1, message, code=SCAN_CODE))
        return
    try:
        is_link_to_folder = entry.is_symlink() and entry.is_dir()
    except OSError:
        return
    if (
        is_link_to_folder
        and not _inside(entry.path, config)
        and _could_hold_articles(relative + "/", config)
    ):
        message = _("link to a folder outside the base; not followed, its files are not checked")
        problems.append(Diagnostic(relative, 1, message, code=SCAN_CODE))


def _inside(path: str, config: Config) -> bool:
    """Whether ``path``'s real path (links resolved; a loop never hangs) is in the base."""
    return Path(os.path.realpath(path)).is_relative_to(config.root.resolve())


def _link_diagnostic(relative: str, entry: os.DirEntry[str], config: Config) -> Diagnostic:
    real = Path(os.path.realpath(entry.path))
    root = config.root.resolve()
    if not real.is_relative_to(root):
        message = _(
            "symbolic link that leads out of the base; not read"
            " (kbctl never reads or edits through a link)"
        )
    elif not real.exists():
        message = _(
            "symbolic link that is broken; not read (kbctl never reads or edits through a link)"
        )
    else:
        target = relative_path(real, root)
        if is_article_path(target, config):
            message = _(
                "symbolic link that points to {target} (read under that path); not read"
                " (kbctl never reads or edits through a link)"
            ).format(target=target)
        else:
            message = _(
                "symbolic link that points to {target}; not read"
                " (kbctl never reads or edits through a link)"
            ).format(target=target)
    return Diagnostic(relative, 1, message, code=SCAN_CODE)


def _file_kind(entry: os.DirEntry[str]) -> str:
    try:
        return _mode_kind(entry.stat(follow_symlinks=False).st_mode)
    except OSError:
        return _("unknown type")


def _separate_twins(
    config: Config,
    found: list[tuple[str, os.DirEntry[str]]],
    problems: list[Diagnostic] | None,
) -> list[tuple[str, os.DirEntry[str]]]:
    """Give files whose names differ only in Unicode normalisation paths of their own.

    The scan reports names in NFC; two files spelt NFC and NFD on disk would both get one
    path and one would hide the other. The file spelt in NFC (else the first) keeps the NFC
    path, any other keeps its own spelling, and each twin is reported.
    """
    seen: dict[str, int] = {}
    twins: list[int] = []
    for number, (relative, _entry) in enumerate(found):
        if relative.isascii():
            continue
        if relative in seen:
            twins.append(number)
        else:
            seen[relative] = number
    if not twins:
        return found
    root = len(str(config.root)) + 1
    result = list(found)
    groups: dict[str, list[int]] = {}
    for number in twins:
        groups.setdefault(found[number][0], [seen[found[number][0]]]).append(number)
    for relative, members in groups.items():
        spelt = {number: found[number][1].path[root:].replace(os.sep, "/") for number in members}
        keeper = next((number for number in members if spelt[number] == relative), members[0])
        for number in members:
            if number == keeper:
                continue
            own = spelt[number]
            if own == relative:
                continue
            result[number] = (own, found[number][1])
            if problems is not None:
                message = _(
                    "file name {name} is {other} in another Unicode"
                    " normalisation (NFC/NFD); both are read, but a checkout on macOS or"
                    " Windows keeps only one: rename or remove one"
                ).format(name=ascii(own), other=ascii(spelt[keeper]))
                problems.append(
                    Diagnostic(own, 1, message, severity=Severity.ERROR, code=SCAN_CODE)
                )
    return result


def is_article_path(relative: str, config: Config) -> bool:
    """Whether a base-relative POSIX path is in the configured scope.

    A name that is not valid UTF-8 (it arrives with surrogates) is skipped: no index, cache
    or CI report could hold it.
    """
    if any(part.startswith(".") for part in relative.split("/")):
        return False
    if not relative.isascii() and _SURROGATE.search(relative):
        return False
    if not glob_match_any(config.include, relative):
        return False
    return not glob_match_any(config.exclude, relative)


def relative_path(path: Path, root: Path) -> str:
    """A path relative to ``root``, POSIX, in Unicode NFC (macOS writes NFD names)."""
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        relative = path.as_posix()
    return unicodedata.normalize("NFC", relative)
