"""The effective configuration and where each value came from (``kbctl config``)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbctl.errors import KbError
from kbctl.settings.core import Config, read_config_text, table_prefix
from kbctl.settings.kinds import ArrayOf, KeyPath, Section, dotted, plain, spec_key, spec_of
from kbctl.settings.locate import key_lines

DEFAULT = "default"


@dataclass(frozen=True, slots=True)
class Entry:
    """One effective setting: its dotted key, its value (JSON data) and its origin:
    ``default``, ``FILE:LINE``, an environment variable (``$KBCTL_KB``) or a flag (``--kb``)."""

    key: str
    value: Any
    origin: str


def effective(config: Config) -> list[Entry]:
    """Every setting of ``config`` with its origin, in declaration order; tables are
    listed entry by entry (``fields.owner``, ``check.rules.KB405``)."""
    lines: dict[KeyPath, int] = {}
    prefix: KeyPath = ()
    if config.config_path is not None:
        try:
            lines = key_lines(read_config_text(config.config_path))
        except (OSError, KbError):
            lines = {}
        prefix = table_prefix(config.config_path)

    shown_path = _shown(config.config_path) if config.config_path else ""

    def origin(path: KeyPath) -> str:
        line = lines.get((*prefix, *path))
        return f"{shown_path}:{line}" if line is not None else DEFAULT

    entries: list[Entry] = []

    def walk(value: Any, path: KeyPath) -> None:
        for item in dataclasses.fields(value):
            key = (*path, spec_key(item))
            kind = spec_of(item)
            current = getattr(value, item.name)
            if isinstance(kind, Section):
                walk(current, key)
            elif isinstance(kind, ArrayOf) and current:
                for index, element in enumerate(current):
                    walk(element, (*key, index))
            elif isinstance(current, dict) and current:
                for name, entry in current.items():
                    entries.append(Entry(dotted((*key, name)), plain(entry), origin((*key, name))))
            else:
                entries.append(Entry(dotted(key), plain(current), origin(key)))

    walk(config.settings, ())
    overridden = {
        "content": str(config.root),
        "cache_dir": str(config.cache_dir) if config.cache_dir else None,
    }
    return [
        Entry(entry.key, overridden[entry.key], config.origins[entry.key])
        if entry.key in config.origins
        else entry
        for entry in entries
    ]


def _shown(path: Path) -> str:
    """The config file as the user would name it: relative to the working directory when
    it is below it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
