"""Degrading without going blind, and saying what was skipped (issue 11, items 4 and 5).

Real repositories in tmp_path with fixed dates; objects are removed from .git/objects to
make damaged clones; blobless and shallow clones are made through file:// URLs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from kbctl.articles import load_base
from kbctl.config import cache_root, load_config
from kbctl.history import read_history
from kbctl.workspace import Workspace
from tests.conftest import Cli, GitRepo

TODAY = ("--today", "2026-06-01")
LONG = "".join(f"Step {n}: do the thing number {n}.\n" for n in range(40))


def _drop_object(repo: GitRepo, spec: str) -> str:
    """Delete the loose object named by ``spec`` (e.g. ``HEAD~1:img/logo.png``)."""
    oid = repo.git("rev-parse", spec).strip()
    (repo.path / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    return oid


def _clone(source: GitRepo, target: Path, *options: str) -> Path:
    subprocess.run(
        ["git", "clone", "-q", *options, f"file://{source.path}", str(target)],
        check=True,
        capture_output=True,
    )
    return target


def _cache_files(path: Path) -> dict[Path, tuple[int, bytes]]:
    config = load_config(kb=path)
    return {
        file: (file.stat().st_mtime_ns, file.read_bytes())
        for file in (cache_root(config) / "history").glob("*.json")
    }


def test_missing_blob_outside_the_articles_does_not_matter(git_repo: GitRepo) -> None:
    git_repo.write("img/old.bin", b"\x00" * 2000 + b"picture one")
    git_repo.write_article("a.md", LONG, id="A")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    git_repo.move("img/old.bin", "img/new.bin")
    git_repo.write("img/new.bin", b"\x00" * 2000 + b"picture two")
    git_repo.move("a.md", "docs/a.md")
    git_repo.commit("move", "2025-02-01T10:00:00+00:00")
    _drop_object(git_repo, "HEAD~1:img/old.bin")
    config = load_config(kb=git_repo.path)
    report = read_history(config, load_base(config).articles)
    facts = report.facts["docs/a.md"]
    assert facts.last_change is not None and facts.last_change.subject == "create"
    assert facts.first_change is not None and facts.first_change.subject == "create"
    assert facts.reliable and facts.note is None
    assert not any("article(s)" in notice for notice in report.notices)


def test_missing_article_blob_is_reported_per_article_and_runs_warm(
    git_repo: GitRepo, cli: Cli
) -> None:
    git_repo.write_article("old/a.md", LONG, id="A")
    git_repo.write_article("b.md", "B.\n", id="B")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    git_repo.move("old/a.md", "new/a.md")
    git_repo.write_article("new/a.md", LONG + "Step 41.\n", id="A")
    git_repo.commit("move with an edit", "2025-02-01T10:00:00+00:00")
    git_repo.write_article("b.md", "B2.\n", id="B")
    git_repo.commit("edit b", "2025-03-01T10:00:00+00:00")
    _drop_object(git_repo, "HEAD~2:old/a.md")
    first = cli("stale", "--all", "--format", "json", *TODAY, cwd=git_repo.path)
    records = {r["path"]: r for r in json.loads(first.stdout)}
    # The last change is known; where the article began cannot be read, and is not guessed.
    assert records["new/a.md"]["last_changed_subject"] == "move with an edit"
    assert "first change unknown: object missing" in records["new/a.md"]["git_note"]
    assert records["b.md"]["git_note"] is None
    assert "missing objects in the repository" in first.stderr
    cached = _cache_files(git_repo.path)
    assert cached, "a damaged pass must still be cached"
    config = load_config(kb=git_repo.path)
    again = read_history(config, load_base(config).articles)
    assert again.from_cache  # warm: no git log this time
    assert again.facts["new/a.md"].note == "first change unknown: object missing"
    assert any("missing objects in the repository" in n for n in again.notices)
    second = cli("stale", "--all", "--format", "json", *TODAY, cwd=git_repo.path)
    assert json.loads(second.stdout) == json.loads(first.stdout)
    assert "missing objects in the repository" in second.stderr
    assert _cache_files(git_repo.path) == cached  # nothing re-read, nothing rewritten
    # A new commit is folded in incrementally; what could not be known stays listed.
    git_repo.write_article("b.md", "B3.\n", id="B")
    git_repo.commit("edit b again", "2025-04-01T10:00:00+00:00")
    later = read_history(config, load_base(config).articles)
    assert later.from_cache
    assert later.facts["b.md"].last_change.subject == "edit b again"
    assert later.facts["new/a.md"].note == "first change unknown: object missing"


def test_missing_commit_leaves_articles_undated_never_guessed(git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("create a", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("b.md", "B.\n", id="B")
    git_repo.commit("create b", "2025-02-01T10:00:00+00:00")
    git_repo.write_article("b.md", "B2.\n", id="B")
    git_repo.commit("edit b", "2025-03-01T10:00:00+00:00")
    _drop_object(git_repo, "HEAD~2")
    config = load_config(kb=git_repo.path)
    report = read_history(config, load_base(config).articles)
    assert report.facts["a.md"].last_change is None
    assert report.facts["a.md"].note == "could not be dated: object missing"
    assert not report.facts["a.md"].reliable
    b = report.facts["b.md"]  # git may stop before any output (--topo-order): then undated too
    assert (b.last_change is None and b.note == "could not be dated: object missing") or (
        b.last_change.subject == "edit b"
    )
    assert any("could not be dated: object missing" in n for n in report.notices)
    assert read_history(config, load_base(config).articles).from_cache


def test_blobless_clone_is_named_in_a_notice(git_repo: GitRepo, tmp_path: Path, cli: Cli) -> None:
    git_repo.git("config", "uploadpack.allowFilter", "true")
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    partial = _clone(git_repo, tmp_path / "partial", "--filter=blob:none")
    result = cli("stale", "--all", *TODAY, cwd=partial)
    assert "blobless clone" in result.stderr


def test_shallow_boundary_date_is_null_with_the_reason(
    git_repo: GitRepo, tmp_path: Path, cli: Cli
) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.write_article("b.md", "B.\n", id="B")
    git_repo.commit("create", "2020-01-01T10:00:00+00:00")
    git_repo.write_article("b.md", "B2.\n", id="B")
    git_repo.commit("edit b", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("a.md", "A2.\n", id="A")
    git_repo.commit("edit a", "2025-06-01T10:00:00+00:00")
    shallow = _clone(git_repo, tmp_path / "shallow", "--depth", "2")
    result = cli("stale", "--all", "--format", "json", *TODAY, cwd=shallow)
    assert "shallow clone" in result.stderr
    records = {r["path"]: r for r in json.loads(result.stdout)}
    # "edit b" is the boundary commit: b's real last change may be older. Null, with why.
    assert records["b.md"]["last_changed"] is None
    assert "boundary" in records["b.md"]["git_note"]
    assert records["a.md"]["last_changed"].startswith("2025-06-01")


def test_skipped_bulk_commit_is_listed_and_summarised(git_repo: GitRepo, cli: Cli) -> None:
    git_repo.write("kbctl.toml", "[history]\nbulk_threshold = 2\nbulk_share = 0\n")
    for name in ("a", "b", "c"):
        git_repo.write_article(f"{name}.md", "Text.\n", id=name.upper())
    git_repo.commit("import", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("a.md", "Edited.\n", id="A")
    git_repo.commit("edit a", "2025-02-01T10:00:00+00:00")
    for name in ("a", "b", "c"):
        git_repo.write_article(f"{name}.md", "Reformatted.\n", id=name.upper())
    sweep = git_repo.commit("reformat everything", "2025-03-01T10:00:00+00:00")
    listed = cli("history", "--skipped", "--format", "json", cwd=git_repo.path)
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [r["subject"] for r in rows] == ["reformat everything", "import"]
    assert rows[0]["commit"] == sweep and rows[0]["kind"] == "bulk"
    assert "touched 3 articles" in rows[0]["reason"]
    table = cli("history", "--skipped", cwd=git_repo.path)
    assert "reformat everything" in table.stdout
    stale = cli("stale", *TODAY, cwd=git_repo.path)
    summary = [line for line in stale.stderr.splitlines() if "skipped as noise" in line]
    assert summary == [
        "kbctl: 2 commit(s) skipped as noise (2 bulk); list them: kbctl history --skipped"
    ]
    check = cli("check", *TODAY, "--format", "json", cwd=git_repo.path)
    assert "2 commit(s) skipped as noise" in check.stderr


def test_stale_all_lists_every_article(git_repo: GitRepo, cli: Cli) -> None:
    git_repo.write_article("due.md", "Old.\n", id="DUE", last_reviewed="2020-01-01")
    git_repo.write_article("fresh.md", "New.\n", id="FRESH", last_reviewed="2026-05-01")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    due_only = cli("stale", "--format", "json", *TODAY, cwd=git_repo.path)
    assert [r["path"] for r in json.loads(due_only.stdout)] == ["due.md"]
    everything = cli("stale", "--all", "--format", "json", *TODAY, cwd=git_repo.path)
    records = {r["path"]: r for r in json.loads(everything.stdout)}
    assert set(records) == {"due.md", "fresh.md"}
    assert records["fresh.md"]["review_state"] == "ok"
    assert records["fresh.md"]["last_changed_by"] == "Anna Petrova"
    assert everything.exit_code == 1  # something is due


def test_disagreement_in_json_and_in_the_rule_when_enabled(git_repo: GitRepo, cli: Cli) -> None:
    git_repo.write_article("a.md", "A.\n", id="A", lastmod="2020-01-01", owner="@anna")
    git_repo.write_article("b.md", "B.\n", id="B", lastmod="2024-12-20", owner="@anna")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    result = cli("stale", "--all", "--format", "json", *TODAY, cwd=git_repo.path)
    records = {r["path"]: r for r in json.loads(result.stdout)}
    assert records["a.md"]["front_matter_modified"] == "2020-01-01"
    assert records["a.md"]["disagreement"] == {
        "front_matter": "2020-01-01",
        "git": "2025-01-01",
        "days": 1827,
    }
    assert records["b.md"]["disagreement"] is None
    off = cli("check", *TODAY, "--format", "json", cwd=git_repo.path)
    assert not [f for f in json.loads(off.stdout)["findings"] if f["rule"] == "KB305"]
    git_repo.write(
        "kbctl.toml",
        '[history]\ndisagreement_days = 5\n[check.rules]\nmodified-date-disagrees = "warning"\n',
    )
    on = cli("check", *TODAY, "--format", "json", cwd=git_repo.path)
    found = [f for f in json.loads(on.stdout)["findings"] if f["rule"] == "KB305"]
    assert sorted(f["path"] for f in found) == ["a.md", "b.md"]
    assert all(f["line"] > 1 for f in found)  # on the lastmod line


def test_progress_goes_through_the_workspace_hook(git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    calls: list[tuple[int, bool]] = []
    ws = Workspace(str(git_repo.path), on_progress=lambda n, done: calls.append((n, done)))
    ws.history()
    assert calls and calls[-1] == (1, True)
    shutil.rmtree(git_repo.path / ".git")


def test_repaired_clone_is_read_again(git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("create a", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("a.md", "A2.\n", id="A")
    git_repo.commit("edit a", "2025-02-01T10:00:00+00:00")
    oid = git_repo.git("rev-parse", "HEAD~1").strip()
    loose = git_repo.path / ".git" / "objects" / oid[:2] / oid[2:]
    saved = loose.read_bytes()
    loose.unlink()
    config = load_config(kb=git_repo.path)
    damaged = read_history(config, load_base(config).articles)
    assert damaged.facts["a.md"].note == "could not be dated: object missing"
    loose.write_bytes(saved)  # the object is back (a fetch, a fresh clone)
    repaired = read_history(config, load_base(config).articles)
    assert not repaired.from_cache
    assert repaired.facts["a.md"].last_change.subject == "edit a"
    assert repaired.facts["a.md"].note is None
