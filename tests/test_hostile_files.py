"""Hostile file systems and values: nothing stops the rest of the base."""

from __future__ import annotations

import json
import os
import pickle
import sys
import types
from pathlib import Path

from kbctl.articles import ParseCache, load_base
from kbctl.config import Config, cache_root
from tests.conftest import GitRepo, article_text


def test_a_file_name_that_is_not_utf8_is_skipped_everywhere(cli, git_repo: GitRepo) -> None:
    git_repo.write_article("kb/good.md", "# Password reset\n", id="A", title="Password reset")
    bad = os.fsencode(str(git_repo.path / "kb")) + b"/bad\xff.md"
    Path(os.fsdecode(bad)).write_bytes(article_text(id="B", title="Password bad").encode())
    git_repo.commit("add")
    kb = str(git_repo.path / "kb")
    for arguments in (
        ["list", "--format", "json"],
        ["search", "password", "--format", "json"],
        ["stale", "--today", "2026-11-22", "--format", "json"],
        ["check", "--today", "2026-11-22", "--format", "json"],
    ):
        result = cli("--kb", kb, *arguments)
        assert result.exit_code in (0, 1), (arguments, result.stderr)
        assert "internal error" not in result.stderr
    listed = json.loads(cli("--kb", kb, "list", "--format", "json").stdout)
    assert [item["id"] for item in listed] == ["A"]


def test_a_link_to_a_parent_folder_does_not_loop(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "email").mkdir(parents=True)
    (root / "email" / "a.md").write_text(article_text(id="A"), encoding="utf-8")
    (root / "email" / "up").symlink_to("..")
    assert [article.path for article in load_base(Config(root=root)).articles] == ["email/a.md"]


def test_far_off_dates_and_intervals_are_diagnostics(cli, tmp_path: Path) -> None:
    root = tmp_path / "kb"
    root.mkdir()
    (root / "a.md").write_text(
        "---\nid: A\nlast_reviewed: 9999-12-30\nreview_interval: 99999999y\n---\nBody\n",
        encoding="utf-8",
    )
    (root / "b.md").write_text(article_text(id="B", last_reviewed="2025-01-01"), encoding="utf-8")
    result = cli("--kb", str(root), "stale", "--today", "2026-11-22", "--format", "json")
    assert result.exit_code == 1
    assert "a.md:3: last_reviewed: date 9999-12-30 is out of range (1900-2200)" in result.stderr
    assert "a.md:4: review_interval: interval '99999999y' is longer than 100 years" in result.stderr
    # A's unreadable review date counts as missing: listed as never reviewed, not a crash.
    items = {item["id"]: item for item in json.loads(result.stdout)}
    assert set(items) == {"A", "B"}
    assert items["A"]["review_state"] == "never"
    assert items["B"]["review_state"] == "overdue"


def test_a_cache_from_another_version_is_ignored(tmp_path: Path) -> None:
    config = Config(root=tmp_path / "kb")
    config.root.mkdir()
    (config.root / "a.md").write_text(article_text(id="A"), encoding="utf-8")
    # A pickle naming a class that no longer exists (as after a rename between versions).
    module = types.ModuleType("kbctl_gone")
    exec("class Gone:\n    pass", module.__dict__)
    sys.modules["kbctl_gone"] = module
    module.Gone.__module__ = "kbctl_gone"
    stale = pickle.dumps(("key", {"a.md": module.Gone()}))
    del sys.modules["kbctl_gone"]
    (cache_root(config) / "articles.json").write_bytes(stale)
    assert ParseCache.open(config).entries == {}
    assert [article.id for article in load_base(config).articles] == ["A"]
