"""Render a :class:`~kbctl.init.guess.Proposal` as a commented ``kbctl.toml`` and write it.

The text is validated with kbctl's own settings parser before anything is written, so a
file ``init`` writes is always one ``kbctl`` accepts.
"""

from __future__ import annotations

import contextlib
import json
import os
import tomllib
from pathlib import Path

from kbctl.errors import ConfigError, KbError, UsageError
from kbctl.i18n import _
from kbctl.init.guess import Proposal
from kbctl.settings.model import parse_settings

CONFIG_NAME = "kbctl.toml"
FIELD_ORDER = (
    "id",
    "title",
    "description",
    "tags",
    "owner",
    "reviewers",
    "last_reviewed",
    "status",
    "audience",
    "product",
    "created",
    "aliases",
)


def _string(value: str) -> str:
    # A JSON string is a valid TOML basic string (same escapes, \\uXXXX included).
    return json.dumps(value, ensure_ascii=False)


def _array(values: list[str]) -> str:
    return "[" + ", ".join(_string(value) for value in values) + "]"


def _comment(text: str) -> str:
    return "# " + " ".join(text.split())


def render(proposal: Proposal, folder_name: str) -> str:
    """The commented ``kbctl.toml`` for ``proposal`` (checked by the settings parser)."""
    lines = [
        f"# kbctl configuration written by `kbctl init` for {folder_name}.",
        "# Paths are relative to this file. Every guess below says what it was made from;",
        "# see `kbctl config` for the effective settings and the README for every key.",
        "",
        _comment(f"The folder with the articles ({proposal.articles} found with front matter)."),
        f"content = {_string(proposal.content)}",
        "# Not articles (relative to the content folder):",
        *(_comment(note) for note in proposal.exclude_notes),
        f"exclude = {_array(proposal.exclude)}",
        "# kbctl's default; shorten it for fast-moving products (90d, 6m, 1y or days).",
        'review_interval = "180d"',
    ]
    if proposal.codeowners:
        lines += [
            "# Owners of articles without an owner key.",
            f"codeowners = {_string(proposal.codeowners)}",
        ]
    else:
        lines += ["# No CODEOWNERS file found: owners come from the front matter only."]
    lines += [
        "",
        "# Which front-matter keys mean what (the first key present wins). kbctl's own key",
        "# comes first where it is free, so `kbctl review mark` writes it and it wins after.",
        "[fields]",
    ]
    for name in FIELD_ORDER:
        if name in proposal.fields:
            lines.append(
                f"{name} = {_array(proposal.fields[name])}".ljust(44)
                + " "
                + _comment(proposal.field_notes.get(name, ""))
            )
    lines += [
        "",
        "[ids]",
        (
            "# No key holds a unique id in most articles: an article's id is its path."
            if proposal.ids_from == "path"
            else "# Ids come from the [fields] id key (else the path)."
        ),
        f"from = {_string(proposal.ids_from)}",
        "",
        "[dates]",
        *(_comment(f"seen: {note}") for note in proposal.date_notes or ["no dates with slashes"]),
        f"slash = {_string(proposal.slash_dates)}",
    ]
    if proposal.meta_only_keys:
        lines += [
            "",
            "[history]",
            "# Localisation metadata and review bookkeeping: a commit changing only these keys",
            "# in an article is not a content change.",
            f"ignore_meta_only_keys = {_array(proposal.meta_only_keys)}",
        ]
    lines += [
        "",
        "[check.rules]",
        "# Required keys: those present in most articles.",
        f"KB103 = {{ keys = {_array(proposal.required)} }}",
    ]
    if not proposal.owners_anywhere:
        lines += [
            "# The base names no owners (no owner key, no CODEOWNERS): one owner-missing finding",
            "# per article would say nothing. Add a CODEOWNERS file and remove this line.",
            'KB201 = "off"',
        ]
    if proposal.modified_keys:
        lines += [
            "# Articles carry a 'last modified' date: flag those git says changed much later.",
            'KB305 = "warning"',
        ]
    if proposal.link_style or proposal.links:
        lines += ["", "# Site URL conventions seen (for resolving site links like /section/slug):"]
        lines += [_comment(note) for note in proposal.links]
    if proposal.link_style:
        lines += [
            "[links]",
            f'style = "{proposal.link_style}"',
            f"static_dirs = {_array(proposal.static_dirs)}",
        ]
        if proposal.link_ignore:
            lines.append(f"ignore = {_array(proposal.link_ignore)}")
        if proposal.term_anchors:
            lines.append("term_anchors = true")
    elif proposal.link_ignore:
        lines += ["[links]", f"ignore = {_array(proposal.link_ignore)}"]
    text = "\n".join(lines) + "\n"
    check(text)
    return text


def check(text: str) -> None:
    """Refuse a text the settings parser would not accept (a bug in init, never the user's)."""
    from kbctl.settings.kinds import SettingError

    try:
        parse_settings(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, SettingError) as error:
        raise ConfigError(
            _("kbctl init produced an invalid kbctl.toml: {error}").format(error=error)
        ) from None


def write_config(folder: Path, text: str, *, force: bool) -> Path:
    """Write ``text`` to ``folder/kbctl.toml``; never over an existing file without
    ``force``, never through a link (the file must land inside ``folder``)."""
    target = folder / CONFIG_NAME
    if target.is_symlink() or (target.exists() and not target.is_file()):
        raise UsageError(
            _("{path} is a link or not a regular file: not written").format(path=target),
            hint=_("remove it, or run `kbctl init --dry-run` and save the output yourself"),
        )
    if target.exists() and not force:
        raise UsageError(
            _("{path} exists: not overwritten").format(path=target),
            hint=_("pass --force to replace it, or --dry-run to see what would be written"),
        )
    data = text.encode("utf-8")
    temporary = folder / f".{CONFIG_NAME}.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(temporary, flags, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if force:
            temporary.replace(target)
        else:
            # link() fails if the file appeared meanwhile: still never overwritten.
            os.link(temporary, target)
            temporary.unlink()
    except FileExistsError:
        _remove(temporary)
        raise UsageError(
            _("{path} exists: not overwritten").format(path=target), hint=_("pass --force")
        ) from None
    except OSError as error:
        _remove(temporary)
        raise KbError(
            _("cannot write {path}: {error}").format(path=target, error=error.strerror or error)
        ) from None
    return target


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()
