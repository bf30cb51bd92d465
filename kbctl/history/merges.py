"""The merges the walk asks about: which files each one really resolved (``--cc``)."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Sequence

from kbctl.history.git import GitRepo, git_env


class DenseMerges:
    """Which files each merge really resolved: the dense combined diff (``--cc``).

    ``-c --name-status`` lists every file that differs from all parents, so a clean merge of
    two branches that both touched a file looks like an edit by whoever merged. ``--cc``
    drops the hunks whose result is one parent's text as is; what remains was resolved by
    hand. Git gives that only as a patch, and computing it for every merge costs as much as
    the whole log, so only the merges the walk asks about are diffed: one ``git diff-tree
    --stdin --cc`` process (started at the first question) gets each merge's id followed by
    a marker line, which it echoes back after that merge's patch; only the ``diff --cc``
    lines are read.
    """

    MARKER = b"kbctl-end-of-merge"

    def __init__(self, handle: GitRepo, rev_range: Sequence[str]) -> None:
        self.handle = handle
        self.rev_range = list(rev_range)  # kept for the caller's record; each merge is named
        self.process: subprocess.Popen[bytes] | None = None
        self.done = False
        self.failed = False

    def _start(self) -> None:
        import subprocess

        args = [
            "git", "-c", "core.quotePath=false", "-c", "diff.external=", "diff-tree",
            "--stdin", "--cc", "--no-color", "--no-ext-diff", "--no-textconv",
            "--format=%x1e%H", *self.handle.pathspec(),
        ]  # fmt: skip
        self.process = subprocess.Popen(
            args,
            cwd=self.handle.toplevel,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**git_env(), "GIT_FLUSH": "1"},  # answer each question at once
        )

    def resolved(self, sha: str) -> set[bytes] | None:
        """Repo-relative paths the merge ``sha`` resolved; None if git could not say."""
        if self.failed:
            return None
        if self.process is None:
            self._start()
        assert self.process is not None
        assert self.process.stdin is not None and self.process.stdout is not None
        found: set[bytes] = set()
        try:
            self.process.stdin.write(sha.encode("ascii") + b"\n" + self.MARKER + b"\n")
            self.process.stdin.flush()
            for line in self.process.stdout:
                if line.rstrip(b"\n") == self.MARKER:
                    return found
                if line.startswith(b"diff --cc "):
                    found.add(unquote_path(line[10:].rstrip(b"\n")))
        except OSError:
            pass
        self.failed = True  # git stopped (a missing object, say): nothing more to ask
        self.finish()
        return None

    def finish(self) -> int:
        """Stop git (if still running); its exit status."""
        if self.process is None or self.done:
            return 0
        self.done = True
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        return 0


_ESCAPES = {b"a": 7, b"b": 8, b"t": 9, b"n": 10, b"v": 11, b"f": 12, b"r": 13}


def unquote_path(raw: bytes) -> bytes:
    """A path as git prints it in a diff header, C-quoted when it holds odd bytes."""
    if not (raw.startswith(b'"') and raw.endswith(b'"') and len(raw) >= 2):
        return raw
    body, out, index = raw[1:-1], bytearray(), 0
    while index < len(body):
        byte = body[index : index + 1]
        if byte != b"\\":
            out += byte
            index += 1
            continue
        escape = body[index + 1 : index + 2]
        if escape.isdigit():
            out.append(int(body[index + 1 : index + 4], 8) & 0xFF)
            index += 4
        else:
            out.append(_ESCAPES.get(escape, escape[0] if escape else 92))
            index += 2
    return bytes(out)
