"""``kbctl init``: inspect an existing base and propose a ``kbctl.toml`` that works for it.

:mod:`~kbctl.init.scan` reads front matter only, :mod:`~kbctl.init.guess` decides each
setting from what the files hold, :mod:`~kbctl.init.write` renders and writes the file.
"""

from __future__ import annotations

from pathlib import Path

from kbctl.init.guess import Proposal, propose
from kbctl.init.scan import scan_base
from kbctl.init.write import CONFIG_NAME, render, write_config

__all__ = ["CONFIG_NAME", "Proposal", "inspect", "write_config"]


def inspect(folder: Path) -> tuple[Proposal, str]:
    """Scan ``folder`` and return the proposal and the ``kbctl.toml`` text for it."""
    proposal = propose(scan_base(folder))
    return proposal, render(proposal, folder.name or str(folder))
