"""Single commits the walk asks git about, ahead of need: which files a merge really
resolved (``--cc``), and the renames among article files of a commit (``-M``)."""

from __future__ import annotations

import contextlib
import io
import threading
from collections import deque
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, cast

from kbctl.history.git import GitRepo, git_env

if TYPE_CHECKING:
    import subprocess


class _Asker:
    """One ``git diff-tree --stdin`` process asked about single commits, ahead of need.

    :meth:`ask` writes a commit id and a marker line without waiting (git echoes a line
    that is not a commit id after that commit's output); a thread reads the answers as git
    writes them, so that git never blocks on a full pipe and the walk asks about the
    commits of the next batch while it folds the previous one. The marker is random per
    process: a repository cannot put it in a file name or a patch line.
    """

    def __init__(self, handle: GitRepo, args: Sequence[str]) -> None:
        import secrets

        self.handle = handle
        self.args = list(args)
        self.marker = b"kbctl-end-" + secrets.token_hex(16).encode("ascii") + b"\n"
        self.process: subprocess.Popen[bytes] | None = None
        self.errors: IO[bytes] | None = None
        self.thread: threading.Thread | None = None
        self.condition = threading.Condition()
        self.asked: deque[str] = deque()  # ids whose answers have not come yet, in order
        self.answers: dict[str, bytes] = {}
        self.ended = False  # git's output ended (it failed, or was stopped)
        self.done = False
        self.dirty = False  # questions written but not flushed

    def _start(self) -> None:
        import subprocess
        import tempfile

        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish()
        self.process = subprocess.Popen(
            self.args,
            cwd=self.handle.toplevel,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.errors,
            env={**git_env(), "GIT_FLUSH": "1"},  # answer each question at once
        )
        self.thread = threading.Thread(target=self._read, name="kbctl-diff-tree", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        read = cast(io.BufferedReader, self.process.stdout).read1
        marker, size = self.marker, len(self.marker)
        pending = b""
        try:
            while chunk := read(1 << 16):
                pending += chunk
                position = pending.find(marker)
                while position >= 0:
                    with self.condition:
                        self.answers[self.asked.popleft()] = pending[:position]
                        self.condition.notify_all()
                    pending = pending[position + size :]
                    position = pending.find(marker)
        except (OSError, ValueError, IndexError):
            pass
        with self.condition:
            self.ended = True
            self.condition.notify_all()

    def ask(self, sha: str) -> None:
        """Ask about commit ``sha`` (answered in the background; see :meth:`answer`).

        ``sha`` may also be ``"COMMIT PARENT"``: that commit against that parent only.
        """
        if self.done:
            return
        if self.process is None:
            self._start()
        assert self.process is not None and self.process.stdin is not None
        with self.condition:
            self.asked.append(sha)
        try:
            self.process.stdin.write(sha.encode("ascii") + b"\n" + self.marker)
            self.dirty = True
        except OSError:
            pass  # git stopped: the answer never comes, and answer() says so

    def flush(self) -> None:
        """Send the questions written so far."""
        if self.dirty and self.process is not None and self.process.stdin is not None:
            self.dirty = False
            with contextlib.suppress(OSError):
                self.process.stdin.flush()

    def answer(self, sha: str) -> bytes | None:
        """Git's output for commit ``sha`` (asked before or now); None if git failed."""
        with self.condition:
            known = sha in self.answers or sha in self.asked
        if not known:
            self.ask(sha)
        self.flush()
        with self.condition:
            while sha not in self.answers and not self.ended:
                if self.process is None:
                    return None  # stopped before it started
                self.condition.wait()
            return self.answers.pop(sha, None)

    def error(self) -> str:
        """The last line git wrote to stderr (after it failed), or ""."""
        if self.errors is None:
            return ""
        with contextlib.suppress(OSError, ValueError):
            self.errors.seek(0)
            lines = [line for line in self.errors.read(1 << 16).decode("utf-8", "replace")
                     .splitlines() if line.strip()]  # fmt: skip
            return lines[-1].strip() if lines else ""
        return ""

    def finish(self) -> int:
        """Stop git (if still running); its exit status."""
        if self.process is None or self.done:
            self.done = True
            return 0
        self.done = True
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        status = self.process.wait()
        if self.thread is not None:
            self.thread.join()
        if self.errors is not None:
            self.errors.close()
        return status


class DenseMerges:
    """Which files each merge really resolved: the dense combined diff (``--cc``).

    ``-c --name-status`` lists every file that differs from all parents, so a clean merge of
    two branches that both touched a file looks like an edit by whoever merged. ``--cc``
    drops the hunks whose result is one parent's text as is; what remains was resolved by
    hand. Git gives that only as a patch, and computing it for every merge costs as much as
    the whole log, so only the merges that touch article files are diffed, by one ``git
    diff-tree --stdin --cc`` process (see :class:`_Asker`); only its ``diff --cc`` lines
    are read.
    """

    def __init__(self, handle: GitRepo, rev_range: Sequence[str]) -> None:
        self.rev_range = list(rev_range)  # kept for the caller's record; each merge is named
        self.asker = _Asker(
            handle,
            [
                "git", "-c", "core.quotePath=false", "-c", "diff.external=", "diff-tree",
                "--stdin", "--cc", "--no-color", "--no-ext-diff", "--no-textconv",
                "--format=%x1e%H", *handle.pathspec(),
            ],
        )  # fmt: skip
        self.failed = False

    def ask(self, sha: str) -> None:
        """Ask about merge ``sha`` ahead of :meth:`resolved`."""
        if not self.failed:
            self.asker.ask(sha)

    def flush(self) -> None:
        """Send the questions asked so far."""
        self.asker.flush()

    def resolved(self, sha: str) -> set[bytes] | None:
        """Repo-relative paths the merge ``sha`` resolved; None if git could not say."""
        if self.failed:
            return None
        patch = self.asker.answer(sha)
        if patch is None:
            self.failed = True  # git stopped (a missing object, say): nothing more to ask
            self.asker.finish()
            return None
        return {
            unquote_path(line[10:]) for line in patch.split(b"\n") if line.startswith(b"diff --cc ")
        }

    def finish(self) -> int:
        """Stop git (if still running); its exit status."""
        return self.asker.finish()


class RenamePairs:
    """Renames among the article files of single commits (``git diff-tree -M``).

    The main log runs without rename detection (see
    :meth:`~kbctl.history.git.GitRepo.log_mode`: rename detection in the log costs git
    more than the diffs, and over all files it reads blobs that may be missing, such as
    old images). For the few commits that add and delete article-like files, this asks git
    for the same diff the log would have printed with ``-M`` and the article pathspec.
    """

    def __init__(self, handle: GitRepo, renames: str) -> None:
        flag = "-M100%" if renames == "exact" else "-M"
        self.asker = _Asker(
            handle,
            [
                "git", "-c", "diff.external=", "diff-tree", "--stdin", "-z", "-r",
                "--name-status", flag, "--no-color", "--no-ext-diff", "--no-textconv",
                "--format=%x1e%H", *handle.pathspec(),
            ],
        )  # fmt: skip

    def ask(self, sha: str) -> None:
        """Ask about commit ``sha`` ahead of :meth:`answer`."""
        self.asker.ask(sha)

    def flush(self) -> None:
        """Send the questions asked so far."""
        self.asker.flush()

    def answer(self, sha: str) -> bytes | None:
        """The ``-z --name-status`` body of commit ``sha`` (its entries); None if git failed."""
        raw = self.asker.answer(sha)
        if raw is None:
            return None
        if raw[:1] == b"\x1e":
            raw = raw.partition(b"\0")[2]  # the header line: the commit id
        return raw

    def error(self) -> str:
        """Why git failed (its last line of stderr)."""
        return self.asker.error()

    def finish(self) -> int:
        """Stop git (if still running)."""
        return self.asker.finish()


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


class Simplifier:
    """The history simplification ``git log -- PATHSPEC`` does, for a log without pathspec.

    A merge that is TREESAME to a parent for the article files (none of them differs from
    that parent) is not shown, and git follows only the first such parent: the other lines
    are pruned (a side branch whose article edits were all dropped, or all made on the main
    line too, is not history a reader saw). The walk reads the log in topological order, so
    every child comes before its parents: a commit is kept when it is the first one or a
    kept commit led to it. Whether a merge is TREESAME to a parent is asked of git (``git
    diff-tree --stdin --name-only`` of the merge against that parent, with the article
    pathspec) unless its combined diff already lists an article file.
    """

    def __init__(self, handle: GitRepo) -> None:
        self.asker = _Asker(
            handle,
            [
                "git", "-c", "diff.external=", "diff-tree", "--stdin", "-z", "-r",
                "--no-commit-id", "--name-only", "--no-renames", "--no-ext-diff",
                "--no-textconv", *handle.pathspec(),
            ],
        )  # fmt: skip
        self.reached: set[bytes] = set()
        self.first = True

    def ask(self, sha: str, parent_ids: bytes) -> None:
        """Ask whether merge ``sha`` is TREESAME to each of its parents (ahead of need)."""
        for parent in parent_ids.split():
            self.asker.ask(f"{sha} {parent.decode('ascii', 'replace')}")

    def flush(self) -> None:
        """Send the questions asked so far."""
        self.asker.flush()

    def keep(self, sha: str, parent_ids: bytes, asked: bool) -> bool:
        """Whether commit ``sha`` is in the simplified history, and whether to fold it (a
        TREESAME merge is kept as a link but not folded: returns False then too)."""
        key = sha.encode("ascii")
        if not self.first and key not in self.reached:
            return False
        self.first = False
        self.reached.discard(key)  # every child came before: nothing else leads here
        parents = parent_ids.split()
        if asked:
            for parent in parents:
                answer = self.asker.answer(f"{sha} {parent.decode('ascii', 'replace')}")
                if answer == b"":  # TREESAME to this parent: follow it alone
                    self.reached.add(parent)
                    return False
        self.reached.update(parents)
        return True

    def finish(self) -> int:
        """Stop git (if still running)."""
        return self.asker.finish()


class Blobs:
    """Article versions read ahead by one ``git cat-file --batch`` while the walk goes on.

    The walk knows, as it folds, which versions the per-file noise decisions will need
    first (:func:`~kbctl.history.walk.apply_meta_only`); asking for them then lets git
    and this reader work while the log is still being read, instead of after it.
    """

    def __init__(self, handle: GitRepo) -> None:
        self.handle = handle
        self.process: subprocess.Popen[bytes] | None = None
        self.thread: threading.Thread | None = None
        self.condition = threading.Condition()
        self.asked: deque[str] = deque()
        self.known: set[str] = set()
        self.blobs: dict[str, bytes | None] = {}
        self.ended = False
        self.done = False

    def _start(self) -> None:
        import subprocess

        self.process = subprocess.Popen(
            ["git", "cat-file", "--batch"],
            cwd=self.handle.toplevel,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=git_env(),
        )
        self.thread = threading.Thread(target=self._read, name="kbctl-cat-file", daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        stream = self.process.stdout
        try:
            while header := stream.readline():
                parts = header.split()
                blob: bytes | None = None
                if len(parts) == 3 and parts[1] == b"blob":
                    blob = stream.read(int(parts[2]) + 1)[:-1]
                elif len(parts) == 3:  # another kind of object: skip its content
                    stream.read(int(parts[2]) + 1)
                with self.condition:
                    self.blobs[self.asked.popleft()] = blob
                    self.condition.notify_all()
        except (OSError, ValueError, IndexError):
            pass
        with self.condition:
            self.ended = True
            self.condition.notify_all()

    def ask(self, specs: Sequence[str]) -> None:
        """Ask for ``rev:path`` specs (a name with a newline cannot be asked: skipped)."""
        if self.done:
            return
        fresh = [spec for spec in specs if spec not in self.known and "\n" not in spec]
        if not fresh:
            return
        if self.process is None:
            self._start()
        assert self.process is not None and self.process.stdin is not None
        with self.condition:
            self.asked.extend(fresh)
        self.known.update(fresh)
        data = "".join(spec + "\n" for spec in fresh).encode("utf-8", "surrogateescape")
        with contextlib.suppress(OSError):
            self.process.stdin.write(data)
            self.process.stdin.flush()

    def take(self, spec: str) -> tuple[bool, bytes | None]:
        """(whether ``spec`` was asked, its content or None if absent); waits for git."""
        if spec not in self.known:
            return False, None
        with self.condition:
            while spec not in self.blobs and not self.ended:
                self.condition.wait()
            self.known.discard(spec)  # taken once; asked again, it is read again
            if spec not in self.blobs:
                return False, None
            return True, self.blobs.pop(spec)

    def finish(self) -> None:
        """Stop git (if still running)."""
        if self.done:
            return
        self.done = True
        if self.process is None:
            return
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        with contextlib.suppress(OSError):
            self.process.kill()
        self.process.wait()
        if self.thread is not None:
            self.thread.join()
