"""The usage signal of the MCP server: one call point per search and per article opened.

Both are no-ops for now. The opt-in usage log (``kbctl/usage/``) is wired in here, so the
MCP server logs searches and opens the same way as ``kbctl search`` once it exists.
"""

from __future__ import annotations

from collections.abc import Sequence

SOURCE = "mcp"


def record_search(query: str, hit_paths: Sequence[str], *, source: str = SOURCE) -> None:
    """A search was answered: the query and the base-relative paths of the hits shown."""
    del query, hit_paths, source


def record_open(path: str, *, source: str = SOURCE) -> None:
    """An article (base-relative ``path``) was opened: read whole or by section."""
    del path, source
