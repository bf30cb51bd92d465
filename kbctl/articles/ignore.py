"""``.gitignore`` and ``.ignore`` files, honoured when the scan looks for articles (as rg
and fd do).

Each folder's ``.gitignore`` (only inside a git repository) and ``.ignore`` (always) apply to
the files below it; a deeper file overrides a shallower one and ``.ignore`` overrides
``.gitignore`` in the same folder, so the last word on a path is the deepest pattern that
matches it, ``!pattern`` taking a path back in. The ``.gitignore`` files of the folders
between the repository's top and the base count too.

Each line is git's syntax (``#`` comments, ``!`` negation, ``\\`` escapes, a trailing
``/`` for folders only, a ``/`` at the start or inside anchoring to the file's folder), and
the glob itself is translated by wcmatch, the matcher of kbctl's config globs. (pathspec
would read the files too, but on Python 3.11-3.12 importing it costs ~20 ms on every start:
its deprecation decorators pull in asyncio through typing_extensions.)
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

IGNORE_FILES = (".gitignore", ".ignore")
# An ignore file is a few KB; a bigger one is not read (it would be read whole).
_MAX_IGNORE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """One pattern line: its regex over the path below the file's folder."""

    regex: re.Pattern[str]
    negated: bool
    folders_only: bool


def parse_ignore_lines(lines: list[str]) -> list[IgnoreRule]:
    """The rules of an ignore file's lines, in order (blank lines and comments skipped)."""
    from wcmatch import glob

    rules: list[IgnoreRule] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        # Trailing spaces are dropped unless escaped with a backslash.
        stripped = line.rstrip(" ")
        line = stripped + " " if stripped.endswith("\\") and stripped != line else stripped
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        if negated:
            line = line[1:]
        folders_only = line.endswith("/") and not line.endswith("\\/")
        line = line.rstrip("/") if folders_only else line
        flags = glob.GLOBSTAR | glob.FORCEUNIX | glob.DOTGLOB
        if line.startswith("/"):
            line = line.lstrip("/")
        elif "/" not in line:
            flags |= glob.MATCHBASE
        if not line:
            continue
        try:
            regexes, _negative = glob.translate(line, flags=flags)
        except ValueError:
            continue  # a line git would not read either
        pattern = "|".join(f"(?:{regex})" for regex in regexes)
        rules.append(IgnoreRule(re.compile(pattern), negated, folders_only))
    return rules


@dataclass(frozen=True, slots=True)
class IgnoreFile:
    """The patterns of one ignore file: ``folder`` is its base-relative folder (``""`` or
    ending in ``/``), ``above`` the path from the ignore file's folder down to the base,
    for files above the base (``""`` otherwise)."""

    rules: tuple[IgnoreRule, ...]
    folder: str
    above: str = ""

    def verdict(self, relative: str) -> bool | None:
        """True: ignored; False: taken back in by ``!``; None: no pattern matches.
        A folder's path ends in ``/``."""
        if not relative.startswith(self.folder):
            return None
        is_folder = relative.endswith("/")
        path = (self.above + relative[len(self.folder) :]).rstrip("/")
        for rule in reversed(self.rules):
            if rule.folders_only and not is_folder:
                continue
            if rule.regex.fullmatch(path):
                return not rule.negated
        return None


def read_ignore_file(path: str, folder: str, above: str = "") -> IgnoreFile | None:
    """The ignore file at ``path`` (None when it is absent, unreadable or has no pattern)."""
    from kbctl.articles.read import read_article_bytes

    try:
        text = read_article_bytes(Path(path), _MAX_IGNORE_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    rules = parse_ignore_lines(text.splitlines())
    return IgnoreFile(tuple(rules), folder, above) if rules else None


def names_in(folder_kinds: dict[str, bool], in_repository: bool) -> tuple[str, ...]:
    """Which ignore files of a folder to read, given the names present in it."""
    names = IGNORE_FILES if in_repository else (".ignore",)
    return tuple(name for name in names if folder_kinds.get(name))


def is_ignored(relative: str, ignores: list[IgnoreFile]) -> bool:
    """Whether a base-relative path (a folder ends in ``/``) is ignored: the deepest
    ignore file with a matching pattern decides."""
    for ignore in reversed(ignores):
        verdict = ignore.verdict(relative)
        if verdict is not None:
            return verdict
    return False


def outer_ignores(root: Path) -> tuple[bool, list[IgnoreFile]]:
    """(whether ``root`` is in a git repository, the ``.gitignore`` files of the folders
    from the repository's top down to ``root``'s parent, outermost first)."""
    from kbctl.config import repository_root

    top = repository_root(root)
    in_repository = os.path.lexists(top / ".git")
    if not in_repository or top == root:
        return in_repository, []
    found: list[IgnoreFile] = []
    folders = [root.parent, *root.parent.parents]
    for folder in reversed(folders[: folders.index(top) + 1] if top in folders else []):
        above = root.relative_to(folder).as_posix() + "/"
        for name in IGNORE_FILES:
            ignore = read_ignore_file(str(folder / name), "", above)
            if ignore is not None:
                found.append(ignore)
    return in_repository, found
