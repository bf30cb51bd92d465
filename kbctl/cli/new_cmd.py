"""``kbctl new``: a new article from a template, after a look for one that already exists."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer

from kbctl.cli.context import TodayOption, message_line, notice, parse_day, workspace, write_data
from kbctl.errors import UsageError
from kbctl.i18n import _

if TYPE_CHECKING:
    from kbctl.capture import Draft
    from kbctl.model import Hit


class Language(StrEnum):
    """Languages of the built-in templates."""

    EN = "en"
    RU = "ru"


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("new", help=NEW_HELP)(new)


NEW_HELP = _(
    "Create an article from a template and print its path.\n"
    "\n"
    "The template comes from the base's _templates/ (NAME.LANG.md, then NAME.md; kcs is also\n"
    "found as troubleshooting.md), else kbctl's built-in KCS article in English or Russian\n"
    "(Issue / Environment / Resolution / Cause). The new article gets the next free id of the\n"
    "base's scheme (or [new] id_pattern), a file name made from the title (transliterated; -2,\n"
    "-3 ... rather than overwrite), status wip and today's date as created.\n"
    "\n"
    'First it searches the base for similar articles ("maybe this already exists?"): on a\n'
    "terminal it asks before creating (--yes does not ask); elsewhere it lists them on\n"
    "stderr and creates the article.\n"
    "\n"
    "Examples:\n"
    "\n"
    '  kbctl new --title "Invoice PDF is blank" --tag billing --dir billing --yes\n'
    "\n"
    '  kbctl new --title "Не приходит счёт на почту" --owner @anna.petrova --yes\n'
    "\n"
    '  kbctl new --template checklist --title "Quarterly access review" --dir checklists'
)


def new(
    ctx: typer.Context,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", "-t", metavar="TITLE", help=_("The title (asked for on a terminal).")
        ),
    ] = None,
    template: Annotated[
        str,
        typer.Option(
            "--template",
            metavar="NAME",
            help=_("kcs, faq, howto, checklist or any _templates/NAME.md of the base."),
        ),
    ] = "kcs",
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner", metavar="OWNER", help=_("Owner (default: git's user, via the roster).")
        ),
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", metavar="TAG", help=_("A tag (repeatable)."))
    ] = None,
    lang: Annotated[
        Language | None,
        typer.Option("--lang", help=_("Template language (default: the title's script).")),
    ] = None,
    folder: Annotated[
        str | None,
        typer.Option("--dir", metavar="DIR", help=_("Folder in the base (default: [new] folder).")),
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", help=_("Open it in $VISUAL/$EDITOR."))] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help=_("Create it even when similar articles exist."))
    ] = False,
    today: TodayOption = None,
) -> None:
    """``kbctl new`` (its help: NEW_HELP)."""
    from kbctl.capture import plan_article, similar_articles, write_draft

    ws = workspace(ctx)
    config = ws.config
    chosen = title if title is not None else _ask_title()
    draft = plan_article(
        config,
        title=chosen,
        template=template,
        owner=owner,
        tags=tag or (),
        language=lang.value if lang else None,
        folder=folder,
        today=parse_day(today),
        articles=ws.articles,
        roster=ws.roster,
    )
    similar = similar_articles(config, draft.title)
    if similar:
        _show_similar(similar)
        ask = not yes and sys.stdin.isatty() and sys.stderr.isatty()
        if ask and not typer.confirm(
            _("kbctl: create a new article anyway?"), default=False, err=True
        ):
            raise UsageError(
                _("not created"), hint=_("edit the existing article, or run again with --yes")
            )
    path = write_draft(config, draft)
    from kbctl.render.paths import shown_path

    write_data(shown_path(path))
    notice(
        _("created {id} from {template} (status wip)").format(id=draft.id, template=draft.template)
    )
    if edit:
        from kbctl.cli.edit_cmd import open_in_editor

        open_in_editor(path, _first_section_line(draft))


def _ask_title() -> str:
    if not sys.stdin.isatty():
        raise UsageError(
            _("no title"), hint=_('pass --title "Short symptom in the customer\'s words"')
        )
    return str(typer.prompt(_("Title"), err=True))


def _show_similar(hits: list[Hit]) -> None:
    message_line(_("kbctl: maybe this already exists?"))
    for hit in hits:
        message_line(f"  {hit.id}  {hit.path}  {hit.title}")


def _first_section_line(draft: Draft) -> int | None:
    """The line after the template's first heading, where writing starts."""
    lines = draft.text.splitlines()
    closing = next((n for n, line in enumerate(lines[1:], 2) if line.strip() == "---"), None)
    for number, line in enumerate(lines, 1):
        if closing is not None and number > closing and line.startswith("#"):
            return min(number + 2, len(lines))
    return None
