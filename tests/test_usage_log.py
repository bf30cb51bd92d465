"""The usage log: opt-in, private, appended atomically, merged from many agents."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kbctl.config import load_config
from kbctl.errors import ConfigError
from kbctl.usage import log_path, record_event
from kbctl.usage.log import append_line, event_line
from kbctl.usage.read import read_logs
from tests.conftest import GitRepo


def _base(repo: GitRepo, usage: str = "") -> Path:
    repo.write("kbctl.toml", 'content = "kb"\n' + usage)
    repo.write_article("kb/a.md", id="KB-1", title="Outlook rejects mail", status="validated")
    repo.commit("base")
    return repo.path


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------------------------ writing


def test_nothing_is_written_unless_turned_on(git_repo: GitRepo) -> None:
    config = load_config(cwd=_base(git_repo))
    assert record_event(config, "search", query="vpn", hits=0) is None
    assert not log_path(config).exists()


def test_an_event_is_one_json_line_without_a_user_by_default(git_repo: GitRepo) -> None:
    root = _base(git_repo, '[usage]\nenabled = true\nlog = "logs/usage.jsonl"\n')
    config = load_config(cwd=root)
    assert record_event(config, "search", query="outlok", hits=2, shown=["KB-1", "KB-2"]) is None
    assert record_event(config, "show", opened="KB-1") is None
    first, second = _lines(root / "logs" / "usage.jsonl")
    assert first["event"] == "search" and first["query"] == "outlok" and first["hits"] == 2
    assert first["shown"] == ["KB-1", "KB-2"] and "user" not in first
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second["event"] == "show" and second["opened"] == "KB-1"
    assert first["id"] != second["id"]


def test_the_user_is_written_only_when_configured(git_repo: GitRepo) -> None:
    root = _base(git_repo, '[usage]\nenabled = true\nlog = "u.jsonl"\nuser = true\n')
    record_event(load_config(cwd=root), "show", opened="KB-1")
    (line,) = _lines(root / "u.jsonl")
    assert line["user"]


def test_a_log_path_outside_the_repository_is_refused(git_repo: GitRepo, tmp_path: Path) -> None:
    root = _base(git_repo, '[usage]\nenabled = true\nlog = "../elsewhere.jsonl"\n')
    config = load_config(cwd=root)
    with pytest.raises(ConfigError, match="outside the repository"):
        log_path(config)
    problem = record_event(config, "show", opened="KB-1")
    assert problem is not None and "outside the repository" in problem
    assert not (root.parent / "elsewhere.jsonl").exists()


def test_the_environment_variable_may_point_anywhere(
    git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared" / "agent-1.jsonl"
    monkeypatch.setenv("KBCTL_USAGE_LOG", str(shared))
    config = load_config(cwd=_base(git_repo))  # enabled = false in the file: the user chose
    assert record_event(config, "search", query="x", hits=0) is None
    assert _lines(shared)[0]["query"] == "x"


def test_a_planted_link_is_not_followed(git_repo: GitRepo, tmp_path: Path) -> None:
    root = _base(git_repo, '[usage]\nenabled = true\nlog = "u.jsonl"\n')
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    (root / "u.jsonl").symlink_to(victim)
    problem = record_event(load_config(cwd=root), "show", opened="KB-1")
    assert problem is not None
    assert victim.read_text(encoding="utf-8") == "keep\n"


def _writer(path: str, number: int, count: int) -> None:
    for index in range(count):
        append_line(Path(path), event_line("search", query=f"w{number} q{index}", hits=index))


def test_concurrent_appends_never_tear_or_lose_a_line(tmp_path: Path) -> None:
    path = tmp_path / "shared.jsonl"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_writer, args=(str(path), n, 60)) for n in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert worker.exitcode == 0
    lines = _lines(path)
    assert len(lines) == 240
    assert len({line["id"] for line in lines}) == 240
    assert {line["query"] for line in lines} == {f"w{n} q{i}" for n in range(4) for i in range(60)}


def test_an_append_after_a_torn_line_starts_on_a_new_line(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text('{"event": "search", "time": "2026-1', encoding="utf-8")
    append_line(path, event_line("show", opened="KB-1"))
    found = read_logs([path])
    assert [event.opened for event in found.events] == ["KB-1"]
    assert any("skipped" in d.message for d in found.diagnostics)


# ------------------------------------------------------------------------------ the commands


def test_search_show_and_edit_record_events_when_on(cli, kb_copy: Path) -> None:
    config = kb_copy / "kbctl.toml"
    text = config.read_text(encoding="utf-8").replace("enabled = false", "enabled = true")
    config.write_text(
        text.replace('log = "kb-content/usage/sample-usage.jsonl"', 'log = "my-usage.jsonl"'),
        encoding="utf-8",
    )
    assert cli("search", "550 5.7.708", "--format", "json", cwd=kb_copy).exit_code == 0
    assert cli("search", "quokkazzz", cwd=kb_copy).exit_code == 1
    assert cli("show", "KB-0039", "--format", "json", cwd=kb_copy).exit_code == 0
    search, empty, show = _lines(kb_copy / "my-usage.jsonl")
    assert search["event"] == "search" and search["hits"] >= 1
    assert search["shown"][0] == "KB-0039"
    assert empty["hits"] == 0 and "shown" not in empty
    assert show == {**show, "event": "show", "opened": "KB-0039"}


def test_nothing_is_recorded_on_the_bundled_base(cli, kb_copy: Path) -> None:
    sample = kb_copy / "kb-content" / "usage" / "sample-usage.jsonl"
    before = sample.read_bytes()
    assert cli("search", "vpn", cwd=kb_copy).exit_code in (0, 1)
    assert sample.read_bytes() == before


def test_search_with_the_log_off_does_not_import_the_usage_package(kb_copy: Path) -> None:
    script = (
        "import sys\n"
        "from kbctl.cli.app import main\n"
        "sys.argv = ['kbctl', 'search', 'webhook', '--format', 'json', '--no-refresh']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write(f'USAGE={\"kbctl.usage\" in sys.modules}\\n')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=kb_copy,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ},
    )
    assert "USAGE=False" in result.stderr, result.stderr


def test_times_are_utc(tmp_path: Path) -> None:
    line = json.loads(event_line("search", query="x"))
    assert line["time"].endswith("Z")
    moment = datetime.fromisoformat(line["time"])
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60
