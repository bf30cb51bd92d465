"""The usage signal of interactive search: one call point per search and per article open.

Both are no-ops for now; the usage log (issue 14 item 4, with the health issue's
``[usage]`` setting) plugs in here, so that interactive searches and opens are logged the
same way as ``kbctl search``.

A search is reported once it *settled*: the query whose results the person acted on (opened
a hit, copied something) or left on screen when quitting, once per distinct query line; the
half-typed queries in between ("p", "pa", "pas") are not searches anyone made.
"""

from __future__ import annotations

from kbctl.config import Config
from kbctl.model import Hit


def record_search(config: Config, query_line: str, hits: int) -> None:
    """An interactive search settled on ``query_line`` with ``hits`` hits shown."""
    del config, query_line, hits  # no-op until the usage log is wired in


def record_open(config: Config, query_line: str, hit: Hit) -> None:
    """An article was opened in the editor from the results of ``query_line``."""
    del config, query_line, hit  # no-op until the usage log is wired in
