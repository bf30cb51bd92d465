"""Article templates: the base's own (``_templates/``), else the ones kbctl ships.

Templates are untrusted data. The only thing done to them is plain substitution of
``{{name}}`` placeholders; no template engine, nothing that can run code.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kbctl.errors import NotFoundError, UsageError
from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.config import Config

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MAX_TEMPLATE_BYTES = 256 * 1024
# The KCS article may be kept under its article type's name too.
ALIASES: dict[str, tuple[str, ...]] = {"kcs": ("kcs", "troubleshooting")}
BUILT_IN = "templates"
LANGUAGES = ("en", "ru")


@dataclass(frozen=True, slots=True)
class Template:
    """A template's text and where it came from (a base-relative path, or ``built-in:...``)."""

    name: str
    text: str
    source: str


def template_folder(config: Config) -> Path:
    """The base's template folder ([new] templates, default ``_templates``)."""
    return config.root / config.settings.new.templates


def find_template(config: Config, name: str, language: str) -> Template:
    """The template ``name`` in ``language``: ``NAME.LANG.md`` then ``NAME.md`` in the base's
    template folder (``kcs`` also as ``troubleshooting``), then kbctl's built-in one.

    Raises UsageError for a name that is not a plain word, NotFoundError when no template
    has that name.
    """
    name = name.strip().lower()
    if not _NAME.fullmatch(name):
        raise UsageError(
            _("template name {name}: use letters, digits, '-' and '_' only").format(
                name=repr(name)
            ),
            hint=_("e.g. --template kcs"),
        )
    folder = template_folder(config)
    for stem in ALIASES.get(name, (name,)):
        for file_name in (f"{stem}.{language}.md", f"{stem}.md"):
            text = _read_template(config, folder / file_name)
            if text is not None:
                shown = (folder / file_name).relative_to(config.root).as_posix()
                return Template(name, text, shown)
    built_in = _built_in(name, language)
    if built_in is not None:
        return built_in
    raise NotFoundError(
        _("no template {name}").format(name=repr(name)),
        hint=_("available: {names}; or add {file} to the base").format(
            names=", ".join(available_templates(config)) or _("none"),
            file=f"{template_folder(config).name}/{name}.md",
        ),
    )


def available_templates(config: Config) -> list[str]:
    """Names of every template the base and kbctl offer."""
    from importlib.resources import files

    names = {"kcs"}
    folder = template_folder(config)
    try:
        entries = list(os.scandir(folder)) if _inside(config, folder) else []
    except OSError:
        entries = []
    for entry in entries:
        stem = entry.name.removesuffix(".md").split(".")[0]
        if entry.name.endswith(".md") and _NAME.fullmatch(stem):
            names.add(stem)
    for resource in files("kbctl.capture").joinpath(BUILT_IN).iterdir():
        names.add(resource.name.split(".")[0])
    return sorted(names)


def _inside(config: Config, path: Path) -> bool:
    try:
        return path.resolve().is_relative_to(config.root.resolve())
    except OSError:
        return False


def _read_template(config: Config, path: Path) -> str | None:
    """The text of a template file of the base; None when absent. A link out of the base,
    a file that is not regular, too large or not UTF-8 is refused (UsageError)."""
    from kbctl.articles import NotReadable, read_article_bytes

    if not path.exists() and not path.is_symlink():
        return None
    shown = path.relative_to(config.root).as_posix() if path.is_relative_to(config.root) else path
    if not _inside(config, path.parent):
        raise UsageError(
            _("{path}: the template folder lies outside the base; not used").format(path=shown)
        )
    try:
        data = read_article_bytes(path, MAX_TEMPLATE_BYTES)
    except NotReadable as error:
        raise UsageError(
            _("{path}: template not read: {error}").format(path=shown, error=error)
        ) from None
    except OSError as error:
        raise UsageError(
            _("{path}: template not read: {error}").format(
                path=shown, error=error.strerror or error
            )
        ) from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise UsageError(
            _("{path}: template larger than {size} bytes; not used").format(
                path=shown, size=MAX_TEMPLATE_BYTES
            )
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(_("{path}: template is not UTF-8; not used").format(path=shown)) from None


def _built_in(name: str, language: str) -> Template | None:
    from importlib.resources import files

    folder = files("kbctl.capture").joinpath(BUILT_IN)
    for file_name in (f"{name}.{language}.md", f"{name}.en.md"):
        entry = folder.joinpath(file_name)
        if entry.is_file():
            return Template(name, entry.read_text(encoding="utf-8"), f"built-in:{file_name}")
    return None


def substitute(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each known ``{{name}}`` replaced by its value (unknown ones kept)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1).lower(), m.group(0)), text)
