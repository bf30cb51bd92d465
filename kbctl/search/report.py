"""What a refresh of the index reports, its progress callback, and its one error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kbctl.errors import KbError

Progress = Callable[[int, int], None]


class IndexLockedError(KbError):
    """Another kbctl process kept the index locked for too long."""


@dataclass(slots=True)
class RefreshReport:
    """What a refresh did."""

    added: int = 0
    changed: int = 0
    removed: int = 0
    unreadable: list[str] = field(default_factory=list)
    rebuilt: bool = False
    total: int = 0
    notices: list[str] = field(default_factory=list)

    @property
    def touched(self) -> int:
        """How many articles were (re)indexed or removed."""
        return self.added + self.changed + self.removed
