"""A hostile review: what a repository can plant beyond the cases of the Safety issue.

The attacker controls everything committed, including files under a ``cache_dir`` that the
repository's kbctl.toml names inside itself, and can predict the base's absolute path (a CI
runner checks out at a fixed place), hence the name of the per-base cache folder. Every run is
a real kbctl process with a timeout; memory-hungry cases run under a 1 GiB address-space cap.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from kbctl.config import Config, cache_root
from tests.conftest import GitRepo, article_text, run_kbctl


def _kbctl_capped(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """A real kbctl with 1 GiB of address space, so that an unbounded read fails fast."""
    return run_kbctl(*args, cwd=cwd, timeout=timeout, memory_limit=1 << 30)


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[GitRepo, Path, Path]:
    """(repo, its per-base cache folder path, an ``outside`` folder): the repository's
    kbctl.toml sets ``cache_dir = ".kbcache"``; nothing is planted yet."""
    monkeypatch.delenv("KBCTL_CACHE_DIR", raising=False)
    repo = GitRepo(tmp_path / "repo")
    repo.write_article(
        "kb/a.md", "hello world\n", id="KB-1", title="A", owner="@a", last_reviewed="2020-01-01"
    )
    repo.write("kbctl.toml", 'content = "kb"\ncache_dir = ".kbcache"\n')
    probe = Config(root=(repo.path / "kb").resolve(), cache_dir=tmp_path / "probe")
    cache = repo.path / ".kbcache" / cache_root(probe).name
    outside = tmp_path / "outside"
    outside.mkdir()
    return repo, cache, outside


def _plant_link(link: Path, target: Path | str) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)


def test_a_planted_per_base_cache_link_never_leads_writes_outside(planted) -> None:
    repo, cache, outside = planted
    _plant_link(cache, outside)
    repo.commit("plant a cache link")
    for args in (["list"], ["search", "hello"], ["stale"], ["flag", "KB-1", "wrong", "--by", "@x"]):
        result = run_kbctl(*args, cwd=repo.path, timeout=60)
        assert "internal error" not in result.stderr, result.stderr
    assert list(outside.iterdir()) == []
    assert "flags:" not in (repo.path / "kb" / "a.md").read_text(encoding="utf-8")


def test_planted_cache_subfolder_and_lock_links_never_lead_writes_outside(planted) -> None:
    repo, cache, outside = planted
    _plant_link(cache / "history", outside)
    _plant_link(cache / "locks", outside)
    _plant_link(cache / "search" / "refresh.lock", outside / "created-by-kbctl")
    repo.commit("plant cache links")
    for args in (["stale"], ["search", "hello"], ["flag", "KB-1", "wrong", "--by", "@x"]):
        result = run_kbctl(*args, cwd=repo.path, timeout=60)
        assert "internal error" not in result.stderr, result.stderr
    assert list(outside.iterdir()) == []
    shutil.rmtree(cache / "search")  # now the whole search folder as a link
    _plant_link(cache / "search", outside)
    result = run_kbctl("search", "hello", cwd=repo.path, timeout=60)
    assert "internal error" not in result.stderr, result.stderr
    assert list(outside.iterdir()) == []


def test_a_current_pointer_linked_to_dev_zero_neither_eats_memory_nor_crashes(planted) -> None:
    repo, cache, _outside = planted
    _plant_link(cache / "search" / "CURRENT", "/dev/zero")
    repo.commit("plant CURRENT -> /dev/zero")
    result = _kbctl_capped("search", "hello", cwd=repo.path)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "a.md" in result.stdout


@pytest.mark.parametrize("name", [".mailmap", ".git-blame-ignore-revs", ".kbctl-ignore-revs"])
def test_a_history_file_linked_to_dev_zero_neither_eats_memory_nor_crashes(
    tmp_path: Path, name: str
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write_article("kb/a.md", "hello\n", id="KB-1", title="A", last_reviewed="2020-01-01")
    repo.write("kbctl.toml", 'content = "kb"\n')
    (repo.path / name).symlink_to("/dev/zero")
    repo.commit("plant a link to /dev/zero")
    for command in ("stale", "check", "review", "owners"):
        result = _kbctl_capped(command, cwd=repo.path)
        assert "internal error" not in result.stderr, (command, result.stderr)
        assert result.returncode in (0, 1), (command, result.stderr)


def test_a_huge_kbctl_toml_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    base = tmp_path / "base"
    (base / "kb").mkdir(parents=True)
    (base / "kb" / "a.md").write_text(article_text(id="KB-1", title="A"), encoding="utf-8")
    padding = ("#" * 1000 + "\n") * 2000  # 2 MB of comments: valid TOML, far beyond a config
    (base / "kbctl.toml").write_text(f'content = "kb"\n{padding}', encoding="utf-8")
    result = _kbctl_capped("list", cwd=base)
    assert result.returncode == 2, result.stdout
    lines = result.stderr.strip().splitlines()
    assert "kbctl.toml" in lines[0] and "not read" in lines[0], result.stderr
    assert (base / "kbctl.toml").stat().st_size > 1 << 20


def test_a_huge_planted_cache_file_is_rejected_without_reading_it_whole(planted) -> None:
    repo, cache, _outside = planted
    repo.commit("base")
    cache.mkdir(parents=True)
    with (cache / "articles.json").open("wb") as handle:
        handle.truncate(1100 << 20)  # sparse: bigger than the memory cap, costs no disk
    result = _kbctl_capped("list", cwd=repo.path)
    assert "internal error" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    assert "KB-1" in result.stdout


def test_a_repositorys_git_config_cannot_run_code_through_kbctls_git(tmp_path: Path) -> None:
    # A repository handed over whole (an archive with its .git) carries its own git config;
    # git runs core.fsmonitor for commands that read the index, such as ls-files and diff.
    marker = tmp_path / "ran"
    repo = GitRepo(tmp_path / "repo")
    repo.write_article("a.md", "Text.\n", id="A", title="A", owner="@a")
    repo.write("img/logo.png", b"\x89PNG")  # a real share of other files: the log's pathspec
    repo.commit("create", "2025-01-01T10:00:00+00:00")
    repo.git("config", "core.fsmonitor", f"touch {marker}; false")
    repo.write_article("a.md", "Edited.\n", id="A", title="A", owner="@a")
    for args in (("stale", "--all"), ("check", "--changed-since", "HEAD"), ("history", "a.md")):
        done = run_kbctl(*args, cwd=repo.path)
        assert done.returncode in (0, 1), done.stderr
        assert not marker.exists(), args
