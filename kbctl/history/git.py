"""Repository discovery and the git processes: the only place that starts git.

GitPython (~105 ms to import) is imported only inside the functions that run git;
:func:`find_git_dir` and :func:`resolve_head` read ``.git`` by themselves so that a cache
check never imports it.
"""

from __future__ import annotations

import contextlib
import io
import queue
import re
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from kbctl.config import Config
from kbctl.errors import KbError, NotFoundError
from kbctl.history.log import log_args
from kbctl.history.report import SHALLOW_FIX
from kbctl.i18n import _

if TYPE_CHECKING:
    import subprocess

    import git

HEX = re.compile(r"^[0-9a-f]{7,40}$")
WIDE_SHARE = 0.9  # articles' share of HEAD's files from which the log reads every file
MISSING_OBJECT = re.compile(
    r"unable to read|missing (?:blob|tree|commit)|bad object|could not read|"
    r"did not receive expected object|invalid object|is corrupt"
)


# ------------------------------------------------------------------ repository


@dataclass
class GitRepo:
    """An open repository and where the base sits in it."""

    repo: git.Repo
    toplevel: Path
    git_dir: Path
    prefix: str  # the base's folder relative to the toplevel, "" or ending with "/"
    head: str | None
    shallow: bool
    partial: bool
    boundary: frozenset[str] = frozenset()
    article_spec: tuple[str, ...] = ()
    chosen_log_mode: str | None = None  # see log_mode

    def run(self, *args: str) -> tuple[int, bytes, str]:
        """Run ``git ARGS`` in the toplevel; (status, stdout bytes, stderr text).

        ``core.fsmonitor`` is off: git runs that hook for commands that read the index
        (``ls-files``, ``diff`` against the working tree), and a repository handed over whole
        brings its own ``.git/config``.
        """
        status, out, err = self.repo.git.execute(
            ["git", "-c", "core.fsmonitor=false", *args],
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
        )
        return status, out, err

    def pathspec(self) -> list[str]:
        """Arguments that limit a log to article-like files anywhere in the repository.

        Not to the base folder: a restructure that moves the content folder out of the base
        and back is then a pair of renames, not a delete and a re-add; and missing objects
        that are not articles (old images) are never read. Names stay repo-relative
        (``--relative`` is not applied to the combined diffs of merges).
        """
        if not self.article_spec:
            return ["--", self.prefix] if self.prefix else []
        return ["--", *self.article_spec]

    def log_mode(self) -> str:
        """How the main log is limited: "folder", "wide" or "narrow".

        - "folder": ``-- PREFIX`` with ``-M`` (no article pathspec can be written, e.g. an
          include glob for every file);
        - "wide": no pathspec and no rename detection; renames among the article files come
          from :class:`~kbctl.history.merges.RenamePairs` and git's history simplification
          from :class:`~kbctl.history.merges.Simplifier`. Chosen when nearly every file is
          an article: a wildcard pathspec would filter out next to nothing, yet git matches
          it against every tree entry twice per commit (4.4 s of CPU against 1.7 s at 50k
          commits);
        - "narrow": the article pathspec without rename detection (renames from
          ``RenamePairs`` as in "wide"). Chosen when other files are a real share of the
          repository (code, images, includes): git then drops their changes, and the
          commits that touch no article, before Python has to read them (on hugoDocs,
          1.4 MB of log instead of 7.4 MB, and 2.5k commits of 15k).

        The share is counted in the index (the files checked out): all of them, and those
        the article pathspec matches. Decided once, when the first log starts.
        """
        if self.chosen_log_mode is None:
            self.chosen_log_mode = self._choose_log_mode()
        return self.chosen_log_mode

    def _choose_log_mode(self) -> str:
        if not self.article_spec:
            return "folder"
        files = index_entries(self.git_dir)
        if not files:
            return "wide"
        # git matches the pathspec itself (in C): a few ms, 50 ms at 400k files.
        status, out, _err = self.run("ls-files", "-z", "--", *self.article_spec)
        if status != 0 or out.count(b"\0") >= WIDE_SHARE * files:
            return "wide"
        return "narrow"

    def wide(self) -> bool:
        """Whether the main log runs over the whole repository (see :meth:`log_mode`)."""
        return self.log_mode() == "wide"

    def renames_asked(self) -> bool:
        """Whether the main log runs without rename detection, so that renames among the
        article files are asked of :class:`~kbctl.history.merges.RenamePairs`."""
        return self.log_mode() != "folder"


def open_git(config: Config) -> tuple[GitRepo | None, str | None]:
    """The repository holding the base, or (None, why not)."""
    try:
        import git
    except ImportError:
        return None, _("git is not installed: staleness from front-matter dates alone")
    try:
        repo = git.Repo(config.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None, _("not a git repository: staleness from front-matter dates alone")
    if repo.working_tree_dir is None:
        return None, _("the base is in a bare git repository: no history to read")
    toplevel = Path(repo.working_tree_dir).resolve()
    try:
        relative = config.root.resolve().relative_to(toplevel).as_posix()
    except ValueError:
        return None, _("the base is not inside the git working tree: no history to read")
    prefix = "" if relative in ("", ".") else relative.rstrip("/") + "/"
    handle = GitRepo(repo, toplevel, Path(repo.git_dir), prefix, None, False, False)
    handle.article_spec = article_pathspec(config, prefix)
    try:
        status, out, _err = handle.run("rev-parse", "--is-shallow-repository")
    except git.GitCommandNotFound:
        return None, _("git is not installed: staleness from front-matter dates alone")
    handle.shallow = out.strip() == b"true"
    status, out, _err = handle.run("rev-parse", "-q", "--verify", "HEAD^{commit}")
    handle.head = out.decode().strip() if status == 0 and out.strip() else None
    handle.partial = _is_partial_clone(repo)
    if handle.shallow:
        shallow_file = Path(repo.common_dir) / "shallow"
        with contextlib.suppress(OSError):
            handle.boundary = frozenset(shallow_file.read_text().split())
    return handle, None


def article_pathspec(config: Config, prefix: str) -> tuple[str, ...]:
    """Git pathspecs for article-like files anywhere in the repository, minus the excludes.

    Each include glob is widened to its last segment at any depth (``docs/*.md`` becomes
    ``:(glob)**/*.md``): a file's earlier paths may lie outside the base. The walk only
    follows files that are articles at HEAD, so the extra names cost output, not verdicts.
    Excludes apply inside the base only (that is where they are written).
    """
    includes: list[str] = []
    for pattern in config.include:
        last = pattern.rstrip("/").rsplit("/", 1)[-1]
        if not last or last == "**":
            return ()  # a glob for every file: no narrowing is possible
        # "*.md" in git's default pathspec matches at any depth, and costs a third of the
        # glob magic's ":(glob)**/*.md" (measured: 0.55 s against 1.65 s of git's CPU).
        plain = last.startswith("*") and not any(c in last[1:] for c in "*?[]\\")
        spec = last if plain else f":(glob)**/{last}"
        if spec not in includes:
            includes.append(spec)
    excludes: list[str] = []
    for pattern in config.exclude:
        body = pattern.lstrip("/")
        if not body or body.startswith("!"):
            continue
        if body.endswith("/"):
            body += "**"
        if "/" not in pattern.rstrip("/"):
            body = "**/" + body  # a name without a folder matches at any depth
        folder = body.removesuffix("/**")
        if folder != body and not any(c in folder for c in "*?[]\\"):
            excludes.append(f":(exclude){prefix}{folder}/")  # a plain prefix: cheaper
        else:
            excludes.append(f":(glob,exclude){prefix}{body}")
    return (*includes, *excludes) if includes else ()


def _is_partial_clone(repo: git.Repo) -> bool:
    try:
        reader = repo.config_reader("repository")
        for section in reader.sections():
            lowered = section.lower()
            if lowered == "extensions":
                if any(key.lower() == "partialclone" for key in reader.options(section)):
                    return True
            elif lowered.startswith("remote "):
                for key in reader.options(section):
                    if key.lower() == "promisor" and str(reader.get(section, key)).lower() in (
                        "true",
                        "1",
                        "yes",
                    ):
                        return True
    except Exception:  # an unreadable config only costs the blobless optimisation
        return False
    return False


def decode_path(raw: bytes) -> str:
    """A path from git's raw bytes (non-UTF-8 bytes kept as surrogates), in NFC."""
    return unicodedata.normalize("NFC", raw.decode("utf-8", "surrogateescape"))


def tracked_articles(handle: GitRepo, config: Config) -> dict[bytes, str]:
    """Article-like files in HEAD's tree: raw base-relative name -> NFC name."""
    from kbctl.articles import is_article_path

    if handle.head is None:
        return {}
    args = ["ls-tree", "-r", "-z", "--name-only", "--full-tree", "HEAD"]
    if handle.prefix:
        args += ["--", handle.prefix]
    status, out, _err = handle.run(*args)
    if status != 0:
        return {}
    skip = len(handle.prefix.encode())
    tracked: dict[bytes, str] = {}
    for raw in out.split(b"\0"):
        if not raw:
            continue
        raw = raw[skip:]
        name = decode_path(raw)
        if is_article_path(name, config):
            tracked[raw] = name
    return tracked


def index_entries(git_dir: Path) -> int:
    """How many files the index lists, from its header (0 when it cannot be read). A split
    or sparse index may count otherwise: only :meth:`GitRepo.log_mode` uses it, for speed."""
    try:
        with (git_dir / "index").open("rb") as index:
            header = index.read(12)
    except OSError:
        return 0
    if len(header) < 12 or header[:4] != b"DIRC":
        return 0
    return int.from_bytes(header[8:12], "big")


# ------------------------------------------------------------------ processes


class GitLog:
    """A running ``git log`` whose output a thread drains into memory as it comes.

    Draining in a thread lets git run at full speed (and lets a command load its articles
    while git works: see :func:`start_history`); the parser takes chunks from the queue.
    """

    def __init__(self, handle: GitRepo, rev_range: Sequence[str], renames: str) -> None:
        # GIT_FLUSH=0: git flushes a pipe after every commit otherwise, and the thousands of
        # tiny writes and wake-ups cost more than the parsing (9.8 s vs 5.2 s at 50k commits).
        # How the log is limited (every file, the article pathspec or the base folder):
        # see GitRepo.log_mode.
        mode = handle.log_mode()
        if mode == "wide":
            args = log_args(rev_range, "off")
        elif mode == "narrow":
            args = log_args(rev_range, "off", handle.pathspec())
        else:
            args = log_args(rev_range, renames, handle.pathspec())
        self.auto = handle.repo.git.execute(
            ["git", *args],
            as_process=True,
            env={"GIT_FLUSH": "0"},
        )
        process = self.auto.proc
        # execute(as_process=True) always starts git with both pipes.
        assert process is not None and process.stdout is not None and process.stderr is not None
        self.process: subprocess.Popen[bytes] = process
        # An unbuffered pipe would be a FileIO without read1; Popen's default is buffered.
        self.stdout = cast(io.BufferedReader, process.stdout)
        self.stderr: IO[bytes] = process.stderr
        self.queue: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._drain, name="kbctl-git-log", daemon=True)
        self.thread.start()
        self.out_of_time = False  # set when :meth:`chunks` stopped at its deadline

    def _drain(self) -> None:
        read = self.stdout.read1
        try:
            while chunk := read(1 << 20):
                self.queue.put(chunk)
        except (OSError, ValueError):
            pass
        self.queue.put(None)

    def chunks(self, deadline: float) -> Iterator[bytes]:
        """Output chunks until git is done, or until ``deadline`` (then sets ``out_of_time``)."""
        while (chunk := self.queue.get()) is not None:
            yield chunk
            if time.monotonic() > deadline:
                self.out_of_time = True
                return

    def finish(self, *, kill: bool) -> tuple[int, str]:
        """Stop (or wait for) git; its exit status and stderr."""
        if kill:
            with contextlib.suppress(OSError):
                self.process.kill()
        self.thread.join()
        errors = self.stderr.read().decode("utf-8", "replace")
        status = self.process.wait()
        self.stdout.close()
        self.stderr.close()
        self.auto.proc = None  # nothing left for GitPython's finaliser to clean up
        return status, errors


def git_env() -> dict[str, str]:
    import os

    return {**os.environ, "GIT_FLUSH": "0", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


def is_ancestor(handle: GitRepo, old: object) -> bool:
    """Whether commit ``old`` is an ancestor of HEAD (False for anything not a commit id)."""
    if not isinstance(old, str) or not HEX.match(old):
        return False
    status, _out, _err = handle.run("merge-base", "--is-ancestor", old, "HEAD")
    return status == 0  # otherwise history was rewritten (or OLD is gone): full pass


def is_missing_object(error: str | None) -> bool:
    """Whether git's error says objects are missing (a blobless or damaged clone)."""
    return bool(error and MISSING_OBJECT.search(error))


def cat_files(handle: GitRepo, specs: Sequence[str]) -> list[bytes | None]:
    """Contents of ``rev:path`` specs through one ``git cat-file --batch`` (None if absent)."""
    import tempfile

    data = "".join(spec + "\n" for spec in specs).encode("utf-8", "surrogateescape")
    with tempfile.TemporaryFile() as requests:
        requests.write(data)
        requests.seek(0)
        _status, out, _err = handle.repo.git.execute(
            ["git", "cat-file", "--batch"],
            istream=requests,
            with_extended_output=True,
            with_exceptions=False,
            stdout_as_string=False,
            strip_newline_in_stdout=False,
        )
    results: list[bytes | None] = []
    position = 0
    for _spec in specs:
        end = out.find(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] == b"blob":
            size = int(header[2])
            results.append(out[position : position + size])
            position += size + 1
        else:
            results.append(None)
    return results


def changed_paths(config: Config, rev: str) -> set[str]:
    """Base-relative paths changed between ``rev`` and the working tree (incl. untracked).

    Raises KbError when the base is not in git or ``rev`` is unknown.
    """
    handle, why_not = open_git(config)
    if handle is None:
        raise KbError(
            why_not or _("no git repository"), hint=_("--changed-since needs a git checkout")
        )
    status, out, _err = handle.run("rev-parse", "-q", "--verify", f"{rev}^{{commit}}")
    if status != 0:
        hint = _("check the name, e.g. origin/main")
        if handle.shallow:
            hint = _("check the name, e.g. origin/main; this is a shallow clone: {fix}").format(
                fix=_(SHALLOW_FIX)
            )
        raise NotFoundError(_("unknown git revision {rev!r}").format(rev=rev), hint=hint)
    sha = out.decode().strip()
    spec = ["--", handle.prefix] if handle.prefix else []
    relative = [f"--relative={handle.prefix}"] if handle.prefix else []
    found: set[str] = set()
    status, out, err = handle.run(
        "diff", "--name-only", "-z", "--no-renames", *relative, sha, *spec
    )
    if status != 0:
        reason = err.strip().splitlines()[-1] if err.strip() else str(status)
        raise KbError(_("git diff failed: {reason}").format(reason=reason))
    found.update(decode_path(raw) for raw in out.split(b"\0") if raw)
    status, out, _err = handle.run(
        "ls-files", "-z", "--others", "--exclude-standard", "--", handle.prefix or "."
    )
    skip = len(handle.prefix.encode())
    if status == 0:
        found.update(decode_path(raw[skip:]) for raw in out.split(b"\0") if raw)
    return found


# ------------------------------------------------------------------ .git without git


def find_git_dir(start: Path) -> tuple[Path, Path] | None:
    """(toplevel, git dir) by walking up from ``start``, without running git."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return folder, dot_git
        if dot_git.is_file():
            try:
                text = dot_git.read_text(encoding="utf-8").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                return folder, (folder / text[len("gitdir:") :].strip()).resolve()
            return None
    return None


def resolve_head(git_dir: Path) -> str | None:
    """HEAD's commit id, read from the files (loose refs, then packed-refs)."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    if HEX.match(head) and len(head) == 40:
        return head
    if not head.startswith("ref:"):
        return None
    ref = head[4:].strip()
    common = git_dir
    commondir = git_dir / "commondir"
    if commondir.is_file():
        with contextlib.suppress(OSError):
            common = (git_dir / commondir.read_text(encoding="utf-8").strip()).resolve()
    for folder in (git_dir, common):
        with contextlib.suppress(OSError):
            value = (folder / ref).read_text(encoding="utf-8").strip()
            if len(value) == 40 and HEX.match(value):
                return value
    with contextlib.suppress(OSError):
        for line in (common / "packed-refs").read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == ref:
                return parts[0]
    return None


# ------------------------------------------------------------------ writing (review workflow)


def git_identity(root: Path) -> str | None:
    """The user's git ``user.email`` (else ``user.name``) as git sees it from ``root``; None if unset."""
    try:
        import git
    except ImportError:
        return None
    runner = git.Git(str(root))
    for key in ("user.email", "user.name"):
        try:
            value = str(runner.config("--get", key)).strip()
        except (git.GitCommandError, git.GitCommandNotFound):
            continue
        if value:
            return value
    return None


def commit_files(root: Path, paths: Sequence[Path], message: str) -> str:
    """Commit exactly ``paths`` (other staged changes are left out) with ``message``; the new sha.

    Raises KbError when the base is not in a git repository or git refuses the commit.
    """
    try:
        import git
    except ImportError:
        raise KbError(_("cannot commit: GitPython is not installed")) from None
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise KbError(
            _("cannot commit: the base is not in a git repository"),
            hint=_("the files were edited; commit them yourself or run without --commit"),
        ) from None
    toplevel = Path(repo.working_tree_dir or root).resolve()
    names = [path.resolve().relative_to(toplevel).as_posix() for path in paths]
    try:
        repo.git.add("--", *names)
        repo.git.commit("-q", "-m", message, "--", *names)
    except git.GitCommandError as error:
        lines = [line for line in str(error.stderr or "").splitlines() if line.strip()]
        reason = lines[-1].strip().removeprefix("stderr: ").strip("'") if lines else str(error)
        raise KbError(
            _("git commit failed: {reason}").format(reason=reason),
            hint=_("the files were edited but not committed; commit them yourself"),
        ) from None
    return repo.head.commit.hexsha
