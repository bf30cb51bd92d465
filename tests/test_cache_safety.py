"""Caches are untrusted: a planted cache never runs code, failed builds leave nothing behind,
and a search never waits for a rebuild (promises 1 and 7 of SECURITY.md)."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbctl.config import cache_root, load_config
from kbctl.search.index import CURRENT_FILE, FORMAT_VERSION, INDEX_FOLDER, LOCK_FILE
from tests.conftest import GitRepo, article_text, run_kbctl


def evil_pickle(marker: Path) -> bytes:
    """A pickle that creates ``marker`` when it is loaded."""

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    return pickle.dumps(Evil())


def plant_whoosh_index(folder: Path, marker: Path) -> None:
    """A Whoosh index whose pickled schema runs ``touch marker`` when Whoosh opens it."""
    script = f"""
import os, sys
from whoosh.fields import ID, Schema
from whoosh.index import create_in

class Evil:
    def __reduce__(self):
        return (os.system, ("touch {marker}",))

schema = Schema(path=ID(stored=True))
schema.evil = Evil()
ix = create_in({str(folder)!r}, schema)
writer = ix.writer()
writer.add_document(path="planted.md")
writer.commit()
"""
    folder.mkdir(parents=True)
    subprocess.run([sys.executable, "-c", script], check=True)
    assert not marker.exists()


@pytest.fixture
def victim(git_repo: GitRepo) -> GitRepo:
    """A cloned base whose kbctl.toml keeps the cache inside the repository."""
    git_repo.write("kbctl.toml", 'content = "kb"\ncache_dir = ".kbctl-cache"\n')
    git_repo.write_article(
        "kb/refund.md", "How to refund a card payment.\n", id="KB-1", title="Refunds"
    )
    git_repo.write_article("kb/sso.md", "SAML signature invalid.\n", id="KB-2", title="SSO")
    git_repo.commit("base")
    return git_repo


def test_a_planted_cache_never_runs_code(victim: GitRepo, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    os.environ.pop("KBCTL_CACHE_DIR", None)  # the repository's own cache_dir applies
    config = load_config(cwd=victim.path)
    cache = cache_root(config)
    assert cache.is_relative_to(victim.path)
    # The Whoosh index an attacker committed, named as kbctl names its index folders.
    index = cache / INDEX_FOLDER / "ix-planted"
    plant_whoosh_index(index, marker)
    (index / "FORMAT").write_text(f"{FORMAT_VERSION}\n")
    (index / "manifest.json").write_text(json.dumps([FORMAT_VERSION, "x", {}]))
    (index / "SEAL").write_text("0" * 64)
    (cache / INDEX_FOLDER / CURRENT_FILE).write_text("ix-planted")
    # The control: that index does run code when Whoosh opens it.
    subprocess.run(
        [sys.executable, "-c", f"from whoosh.index import open_dir; open_dir({str(index)!r})"],
        check=False,
        capture_output=True,
    )
    assert marker.exists()
    marker.unlink()
    # Old-style pickled caches, and forged JSON caches with a wrong seal.
    payload = evil_pickle(marker)
    for name in ("articles.pickle", "search/manifest.pickle", "search/spelling.pickle"):
        (cache / name).write_bytes(payload)
    (victim.path / "kb" / ".kbctl").mkdir()
    (victim.path / "kb" / ".kbctl" / "articles.pickle").write_bytes(payload)
    forged = {"key": "x", "entries": {"kb/refund.md": [[0, 0, 0, 0], None, []]}}
    (cache / "articles.json").write_bytes(
        b"kbctl-sealed-1\n" + b"\0" * 32 + json.dumps(forged).encode()
    )
    victim.git("add", "-f", ".")
    victim.commit("a cache, committed by force")

    for arguments in (["list"], ["check", "--changed-since", "HEAD"], ["search", "refund"]):
        result = run_kbctl(*arguments, cwd=victim.path, env={"KBCTL_CACHE_DIR": ""})
        assert not marker.exists(), arguments
        assert "internal error" not in result.stderr, arguments
        assert result.returncode in (0, 1), (arguments, result.stderr)
    result = run_kbctl("search", "refund", "--format", "json", cwd=victim.path)
    assert [hit["id"] for hit in json.loads(result.stdout)] == ["KB-1"]
    assert not marker.exists()
    # The planted folder was replaced by one kbctl wrote, and is gone.
    assert not index.exists()


def test_kbctls_own_cache_is_reused(victim: GitRepo) -> None:
    first = run_kbctl("search", "refund", cwd=victim.path)
    assert first.returncode == 0, first.stderr
    again = run_kbctl("search", "refund", cwd=victim.path)
    assert again.returncode == 0 and "rebuilding" not in again.stderr


def many_articles(root: Path, count: int, words: int = 400) -> None:
    vocabulary = [f"word{number}" for number in range(3000)]
    for number in range(count):
        body = " ".join(vocabulary[(number * 7 + i * 13) % 3000] for i in range(words))
        path = root / f"a{number:04d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(article_text(body + "\n", id=f"A-{number}", title=f"Article {number}"))


def index_folders(config_root: Path) -> list[str]:
    config = load_config(kb=config_root)
    root = cache_root(config) / INDEX_FOLDER
    return sorted(entry.name for entry in root.iterdir() if entry.name.startswith("ix-"))


def test_a_killed_build_leaves_nothing_after_the_next_run(tmp_path: Path) -> None:
    base = tmp_path / "kb"
    many_articles(base, 300)
    assert run_kbctl("--kb", str(base), "index").returncode == 0
    (live,) = index_folders(base)
    process = subprocess.Popen(
        [sys.executable, "-m", "kbctl", "--kb", str(base), "index", "--rebuild"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while len(index_folders(base)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert len(index_folders(base)) == 2  # the killed build's partial folder
    result = run_kbctl("--kb", str(base), "search", "word5")
    assert result.returncode == 0, result.stderr
    assert index_folders(base) == [live]


def test_search_answers_from_the_last_index_while_another_process_writes(
    tmp_path: Path,
) -> None:
    from whoosh.util.filelock import FileLock

    base = tmp_path / "kb"
    many_articles(base, 5, words=20)
    assert run_kbctl("--kb", str(base), "index").returncode == 0
    (base / "a0001.md").write_text(article_text("changed words\n", id="A-1", title="Changed"))
    lock = FileLock(str(cache_root(load_config(kb=base)) / INDEX_FOLDER / LOCK_FILE))
    assert lock.acquire(blocking=False)
    try:
        result = run_kbctl("--kb", str(base), "search", "word0", "--format", "json", timeout=60)
    finally:
        lock.release()
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
    assert "another kbctl process is updating the search index" in result.stderr


@pytest.fixture
def small_disk(tmp_path: Path) -> object:
    """A 512 KiB tmpfs (only where this process may mount one)."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    try:
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount_point)],
            check=True,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as error:
        pytest.skip(f"cannot mount a small tmpfs here ({error}); the disk-full case needs one")
    yield mount_point
    subprocess.run(["umount", "-l", str(mount_point)], check=False)


def test_a_full_disk_is_one_line_and_the_next_run_repairs_itself(
    tmp_path: Path, small_disk: Path
) -> None:
    base = tmp_path / "kb"
    many_articles(base, 400)
    env = {"KBCTL_CACHE_DIR": str(small_disk)}
    result = run_kbctl("--kb", str(base), "index", env=env)
    assert result.returncode == 2, result.stderr
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("kbctl: error: no space left on the device")
    assert str(small_disk) in first_line
    assert "Traceback" not in result.stderr
    leftovers = list(small_disk.rglob("ix-*"))
    assert leftovers == []
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = run_kbctl("--kb", str(base), "search", "word5", env=env)
    assert again.returncode == 0, again.stderr


def test_the_sealing_key_is_private_and_a_readable_one_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kbctl import cachefile

    monkeypatch.setenv("KBCTL_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(cachefile, "_key", None)
    key = cachefile.cache_key()
    path = tmp_path / "state" / cachefile.KEY_FILE
    assert path.read_bytes() == key and path.stat().st_mode & 0o777 == 0o600
    sealed = cachefile.seal(b"data")
    path.chmod(0o644)  # others could read it, so they could forge seals: not used
    monkeypatch.setattr(cachefile, "_key", None)
    assert cachefile.cache_key() != key
    assert cachefile.unseal(sealed) is None
    assert path.stat().st_mode & 0o777 == 0o600
