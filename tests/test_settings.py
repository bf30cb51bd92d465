"""Typed configuration: every table of kbctl.toml is validated when it is loaded, errors name
the key's line, ``kbctl config`` shows each value's origin, the shipped schema is current."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import jsonschema
import pytest

from kbctl.config import load_config
from kbctl.errors import ConfigError
from kbctl.settings.locate import find_line, key_lines
from kbctl.settings.model import parse_settings
from kbctl.settings.schema import SCHEMA_FILE, json_schema, schema_text
from tests.conftest import PROJECT_ROOT, Cli

# Every command that loads the configuration, with arguments it accepts.
COMMANDS = [
    ["list"],
    ["search", "vpn"],
    ["index"],
    ["show", "x"],
    ["stale"],
    ["history", "x"],
    ["owners"],
    ["flags"],
    ["flag", "x", "wrong"],
    ["check"],
    ["review"],
    ["review", "mark", "x"],
    ["config"],
]


def base(tmp_path: Path, toml: str) -> Path:
    """A folder with a one-article base under kb/ and the given kbctl.toml."""
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "x.md").write_text("---\nid: x\ntitle: X\n---\nText.\n", encoding="utf-8")
    (tmp_path / "kbctl.toml").write_text(f'content = "kb"\n{toml}', encoding="utf-8")
    return tmp_path


def error_of(folder: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(cwd=folder)
    return caught.value.message


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        ('review_intervall = "90d"\n', 2, "unknown key 'review_intervall' in the top level"),
        ("[feilds]\nowner = ['x']\n", 2, "did you mean 'fields'?"),
        ('\n[review]\nwip_max_age = "30d"\nreview_intervall = 3\n', 5, "[review]"),
        ("[history]\n# bulk\nbulk_treshold = 3\n", 4, "did you mean 'bulk_threshold'?"),
        ("[fields]\nownr = ['x']\n", 3, "unknown field 'ownr' in [fields] (did you mean 'owner'?)"),
        ("[check.rules]\nKB302 = 'of'\n", 3, "unknown severity 'of' (did you mean 'off'?)"),
    ],
)
def test_a_misspelt_key_fails_with_its_line_and_a_suggestion(
    tmp_path: Path, toml: str, line: int, message: str
) -> None:
    text = error_of(base(tmp_path, toml))
    assert text.startswith(f"{tmp_path / 'kbctl.toml'}:{line}: "), text
    assert message in text


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        ("[history]\nbulk_share = 2\n", 3, "'history.bulk_share' must be a number between 0 and 1"),
        ('[review]\nwip_max_age = "banana"\n', 3, "'review.wip_max_age': cannot read interval"),
        ("max_article_bytes = true\n", 2, "'max_article_bytes' must be a whole number of bytes"),
        ('[history]\nrenames = "exakt"\n', 3, "(did you mean 'exact'?)"),
        ("[[check.overrides]]\npaths = []\n", 3, "'check.overrides[1].paths' must be a non-empty"),
        ('[review_interval_by_path]\n"a/**" = "soon"\n', 3, 'review_interval_by_path."a/**"'),
    ],
)
def test_a_bad_value_fails_with_its_line(
    tmp_path: Path, toml: str, line: int, message: str
) -> None:
    text = error_of(base(tmp_path, toml))
    assert text.startswith(f"{tmp_path / 'kbctl.toml'}:{line}: "), text
    assert message in text


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: "-".join(command))
@pytest.mark.parametrize(
    "toml", ["[history]\nbulk_share = 2\n", '[review]\nwip_max_age = "banana"\n']
)
def test_a_bad_value_fails_every_command(
    cli: Cli, tmp_path: Path, command: list[str], toml: str
) -> None:
    result = cli(*command, cwd=base(tmp_path, toml))
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "kbctl.toml:3: " in result.stderr
    assert result.stdout == ""


def test_the_error_names_the_line_in_pyproject(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.kbctl]\ncontent = "kb"\nexclud = []\n'
    )
    assert error_of(tmp_path).startswith(f"{tmp_path / 'pyproject.toml'}:6: unknown key 'exclud'")


def readme_toml_blocks() -> list[str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```toml\n(.*?)```", readme, flags=re.DOTALL)


@pytest.mark.parametrize("block", readme_toml_blocks())
def test_every_key_the_readme_documents_is_accepted(block: str) -> None:
    table = tomllib.loads(block)
    parse_settings(table.get("tool", {}).get("kbctl", table))
    jsonschema.validate(table.get("tool", {}).get("kbctl", table), json_schema())


def test_the_readme_documents_some_of_every_section() -> None:
    keys = {key for block in readme_toml_blocks() for key in tomllib.loads(block)}
    assert {"content", "fields", "history", "review", "check"} <= keys


def test_the_bundled_config_loads() -> None:
    config = load_config(cwd=PROJECT_ROOT)
    assert config.root == PROJECT_ROOT / "kb-content"
    assert config.settings.history.ignore_meta_only_keys == (
        "last_reviewed",
        "reviewed_by",
        "flags",
        "status",
    )
    assert config.settings.review_interval_by_path == {"howto/**": 365}
    assert config.settings.review.wip_max_age == 30
    assert config.section("history")["ignore_meta_only_keys"][0] == "last_reviewed"
    jsonschema.validate(tomllib.loads((PROJECT_ROOT / "kbctl.toml").read_text()), json_schema())


def test_kbctl_config_shows_each_origin(cli: Cli, tmp_path: Path) -> None:
    folder = base(tmp_path, 'review_interval = "90d"\n[history]\n\nbulk_share = 0.5\n')
    cache = tmp_path / "cache"
    result = cli("config", cwd=folder, env={"KBCTL_CACHE_DIR": str(cache)})
    assert result.exit_code == 0, result.stderr
    lines = {line.split(" = ")[0]: line for line in result.stdout.splitlines()}
    assert lines["review_interval"].endswith("# kbctl.toml:2")
    assert re.search(r"^review_interval = 90 +# kbctl.toml:2$", lines["review_interval"])
    assert lines["history.bulk_share"].endswith("# kbctl.toml:5")
    assert lines["history.bulk_threshold"].endswith("# default")
    assert lines["cache_dir"].endswith("# $KBCTL_CACHE_DIR")
    assert lines["content"].endswith("# kbctl.toml:1")

    flagged = cli("--kb", str(folder / "kb"), "config", "--format", "json", cwd=tmp_path)
    data = json.loads(flagged.stdout)
    entries = {entry["key"]: entry for entry in data["settings"]}
    assert entries["content"] == {"key": "content", "value": str(folder / "kb"), "origin": "--kb"}
    assert entries["history.bulk_share"]["value"] == 0.5
    assert entries["history.bulk_share"]["origin"].endswith("kbctl.toml:5")


def test_the_shipped_schema_is_the_generated_one(cli: Cli) -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text()
    assert cli("config", "--schema").stdout == schema_text()


def test_the_schema_rejects_what_loading_rejects() -> None:
    schema = json_schema()
    for bad in ({"review_intervall": "9d"}, {"history": {"bulk_share": 2}}, {"feilds": {}}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_keys_inside_strings_and_arrays_are_not_taken_for_keys() -> None:
    text = (
        'a = """\nb = 1\n"""\n'  # lines 1-3
        "c = [\n  'd = 2',\n]\n"  # lines 4-6
        "[[check.overrides]]\npaths = ['x']\n"  # lines 7-8
        "[[check.overrides]]\n[check.overrides.rules]\nKB406 = 'off'\n"  # lines 9-11
        '"quoted.key" = 1  # e = 3\n'  # line 12
    )
    lines = key_lines(text)
    assert ("b",) not in lines and ("d",) not in lines and ("e",) not in lines
    assert find_line(lines, ("check", "overrides", 0, "paths")) == 8
    assert find_line(lines, ("check", "overrides", 1, "rules", "KB406", "severity")) == 11
    assert lines[("check", "overrides", 1, "rules", "quoted.key")] == 12
