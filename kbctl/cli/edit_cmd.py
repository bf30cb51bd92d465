"""``kbctl edit ID|PATH[:LINE]``: open an article in ``$VISUAL``/``$EDITOR`` at a line.

Also used by ``kbctl search --open N``. The editor command is split like a shell word list
(``code --wait`` works) and run without a shell, with the terminal attached.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import workspace
from kbctl.errors import KbError, NotFoundError, UsageError
from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.model import Article
    from kbctl.workspace import Workspace

# How each editor is told the line. Names are compared without folder and ".exe".
PLUS_LINE = frozenset(
    {
        "vi", "vim", "nvim", "gvim", "mvim", "view", "vis", "nano", "pico", "emacs",
        "emacsclient", "micro", "kak", "joe", "mg", "zile", "vile", "gedit",
    }
)  # fmt: skip
"""``EDITOR +LINE FILE``: the Unix convention (``less`` uses it for ``v``)."""
GOTO = frozenset({"code", "code-insiders", "codium", "vscodium", "code-oss", "cursor"})
"""``EDITOR --goto FILE:LINE``: VS Code and its forks."""
COLON = frozenset({"subl", "sublime_text", "hx", "helix", "zed"})
"""``EDITOR FILE:LINE``: Sublime Text, Zed, and Helix (which reads ``+N`` only since 24.03
but ``FILE:LINE`` since 22.08)."""

_LINE_SUFFIX = re.compile(r"(?P<key>.+):(?P<line>[0-9]+)")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("edit", help=EDIT_HELP)(edit)


EDIT_HELP = _(
    "Open an article in $VISUAL or $EDITOR, at LINE when given.\n"
    "\n"
    "The line is passed the way the editor expects it: +LINE (vi, vim, nvim, nano, emacs,\n"
    "micro, kak), --goto FILE:LINE (VS Code), FILE:LINE (Sublime Text, Helix); another editor\n"
    "gets just the file. A file whose front matter is broken opens too, so it can be fixed.\n"
    "\n"
    "Examples:\n"
    "\n"
    "  kbctl edit KB-0012\n"
    "\n"
    "  kbctl edit billing/refund-approval-policy.md:14"
)


def edit(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="ID|PATH[:LINE]", help=_("The article, and the line to open it at.")
        ),
    ],
) -> None:
    """``kbctl edit`` (its help: EDIT_HELP)."""
    ws = workspace(ctx)
    article, line = find_target(ws, target)
    from kbctl.cli.usage_cmd import record

    record(ws, "edit", opened=article.id)
    open_in_editor(article.abs_path, line)


def find_target(ws: Workspace, target: str) -> tuple[Article, int | None]:
    """The article and line named by ``ID|PATH[:LINE]``: a ``:LINE`` suffix counts when
    what comes before it names an article; else the whole text is the id or path."""
    match = _LINE_SUFFIX.fullmatch(target)
    if match is not None:
        try:
            (article,) = ws.articles_to_edit([match["key"]])
        except NotFoundError:
            pass
        else:
            line = int(match["line"])
            if line < 1:
                raise UsageError(
                    _("{target}: lines count from 1").format(target=target),
                    hint=f"{match['key']}:1",
                )
            return article, line
    (article,) = ws.articles_to_edit([target])
    return article, None


def editor_command(editor: str) -> list[str]:
    """The editor to run, from the value of $VISUAL or $EDITOR, split as a shell would."""
    import shlex

    try:
        words = shlex.split(editor)
    except ValueError as error:
        raise UsageError(
            _("cannot read the editor command {editor}: {reason}").format(
                editor=repr(editor), reason=error
            ),
            hint=_("fix the quoting in $VISUAL / $EDITOR"),
        ) from None
    if not words:
        raise _no_editor()
    return words


def editor_arguments(editor: Sequence[str], path: str, line: int | None) -> list[str]:
    """The full command line that opens ``path`` at ``line`` in ``editor``."""
    name = Path(editor[0]).name.lower().removesuffix(".exe")
    if line is None:
        return [*editor, path]
    if name in PLUS_LINE:
        return [*editor, f"+{line}", path]
    if name in GOTO:
        return [*editor, "--goto", f"{path}:{line}"]
    if name in COLON:
        return [*editor, f"{path}:{line}"]
    return [*editor, path]


def open_in_editor(path: Path, line: int | None) -> None:
    """Run the user's editor on ``path`` (at ``line``) and wait for it; exit 2 when there is
    no editor, it cannot be started, or it fails."""
    import os
    import subprocess

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor or not editor.strip():
        raise _no_editor()
    # An absolute path: a relative name starting with "+" or "-" would read as an option.
    arguments = editor_arguments(editor_command(editor), str(path.absolute()), line)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        completed = subprocess.run(arguments, check=False)  # the user's own editor
    except OSError as error:
        raise UsageError(
            _("cannot start the editor {editor}: {reason}").format(
                editor=repr(arguments[0]), reason=error.strerror or error
            ),
            hint=_("set $VISUAL or $EDITOR to an editor on your PATH"),
        ) from None
    if completed.returncode != 0:
        raise KbError(
            _("the editor {editor} exited with status {status}").format(
                editor=repr(arguments[0]), status=completed.returncode
            ),
            hint=_("the file is as the editor left it"),
        )


def _no_editor() -> UsageError:
    return UsageError(
        _("no editor: $VISUAL and $EDITOR are not set"),
        hint=_("export EDITOR=vim (or nano, or 'code --wait'), then run again"),
    )
