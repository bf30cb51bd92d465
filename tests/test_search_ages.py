"""Search hits show when each article last changed in git, from the history cache only."""

from __future__ import annotations

import json

from tests.conftest import GitRepo


def hits(cli, repo: GitRepo) -> list[dict]:
    result = cli("--kb", str(repo.path / "kb"), "search", "password", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_hits_carry_the_last_change_once_the_history_cache_exists(cli, git_repo: GitRepo) -> None:
    git_repo.write_article(
        "kb/reset.md",
        "# Password reset\n\nThe reset link expired.\n",
        id="A",
        title="Password reset",
    )
    git_repo.commit("add reset article", "2026-02-03T10:00:00+03:00", author=("Igor S", "i@x.ru"))
    [before] = hits(cli, git_repo)
    assert before["last_changed"] is None  # search never runs git itself

    assert cli("--kb", str(git_repo.path / "kb"), "index").exit_code == 0
    [after] = hits(cli, git_repo)
    assert after["last_changed"] == "2026-02-03T10:00:00+03:00"
    assert after["last_changed_by"] == "Igor S"

    git_repo.write_article(
        "kb/reset.md",
        "# Password reset\n\nThe link expires in 24 hours.\n",
        id="A",
        title="Password reset",
    )
    git_repo.commit("clarify expiry", "2026-05-06T09:00:00+00:00")
    [moved] = hits(cli, git_repo)
    assert moved["last_changed"] is None  # HEAD moved: an out-of-date age is never shown

    cli("--kb", str(git_repo.path / "kb"), "index")
    [fresh] = hits(cli, git_repo)
    assert fresh["last_changed"] == "2026-05-06T09:00:00+00:00"


def test_table_shows_the_change_age(cli, git_repo: GitRepo) -> None:
    git_repo.write_article(
        "kb/reset.md",
        "# Password reset\n\nText.\n",
        id="A",
        title="Password reset",
        last_reviewed="2026-01-10",
    )
    git_repo.commit("add", "2026-02-03T10:00:00+03:00", author=("Igor S", "i@x.ru"))
    cli("--kb", str(git_repo.path / "kb"), "index")
    result = cli("--kb", str(git_repo.path / "kb"), "search", "password")
    assert "reviewed 2026-01-10" in result.stdout
    assert "changed 2026-02-03" in result.stdout
    assert "by Igor S" in result.stdout


def test_vimgrep_columns_count_bytes_like_ripgrep(cli, tmp_path) -> None:
    base = tmp_path / "kb"
    base.mkdir()
    (base / "a.md").write_text(
        "---\nid: A\ntitle: Пароль\n---\n# Пароль\n\nЕсли письмо не пришло, проверьте папку спам.\n",
        encoding="utf-8",
    )
    result = cli("--kb", str(base), "search", "спам", "--format", "vimgrep", cwd=base)
    line = "Если письмо не пришло, проверьте папку спам."
    byte_column = len(line[: line.index("спам")].encode("utf-8")) + 1
    assert result.stdout.startswith(f"a.md:7:{byte_column}:Пароль: ")
