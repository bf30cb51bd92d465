"""``kbctl config``: the effective settings as TOML-like text with origins, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kbctl.i18n import _
from kbctl.settings.show import Entry


def settings_text(entries: Sequence[Entry], config_path: Path | None) -> str:
    """One ``key = value  # origin`` line per setting, as ``git config --show-origin``."""
    shown = config_path or _("none found (defaults)")
    lines = ["# " + _("config file: {path}").format(path=shown)]
    rows = [(f"{entry.key} = {_toml(entry.value)}", entry.origin) for entry in entries]
    width = min(60, max((len(text) for text, _origin in rows), default=0))
    lines += [f"{text:<{width}}  # {origin}" for text, origin in rows]
    return "\n".join(lines) + "\n"


def settings_json(entries: Sequence[Entry], config_path: Path | None, base: Path) -> str:
    """``{"config_file", "base", "settings": [{"key", "value", "origin"}]}``."""
    data = {
        "config_file": str(config_path) if config_path else None,
        "base": str(base),
        "settings": [
            {"key": entry.key, "value": entry.value, "origin": entry.origin} for entry in entries
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _toml(value: Any) -> str:
    """A value in TOML spelling (inline tables for tables; unset values are shown so)."""
    if value is None:
        return "(not set)"
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(key)} = {_toml(item)}" for key, item in value.items())
        return f"{{ {inner} }}" if inner else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key, ensure_ascii=False)
