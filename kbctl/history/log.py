"""The streaming parser of ``git log -z --name-status`` output (bytes in, records out).

Pure: it runs nothing. :func:`log_args` gives the arguments whose output it understands.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from kbctl.model import Change

RECORD = b"\x1e"
FIELD = b"\x1f"
FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%s"
_AUTHORS: dict[bytes, str] = {}  # raw e-mail (or name) -> its key; shared by every walk


class Commit:
    """One commit's header; text fields are decoded only when a fact needs them."""

    __slots__ = ("_author", "_fields", "_rest", "parent_ids", "parents", "sha")

    def __init__(self, header: bytes) -> None:
        sha, parents, self._rest = header.split(FIELD, 2)
        self.sha = sha.decode("ascii", "replace")
        self.parent_ids = parents  # space-separated hex ids
        self.parents = parents.count(b" ") + 1 if parents else 0
        self._fields: tuple[str, str, str, str] | None = None
        self._author: str | None = None

    def fields(self) -> tuple[str, str, str, str]:
        """(author name, author e-mail, author date ISO, subject)."""
        if self._fields is None:
            name, email, when, subject = ([*self._rest.split(FIELD, 3), b"", b"", b""])[:4]
            self._fields = (
                name.decode("utf-8", "replace"),
                email.decode("utf-8", "replace"),
                when.decode("ascii", "replace"),
                subject.decode("utf-8", "replace"),
            )
        return self._fields

    def author_key(self) -> str:
        """Who wrote the commit, for counting authors (e-mail, else name; case-folded)."""
        if self._author is None:
            name, email = ([*self._rest.split(FIELD, 2), b""])[:2]
            raw = email or name
            key = _AUTHORS.get(raw)
            if key is None:  # a few hundred authors write tens of thousands of commits
                key = _AUTHORS[raw] = raw.decode("utf-8", "replace").casefold()
            self._author = key
        return self._author

    def change(self) -> Change:
        """The commit as a :class:`~kbctl.model.Change`."""
        name, email, when, subject = self.fields()
        return Change(self.sha, datetime.fromisoformat(when), name, email, subject)


def records(
    stream: Iterator[bytes], prefix: bytes = b""
) -> Iterator[tuple[Commit, list[tuple[bytes, bytes, bytes]]]]:
    """Parse the ``-z`` name-status stream into (commit, [(status, old, path)]).

    Records start with NUL + RS (a NUL cannot occur in a subject, and a path would have to
    begin with RS); paths are made relative to ``prefix`` (the base folder).
    """
    cut = len(prefix)
    separator = b"\0" + RECORD
    # The incomplete record so far, in chunks: one commit of 50k paths spans dozens of
    # chunks, and joining or splitting it again at every chunk would be quadratic in its size.
    pieces: list[bytes] = []
    for chunk in stream:
        if not chunk:
            continue
        straddles = bool(pieces) and pieces[-1][-1:] == b"\0" and chunk[:1] == RECORD
        if not straddles and separator not in chunk:
            pieces.append(chunk)
            continue
        pieces.append(chunk)
        parts = b"".join(pieces).split(separator)
        pieces = [parts.pop()]  # maybe incomplete (and within this chunk): wait for more
        for part in parts:
            record = _record(part, prefix, cut)
            if record is not None:
                yield record
    buffer = b"".join(pieces)
    if buffer:
        record = _record(buffer, prefix, cut)
        if record is not None:
            yield record


def _record(
    part: bytes, prefix: bytes, cut: int
) -> tuple[Commit, list[tuple[bytes, bytes, bytes]]] | None:
    if part[:1] == RECORD:  # the very first record has no NUL before it
        part = part[1:]
    header, _nul, body = part.partition(b"\0")
    if header.count(FIELD) < 5:
        return None
    commit = Commit(header)
    # Renames and copies name two paths (not in combined diffs).
    return commit, entries_of(body, commit.parents <= 1, prefix, cut)


def entries_of(
    body: bytes, pairs: bool, prefix: bytes, cut: int
) -> list[tuple[bytes, bytes, bytes]]:
    """The ``-z --name-status`` entries of one commit as (status, old, path).

    ``pairs``: whether R and C entries name two paths; paths are made relative to
    ``prefix`` (``cut`` is its length), or get ``../`` when outside it.
    """
    entries: list[tuple[bytes, bytes, bytes]] = []
    if not body:
        return entries
    tokens = body.split(b"\0")
    index, count = 0, len(tokens)
    while index < count:
        status = tokens[index].lstrip(b"\n")
        index += 1
        if not status:
            continue
        if pairs and status[0] in (82, 67):  # R, C
            if index + 1 >= count:
                break
            old, path = tokens[index], tokens[index + 1]
            index += 2
        else:
            if index >= count:
                break
            old, path = b"", tokens[index]
            index += 1
        if cut:
            path = path[cut:] if path.startswith(prefix) else b"../" + path
            if old:
                old = old[cut:] if old.startswith(prefix) else b"../" + old
        entries.append((status, old, path))
    return entries


def log_args(rev_range: Sequence[str], renames: str, pathspec: Sequence[str] = ()) -> list[str]:
    """Arguments after ``git`` for the log :func:`records` parses.

    ``renames`` is "auto" (``-M``), "exact" (``-M100%``) or "off"; ``pathspec`` limits the
    log (e.g. ``["--", "kb/"]``).
    """
    rename_args = {"auto": ["-M"], "exact": ["-M100%"], "off": ["--no-renames"]}[renames]
    return [
        "-c",
        "log.showSignature=false",
        "-c",
        "diff.external=",
        "log",
        "-z",
        "--name-status",
        "-c",
        *rename_args,
        "--topo-order",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--encoding=UTF-8",
        f"--format={FORMAT}",
        *rev_range,
        *pathspec,
    ]
