"""The JSON Schema of ``kbctl.toml``, generated from the settings declarations.

The generated file ships in the package (``kbctl/settings/kbctl.schema.json``) so that
editors validate and complete the file (Taplo / Even Better TOML: a ``#:schema`` comment).
A test keeps the shipped file equal to :func:`schema_text`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kbctl.settings.model import SETTINGS

SCHEMA_FILE = Path(__file__).with_name("kbctl.schema.json")


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 07, which Taplo and VS Code read) of a kbctl.toml table."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "kbctl.toml",
        **SETTINGS.schema(),
    }


def schema_text() -> str:
    """The schema as the shipped file holds it: indented JSON ending with a newline."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
