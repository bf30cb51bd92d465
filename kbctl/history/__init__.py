"""The only code that runs git (being split into modules)."""

from kbctl.history.read import *  # noqa: F403
from kbctl.history.read import HistorySettings, _log_args, _records, _Walker  # noqa: F401
