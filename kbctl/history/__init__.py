"""The only code that runs git: what the history says about every article, and its cache.

Modules: :mod:`~kbctl.history.settings` (the ``[history]`` table), :mod:`~kbctl.history.git`
(repository discovery and the git processes, commit writing), :mod:`~kbctl.history.log`
(the streaming log parser), :mod:`~kbctl.history.walk` (folding records into per-article
facts), :mod:`~kbctl.history.cache` (the cache and its sidecar), :mod:`~kbctl.history.read`
(prefetch, the full and incremental passes, one article's log). What is due or overdue is
not decided here: that is :mod:`kbctl.policy`.
"""

from typing import TYPE_CHECKING

from kbctl.lazy import lazy_names

if TYPE_CHECKING:
    from kbctl.history.cache import cached_last_changes, load_cached_history
    from kbctl.history.git import changed_paths, commit_files, git_identity
    from kbctl.history.read import HistoryPrefetch, article_log, read_history, start_history
    from kbctl.history.report import (
        NOT_COMMITTED,
        SHALLOW_FIX,
        ArticleLog,
        HistoryEntry,
        HistoryReport,
        SkippedCommit,
    )
    from kbctl.history.settings import HistorySettings, history_settings

# Imported on first use (PEP 562): `kbctl search` reads only the cache of last changes and
# should not pay for the modules that run git.
_HOME = {
    "cached_last_changes": "cache",
    "load_cached_history": "cache",
    "changed_paths": "git",
    "commit_files": "git",
    "git_identity": "git",
    "HistoryPrefetch": "read",
    "article_log": "read",
    "read_history": "read",
    "start_history": "read",
    "NOT_COMMITTED": "report",
    "SHALLOW_FIX": "report",
    "ArticleLog": "report",
    "HistoryEntry": "report",
    "HistoryReport": "report",
    "SkippedCommit": "report",
    "HistorySettings": "settings",
    "history_settings": "settings",
}


__getattr__ = lazy_names(__name__, _HOME, globals())


__all__ = [
    "NOT_COMMITTED",
    "SHALLOW_FIX",
    "ArticleLog",
    "HistoryEntry",
    "HistoryPrefetch",
    "HistoryReport",
    "HistorySettings",
    "SkippedCommit",
    "article_log",
    "cached_last_changes",
    "changed_paths",
    "commit_files",
    "git_identity",
    "history_settings",
    "load_cached_history",
    "read_history",
    "start_history",
]
