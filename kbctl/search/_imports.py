"""Import Whoosh without the two standard-library packages it does not need for kbctl.

``whoosh.compat`` imports ``urllib.request`` (for a download helper kbctl never calls) and
``whoosh.reading`` imports the ``cached_property`` package, which imports ``asyncio``: together
about 30-50 ms of every cold ``kbctl search``. ``whoosh.compat`` also imports ``html`` (with
its table of entities) for ``html.escape``, and ``whoosh.query.terms`` imports the English
``variations`` module (a few hundred regular expressions) for a query kbctl never builds.
While Whoosh's modules load, those names point at small stand-ins that load the real thing
when called; afterwards they are removed, so any later import gets the real modules.
"""

from __future__ import annotations

import functools
import sys
import types


def _urlretrieve(*args: object, **kwargs: object) -> object:
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)  # type: ignore[arg-type]


def _escape(*args: object, **kwargs: object) -> object:
    from html import escape

    return escape(*args, **kwargs)  # type: ignore[arg-type]


def _variations(*args: object, **kwargs: object) -> object:
    from whoosh.lang.morph_en import variations

    return variations(*args, **kwargs)  # type: ignore[arg-type]


def load_whoosh() -> None:
    """Import the Whoosh modules kbctl uses, with the stand-ins in place (once)."""
    if all(name in sys.modules for name in ("whoosh.reading", "whoosh.compat", "whoosh.query")):
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
    if "html" not in sys.modules:
        html = types.ModuleType("html")
        html.escape = _escape  # type: ignore[attr-defined]
        stand_ins["html"] = html
    if "whoosh.lang.morph_en" not in sys.modules:
        morph = types.ModuleType("whoosh.lang.morph_en")
        morph.variations = _variations  # type: ignore[attr-defined]
        stand_ins["whoosh.lang.morph_en"] = morph
    sys.modules.update(stand_ins)
    try:
        import whoosh.compat
        import whoosh.query
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
        lang = sys.modules.get("whoosh.lang")
        if lang is not None and getattr(lang, "morph_en", None) is stand_ins.get(
            "whoosh.lang.morph_en"
        ):
            del lang.morph_en  # type: ignore[attr-defined]


load_whoosh()
