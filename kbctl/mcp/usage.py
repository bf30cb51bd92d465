"""The usage signal of the MCP server: one call point per search and per article opened,
recorded in the opt-in usage log (``kbctl/usage/``) the same way as ``kbctl search``."""

from __future__ import annotations

from collections.abc import Sequence

from kbctl.config import Config


def record_search(config: Config, query: str, hits: int, shown: Sequence[str]) -> None:
    """A search was answered: the query, how many matched, the ids shown."""
    from kbctl.usage import record_event

    record_event(config, "mcp-search", query=query, hits=hits, shown=shown)


def record_open(config: Config, article_id: str) -> None:
    """An article was read through the server (whole or one section)."""
    from kbctl.usage import record_event

    record_event(config, "mcp-show", opened=article_id)
