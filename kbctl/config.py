"""The configuration, kept importable under its first name: see :mod:`kbctl.settings`."""

from kbctl.settings import (
    CONFIG_FILE,
    DEFAULT_EXCLUDE,
    DEFAULT_FIELDS,
    DEFAULT_MAX_ARTICLE_BYTES,
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

__all__ = [
    "CONFIG_FILE",
    "DEFAULT_EXCLUDE",
    "DEFAULT_FIELDS",
    "DEFAULT_MAX_ARTICLE_BYTES",
    "ENV_CACHE_DIR",
    "ENV_KB",
    "Config",
    "cache_home",
    "cache_root",
    "find_config_file",
    "load_config",
    "repository_root",
    "shared_cache_dir",
]
