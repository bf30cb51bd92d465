"""The search index: build, incremental refresh, recovery, locking between processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kbctl.cachefile import seal_folder
from kbctl.config import Config, load_config
from kbctl.search.index import (
    CURRENT_FILE,
    FORMAT_FILE,
    MANIFEST_FILE,
    current_folder,
    index_root,
    open_index,
)
from kbctl.search.query import search
from tests.conftest import article_text, run_kbctl


def write(root: Path, relative: str, body: str, **front: object) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(article_text(body, **front), encoding="utf-8")
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    root = tmp_path / "kb"
    write(root, "email/bounce.md", "Письмо вернулось с ошибкой 550 5.7.708.\n", title="Отказ")
    write(root, "billing/refund.md", "How to refund a card payment.\n", title="Refunds")
    write(root, "accounts/sso.md", "SAML signature invalid in Okta.\n", title="SSO login fails")
    return root


def paths(config: Config, query: str) -> list[str]:
    return [hit.path for hit in search(config, query).hits]


def many_articles(root: Path, count: int) -> None:
    words = [
        "invoice",
        "refund",
        "password",
        "login",
        "webhook",
        "export",
        "pagination",
        "mobile",
        "push",
    ]
    for number in range(count):
        body = "\n".join(
            f"Paragraph {line} about {words[(number + line) % len(words)]} and delivery."
            for line in range(40)
        )
        write(root, f"bulk/a{number:04d}.md", body + "\n", title=f"Article {number}")


def test_first_search_builds_then_nothing_to_do(base: Path) -> None:
    config = load_config(kb=base)
    first = open_index(config)
    first.ix.close()
    assert first.report.rebuilt and first.report.total == 3
    second = open_index(config)
    second.ix.close()
    assert not second.report.rebuilt and second.report.touched == 0
    assert second.report.total == 3


def test_default_cache_is_in_the_users_cache_folder_not_in_the_base(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KBCTL_CACHE_DIR")
    before = sorted(path.relative_to(base) for path in base.rglob("*"))
    config = load_config(kb=base)
    assert paths(config, "refund") == ["billing/refund.md"]
    assert sorted(path.relative_to(base) for path in base.rglob("*")) == before
    user_cache = Path(os.environ["XDG_CACHE_HOME"]) / "kbctl"
    (folder,) = user_cache.iterdir()
    assert folder.name.startswith(f"{base.name}-")
    assert (folder / "search" / CURRENT_FILE).is_file()
    assert folder.stat().st_mode & 0o077 == 0


def test_incremental_update_adds_changes_and_removes(base: Path) -> None:
    config = load_config(kb=base)
    assert paths(config, "okta") == ["accounts/sso.md"]
    write(base, "accounts/sso.md", "Entra ID error AADSTS50105.\n", title="SSO login fails")
    write(base, "api/keys.md", "Rotate an API key without downtime.\n", title="API keys")
    (base / "billing" / "refund.md").unlink()
    index = open_index(config)
    index.ix.close()
    report = index.report
    assert (report.added, report.changed, report.removed) == (1, 1, 1)
    assert not report.rebuilt
    assert paths(config, "okta") == []
    assert paths(config, "AADSTS50105") == ["accounts/sso.md"]
    assert paths(config, "rotate key") == ["api/keys.md"]
    assert paths(config, "refund") == []


def test_search_sees_an_edit_without_running_index(base: Path) -> None:
    config = load_config(kb=base)
    assert paths(config, "зебра") == []
    write(base, "email/bounce.md", "Теперь здесь про зебру.\n", title="Отказ")
    assert paths(config, "зебра") == ["email/bounce.md"]


def test_touched_but_unchanged_file_is_not_reindexed(base: Path) -> None:
    config = load_config(kb=base)
    open_index(config).ix.close()
    target = base / "billing" / "refund.md"
    os.utime(target, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    touched = open_index(config)
    touched.ix.close()
    assert touched.report.touched == 0
    again = open_index(config)
    again.ix.close()
    assert again.report.touched == 0


def test_format_version_mismatch_rebuilds_with_a_notice(base: Path) -> None:
    config = load_config(kb=base)
    open_index(config).ix.close()
    root = index_root(config)
    folder = root / (root / CURRENT_FILE).read_text().strip()
    (folder / FORMAT_FILE).write_text("0\n")
    seal_folder(folder)  # as another kbctl version of this user would have left it
    result = search(config, "refund")
    assert [hit.path for hit in result.hits] == ["billing/refund.md"]
    assert any("format 0" in notice and "rebuilding" in notice for notice in result.notices)


def test_a_changed_index_file_is_never_opened_and_is_rebuilt(base: Path) -> None:
    config = load_config(kb=base)
    open_index(config).ix.close()
    root = index_root(config)
    folder = root / (root / CURRENT_FILE).read_text().strip()
    (folder / FORMAT_FILE).write_text("5 \n")
    result = search(config, "refund")
    assert [hit.path for hit in result.hits] == ["billing/refund.md"]
    assert any("not written by this kbctl" in notice for notice in result.notices)
    assert current_folder(config) != folder and not folder.exists()


@pytest.mark.parametrize("damage", ["toc", "segments", "manifest", "current"])
def test_damaged_index_is_rebuilt(base: Path, damage: str) -> None:
    config = load_config(kb=base)
    open_index(config).ix.close()
    root = index_root(config)
    folder = root / (root / CURRENT_FILE).read_text().strip()
    if damage == "toc":
        for toc in folder.glob("_MAIN_*.toc"):
            toc.write_bytes(b"\x00garbage")
    elif damage == "segments":
        for segment in folder.glob("*.trm"):
            segment.write_bytes(b"")
    elif damage == "manifest":
        (folder / MANIFEST_FILE).write_bytes(b"not a pickle")
    else:
        (root / CURRENT_FILE).write_text("ix-missing")
    result = search(config, "refund")
    assert [hit.path for hit in result.hits] == ["billing/refund.md"]
    if damage != "segments":  # an emptied term file may only surface when read
        assert any("rebuilding" in notice for notice in result.notices)
    assert paths(config, "okta") == ["accounts/sso.md"]


def test_leftover_folder_of_a_killed_build_is_cleaned(base: Path) -> None:
    config = load_config(kb=base)
    root = index_root(config)
    leftover = root / "ix-19700101000000-1"
    leftover.mkdir(parents=True)
    (leftover / "_MAIN_1.toc").write_bytes(b"half written")
    assert paths(config, "refund") == ["billing/refund.md"]
    assert not leftover.exists()


def test_config_change_rebuilds(base: Path) -> None:
    config = load_config(kb=base)
    open_index(config).ix.close()
    config.exclude.append("billing/**")
    result = search(config, "refund")
    assert result.hits == []
    assert any("configuration changed" in notice for notice in result.notices)


def test_unparsable_article_is_skipped_then_indexed_when_fixed(base: Path) -> None:
    config = load_config(kb=base)
    broken = base / "faq" / "broken.md"
    broken.parent.mkdir()
    broken.write_text("---\ntitle: [unclosed\n---\nZanzibar notes.\n", encoding="utf-8")
    index = open_index(config)
    index.ix.close()
    assert index.report.unreadable == ["faq/broken.md"]
    assert paths(config, "zanzibar") == []
    write(base, "faq/broken.md", "Zanzibar notes.\n", title="Fixed")
    assert paths(config, "zanzibar") == ["faq/broken.md"]


def test_two_concurrent_index_runs_wait_for_each_other(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    many_articles(root, 150)
    command = [sys.executable, "-m", "kbctl", "--kb", str(root), "index"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [process.communicate(timeout=120) for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    messages = sorted(stderr for _stdout, stderr in outputs)
    assert any("index built: 150 articles" in message for message in messages), messages
    assert any("up to date (150 articles)" in message for message in messages), messages
    again = run_kbctl("--kb", str(root), "index")
    assert "up to date (150 articles)" in again.stderr


def test_search_during_a_rebuild_neither_crashes_nor_corrupts(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    many_articles(root, 150)
    assert run_kbctl("--kb", str(root), "index").returncode == 0
    rebuild = subprocess.Popen(
        [sys.executable, "-m", "kbctl", "--kb", str(root), "index", "--rebuild"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    searches = [
        run_kbctl("--kb", str(root), "search", "webhook", "--format", "paths") for _ in range(3)
    ]
    _out, errors = rebuild.communicate(timeout=120)
    assert rebuild.returncode == 0, errors
    for result in searches:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stdout.splitlines()) == 10
    after = run_kbctl("--kb", str(root), "search", "webhook", "--format", "paths", "-n", "200")
    assert after.returncode == 0
    assert len(after.stdout.splitlines()) == 150


def test_index_killed_mid_build_is_recovered(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    many_articles(root, 600)
    build = subprocess.Popen(
        [sys.executable, "-m", "kbctl", "--kb", str(root), "index"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(0.7)  # start-up takes ~0.3 s and the build ~1 s: kill it while it writes
    build.send_signal(signal.SIGKILL)
    build.wait(timeout=30)
    result = run_kbctl("--kb", str(root), "search", "pagination", "--format", "paths", "-n", "1000")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 600
    status = run_kbctl("--kb", str(root), "index")
    assert "up to date (600 articles)" in status.stderr


# Counts the opens of one article file (Python's audit hook sees every os.open) while the
# index is brought up to date, in a process of its own: an audit hook cannot be removed.
COUNT_READS = """
import json, sys
from kbctl.config import load_config
from kbctl.search.index import open_index

target = sys.argv[2]
opens = []
sys.addaudithook(
    lambda event, args: opens.append(1) if event == "open" and str(args[0]).endswith(target) else None
)
index = open_index(load_config(kb=sys.argv[1]))
index.ix.close()
print(json.dumps({"opens": len(opens), "rebuilt": index.report.rebuilt}))
"""


def test_a_changed_file_is_read_once_when_updates_turn_into_a_rebuild(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    for number in range(4):
        write(root, f"a{number}.md", f"Body {number}.\n", title=f"Article {number}")
    config = load_config(kb=root)
    open_index(config).ix.close()
    for number in (1, 2, 3):  # one small segment per update, each holding one live article
        write(root, f"a{number}.md", f"Edited {number}.\n", title=f"Article {number}")
        index = open_index(config)
        index.ix.close()
        assert not index.report.rebuilt
    # The next update would make a fourth small segment: the index is built again instead.
    write(root, "a0.md", "Edited zero.\n", title="Article 0")
    result = subprocess.run(
        [sys.executable, "-c", COUNT_READS, str(root), "a0.md"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"opens": 1, "rebuilt": True}
    assert paths(config, "zero") == ["a0.md"]
