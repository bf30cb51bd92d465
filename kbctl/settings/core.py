"""Configuration: find ``kbctl.toml`` by walking up; defaults < file < environment < flags.

A base written for another tool works through configuration alone: ``[fields]`` says which
front-matter keys mean owner, review date and so on (first key present wins).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbctl.errors import ConfigError, NotFoundError
from kbctl.values import parse_interval

CONFIG_FILE = "kbctl.toml"
ENV_KB = "KBCTL_KB"
ENV_CACHE_DIR = "KBCTL_CACHE_DIR"

DEFAULT_FIELDS: dict[str, list[str]] = {
    "id": ["id", "slug", "uid"],
    "title": ["title"],
    "description": ["description", "summary"],
    "type": ["type", "article_type", "kind"],
    "tags": ["tags", "keywords", "categories"],
    "owner": ["owner", "owners", "ms.author", "author", "created_by"],
    "reviewers": ["reviewers", "ms.reviewer"],
    "reviewed_by": ["reviewed_by"],
    "last_reviewed": ["last_reviewed", "reviewed", "ms.date", "audit_date", "last_modified_date"],
    "review_interval": ["review_interval", "review_every"],
    "status": ["status", "state", "confidence"],
    "audience": ["audience", "visibility"],
    "product": ["product", "applies_to"],
    "environment": ["environment"],
    "created": ["created", "date", "created_at"],
    "aliases": ["aliases", "synonyms"],
    "flags": ["flags"],
    "ignore": ["kbctl-ignore"],
}
DEFAULT_EXCLUDE = ["_templates/**", "includes/**", "_includes/**", "node_modules/**"]
# Article files larger than this are refused unread (``max_article_bytes`` in kbctl.toml).
DEFAULT_MAX_ARTICLE_BYTES = 4 * 1024 * 1024


@dataclass(slots=True)
class Config:
    """Settings for one knowledge base.

    ``root`` is the base's folder; ``config_dir`` the folder of the config file (paths in the
    file are relative to it). Feature sections (``[history]``, ``[check]``, ...) stay in
    ``sections`` and are read by the module they belong to.
    """

    root: Path
    config_path: Path | None = None
    include: list[str] = field(default_factory=lambda: ["**/*.md", "**/*.markdown"])
    exclude: list[str] = field(default_factory=lambda: list(DEFAULT_EXCLUDE))
    review_interval: int = 180
    interval_by_tag: dict[str, int] = field(default_factory=dict)
    interval_by_path: dict[str, int] = field(default_factory=dict)
    fields: dict[str, list[str]] = field(default_factory=lambda: dict(DEFAULT_FIELDS))
    roster: Path | None = None
    codeowners: Path | None = None
    cache_dir: Path | None = None
    max_article_bytes: int = DEFAULT_MAX_ARTICLE_BYTES
    sections: dict[str, Any] = field(default_factory=dict)

    @property
    def config_dir(self) -> Path:
        """Where relative paths in the config file start from."""
        return self.config_path.parent if self.config_path else self.root

    def section(self, name: str) -> dict[str, Any]:
        """A feature's table from the config file (empty when absent)."""
        value = self.sections.get(name, {})
        return value if isinstance(value, dict) else {}


def find_config_file(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Walk up from ``start`` to the first ``kbctl.toml`` or ``pyproject.toml`` with [tool.kbctl]."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("kbctl")
            if isinstance(table, dict):
                return pyproject, table
    return None


def load_config(kb: str | Path | None = None, cwd: Path | None = None) -> Config:
    """Build the configuration: ``kb`` (the ``--kb`` flag) > ``$KBCTL_KB`` > the config file.

    With neither flag nor variable, the base is the config file's ``content`` folder, or the
    working directory when no config file is found.
    """
    cwd = (cwd or Path.cwd()).resolve()
    explicit = kb if kb is not None else os.environ.get(ENV_KB) or None
    if explicit is not None:
        root = (cwd / Path(explicit).expanduser()).resolve()
        if not root.is_dir():
            raise NotFoundError(
                f"knowledge base folder not found: {explicit}",
                hint="pass an existing folder with --kb or $KBCTL_KB",
            )
        found = find_config_file(root)
    else:
        found = find_config_file(cwd)
        root = cwd
        if found is not None:
            content = found[1].get("content", ".")
            if not isinstance(content, str):
                raise ConfigError(f"{found[0]}: 'content' must be a folder path")
            root = (found[0].parent / content).resolve()
            if root == Path(root.anchor):
                raise ConfigError(
                    f"{found[0]}: 'content' is the file system root",
                    hint="set 'content' to the base's folder inside the repository",
                )
            _check_inside(found[0], "content", root, "or pass --kb DIR / $KBCTL_KB")
            if not root.is_dir():
                raise NotFoundError(
                    f"{found[0]}: content folder {content!r} does not exist",
                    hint="fix 'content' in the config file or pass --kb DIR",
                )
    config = Config(root=root)
    if found is not None:
        _apply_file(config, *found)
    env_cache = os.environ.get(ENV_CACHE_DIR)
    if env_cache:
        config.cache_dir = Path(env_cache).expanduser().resolve()
    return config


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{path}: {error}", hint="fix the TOML syntax in the config file"
        ) from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read ({error.strerror})") from None


def _apply_file(config: Config, path: Path, table: dict[str, Any]) -> None:
    config.config_path = path
    here = path.parent

    def strings(key: str) -> list[str] | None:
        value = table.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            return [value]
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        raise ConfigError(f"{path}: '{key}' must be a string or a list of strings")

    def interval(key: str, value: object) -> int:
        try:
            days = parse_interval(value)
        except ValueError as error:
            raise ConfigError(f"{path}: '{key}': {error}") from None
        if days is None:
            raise ConfigError(f"{path}: '{key}' is empty")
        return days

    def interval_table(key: str) -> dict[str, int]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: [{key}] must be a table of name = interval")
        return {name: interval(f"{key}.{name}", days) for name, days in value.items()}

    if (include := strings("include")) is not None:
        config.include = include
    if (exclude := strings("exclude")) is not None:
        config.exclude = exclude
    if "review_interval" in table:
        config.review_interval = interval("review_interval", table["review_interval"])
    if "max_article_bytes" in table:
        cap = table["max_article_bytes"]
        if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
            raise ConfigError(f"{path}: 'max_article_bytes' must be a whole number of bytes >= 1")
        config.max_article_bytes = cap
    config.interval_by_tag = interval_table("review_interval_by_tag")
    config.interval_by_path = interval_table("review_interval_by_path")
    fields = table.get("fields", {})
    if not isinstance(fields, dict):
        raise ConfigError(f"{path}: [fields] must be a table of field = [keys]")
    for name, keys in fields.items():
        if name not in DEFAULT_FIELDS:
            known = ", ".join(sorted(DEFAULT_FIELDS))
            raise ConfigError(f"{path}: unknown field {name!r} in [fields]", hint=f"known: {known}")
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise ConfigError(f"{path}: fields.{name} must be a list of front-matter keys")
        config.fields[name] = keys
    for key in ("roster", "codeowners", "cache_dir"):
        value = table.get(key)
        if value is not None:
            if not isinstance(value, str):
                raise ConfigError(f"{path}: '{key}' must be a path")
            resolved = (here / value).resolve()
            _check_inside(
                path, key, resolved, "or set $KBCTL_CACHE_DIR" if key == "cache_dir" else ""
            )
            setattr(config, key, resolved)
    history = table.get("history")
    revs = history.get("ignore_revs") if isinstance(history, dict) else None
    for name in [revs] if isinstance(revs, str) else revs if isinstance(revs, list) else []:
        if isinstance(name, str):
            # The history pass looks next to the config file, then at the git top level.
            for folder in (here, repository_root(here)):
                _check_inside(path, "history.ignore_revs", (folder / name).resolve(), "")
    config.sections = {key: value for key, value in table.items() if isinstance(value, dict)}


def repository_root(folder: Path) -> Path:
    """The repository holding ``folder``: the nearest folder at or above it with a ``.git``
    entry (folder or file), else ``folder`` itself. Links resolved."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return folder


def _check_inside(config_path: Path, key: str, resolved: Path, alternative: str) -> None:
    """Refuse a path from the config file that leaves the repository (links resolved).

    A repository is untrusted data: its config must not make kbctl read or write elsewhere.
    The user's own choices (``--kb``, environment variables) are not checked.
    """
    repository = repository_root(config_path.parent)
    if not resolved.is_relative_to(repository):
        raise ConfigError(
            f"{config_path}: '{key}' points outside the repository: {resolved}",
            hint=f"use a path inside {repository}" + (f", {alternative}" if alternative else ""),
        )


def shared_cache_dir(config: Config) -> Path | None:
    """The cache folder the user chose (``$KBCTL_CACHE_DIR``, else ``cache_dir``), or None.

    It may sit inside the base, so the file walk skips it.
    """
    env_cache = os.environ.get(ENV_CACHE_DIR)
    return Path(env_cache).expanduser().resolve() if env_cache else config.cache_dir


def cache_home(config: Config) -> Path:
    """The folder that holds the caches of every base: the user's choice, else the
    platform's per-user cache folder (``$XDG_CACHE_HOME/kbctl`` on Linux). Never a
    folder inside the repository unless the user set it so."""
    shared = shared_cache_dir(config)
    if shared is not None:
        return shared
    import platformdirs

    return Path(platformdirs.user_cache_dir("kbctl", appauthor=False))


def cache_root(config: Config) -> Path:
    """The folder for this base's caches (search index, history, parsed articles).

    One subfolder of :func:`cache_home` per base, named after the base's folder and a hash
    of its absolute path, so that two bases never share an index. Created on first use,
    readable by this user only. Whatever is found there is checked before use (see
    :mod:`kbctl.cachefile`).
    """
    import hashlib
    import re

    home = cache_home(config)
    digest = hashlib.sha256(os.fsencode(config.root)).hexdigest()[:16]
    name = re.sub(r"[^\w.-]", "_", config.root.name)[:40] or "root"
    folder = home / f"{name}-{digest}"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as error:
        raise ConfigError(
            f"cannot create the cache folder {folder}: {error.strerror}",
            hint=f"set ${ENV_CACHE_DIR} or cache_dir in {CONFIG_FILE} to a writable folder",
        ) from None
    return folder
