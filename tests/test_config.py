"""Configuration discovery and precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from kbctl.config import load_config
from kbctl.errors import ConfigError, NotFoundError


def test_walks_up_to_kbctl_toml(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "kbctl.toml").write_text('content = "kb"\nreview_interval = "90d"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = load_config(cwd=nested)
    assert config.root == (tmp_path / "kb").resolve()
    assert config.review_interval == 90
    assert config.config_path == tmp_path / "kbctl.toml"


def test_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n[tool.kbctl]\ncontent = "."\nexclude = ["drafts/**"]\n'
    )
    config = load_config(cwd=tmp_path)
    assert config.root == tmp_path.resolve()
    assert config.exclude == ["drafts/**"]


def test_flag_beats_environment_beats_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("from_file", "from_env", "from_flag"):
        (tmp_path / name).mkdir()
    (tmp_path / "kbctl.toml").write_text('content = "from_file"\n')
    assert load_config(cwd=tmp_path).root.name == "from_file"
    monkeypatch.setenv("KBCTL_KB", str(tmp_path / "from_env"))
    assert load_config(cwd=tmp_path).root.name == "from_env"
    assert load_config(kb=str(tmp_path / "from_flag"), cwd=tmp_path).root.name == "from_flag"


def test_no_config_uses_working_directory(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config.root == tmp_path.resolve()
    assert config.config_path is None
    assert config.review_interval == 180


def test_field_map_and_intervals(tmp_path: Path) -> None:
    (tmp_path / "kbctl.toml").write_text(
        'review_interval = "6m"\n'
        "[fields]\nowner = ['ms.author']\nlast_reviewed = 'ms.date'\n"
        "[review_interval_by_tag]\nsecurity = '90d'\n"
        "[review_interval_by_path]\n'checklists/**' = '1y'\n"
        "[history]\nbulk_threshold = 40\n"
    )
    config = load_config(cwd=tmp_path)
    assert config.fields["owner"] == ["ms.author"]
    assert config.fields["last_reviewed"] == ["ms.date"]
    assert config.review_interval == 180
    assert config.interval_by_tag == {"security": 90}
    assert config.interval_by_path == {"checklists/**": 365}
    assert config.section("history") == {"bulk_threshold": 40}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("content = [", "kbctl.toml"),
        ("review_interval = 'often'", "review_interval"),
        ("[fields]\nownr = ['x']", "unknown field 'ownr'"),
        ("exclude = 3", "exclude"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "kbctl.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_config(cwd=tmp_path)


def test_missing_kb_folder(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="not found"):
        load_config(kb=str(tmp_path / "nope"), cwd=tmp_path)
