"""Guarded writes: ``--dry-run`` changes nothing and shows the diff; an edit of more than a
handful of files asks first on a terminal and is refused off one without ``--yes``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kbctl.cli.guard import HANDFUL
from tests.conftest import PROJECT_ROOT, Cli, GitRepo
from tests.conftest import run_in_pty as pty_run

TODAY = "2026-11-22"
OVERDUE = 7  # more than a handful


@pytest.fixture
def kb(git_repo: GitRepo) -> GitRepo:
    """A base with OVERDUE overdue articles (two owners, one article without an owner)."""
    git_repo.write("kbctl.toml", 'content = "kb"\n')
    for number in range(OVERDUE):
        owner = {0: None, 1: "@bob", 2: "@bob"}.get(number, "@anna")
        front = {"owner": owner} if owner else {}
        git_repo.write_article(
            f"kb/a{number}.md",
            f"# Article {number}\n\nBody.\n",
            id=f"KB-{number:04}",
            title=f"Article {number}",
            status="validated",
            audience="customer",
            last_reviewed="2024-01-10",
            **front,
        )
    git_repo.commit("Add the base", "2025-01-15T10:00:00+03:00")
    return git_repo


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and mtime (ns) under ``folder``."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


MARK_ALL = ("review", "mark", "--all-due", "--by", "@carol", "--date", TODAY)


def test_dry_run_changes_no_byte_and_prints_the_diff(cli: Cli, kb: GitRepo) -> None:
    before = snapshot(kb.path / "kb")
    result = cli(*MARK_ALL, "--dry-run", cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert snapshot(kb.path / "kb") == before  # not a byte, not an mtime
    assert not (Path(os.environ["KBCTL_CACHE_DIR"]) / "locks").exists()  # not even a lock
    # One unified diff per file, paths from the current folder, only the keys kbctl sets.
    assert result.stdout.count("--- kb/a") == OVERDUE
    assert "--- kb/a3.md\n+++ kb/a3.md\n@@ " in result.stdout
    assert "-last_reviewed: '2024-01-10'\n+last_reviewed: '2026-11-22'\n" in result.stdout
    assert "+reviewed_by: '@carol'\n" in result.stdout
    assert f"dry run: {OVERDUE} files would change; nothing was written" in result.stderr
    # From a subfolder, the paths in the diff are relative to it.
    nested = cli(*MARK_ALL, "--dry-run", cwd=kb.path / "kb")
    assert "--- a3.md\n+++ a3.md\n" in nested.stdout
    assert snapshot(kb.path / "kb") == before


def test_flag_dry_run_changes_no_byte(cli: Cli, kb: GitRepo) -> None:
    before = snapshot(kb.path / "kb")
    result = cli("flag", "KB-0001", "wrong limit", "--by", "@carol", "--dry-run", cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert snapshot(kb.path / "kb") == before
    assert "+flags:\n" in result.stdout
    assert "reason: wrong limit" in result.stdout
    assert "dry run: 1 file would change" in result.stderr


def test_without_a_terminal_many_edits_are_refused_unless_yes(cli: Cli, kb: GitRepo) -> None:
    before = snapshot(kb.path / "kb")
    refused = cli(*MARK_ALL, cwd=kb.path)
    assert refused.exit_code == 2
    assert f"refusing to edit {OVERDUE} files without confirmation" in refused.stderr
    assert "hint: check with --dry-run, then run again with --yes" in refused.stderr
    assert snapshot(kb.path / "kb") == before
    done = cli(*MARK_ALL, "-y", cwd=kb.path)
    assert done.exit_code == 0, done.stderr
    after = snapshot(kb.path / "kb")
    assert all(after[name][0] != before[name][0] for name in before)
    assert b"reviewed_by: '@carol'" in (kb.path / "kb/a0.md").read_bytes()


def test_a_handful_of_edits_goes_ahead_without_asking(cli: Cli, kb: GitRepo) -> None:
    keys = [f"KB-{number:04}" for number in range(HANDFUL)]
    result = cli("review", "mark", *keys, "--by", "@carol", "--date", TODAY, cwd=kb.path)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("marked KB-") == HANDFUL


def test_all_due_without_owner_says_how_many_files_and_whose(cli: Cli, kb: GitRepo) -> None:
    result = cli(*MARK_ALL, cwd=kb.path)
    assert (
        f"--all-due without --owner: {OVERDUE} articles of every owner: "
        "@anna (4), @bob (2); 1 without an owner"
    ) in result.stderr
    # With --owner, only that owner's articles: few enough to go ahead.
    mine = cli(*MARK_ALL, "--owner", "@bob", cwd=kb.path)
    assert mine.exit_code == 0, mine.stderr
    assert "every owner" not in mine.stderr
    assert mine.stderr.count("marked KB-") == 2


def _answer_in_pty(args: tuple[str, ...], cwd: Path, answer: bytes) -> tuple[int, str]:
    """Run kbctl on a pseudo-terminal, answer its question with ``answer``; (exit, output)."""
    env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"}
    env.update(PYTHONPATH=str(PROJECT_ROOT), TERM="dumb")
    run = pty_run(args, cwd, env, stdin_on_pty=True, answer=(b"Go on?", answer))
    assert run.answered, run.output
    return run.returncode, run.text


def test_on_a_terminal_no_writes_nothing_and_yes_writes(kb: GitRepo) -> None:
    before = snapshot(kb.path / "kb")
    code, output = _answer_in_pty(MARK_ALL, kb.path, b"n\n")
    assert code == 2
    assert f"about to mark {OVERDUE} articles reviewed by @carol: edit {OVERDUE} files" in output
    assert "not confirmed; nothing was written" in output
    assert snapshot(kb.path / "kb") == before
    code, output = _answer_in_pty(MARK_ALL, kb.path, b"y\n")
    assert code == 0, output
    assert output.count("marked KB-") == OVERDUE
    after = snapshot(kb.path / "kb")
    assert all(after[name][0] != before[name][0] for name in before)


def test_the_diff_keeps_line_endings_and_escapes_controls() -> None:
    from kbctl.render.diff import unified_diff

    before = b"---\r\nid: KB-1\r\ntitle: a\x1b[2J\r\n---\r\n::error::x\r\nend"
    after = before.replace(b"id: KB-1", b"id: KB-2")
    diff = unified_diff("a.md", before, after)
    assert diff.startswith("--- a.md\n+++ a.md\n@@ ")
    assert "-id: KB-1\r\n+id: KB-2\r\n" in diff  # CRLF kept: patch -p0 applies it
    assert " title: a\\x1b[2J\r\n" in diff
    assert "\x1b" not in diff
    assert unified_diff("a.md", before, before) == ""
    tail = unified_diff("b.md", b"x: 1\n::error::y", b"x: 2\n::error::y")
    assert tail.endswith(" \\x3a:error::y\n\\ No newline at end of file\n")
