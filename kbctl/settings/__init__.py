"""Typed configuration: find ``kbctl.toml``, validate every table when it is loaded, and
describe the settings (``kbctl config``, the JSON Schema)."""

from kbctl.settings.core import (
    CONFIG_FILE,
    ENV_CACHE_DIR,
    ENV_KB,
    Config,
    cache_home,
    cache_root,
    find_config_file,
    load_config,
    repository_root,
    shared_cache_dir,
)
from kbctl.settings.model import (
    DEFAULT_EXCLUDE,
    DEFAULT_FIELDS,
    DEFAULT_MAX_ARTICLE_BYTES,
    CheckSection,
    HistorySection,
    OverrideSection,
    ReviewSection,
    Settings,
)

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_EXCLUDE",
    "DEFAULT_FIELDS",
    "DEFAULT_MAX_ARTICLE_BYTES",
    "ENV_CACHE_DIR",
    "ENV_KB",
    "CheckSection",
    "Config",
    "HistorySection",
    "OverrideSection",
    "ReviewSection",
    "Settings",
    "cache_home",
    "cache_root",
    "find_config_file",
    "load_config",
    "repository_root",
    "shared_cache_dir",
]
