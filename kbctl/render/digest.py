"""Owners' digests as Markdown, ready to paste into an issue or a chat.

Every value from the base or a log goes through :func:`kbctl.render.usage.md_cell`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from kbctl.i18n import _, ngettext
from kbctl.render.usage import md_cell
from kbctl.textsafe import one_line

if TYPE_CHECKING:
    from kbctl.report.digest import DigestItem, OwnerDigest

MARKER = "kbctl-digest"


def digest_title(digest: OwnerDigest) -> str:
    """The issue title of an owner's digest: stable, so a weekly job finds and updates it."""
    return _("Knowledge base digest: {owner}").format(owner=digest.owner)


def _code(text: str) -> str:
    """A code span that no text can close early (backticks become quotes)."""
    return "`" + one_line(text).replace("`", "'") + "`"


def _items(title: str, items: Sequence[DigestItem]) -> list[str]:
    if not items:
        return []
    lines = [f"### {title} ({len(items)})", ""]
    lines += [
        f"- [ ] **{md_cell(item.id)}** {md_cell(item.title)} ({_code(item.path)}):"
        f" {md_cell(item.detail)}"
        for item in items
    ]
    return [*lines, ""]


def digest_markdown(digest: OwnerDigest, today: date) -> str:
    """One owner's digest: a hidden marker line, a summary, then a checklist per reason."""
    lines = [
        f"<!-- {MARKER}: {md_cell(digest.owner)} -->",
        "## "
        + _("What needs {owner} in the knowledge base ({date})").format(
            owner=md_cell(digest.owner), date=today
        ),
        "",
        _(
            "**{overdue} overdue**, {due_soon} due soon, {flagged} flagged, {wip} work in"
            " progress too long, {gaps} search gaps, {archive} archive candidates."
        ).format(
            overdue=len(digest.overdue),
            due_soon=len(digest.due_soon),
            flagged=len(digest.flagged),
            wip=len(digest.wip_too_old),
            gaps=len(digest.gaps),
            archive=len(digest.archive),
        ),
        "",
    ]
    if digest.standing not in ("ok", "-"):
        lines += [
            "> "
            + _("Roster: {owner} is {standing}.").format(
                owner=md_cell(digest.owner), standing=md_cell(digest.standing)
            ),
            "",
        ]
    lines += _items(_("Flagged as wrong"), digest.flagged)
    lines += _items(_("Overdue or never reviewed"), digest.overdue)
    lines += _items(_("Due soon"), digest.due_soon)
    lines += _items(_("Work in progress too long"), digest.wip_too_old)
    if digest.gaps:
        lines += [
            "### "
            + _("Searches that missed your articles ({count})").format(count=len(digest.gaps)),
            "",
        ]
        lines += [
            "- [ ] "
            + ngettext(
                '"{query}" failed {count} time: {fix}',
                '"{query}" failed {count} times: {fix}',
                gap.failed,
            ).format(query=md_cell(gap.query), count=gap.failed, fix=md_cell(gap.suggestion.text))
            for gap in digest.gaps
        ]
        lines.append("")
    if digest.archive:
        lines += ["### " + _("Archive candidates ({count})").format(count=len(digest.archive)), ""]
        lines += [
            f"- [ ] **{md_cell(item.usage.article.id)}** {md_cell(item.usage.article.title)}:"
            f" {md_cell(item.reason)}"
            for item in digest.archive
        ]
        lines.append("")
    lines.append("_" + _("Written by `kbctl digest`; the next run replaces this text.") + "_")
    return "\n".join(lines) + "\n"


def digests_markdown(digests: Sequence[OwnerDigest], today: date) -> str:
    """Every owner's digest, separated by rules."""
    if not digests:
        return _("Nothing needs anyone in the knowledge base ({date}).").format(date=today) + "\n"
    return "\n---\n\n".join(digest_markdown(digest, today) for digest in digests)
