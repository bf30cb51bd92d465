"""The ``[history]`` settings: noise thresholds, ignore-revs files, time budget, renames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from math import ceil
from pathlib import Path

from kbctl.config import Config
from kbctl.errors import ConfigError
from kbctl.history.git import HEX

DEFAULT_IGNORE_REVS = (".kbctl-ignore-revs", ".git-blame-ignore-revs")
# Bulk threshold. A writer's commit touches one to a few articles; a pull request that
# reworks a topic touches a dozen or two. Sweeps are different in kind: the metadata sweep in
# our notes touched 1,400 files, reformat and "update ms.date" commits in public docs bases
# touch hundreds, and importing a base touches all of it. So a commit is noise when it
# changes more than 50 articles, or more than a quarter of a small base (a 60-article base
# imported in one commit), but never at 10 articles or fewer, so that a tiny base's ordinary
# commits always count. threshold = min(bulk_threshold, max(10, ceil(bulk_share * N))).
DEFAULT_BULK_THRESHOLD = 50
DEFAULT_BULK_SHARE = 0.25
BULK_FLOOR = 10
DEFAULT_TIME_BUDGET = 300.0


@dataclass(frozen=True, slots=True)
class HistorySettings:
    """The ``[history]`` table of the config, validated."""

    ignore_revs: tuple[str, ...] = DEFAULT_IGNORE_REVS
    bulk_threshold: int = DEFAULT_BULK_THRESHOLD
    bulk_share: float = DEFAULT_BULK_SHARE
    ignore_meta_only_keys: tuple[str, ...] = ()
    time_budget: float = DEFAULT_TIME_BUDGET
    renames: str = "auto"  # auto | exact | off

    def threshold(self, article_count: int) -> int:
        """The effective bulk threshold for a base of ``article_count`` articles (0: off)."""
        if self.bulk_threshold <= 0:
            return 0
        if self.bulk_share <= 0:
            return self.bulk_threshold
        return min(self.bulk_threshold, max(BULK_FLOOR, ceil(self.bulk_share * article_count)))


def history_settings(config: Config) -> HistorySettings:
    """Read and validate ``[history]``; raise ConfigError on a wrong value."""
    table = config.section("history")
    where = config.config_path or "config"
    settings = HistorySettings()

    def fail(key: str, expected: str) -> ConfigError:
        return ConfigError(f"{where}: history.{key} must be {expected}")

    if "ignore_revs" in table:
        value = table["ignore_revs"]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail("ignore_revs", "a list of file paths")
        settings = replace(settings, ignore_revs=tuple(value))
    for key in ("bulk_threshold",):
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise fail(key, "a whole number >= 0 (0 turns the bulk rule off)")
            settings = replace(settings, bulk_threshold=value)
    if "bulk_share" in table:
        value = table["bulk_share"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise fail("bulk_share", "a number between 0 and 1 (0 turns the share rule off)")
        settings = replace(settings, bulk_share=float(value))
    if "ignore_meta_only_keys" in table:
        value = table["ignore_meta_only_keys"]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail("ignore_meta_only_keys", "a list of front-matter keys")
        settings = replace(settings, ignore_meta_only_keys=tuple(value))
    if "time_budget" in table:
        value = table["time_budget"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            raise fail("time_budget", "a positive number of seconds")
        settings = replace(settings, time_budget=float(value))
    if "renames" in table:
        value = table["renames"]
        if value not in ("auto", "exact", "off"):
            raise fail("renames", '"auto", "exact" or "off"')
        settings = replace(settings, renames=value)
    return settings


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
