"""``kbctl stale`` and ``kbctl history`` through the CLI (CliRunner and one real process)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import GitRepo, messages, run_kbctl

TODAY = "2026-11-22"  # "today" of the bundled sample base (see kb-content/README.md)


@pytest.fixture
def team_repo(git_repo: GitRepo) -> GitRepo:
    """Three articles: one overdue by review date, one only dated by git, one fine."""
    git_repo.write_article(
        "billing/refund.md",
        "Refund.\n",
        id="KB-1",
        title="Refund",
        owner="@anna",
        last_reviewed="2025-01-01",
    )
    git_repo.write_article("email/spam.md", "Spam.\n", id="KB-2", title="Spam", owner="@boris")
    git_repo.write_article(
        "email/bounce.md",
        "Bounce.\n",
        id="KB-3",
        title="Bounce",
        owner="@boris",
        last_reviewed="2026-11-01",
    )
    git_repo.commit("add", "2025-02-01T10:00:00+00:00", author=("Boris", "boris@relay.example"))
    return git_repo


def test_stale_lists_overdue_articles_oldest_first_as_json(cli, team_repo: GitRepo) -> None:
    result = cli("--kb", str(team_repo.path), "stale", "--today", TODAY, "--format", "json")
    assert result.exit_code == 1, result.stderr
    items = json.loads(result.stdout)
    assert [item["id"] for item in items] == ["KB-1", "KB-2"]
    refund, spam = items
    assert refund["reason"].startswith("last reviewed 2025-01-01, every 180d: overdue by")
    assert refund["last_reviewed"] == "2025-01-01"
    assert spam["last_reviewed"] is None
    assert spam["last_changed"] == "2025-02-01T10:00:00+00:00"
    assert spam["last_changed_by"] == "Boris"
    assert spam["reason"].startswith("no review date; last changed 2025-02-01")
    for key in ("path", "owners", "days_overdue"):
        assert key in refund
    assert refund["owners"] == ["@anna"]


def test_stale_days_and_owner_filters(cli, team_repo: GitRepo) -> None:
    result = cli(
        "--kb", str(team_repo.path), "stale", "--today", "2027-04-15", "--days", "30",
        "--owner", "@boris", "--format", "json",
    )  # fmt: skip
    items = json.loads(result.stdout)
    assert [(item["id"], item["review_state"]) for item in items] == [
        ("KB-2", "overdue"),
        ("KB-3", "due_soon"),
    ]


def test_stale_exits_0_when_nothing_is_due(cli, team_repo: GitRepo) -> None:
    result = cli("--kb", str(team_repo.path), "stale", "--today", "2025-03-01")
    assert result.exit_code == 0
    assert "nothing is due for review" in result.stderr


def test_stale_table(cli, team_repo: GitRepo) -> None:
    result = cli("--kb", str(team_repo.path), "stale", "--today", TODAY)
    assert result.exit_code == 1
    assert "Due for review: 2" in result.stderr
    assert "2025-02-01 Boris" in result.stdout


def test_stale_bad_today_is_a_usage_error(cli, team_repo: GitRepo) -> None:
    result = cli("--kb", str(team_repo.path), "stale", "--today", "tomorrow")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_stale_outside_git_uses_front_matter_with_one_notice(cli, kb_copy: Path) -> None:
    result = cli("stale", "--today", TODAY, "--format", "json", cwd=kb_copy)
    assert result.exit_code == 1
    assert result.stderr.count("not a git repository") == 1
    assert "Traceback" not in result.stderr
    listed = {item["base_path"] for item in json.loads(result.stdout)}
    assert "faq/data-retention.md" in listed


def bundled_stale(cli, folder: Path, *extra: str) -> list[dict]:
    result = cli("stale", "--today", TODAY, "--days", "30", "--format", "json", *extra, cwd=folder)
    assert result.exit_code == 1, result.stderr
    return json.loads(result.stdout)


def test_bundled_base_committed_in_one_sweep_reads_like_its_front_matter(
    cli, kb_copy: Path, tmp_path: Path
) -> None:
    expected = bundled_stale(cli, kb_copy)  # no git at all: front matter alone
    repo = GitRepo(tmp_path / "committed")
    shutil.copytree(kb_copy, repo.path, dirs_exist_ok=True)
    repo.commit("import the sample base", "2026-11-20T10:00:00+03:00")
    got = bundled_stale(cli, repo.path)
    assert [item["base_path"] for item in got] == [item["base_path"] for item in expected]
    paths = [item["base_path"] for item in got]
    for overdue in (
        "faq/data-retention.md",
        "integrations/salesforce-dublikaty-kontaktov.md",
        "api/pagination.md",
        "billing/downgrade-seat-limit.md",
        "email/microsoft-365-550-5-7-708.md",
        "integrations/zapier-trigger-not-firing.md",
        "accounts/saml-response-signature-invalid.md",
    ):
        assert overdue in paths
    assert "billing/paypal-legacy.md" not in paths  # archived
    assert "integrations/hipchat.md" not in paths  # archived


def test_history_command_table_and_json(cli, git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="KB-7", title="A")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    git_repo.move("a.md", "docs/a.md")
    git_repo.commit("move", "2025-02-01T10:00:00+00:00")
    table = cli("--kb", str(git_repo.path), "history", "KB-7")
    assert table.exit_code == 0
    assert "KB-7: 2 commits" in table.stderr and "move" in table.stdout
    data = json.loads(cli("--kb", str(git_repo.path), "history", "docs/a.md", "-f", "json").stdout)
    assert [(c["subject"], c["kind"], c["base_path"]) for c in data["commits"]] == [
        ("move", "move", "docs/a.md"),
        ("create", "content", "a.md"),
    ]
    missing = cli("--kb", str(git_repo.path), "history", "KB-404")
    assert missing.exit_code == 2 and "no article" in missing.stderr


def test_history_of_an_uncommitted_article(cli, git_repo: GitRepo) -> None:
    git_repo.write_article("a.md", "A.\n", id="A")
    git_repo.commit("create", "2025-01-01T10:00:00+00:00")
    git_repo.write_article("new.md", "New.\n", id="NEW")
    result = cli("--kb", str(git_repo.path), "history", "NEW")
    assert result.exit_code == 0
    assert "new.md: not committed yet" in result.stderr


def test_shallow_clone_finishes_with_a_clear_notice(
    cli, team_repo: GitRepo, tmp_path: Path
) -> None:
    target = tmp_path / "ci-checkout"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{team_repo.path}", str(target)],
        check=True,
        capture_output=True,
    )
    result = cli("--kb", str(target), "stale", "--today", TODAY, "--format", "json")
    assert result.exit_code == 1
    assert "shallow clone" in result.stderr and "fetch-depth: 0" in result.stderr
    spam = next(item for item in json.loads(result.stdout) if item["id"] == "KB-2")
    assert spam["git_reliable"] is False
    assert spam["review_state"] == "never"  # an unreliable git date is not used as evidence


def test_stale_in_a_real_process(team_repo: GitRepo) -> None:
    result = run_kbctl("stale", "--today", TODAY, "--format", "json", cwd=team_repo.path)
    assert result.returncode == 1, result.stderr
    assert [item["id"] for item in json.loads(result.stdout)] == ["KB-1", "KB-2"]
    assert messages(result.stderr) == []
