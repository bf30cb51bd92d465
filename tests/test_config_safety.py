"""Paths in a repository's kbctl.toml stay inside it; files it names are read with bounds.

A repository is untrusted: its config must not make kbctl read or write elsewhere, and a
roster or CODEOWNERS file that is not what it claims is never echoed, never read without end.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kbctl.config import load_config
from kbctl.errors import ConfigError
from tests.conftest import GitRepo, article_text, run_kbctl

SECRET = "ghp_SECRETabcdefghijklmnopqrstuvwxyz012345"


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """A git repository holding a base in ``kb/`` with one article; ``outside/`` next to it."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("kb/a.md", article_text(id="KB-1", title="A"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "CODEOWNERS").write_text("* @someone\n", encoding="utf-8")
    (outside / "owners.yaml").write_text("people: []\n", encoding="utf-8")
    (outside / "base").mkdir()
    (outside / "base" / "b.md").write_text(article_text(id="KB-2", title="B"), encoding="utf-8")
    return repo


def _kbctl_limited(*args: str, cwd: Path, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """A real kbctl with 1 GiB of address space, so that an unbounded read fails fast."""
    return run_kbctl(*args, cwd=cwd, timeout=timeout, memory_limit=1 << 30)


@pytest.mark.parametrize(
    ("key", "line"),
    [
        ("content", 'content = "../outside/base"'),
        ("content", 'content = "/"'),
        ("codeowners", 'codeowners = "../outside/CODEOWNERS"'),
        ("codeowners", 'codeowners = "/proc/self/environ"'),
        ("codeowners", 'codeowners = "link-to-outside"'),
        ("roster", 'roster = "../outside/owners.yaml"'),
        ("roster", 'roster = "/etc/passwd"'),
        ("cache_dir", 'cache_dir = "../outside/cache"'),
        ("history.ignore_revs", '[history]\nignore_revs = ["../outside/CODEOWNERS"]'),
    ],
)
def test_a_config_path_outside_the_repository_exits_2_naming_the_key(
    repo: GitRepo, key: str, line: str
) -> None:
    (repo.path / "link-to-outside").symlink_to(repo.path.parent / "outside" / "CODEOWNERS")
    prefix = "" if line.startswith("content") else 'content = "kb"\n'
    repo.write("kbctl.toml", prefix + line + "\n")
    result = run_kbctl("owners", cwd=repo.path)
    assert result.returncode == 2, result.stdout + result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith("kbctl: error: ")
    assert f"'{key}'" in first
    assert "outside the repository" in first or "file system root" in first
    assert not (repo.path.parent / "outside" / "cache").exists()


def test_paths_inside_the_repository_and_the_users_own_choices_are_allowed(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo.write("CODEOWNERS", "* @anna\n")
    repo.write("kbctl.toml", 'content = "kb"\ncodeowners = "CODEOWNERS"\ncache_dir = ".cache"\n')
    outside = repo.path.parent / "outside"
    assert run_kbctl("owners", cwd=repo.path).returncode == 0
    # --kb, $KBCTL_KB and $KBCTL_CACHE_DIR are the user's: they may point anywhere.
    assert load_config(kb=outside / "base", cwd=repo.path).root == (outside / "base").resolve()
    monkeypatch.setenv("KBCTL_KB", str(outside / "base"))
    monkeypatch.setenv("KBCTL_CACHE_DIR", str(outside / "cache"))
    result = run_kbctl("list", "--format", "json", cwd=repo.path)
    assert result.returncode == 0, result.stderr
    assert "KB-2" in result.stdout
    # ... but the same folder as 'content' in the repository's config is refused.
    monkeypatch.delenv("KBCTL_KB")
    repo.write("kbctl.toml", 'content = "../outside/base"\n')
    with pytest.raises(ConfigError, match="'content' points outside the repository"):
        load_config(cwd=repo.path)


def test_an_invalid_codeowners_token_is_never_echoed_in_full(repo: GitRepo) -> None:
    repo.write(
        "CODEOWNERS",
        f"/kb/ @anna\n* {SECRET}\nGITHUB_TOKEN={SECRET}\0HOME=/root\0PATH=/bin\n",
    )
    repo.write("kbctl.toml", 'content = "kb"\ncodeowners = "CODEOWNERS"\n')
    for args in (("owners",), ("check", "--format", "text"), ("review",)):
        result = run_kbctl(*args, cwd=repo.path)
        output = result.stdout + result.stderr
        assert SECRET not in output, args
        assert "\0" not in output
    result = run_kbctl("owners", cwd=repo.path)
    assert "CODEOWNERS:2:" in result.stderr  # reported by file and line
    assert "CODEOWNERS:3:" in result.stderr


def test_a_codeowners_link_to_a_secret_outside_the_repository_is_not_read(
    repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found at GitHub's location, not configured: a link there must not lead outside.
    (repo.path / ".github").mkdir()
    (repo.path / ".github" / "CODEOWNERS").symlink_to("/proc/self/environ")
    repo.write("kbctl.toml", 'content = "kb"\n')
    monkeypatch.setenv("FAKE_CI_TOKEN", f"x {SECRET} y")
    result = run_kbctl("owners", cwd=repo.path)
    assert SECRET not in result.stdout + result.stderr
    assert "outside the repository" in result.stderr


def test_a_fifo_as_codeowners_is_refused_without_hanging(repo: GitRepo) -> None:
    os.mkfifo(repo.path / "CODEOWNERS")
    repo.write("kbctl.toml", 'content = "kb"\ncodeowners = "CODEOWNERS"\n')
    try:
        result = run_kbctl("owners", cwd=repo.path, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("kbctl hung on a FIFO named as codeowners")
    assert "'codeowners' is not a regular file" in result.stderr


@pytest.mark.parametrize("key", ["codeowners", "roster"])
def test_a_huge_config_file_is_refused_without_reading_it(repo: GitRepo, key: str) -> None:
    huge = repo.path / "huge"
    with huge.open("wb") as stream:
        stream.truncate(512 << 20)  # sparse: 512 MiB that take no disk
    repo.write("kbctl.toml", f'content = "kb"\n{key} = "huge"\n')
    try:
        result = _kbctl_limited("owners", cwd=repo.path)
    except subprocess.TimeoutExpired:
        pytest.fail(f"kbctl read a 512 MiB {key} file")
    assert f"'{key}' is larger than 1024 KiB" in result.stderr, result.stderr[-500:]
    assert "internal error" not in result.stderr


def test_dev_zero_as_codeowners_is_refused(repo: GitRepo) -> None:
    repo.write("kbctl.toml", 'content = "kb"\ncodeowners = "/dev/zero"\n')
    result = _kbctl_limited("owners", cwd=repo.path)
    assert result.returncode == 2
    assert "'codeowners' points outside the repository" in result.stderr
