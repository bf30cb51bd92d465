"""Exit codes and the errors that carry them.

Exit codes follow ruff, Vale and markdownlint: 0 clean, 1 findings, 2 usage or internal error.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes of every kbctl command."""

    OK = 0
    FINDINGS = 1
    ERROR = 2


class KbError(Exception):
    """An error that ends a command: a one-line reason, a hint, and an exit code."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(KbError):
    """The configuration file cannot be read or has a wrong value."""


class NotFoundError(KbError):
    """An article, base or file named by the user does not exist."""


class UsageError(KbError):
    """Options that do not fit together or have a wrong value."""


class EditError(KbError):
    """An article cannot be edited safely; it was left untouched."""
