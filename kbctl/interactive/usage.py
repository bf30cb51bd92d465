"""The usage signal of interactive search: one call point per search and per article open,
recorded in the opt-in usage log (``kbctl/usage/``) the same way as ``kbctl search``.

A search is reported once it *settled*: the query whose results the person acted on (opened
a hit, copied something) or left on screen when quitting, once per distinct query line; the
half-typed queries in between ("p", "pa", "pas") are not searches anyone made.
"""

from __future__ import annotations

from collections.abc import Sequence

from kbctl.config import Config
from kbctl.model import Hit


def record_search(config: Config, query_line: str, hits: int, shown: Sequence[str] = ()) -> None:
    """An interactive search settled on ``query_line`` with ``hits`` hits shown."""
    from kbctl.usage import record_event

    record_event(config, "interactive-search", query=query_line, hits=hits, shown=shown)


def record_open(config: Config, query_line: str, hit: Hit) -> None:
    """An article was opened in the editor from the results of ``query_line``."""
    from kbctl.usage import record_event

    record_event(config, "interactive-open", query=query_line, opened=hit.id)
