"""Every command's JSON matches the shape documented in the README ("JSON output").

The schemas are in tests/json_schemas.py; the records are built in kbctl/render/vocabulary.py.
Run on the bundled base committed to a real git repository (so git facts are filled in).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import KB_CONTENT, PROJECT_ROOT, Cli, GitRepo
from tests.json_schemas import SCHEMAS, VOCABULARY

TODAY = ("--today", "2026-11-22")

COMMANDS: dict[str, tuple[str, ...]] = {
    "list": ("list",),
    "show": ("show", "KB-0012"),
    "search": ("search", "письма", "--all", "--limit", "50"),
    "stale": ("stale", *TODAY, "--days", "60"),
    "review": ("review", *TODAY),
    "owners": ("owners", *TODAY),
    "owners --missing": ("owners", "--missing", *TODAY),
    "owners --owner": ("owners", "--owner", "@relay/billing", *TODAY),
    "flags": ("flags",),
    "history": ("history", "KB-0012"),
    "history --skipped": ("history", "--skipped"),
    "stale --all": ("stale", "--all", *TODAY),
    "check": ("check", *TODAY),
    "duplicates": ("duplicates",),
}


@pytest.fixture(scope="module")
def committed_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled base and its kbctl.toml, committed to a git repository."""
    repo = GitRepo(tmp_path_factory.mktemp("json") / "repo")
    shutil.copytree(KB_CONTENT, repo.path / "kb-content")
    shutil.copy(PROJECT_ROOT / "kbctl.toml", repo.path / "kbctl.toml")
    repo.commit("docs: the sample base", "2026-03-01T10:00:00+03:00")
    return repo.path


def _json(cli: Cli, cwd: Path, *args: str) -> Any:
    result = cli(*args, "--format", "json", cwd=cwd)
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.mark.skipif(not (KB_CONTENT / "owners.yaml").exists(), reason="sample base not there")
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_json_matches_its_documented_shape(
    cli: Cli, committed_base: Path, command: str
) -> None:
    data = _json(cli, committed_base, *COMMANDS[command])
    jsonschema.validate(data, SCHEMAS[command])
    assert data, f"{command} gave nothing to check the shape of"


def test_every_command_has_a_schema_and_the_readme_names_it() -> None:
    assert set(COMMANDS) == set(SCHEMAS)
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## JSON output", 1)[1].split("\n## ", 1)[0]
    for name in VOCABULARY:
        assert f"`{name}`" in section, f"{name} is not documented in the README"
    for command in SCHEMAS:
        assert f"`{command}`" in section or f"`kbctl {command}" in section, command


def test_the_same_fact_has_the_same_value_in_every_command(cli: Cli, committed_base: Path) -> None:
    listed = {item["base_path"]: item for item in _json(cli, committed_base, "list")}
    for command in ("stale", "review", "owners --owner"):
        for item in _json(cli, committed_base, *COMMANDS[command]):
            article = listed[item["base_path"]]
            for key in ("id", "owners", "owner_source", "status", "flags", "last_reviewed"):
                assert item[key] == article[key], (command, item["base_path"], key)
    for hit in _json(cli, committed_base, *COMMANDS["search"]):
        article = listed[hit["base_path"]]
        for key in ("id", "owners", "status", "audience", "tags", "last_reviewed"):
            assert hit[key] == article[key], ("search", hit["base_path"], key)
    for item in _json(cli, committed_base, "flags"):
        assert item["flags"] == listed[item["base_path"]]["flags"]
        assert item["owners"] == listed[item["base_path"]]["owners"]


def test_line_points_into_the_file_at_path(cli: Cli, committed_base: Path) -> None:
    """``line`` is always the line of ``path`` the record is about."""
    base = committed_base / "kb-content"
    for article in _json(cli, committed_base, "list"):
        lines = (base / article["base_path"]).read_text(encoding="utf-8").splitlines()
        # The body follows the closing "---" (and a blank line, when there is one).
        assert "---" in lines[article["line"] - 3 : article["line"] - 1], article["base_path"]
    for item in _json(cli, committed_base, "flags"):
        lines = (base / item["base_path"]).read_text(encoding="utf-8").splitlines()
        assert lines[item["line"] - 1].startswith("flags:"), item["base_path"]
