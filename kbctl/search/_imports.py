"""Import Whoosh without the two standard-library packages it does not need for kbctl.

``whoosh.compat`` imports ``urllib.request`` (for a download helper kbctl never calls) and
``whoosh.reading`` imports the ``cached_property`` package, which imports ``asyncio``: together
about 30-50 ms of every cold ``kbctl search``. While Whoosh's modules load, both names point
at small stand-ins; afterwards they are removed, so any later import gets the real packages.
"""

from __future__ import annotations

import functools
import sys
import types


def _urlretrieve(*args: object, **kwargs: object) -> object:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)  # type: ignore[arg-type]


def load_whoosh() -> None:
    """Import the Whoosh modules kbctl uses, with the stand-ins in place (once)."""
    if "whoosh.reading" in sys.modules and "whoosh.compat" in sys.modules:
        return
    stand_ins: dict[str, types.ModuleType] = {}
    if "urllib.request" not in sys.modules:
        request = types.ModuleType("urllib.request")
        request.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
        stand_ins["urllib.request"] = request
    if "cached_property" not in sys.modules:
        cached = types.ModuleType("cached_property")
        cached.cached_property = functools.cached_property  # type: ignore[attr-defined]
        stand_ins["cached_property"] = cached
    sys.modules.update(stand_ins)
    try:
        import whoosh.compat
        import whoosh.reading  # noqa: F401
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
        urllib = sys.modules.get("urllib")
        if urllib is not None and getattr(urllib, "request", None) is stand_ins.get(
            "urllib.request"
        ):
            del urllib.request  # type: ignore[attr-defined]


load_whoosh()
