"""The roster: people and teams with an ``active`` flag, and what it says about an owner.

The optional roster (YAML, ``roster = "..."`` in kbctl.toml) lists people and teams, so that
owners who do not exist or have left can be reported. Reading it never raises: problems
become diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from kbctl.config import Config
from kbctl.i18n import _, ngettext
from kbctl.model import Diagnostic, Severity
from kbctl.ownership._files import display_path, read_owner_file


def normalise_handle(handle: str) -> str:
    """Compare owner handles without case or a leading ``@``."""
    return handle.strip().lstrip("@").casefold()


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """A person or a team of the roster. ``members`` is set for teams only."""

    handle: str
    name: str | None
    email: str | None
    active: bool
    members: tuple[str, ...] = ()
    is_team: bool = False
    line: int = 1


class Roster:
    """The known people and teams, looked up by handle (case-insensitive, ``@`` optional)."""

    def __init__(
        self, entries: Iterable[RosterEntry], path: Path | None = None, shown: str | None = None
    ) -> None:
        self.path = path
        self.shown = shown or (path.as_posix() if path else None)
        self.entries: tuple[RosterEntry, ...] = tuple(entries)
        self._by_key: dict[str, RosterEntry] = {}
        for entry in self.entries:
            self._by_key.setdefault(normalise_handle(entry.handle), entry)
        for entry in self.entries:
            if entry.email:
                self._by_key.setdefault(normalise_handle(entry.email), entry)

    def get(self, handle: str) -> RosterEntry | None:
        """The entry for a handle or an e-mail address, or None when unknown."""
        return self._by_key.get(normalise_handle(handle))

    def expand(self, handle: str) -> tuple[str, ...]:
        """A team -> itself and its members (nested teams too); anyone else -> itself."""
        found: list[str] = []
        seen: set[str] = set()

        def visit(name: str) -> None:
            entry = self.get(name)
            shown = entry.handle if entry is not None else name
            key = normalise_handle(shown)
            if key in seen:
                return
            seen.add(key)
            found.append(shown)
            if entry is not None:
                for member in entry.members:
                    visit(member)

        visit(handle)
        return tuple(found)


def load_roster(config: Config) -> tuple[Roster | None, list[Diagnostic]]:
    """Read the roster named by ``roster`` in the config; None when there is none or it is unusable.

    Problems (missing file, bad YAML, bad entries) become diagnostics; they never raise.
    """
    if config.roster is None:
        return None, []
    path = config.roster
    shown = display_path(path, config)
    text, problems = read_owner_file(path, "roster", "roster", shown)
    if text is None:
        return None, problems
    return parse_roster(text, shown, path)


def parse_roster(
    text: str, shown: str, path: Path | None = None
) -> tuple[Roster | None, list[Diagnostic]]:
    """Parse roster YAML text (``people:`` and ``teams:`` lists). Pure; never raises."""
    import yaml

    diagnostics: list[Diagnostic] = []

    def report(line: int, message: str, severity: Severity = Severity.ERROR) -> None:
        diagnostics.append(Diagnostic(shown, line, message, severity, "roster"))

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        report(
            mark.line + 1 if mark else 1,
            _("roster is not valid YAML: {error}").format(error=error.problem),
        )
        return None, diagnostics
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        report(1, _("roster is not valid YAML: {error}").format(error=error))
        return None, diagnostics
    if data is None:
        return Roster([], path, shown), diagnostics
    if not isinstance(data, dict):
        report(1, "roster must be a mapping with 'people' and 'teams' lists")
        return None, diagnostics
    lines = _item_lines(root)
    entries: list[RosterEntry] = []
    seen: dict[str, int] = {}
    for section, is_team in (("people", False), ("teams", True)):
        items = data.get(section) or []
        if isinstance(items, dict):  # handle: {name: ..., ...} is accepted too
            items = [
                {"handle": key, **(value if isinstance(value, dict) else {})}
                for key, value in items.items()
            ]
        if not isinstance(items, list):
            report(
                lines.get((section, None), 1),
                _("roster: '{section}' must be a list").format(section=section),
            )
            continue
        for index, item in enumerate(items):
            line = lines.get((section, index), lines.get((section, None), 1))
            entry = _roster_entry(item, is_team, line, section, report)
            if entry is None:
                continue
            key = normalise_handle(entry.handle)
            if key in seen:
                report(
                    line,
                    _("roster: {handle} is listed twice (first on line {line})").format(
                        handle=entry.handle, line=seen[key]
                    ),
                )
                continue
            seen[key] = line
            entries.append(entry)
    unknown = [key for key in data if key not in ("people", "teams")]
    if unknown:
        report(
            1,
            ngettext(
                "roster: unknown section {sections}",
                "roster: unknown sections {sections}",
                len(unknown),
            ).format(sections=", ".join(map(str, unknown))),
            Severity.WARNING,
        )
    roster = Roster(entries, path, shown)
    for entry in entries:
        for member in entry.members:
            if roster.get(member) is None:
                report(
                    entry.line,
                    _("roster: team {team} lists {member}, who is not in the roster").format(
                        team=entry.handle, member=member
                    ),
                    Severity.WARNING,
                )
    return roster, diagnostics


def _roster_entry(
    item: object, is_team: bool, line: int, section: str, report: Any
) -> RosterEntry | None:
    if isinstance(item, str):
        item = {"handle": item}
    if not isinstance(item, dict):
        report(
            line,
            _("roster: each entry of '{section}' must be a mapping with a handle").format(
                section=section
            ),
        )
        return None
    handle = item.get("handle")
    if not isinstance(handle, str) or not handle.strip():
        report(line, _("roster: an entry of '{section}' has no handle").format(section=section))
        return None
    active = item.get("active", True)
    if not isinstance(active, bool):
        report(line, _("roster: {handle}: 'active' must be true or false").format(handle=handle))
        active = True
    members_value = item.get("members") or []
    if isinstance(members_value, str):
        members_value = [part for part in members_value.split(",") if part.strip()]
    if not isinstance(members_value, list) or not all(isinstance(m, str) for m in members_value):
        report(
            line, _("roster: {handle}: 'members' must be a list of handles").format(handle=handle)
        )
        members_value = []
    if members_value and not is_team:
        report(
            line,
            _("roster: {handle}: people have no members (is it a team?)").format(handle=handle),
            Severity.WARNING,
        )
    name, email = item.get("name"), item.get("email")
    return RosterEntry(
        handle=handle.strip(),
        name=str(name) if name is not None else None,
        email=str(email).strip() if email else None,
        active=active,
        members=tuple(member.strip() for member in members_value) if is_team else (),
        is_team=is_team,
        line=line,
    )


def _item_lines(root: Any) -> dict[tuple[str, int | None], int]:
    """Lines of ``people``/``teams`` keys and their items, from a composed YAML node."""
    import yaml

    lines: dict[tuple[str, int | None], int] = {}
    if not isinstance(root, yaml.MappingNode):
        return lines
    for key_node, value_node in root.value:
        section = str(key_node.value)
        lines[(section, None)] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.SequenceNode):
            for index, item in enumerate(value_node.value):
                lines[(section, index)] = item.start_mark.line + 1
        elif isinstance(value_node, yaml.MappingNode):
            for index, (item_key, _item) in enumerate(value_node.value):
                lines[(section, index)] = item_key.start_mark.line + 1
    return lines


class OwnerStanding(StrEnum):
    """What the roster says about an owner."""

    OK = "ok"
    INACTIVE = "inactive"
    UNKNOWN = "not in roster"
    NO_ROSTER = "-"


def owner_standing(owner: str, roster: Roster | None) -> OwnerStanding:
    """Whether ``owner`` is an active person/team of the roster."""
    if roster is None:
        return OwnerStanding.NO_ROSTER
    entry = roster.get(owner)
    if entry is None:
        return OwnerStanding.UNKNOWN
    return OwnerStanding.OK if entry.active else OwnerStanding.INACTIVE


def has_live_owner(owners: Sequence[str], roster: Roster | None) -> bool:
    """True when at least one owner is usable: any owner without a roster, else an active one."""
    if not owners:
        return False
    if roster is None:
        return True
    return any(owner_standing(owner, roster) is OwnerStanding.OK for owner in owners)
