"""Shared test fixtures: an isolated environment and real git repositories with fixed dates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kbctl.cli.app import app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
KB_CONTENT = PROJECT_ROOT / "kb-content"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEFAULT_AUTHOR = ("Anna Petrova", "anna.petrova@relay.example")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test sees the developer's HOME, git config, cache, colours or time zone."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("KBCTL_CACHE_DIR", str(home / "kbctl-cache"))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    # Messages in English unless a test asks for another language (tests/test_i18n*.py).
    monkeypatch.setenv("KBCTL_LANG", "en")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for name in (
        "KBCTL_KB",
        "KBCTL_DEBUG",
        "GITHUB_ACTIONS",
        "GITHUB_STEP_SUMMARY",
        "GITLAB_CI",
        "KBCTL_USAGE_LOG",
        "KBCTL_SESSION",
        "FORCE_COLOR",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
    ):
        monkeypatch.delenv(name, raising=False)


def article_text(body: str = "Body text.\n", **front: Any) -> str:
    """An article's text: YAML front matter from keyword arguments, then the body."""
    if not front:
        return textwrap.dedent(body)
    meta = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{meta}---\n{textwrap.dedent(body)}"


def messages(stderr: str) -> list[str]:
    """The lines of ``stderr`` without the zero-config notice (no kbctl.toml: which base)."""
    return [line for line in stderr.splitlines() if not line.startswith("kbctl: no kbctl.toml")]


class GitRepo:
    """A real git repository in a temporary folder, with commits at fixed dates."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", DEFAULT_AUTHOR[0])
        self.git("config", "user.email", DEFAULT_AUTHOR[1])
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "core.autocrlf", "false")

    def git(self, *args: str, env: Mapping[str, str] | None = None, check: bool = True) -> str:
        """Run git in the repository and return its stdout."""
        result = subprocess.run(
            ["git", *args],
            cwd=self.path,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def write(self, relative: str, content: str | bytes) -> Path:
        """Write a file (text is written as UTF-8 bytes, line endings untouched)."""
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        return path

    def write_article(self, relative: str, body: str = "Body text.\n", **front: Any) -> Path:
        """Write an article with the given front matter."""
        return self.write(relative, article_text(body, **front))

    def commit(
        self,
        message: str,
        date: str = "2026-01-15T10:00:00+03:00",
        *,
        author: tuple[str, str] = DEFAULT_AUTHOR,
        committer_date: str | None = None,
        paths: Sequence[str] | None = None,
    ) -> str:
        """Stage ``paths`` (default: everything) and commit at a fixed date; return the sha."""
        self.git("add", "-A", *(["--", *paths] if paths else []))
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author[0],
            "GIT_COMMITTER_EMAIL": author[1],
            "GIT_COMMITTER_DATE": committer_date or date,
        }
        self.git("commit", "-q", "--allow-empty", "-m", message, env=env)
        return self.git("rev-parse", "HEAD").strip()

    def move(self, source: str, target: str) -> None:
        """``git mv`` a file, creating the target folder."""
        (self.path / target).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", source, target)

    def remove(self, relative: str) -> None:
        """``git rm`` a file."""
        self.git("rm", "-q", relative)


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    """An empty git repository with a fixed author."""
    return GitRepo(tmp_path / "repo")


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A copy of the bundled sample base with its config, as a plain folder (no git)."""
    target = tmp_path / "kb"
    shutil.copytree(KB_CONTENT, target / "kb-content")
    shutil.copy(PROJECT_ROOT / "kbctl.toml", target / "kbctl.toml")
    return target


class Cli:
    """Drive kbctl in-process through Typer's CliRunner (stdout and stderr kept apart)."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None):
        """Run ``kbctl ARGS`` and return the Click result."""
        previous = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return self.runner.invoke(app, list(args), env=dict(env or {}), catch_exceptions=False)
        finally:
            os.chdir(previous)


@pytest.fixture
def cli() -> Cli:
    """Run kbctl in-process."""
    return Cli()


def run_kbctl(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
    memory_limit: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a real ``kbctl`` process (the installed script, else ``python -m kbctl``).

    ``memory_limit`` caps its address space in bytes, so that an unbounded read fails
    instead of eating the machine's memory.
    """
    # The script next to this Python first (a virtual environment that is not activated).
    executable = shutil.which("kbctl", path=str(Path(sys.executable).parent)) or shutil.which(
        "kbctl"
    )
    command = [executable] if executable else [sys.executable, "-m", "kbctl"]

    def limit() -> None:
        import resource

        if memory_limit is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    return subprocess.run(
        [*command, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=limit if memory_limit is not None else None,
        check=False,
    )


@pytest.fixture
def kbctl_process() -> Iterator[Any]:
    """The function that runs a real kbctl subprocess."""
    yield run_kbctl


@dataclass
class PtyRun:
    """What a kbctl process wrote on its pseudo-terminal, and how it ended."""

    returncode: int
    output: bytes
    answered: bool = False

    @property
    def text(self) -> str:
        """The output decoded (undecodable bytes replaced)."""
        return self.output.decode("utf-8", "replace")


def run_in_pty(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    *,
    size: tuple[int, int] | None = None,
    raw: bool = False,
    stdin_on_pty: bool = False,
    stderr_on_pty: bool = True,
    answer: tuple[bytes, bytes] | None = None,
    script: Sequence[tuple[bytes | Callable[[], bool], bytes]] = (),
) -> PtyRun:
    """Run ``python -m kbctl ARGS`` with stdout (and stderr, and stdin if asked) on one
    pseudo-terminal of ``size`` = (rows, columns); ``raw`` keeps "\\n" as kbctl wrote it.
    ``answer`` = (prompt, reply) writes ``reply`` once ``prompt`` has appeared. ``script`` is
    a dialogue of (wait for, reply) steps, in order: each waits for bytes that appear after
    the previous step's reply, or for a function to return True."""
    import fcntl
    import select
    import struct
    import termios
    import tty

    master, slave = os.openpty()
    if raw:
        tty.setraw(slave)
    if size is not None:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "kbctl", *args],
        cwd=cwd,
        env=dict(env),
        stdin=slave if stdin_on_pty else subprocess.DEVNULL,
        stdout=slave,
        stderr=slave if stderr_on_pty else subprocess.DEVNULL,
    )
    os.close(slave)
    output = b""
    answered = False
    steps = list(script)
    mark = 0  # where the output after the last scripted reply starts
    quiet = 0.0
    try:
        while True:
            waiting = steps[0][0] if steps else None
            if callable(waiting):
                if waiting():
                    os.write(master, steps.pop(0)[1])
                    mark = len(output)
                    continue
                timeout = 0.05
            else:
                timeout = 60
            if not select.select([master], [], [], timeout)[0]:
                quiet += timeout
                if quiet < 60:
                    continue
                process.kill()
                pytest.fail(f"kbctl {list(args)} wrote nothing for 60 s: {output[-2000:]!r}")
            quiet = 0.0
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            output += data
            if answer is not None and not answered and answer[0] in output:
                os.write(master, answer[1])
                answered = True
            if isinstance(waiting, bytes) and waiting in output[mark:]:
                os.write(master, steps.pop(0)[1])
                mark = len(output)
        process.wait(timeout=60)
    finally:
        os.close(master)
    return PtyRun(process.returncode, output, answered)
