"""Which language an output format speaks: the one place that decides it.

Human formats (table, text, Markdown) follow the user's language. Machine formats (JSON,
SARIF, JUnit, GitLab Code Quality, GitHub annotations) are read by programs and by people
in other tools (a CI log, a code-scanning page, a merge request widget), so their messages
stay English unless the user asked for a language explicitly with ``KBCTL_LANG``; their
structure (keys, rule ids, severities, levels) never changes with the language.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from kbctl.i18n import SOURCE_LANGUAGE, activate, language_of

MACHINE_FORMATS = frozenset({"json", "sarif", "junit", "gitlab", "github"})


def format_language_is_english(name: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether output in format ``name`` is written in English whatever the locale says."""
    env = os.environ if environ is None else environ
    return name in MACHINE_FORMATS and language_of(env.get("KBCTL_LANG")) is None


def speak_for_format(name: str, environ: Mapping[str, str] | None = None) -> None:
    """Switch this process to English when format ``name`` is a machine format and
    ``KBCTL_LANG`` does not name a language; call it before the messages are made (finding
    messages are written when the rules run, loader messages when the base loads)."""
    if format_language_is_english(name, environ):
        activate(SOURCE_LANGUAGE)
