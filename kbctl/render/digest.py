"""Owners' digests as Markdown, ready to paste into an issue or a chat.

Every value from the base or a log goes through :func:`kbctl.render.usage.md_cell`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from kbctl.render.usage import md_cell
from kbctl.textsafe import one_line

if TYPE_CHECKING:
    from kbctl.report.digest import DigestItem, OwnerDigest

MARKER = "kbctl-digest"


def digest_title(digest: OwnerDigest) -> str:
    """The issue title of an owner's digest: stable, so a weekly job finds and updates it."""
    return f"Knowledge base digest: {digest.owner}"


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
        f"## What needs {md_cell(digest.owner)} in the knowledge base ({today})",
        "",
        f"**{len(digest.overdue)} overdue**, {len(digest.due_soon)} due soon,"
        f" {len(digest.flagged)} flagged, {len(digest.wip_too_old)} work in progress too long,"
        f" {len(digest.gaps)} search gaps, {len(digest.archive)} archive candidates.",
        "",
    ]
    if digest.standing not in ("ok", "-"):
        lines += [f"> Roster: {md_cell(digest.owner)} is {md_cell(digest.standing)}.", ""]
    lines += _items("Flagged as wrong", digest.flagged)
    lines += _items("Overdue or never reviewed", digest.overdue)
    lines += _items("Due soon", digest.due_soon)
    lines += _items("Work in progress too long", digest.wip_too_old)
    if digest.gaps:
        lines += [f"### Searches that missed your articles ({len(digest.gaps)})", ""]
        lines += [
            f'- [ ] "{md_cell(gap.query)}" failed {gap.failed} times:'
            f" {md_cell(gap.suggestion.text)}"
            for gap in digest.gaps
        ]
        lines.append("")
    if digest.archive:
        lines += [f"### Archive candidates ({len(digest.archive)})", ""]
        lines += [
            f"- [ ] **{md_cell(item.usage.article.id)}** {md_cell(item.usage.article.title)}:"
            f" {md_cell(item.reason)}"
            for item in digest.archive
        ]
        lines.append("")
    lines.append("_Written by `kbctl digest`; the next run replaces this text._")
    return "\n".join(lines) + "\n"


def digests_markdown(digests: Sequence[OwnerDigest], today: date) -> str:
    """Every owner's digest, separated by rules."""
    if not digests:
        return f"Nothing needs anyone in the knowledge base ({today}).\n"
    return "\n---\n\n".join(digest_markdown(digest, today) for digest in digests)
