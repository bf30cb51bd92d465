"""The only code that runs git: what the history says about every article, and its cache.

Modules: :mod:`~kbctl.history.settings` (the ``[history]`` table), :mod:`~kbctl.history.git`
(repository discovery and the git processes, commit writing), :mod:`~kbctl.history.log`
(the streaming log parser), :mod:`~kbctl.history.walk` (folding records into per-article
facts), :mod:`~kbctl.history.cache` (the cache and its sidecar), :mod:`~kbctl.history.read`
(prefetch, the full and incremental passes, one article's log). What is due or overdue is
not decided here: that is :mod:`kbctl.policy`.
"""

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
