"""The ``[history]`` settings: noise thresholds, ignore-revs files, time budget, renames."""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil
from pathlib import Path

from kbctl.config import Config
from kbctl.history.git import HEX
from kbctl.settings import HistorySection

# The settings are validated when kbctl.toml is loaded (kbctl.settings.model); this name
# stays for the history modules that take them.
HistorySettings = HistorySection

# Bulk threshold. A writer's commit touches one to a few articles; a pull request that
# reworks a topic touches a dozen or two. Sweeps are different in kind: the metadata sweep in
# our notes touched 1,400 files, reformat and "update ms.date" commits in public docs bases
# touch hundreds, and importing a base touches all of it. So a commit is noise when it
# changes more than 50 articles, or more than a quarter of a small base (a 60-article base
# imported in one commit), but never at 10 articles or fewer, so that a tiny base's ordinary
# commits always count. threshold = min(bulk_threshold, max(10, ceil(bulk_share * N))).
# (The defaults, 50 and 0.25, are declared with the settings.)
BULK_FLOOR = 10


def bulk_threshold(settings: HistorySettings, article_count: int) -> int:
    """The effective bulk threshold for a base of ``article_count`` articles (0: off)."""
    if settings.bulk_threshold <= 0:
        return 0
    if settings.bulk_share <= 0:
        return settings.bulk_threshold
    return min(settings.bulk_threshold, max(BULK_FLOOR, ceil(settings.bulk_share * article_count)))


def history_settings(config: Config) -> HistorySettings:
    """The ``[history]`` table of ``config``, typed and validated when the config was loaded."""
    return config.settings.history


def ignore_rev_files(config: Config, toplevel: Path, settings: HistorySettings) -> list[Path]:
    """The ignore-revs files that exist, looked up next to the config, then in the toplevel."""
    found: list[Path] = []
    for name in settings.ignore_revs:
        for folder in (config.config_dir, toplevel):
            candidate = (folder / name).resolve()
            # A link out of the repository (to /dev/zero, to a secret) is not followed.
            inside = candidate.is_relative_to(toplevel.resolve())
            if inside and candidate.is_file() and candidate not in found:
                found.append(candidate)
                break
    return found


def read_ignore_revs(files: Sequence[Path]) -> dict[str, str]:
    """Commit ids (full or abbreviated, lower case) -> the file that lists them."""
    revs: dict[str, str] = {}
    for path in files:
        data = read_small(path)
        if data is None:
            continue
        text = data.decode("utf-8", errors="replace")
        for line in text.splitlines():
            word = line.split("#", 1)[0].strip().lower()
            if HEX.match(word):
                revs.setdefault(word, path.name)
    return revs


# Files of the repository that tune history (ignore-revs, .mailmap) are read up to this size.
SMALL_FILE_LIMIT = 16 << 20


def read_small(path: Path) -> bytes | None:
    """A file of the repository read as data: a regular file (a link is not followed: it
    could lead to /dev/zero or out of the repository) of at most 16 MiB, else None."""
    from kbctl.cachefile import read_regular

    return read_regular(path, SMALL_FILE_LIMIT)
