"""The mypy configuration in pyproject.toml holds the core to all of ``mypy --strict``.

``strict = true`` cannot be set for some modules only (python/mypy#11401), so the core's
override spells the flags out; these tests keep that list equal to mypy's own, and keep
every name in it pointing at real modules. Running mypy itself is .ci/run's job.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _mypy_config() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        config: dict[str, Any] = tomllib.load(file)["tool"]["mypy"]
    return config


def _core_override(config: dict[str, Any]) -> dict[str, Any]:
    (core,) = [item for item in config["overrides"] if "kbctl.articles.*" in item["module"]]
    return core


def _modules() -> set[str]:
    names = set()
    for path in (ROOT / "kbctl").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.add(".".join(parts))
    return names


def test_core_gets_every_strict_flag() -> None:
    from mypy.main import define_options

    _parser, _names, strict_assignments = define_options()
    config = _mypy_config()
    core = _core_override(config)
    global_flags = {key: value for key, value in config.items() if key != "overrides"}
    effective = global_flags | {key: value for key, value in core.items() if key != "module"}
    missing = {
        option: value for option, value in strict_assignments if effective.get(option) != value
    }
    assert missing == {}, f"the core's mypy override lacks these --strict flags: {missing}"


def test_core_override_names_existing_modules() -> None:
    modules = _modules()
    for pattern in _core_override(_mypy_config())["module"]:
        if pattern.endswith(".*"):
            package = pattern.removesuffix(".*")
            assert any(name.startswith(package + ".") for name in modules), pattern
        else:
            assert pattern in modules, pattern
