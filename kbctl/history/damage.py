"""Damaged, blobless and shallow repositories: what can still be known, and what cannot.

A pass that met missing objects still knows every article's last content change (a rename
with edits is a content change either way); what it may not know is where an article born
next to a deletion came from. :func:`check_births` asks git about those commits alone, so
an article is reported as "first change unknown" only when it really is, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from kbctl.history.git import GitRepo, is_missing_object
from kbctl.history.log import Commit
from kbctl.history.walk import Walker
from kbctl.i18n import N_, _, ngettext

OBJECT_ID = re.compile(r"\b[0-9a-f]{40}\b")
OBJECT_MISSING = N_("could not be dated: object missing")
FIRST_UNKNOWN = N_("first change unknown: object missing")
RENAME_LOST = N_(
    "first change unknown: a rename with edits could not be followed (objects missing)"
)
BLOBLESS_NOTICE = N_(
    "blobless clone (partial clone with a promisor remote): only exact renames are followed, "
    "so an article moved with edits starts its history at the move; fix: clone without "
    "--filter for full rename detection"
)
# Progress of a long pass: (commits read so far, done).
Progress = Callable[[int, bool], None]
PROGRESS_EVERY = 500  # commits between two progress calls


# A missing commit: git cannot set up or simplify the walk (the latter with a pathspec).
WALK_BROKEN = re.compile(
    r"revision walk setup failed|failed to traverse parents|cannot simplify commit", re.I
)


def is_damage(error: str | None) -> bool:
    """Whether git's error says objects are missing (also a missing commit, which git
    reports as a revision walk that could not be set up)."""
    return is_missing_object(error) or bool(error and WALK_BROKEN.search(error))


def missing_ids(handle: GitRepo, error: str | None) -> list[str]:
    """The ids of missing objects: those in ``error``, else the ones a plain
    ``git rev-list HEAD`` names (commits), so that a repaired clone can be recognised."""
    if not is_damage(error):
        return []
    found = _named_missing(error or "")
    if not found:
        _status, _out, err = handle.run("rev-list", "HEAD")
        found = _named_missing(err)
    return sorted(found)


def _named_missing(text: str) -> set[str]:
    # Only ids on lines that say the object is missing: "failed to traverse parents of
    # commit X" names a commit that is there.
    return {
        oid
        for line in text.splitlines()
        if re.search(r"could not read|unable to read|missing|bad object|not our ref", line, re.I)
        for oid in OBJECT_ID.findall(line)
    }


def objects_present(handle: GitRepo, ids: Iterable[str]) -> bool:
    """Whether any of ``ids`` is in the repository now (a repaired clone: start over)."""
    wanted = [oid for oid in ids if OBJECT_ID.fullmatch(oid)]
    if not wanted:
        return False
    for oid in wanted[:20]:
        status, _out, _err = handle.run("cat-file", "-e", oid)
        if status == 0:
            return True
    return False


class TrackingWalker(Walker):
    """A :class:`Walker` that remembers where each article was born and reports progress."""

    def __init__(self, *args: object, progress: Progress | None = None, **options: object) -> None:
        super().__init__(*args, **options)  # type: ignore[arg-type]
        self.birth_paths: dict[str, bytes] = {}
        self.progress = progress
        self.commits_read = 0

    def fold(self, commit: Commit, entries: list[tuple[bytes, bytes, bytes]]) -> None:
        """Fold one commit, counting it for the progress report."""
        super().fold(commit, entries)
        self.commits_read += 1
        if self.progress is not None and self.commits_read % PROGRESS_EVERY == 1:
            self.progress(self.commits_read, False)

    def _born(self, name: str, path: bytes) -> None:
        self.birth_paths[name] = path
        super()._born(name, path)


def check_births(handle: GitRepo, walker: TrackingWalker, names: Iterable[str]) -> dict[str, str]:
    """For articles born next to a deletion in a pass without full rename detection: which
    ones really lost their origin. Returns name -> reason (articles not listed are fine).

    Each birth commit is diffed alone with ``-M``: when that fails on a missing object the
    origin cannot be known; when it shows an inexact rename into the article, the pass cut
    its history there.
    """
    by_commit: dict[str, list[str]] = {}
    for name in names:
        facts = walker.facts.get(name)
        if facts is not None and facts.first is not None and name in walker.birth_paths:
            by_commit.setdefault(facts.first.sha, []).append(name)
    prefix = handle.prefix.encode()
    found: dict[str, str] = {}
    for sha, born in by_commit.items():
        status, out, err = handle.run(
            "diff-tree", "-r", "-M", "-z", "--name-status", "--no-commit-id", sha,
            *handle.pathspec(),
        )  # fmt: skip
        if status != 0:
            reason = (
                _(FIRST_UNKNOWN)
                if is_missing_object(err)
                else _("first change unknown ({error})").format(error=err.strip()[:80])
            )
            for name in born:
                found[name] = reason
            continue
        renamed_into: set[bytes] = set()
        tokens = out.split(b"\0")
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if token[:1] in (b"R", b"C") and index + 2 < len(tokens):
                if token[:1] == b"R" and token != b"R100":
                    renamed_into.add(tokens[index + 2])
                index += 3
            else:
                index += 2 if token else 1
        for name in born:
            raw = prefix + walker.birth_paths[name]
            if raw in renamed_into:
                found[name] = _(RENAME_LOST)
    return found


def describe(names: list[str], limit: int = 5) -> str:
    """A short list of names for a one-line notice."""
    shown = ", ".join(names[:limit])
    if len(names) <= limit:
        return shown
    more = len(names) - limit
    return ngettext("{names} and {count} more", "{names} and {count} more", more).format(
        names=shown, count=more
    )
