"""Config globs that match no file: a typo there silently hides articles or rules."""

from __future__ import annotations

from collections.abc import Iterable

from kbctl.settings.core import Config
from kbctl.settings.model import DEFAULT_INCLUDE
from kbctl.values import unmatched_globs


def unmatched_config_globs(config: Config, files: Iterable[str]) -> list[tuple[str, str]]:
    """(config key, pattern) for every glob of ``include``, ``review_interval_by_path`` and
    ``[[check.overrides]] paths`` that matches none of ``files`` (base-relative paths).

    The default ``include`` is left out (few bases have ``.markdown`` files), and so is
    ``exclude``: excluding what is not there (yet) is normal, and its defaults
    name folders most bases do not have.
    """
    files = list(files)
    settings = config.settings
    found: list[tuple[str, str]] = []
    if tuple(config.include) != DEFAULT_INCLUDE:
        found.extend(("include", pattern) for pattern in unmatched_globs(config.include, files))
    found.extend(
        ("review_interval_by_path", pattern)
        for pattern in unmatched_globs(list(config.interval_by_path), files)
    )
    for number, override in enumerate(settings.check.overrides, start=1):
        found.extend(
            (f"check.overrides[{number}].paths", pattern)
            for pattern in unmatched_globs(override.paths, files)
        )
    return found
