"""Configuration: find ``kbctl.toml`` by walking up; defaults < file < environment < flags.

The whole file is validated when it is loaded (:mod:`kbctl.settings.model`): an unknown key,
a wrong type or a bad value is a ConfigError naming the file and the key's line.

A base written for another tool works through configuration alone: ``[fields]`` says which
front-matter keys mean owner, review date and so on (first key present wins).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kbctl.errors import ConfigError, KbError, NotFoundError
from kbctl.i18n import _
from kbctl.settings.kinds import KeyPath, SettingError
from kbctl.settings.model import (
    DEFAULT_EXCLUDE,
    DEFAULT_FIELDS,
    DEFAULT_MAX_ARTICLE_BYTES,
    Settings,
    parse_settings,
)

CONFIG_FILE = "kbctl.toml"
ENV_KB = "KBCTL_KB"
ENV_CACHE_DIR = "KBCTL_CACHE_DIR"
WORKING_DIRECTORY = "working directory"
"""``Config.origins["content"]`` when no config file was found: the base is the current folder."""


@dataclass(slots=True)
class Config:
    """Settings for one knowledge base.

    ``root`` is the base's folder; ``config_dir`` the folder of the config file (paths in the
    file are relative to it). ``settings`` holds every table of the file, typed and validated
    (``config.settings.history.bulk_share``); ``sections`` keeps the feature tables
    (``[history]``, ``[check]``, ...) as the file wrote them, after validation.
    ``origins`` names where the base folder and the cache folder came from when that was
    not the file (``--kb``, ``$KBCTL_KB``, ``$KBCTL_CACHE_DIR``).
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
    settings: Settings = field(default_factory=Settings)
    origins: dict[str, str] = field(default_factory=dict)

    @property
    def config_dir(self) -> Path:
        """Where relative paths in the config file start from."""
        return self.config_path.parent if self.config_path else self.root

    def section(self, name: str) -> dict[str, Any]:
        """A feature's table from the config file, validated (empty when absent)."""
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


def table_prefix(path: Path) -> KeyPath:
    """Where kbctl's table sits in the config file: the top, or [tool.kbctl]."""
    return ("tool", "kbctl") if path.name == "pyproject.toml" else ()


def where(path: Path, key: KeyPath) -> str:
    """``FILE:LINE`` of ``key`` in the config file (``FILE`` alone when it cannot be found)."""
    from kbctl.settings.locate import find_line, key_lines

    try:
        text = read_config_text(path)
    except (OSError, KbError):
        return str(path)
    line = find_line(key_lines(text), (*table_prefix(path), *key))
    return f"{path}:{line}" if line else str(path)


def validate(path: Path, table: dict[str, Any]) -> Settings:
    """Every table of the file, typed; ConfigError ``FILE:LINE: message`` on the first
    unknown key, wrong type or bad value."""
    try:
        return parse_settings(table)
    except SettingError as error:
        raise ConfigError(
            f"{where(path, error.path)}: {error.message}",
            hint=error.hint or _("fix the value in the config file"),
        ) from None


def load_config(kb: str | Path | None = None, cwd: Path | None = None) -> Config:
    """Build the configuration: ``kb`` (the ``--kb`` flag) > ``$KBCTL_KB`` > the config file.

    With neither flag nor variable, the base is the config file's ``content`` folder, or the
    working directory when no config file is found.
    """
    cwd = (cwd or Path.cwd()).resolve()
    explicit = kb if kb is not None else os.environ.get(ENV_KB) or None
    origins: dict[str, str] = {}
    if explicit is not None:
        origins["content"] = "--kb" if kb is not None else f"${ENV_KB}"
        root = (cwd / Path(explicit).expanduser()).resolve()
        if not root.is_dir():
            raise NotFoundError(
                _("knowledge base folder not found: {folder}").format(folder=explicit),
                hint=_("pass an existing folder with --kb or $KBCTL_KB"),
            )
        found = find_config_file(root)
        settings = validate(*found) if found is not None else Settings()
    else:
        found = find_config_file(cwd)
        settings = validate(*found) if found is not None else Settings()
        root = cwd
        if found is not None:
            content = settings.content
            root = (found[0].parent / content).resolve()
            if root == Path(root.anchor):
                raise ConfigError(
                    _("{where}: 'content' is the file system root").format(
                        where=where(found[0], ("content",))
                    ),
                    hint=_("set 'content' to the base's folder inside the repository"),
                )
            _check_inside(found[0], "content", root, _("or pass --kb DIR / $KBCTL_KB"))
            if not root.is_dir():
                raise NotFoundError(
                    _("{where}: content folder {folder} does not exist").format(
                        where=where(found[0], ("content",)), folder=repr(content)
                    ),
                    hint=_("fix 'content' in the config file or pass --kb DIR"),
                )
        else:
            _refuse_wide_base(root)
            origins["content"] = WORKING_DIRECTORY
    config = Config(root=root, settings=settings, origins=origins)
    if found is not None:
        _apply_file(config, found[0], found[1], settings)
    env_cache = os.environ.get(ENV_CACHE_DIR)
    if env_cache:
        config.cache_dir = Path(env_cache).expanduser().resolve()
        origins["cache_dir"] = f"${ENV_CACHE_DIR}"
    return config


def _refuse_wide_base(folder: Path) -> None:
    """Refuse the home folder or ``/`` as a base taken without being asked for: scanning
    them reads every repository and document of the user (``--kb`` still can)."""
    try:
        home = Path.home().resolve()
    except (RuntimeError, KeyError):
        home = None
    if folder == Path(folder.anchor) or folder == home:
        if folder == Path(folder.anchor):
            message = _(
                "no {file} found, and the current folder is the file system root ({folder});"
                " kbctl does not take it as a knowledge base"
            )
        else:
            message = _(
                "no {file} found, and the current folder is your home folder ({folder});"
                " kbctl does not take it as a knowledge base"
            )
        raise ConfigError(
            message.format(file=CONFIG_FILE, folder=folder),
            hint=_("cd into the base, run `kbctl init` there, or pass --kb DIR"),
        )


# A config file is a few KB; a bigger one is not what it claims to be (and would be read whole).
MAX_CONFIG_BYTES = 1 << 20


def read_config_text(path: Path) -> str:
    """The text of a config file: a regular UTF-8 file of at most MAX_CONFIG_BYTES."""
    import stat

    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        data = handle.read(MAX_CONFIG_BYTES + 1) if stat.S_ISREG(info.st_mode) else b""
    if not stat.S_ISREG(info.st_mode) or len(data) > MAX_CONFIG_BYTES:
        raise ConfigError(
            _("{path}: not a regular file of at most {size} KiB; not read").format(
                path=path, size=MAX_CONFIG_BYTES // 1024
            ),
            hint=_("a config file is a few KB of TOML"),
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            _("{path}: not UTF-8").format(path=path), hint=_("save the config file as UTF-8")
        ) from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_config_text(path))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(
            f"{path}: {error}", hint=_("fix the TOML syntax in the config file")
        ) from None
    except OSError as error:
        raise ConfigError(
            _("{path}: cannot read ({error})").format(path=path, error=error.strerror)
        ) from None


def _apply_file(config: Config, path: Path, table: dict[str, Any], settings: Settings) -> None:
    """Copy the validated settings onto ``config``; resolve and check the paths."""
    config.config_path = path
    here = path.parent
    config.include = list(settings.include)
    config.exclude = list(settings.exclude)
    config.review_interval = settings.review_interval
    config.max_article_bytes = settings.max_article_bytes
    config.interval_by_tag = dict(settings.review_interval_by_tag)
    config.interval_by_path = dict(settings.review_interval_by_path)
    config.fields = {name: list(keys) for name, keys in settings.fields.items()}
    for key in ("roster", "codeowners", "cache_dir"):
        value = getattr(settings, key)
        if value is not None:
            resolved = (here / value).resolve()
            _check_inside(
                path, key, resolved, _("or set $KBCTL_CACHE_DIR") if key == "cache_dir" else ""
            )
            setattr(config, key, resolved)
    for name in settings.history.ignore_revs if "ignore_revs" in table.get("history", {}) else ():
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
            _("{where}: '{key}' points outside the repository: {path}").format(
                where=where(config_path, tuple(key.split("."))), key=key, path=resolved
            ),
            hint=(
                _("use a path inside {repository}, {alternative}")
                if alternative
                else _("use a path inside {repository}")
            ).format(repository=repository, alternative=alternative),
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
        is_link = folder.is_symlink()
    except OSError as error:
        raise ConfigError(
            _("cannot create the cache folder {folder}: {error}").format(
                folder=folder, error=error.strerror
            ),
            hint=_("set ${variable} or cache_dir in {file} to a writable folder").format(
                variable=ENV_CACHE_DIR, file=CONFIG_FILE
            ),
        ) from None
    if is_link:
        # Planted in a repository (cache_dir inside it), a link would lead writes outside.
        raise ConfigError(
            _(
                "the cache folder {folder} is a symbolic link; kbctl never writes through links"
            ).format(folder=folder),
            hint=_("delete the link (kbctl creates the folder again), or set ${variable}").format(
                variable=ENV_CACHE_DIR
            ),
        )
    return folder
