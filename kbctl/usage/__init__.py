"""The usage log: opt-in, private records of searches and articles opened, and what they
tell (failed searches and their fixes, article use).

``record_event`` is the one entry point for writing (search, show, edit, interactive
search, the MCP server); :mod:`kbctl.usage.read` merges logs; :mod:`kbctl.usage.gaps`
folds events into facts. Importing this package costs only the standard library.
"""

from kbctl.usage.log import ENV_USAGE_LOG, log_path, record_event, usage_enabled

__all__ = ["ENV_USAGE_LOG", "log_path", "record_event", "usage_enabled"]
