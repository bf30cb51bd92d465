"""``kbctl search -i``: interactive search (Textual), at the command-line layer.

- :mod:`~kbctl.interactive.panel`: pure helpers (query line with ``key:value`` filters, the
  trust panel, ages, the passage window, the Resolution section), unit-tested;
- :mod:`~kbctl.interactive.session`: the index opened once a session, searched per keystroke;
- :mod:`~kbctl.interactive.app`: the Textual app;
- :mod:`~kbctl.interactive.usage`: the usage signal's call points (no-ops for now).

Textual is imported only when the interactive search starts (``kbctl search`` stays light).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kbctl.config import Config


def run_interactive(
    config: Config, query: str = "", *, include_archived: bool = False, refresh: bool = True
) -> list[str]:
    """Run the interactive search on a terminal until the person quits; what they copied,
    in order (to print on exit)."""
    import threading

    from kbctl.interactive.session import SearchSession

    # The freshness check (a stat per article) waits on the file system, Textual's import
    # on the interpreter: done side by side, they overlap.
    opened: list[SearchSession] = []
    failed: list[BaseException] = []

    def open_session() -> None:
        try:
            opened.append(SearchSession(config, refresh=refresh))
        except BaseException as error:  # raised again below, in the caller's thread
            failed.append(error)

    opening = threading.Thread(target=open_session, name="kbctl-open-index", daemon=True)
    opening.start()
    from kbctl.interactive.app import SearchApp

    opening.join()
    if failed:
        raise failed[0]
    session = opened[0]
    try:
        app = SearchApp(session, query, include_archived=include_archived)
        app.run()
        return app.copied
    finally:
        session.close()
