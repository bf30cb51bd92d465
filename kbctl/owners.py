"""Who is in charge of each article: front matter, else CODEOWNERS; and the roster of people.

Owners come from the article's front matter (``owner``/``owners`` and the configured aliases,
already parsed into :attr:`Article.owners`). Where an article names none, the ``CODEOWNERS``
file decides, with GitHub's rules: the last matching pattern wins, a pattern without owners
makes paths unowned, and ``!``, ``[ ]`` and ``\\#`` are not supported (such lines are skipped
with a warning, as GitHub skips lines it cannot read). A file with GitLab ``[Section]``
headers is read with GitLab's rules instead: every matching section adds its owners.

The optional roster (YAML, ``roster = "..."`` in kbctl.toml) lists people and teams with an
``active`` flag, so that owners who do not exist or have left can be reported.

This module also builds the review workflow's views (per-owner counts, the review queue,
open flags). Everything here is pure except reading the CODEOWNERS and roster files.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date
from enum import StrEnum
from pathlib import Path
from typing import Any

from kbctl.config import Config
from kbctl.errors import NotFoundError
from kbctl.model import (
    EXTERNAL_AUDIENCES,
    Article,
    ArticleHistory,
    Diagnostic,
    Flag,
    LoadResult,
    Severity,
    Status,
)
from kbctl.policy.review import ReviewState, ReviewStatus, review_status
from kbctl.selection import normalise_handle, resolve_article
from kbctl.values import parse_interval

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
DEFAULT_WIP_MAX_AGE = 30

# A GitLab section header: [Name], ^[Name] (optional), [Name][2] (approvals), then owners.
_GITLAB_SECTION = re.compile(r"^\^?\[([^\]]+)\](?:\[\d+\])?(?:\s+(.*))?$")


class OwnerSource(StrEnum):
    """Where an article's owners came from."""

    FRONT_MATTER = "front-matter"
    CODEOWNERS = "codeowners"
    NONE = "none"


# --------------------------------------------------------------------------- roster


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
    shown = _display_path(path, config)
    try:
        text = _read_small_file(path, "roster").decode("utf-8-sig")
    except FileNotFoundError:
        return None, [Diagnostic(shown, 1, "roster file not found", Severity.WARNING, "roster")]
    except _Unusable as problem:
        return None, [Diagnostic(shown, 1, f"roster: {problem}", Severity.ERROR, "roster")]
    except OSError as error:
        message = f"cannot read roster: {error.strerror}"
        return None, [Diagnostic(shown, 1, message, Severity.ERROR, "roster")]
    except UnicodeDecodeError:
        message = "roster is not UTF-8; save it as UTF-8"
        return None, [Diagnostic(shown, 1, message, Severity.ERROR, "roster")]
    return parse_roster(text, shown, path)


# Roster and CODEOWNERS files are a few KB; anything larger is not what it claims to be.
MAX_CONFIG_FILE_BYTES = 1 << 20


class _Unusable(Exception):
    """A file named by the configuration that kbctl will not read (the message says why)."""


def _read_small_file(path: Path, key: str) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_CONFIG_FILE_BYTES`.

    ``stat`` comes before ``open`` (a FIFO would block, a device never ends), the open does
    not block, and no more than the cap is ever read. Raises :class:`_Unusable` naming the
    configuration key, or OSError.
    """
    import os
    import stat

    def check(info: os.stat_result) -> None:
        if not stat.S_ISREG(info.st_mode):
            raise _Unusable(f"'{key}' is not a regular file (a FIFO, device or folder); ignored")
        if info.st_size > MAX_CONFIG_FILE_BYTES:
            raise _Unusable(
                f"'{key}' is larger than {MAX_CONFIG_FILE_BYTES // 1024} KiB "
                f"({info.st_size} bytes); ignored"
            )

    check(path.stat())
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(handle, "rb") as stream:
        check(os.fstat(stream.fileno()))  # it may have been swapped since the stat
        data = stream.read(MAX_CONFIG_FILE_BYTES + 1)
    if len(data) > MAX_CONFIG_FILE_BYTES:
        raise _Unusable(f"'{key}' is larger than {MAX_CONFIG_FILE_BYTES // 1024} KiB; ignored")
    return data


def _excerpt(text: str, limit: int = 20) -> str:
    """A short, quoted, escaped excerpt of a value from a file: at most ``limit`` of its
    characters (about 40 once escaped), control and invisible characters escaped.

    Files named by the configuration may be anything (a secrets file, /proc/self/environ):
    what they hold is never echoed in full.
    """
    shown = []
    for char in text[:limit]:
        if char.isprintable() and char not in "'\\" and unicodedata.category(char) != "Cf":
            shown.append(char)
        else:
            shown.append(char.encode("unicode_escape").decode("ascii") if char != "'" else "\\'")
    escaped = "".join(shown)
    cut = len(text) > limit or len(escaped) > 40
    return "'" + escaped[:40] + ("…" if cut else "") + "'"


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
        report(mark.line + 1 if mark else 1, f"roster is not valid YAML: {error.problem}")
        return None, diagnostics
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as error:
        report(1, f"roster is not valid YAML: {error}")
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
            report(lines.get((section, None), 1), f"roster: '{section}' must be a list")
            continue
        for index, item in enumerate(items):
            line = lines.get((section, index), lines.get((section, None), 1))
            entry = _roster_entry(item, is_team, line, section, report)
            if entry is None:
                continue
            key = normalise_handle(entry.handle)
            if key in seen:
                report(line, f"roster: {entry.handle} is listed twice (first on line {seen[key]})")
                continue
            seen[key] = line
            entries.append(entry)
    unknown = [key for key in data if key not in ("people", "teams")]
    if unknown:
        report(1, f"roster: unknown section(s) {', '.join(map(str, unknown))}", Severity.WARNING)
    roster = Roster(entries, path, shown)
    for entry in entries:
        for member in entry.members:
            if roster.get(member) is None:
                report(
                    entry.line,
                    f"roster: team {entry.handle} lists {member}, who is not in the roster",
                    Severity.WARNING,
                )
    return roster, diagnostics


def _roster_entry(
    item: object, is_team: bool, line: int, section: str, report: Any
) -> RosterEntry | None:
    if isinstance(item, str):
        item = {"handle": item}
    if not isinstance(item, dict):
        report(line, f"roster: each entry of '{section}' must be a mapping with a handle")
        return None
    handle = item.get("handle")
    if not isinstance(handle, str) or not handle.strip():
        report(line, f"roster: an entry of '{section}' has no handle")
        return None
    active = item.get("active", True)
    if not isinstance(active, bool):
        report(line, f"roster: {handle}: 'active' must be true or false")
        active = True
    members_value = item.get("members") or []
    if isinstance(members_value, str):
        members_value = [part for part in members_value.split(",") if part.strip()]
    if not isinstance(members_value, list) or not all(isinstance(m, str) for m in members_value):
        report(line, f"roster: {handle}: 'members' must be a list of handles")
        members_value = []
    if members_value and not is_team:
        report(line, f"roster: {handle}: people have no members (is it a team?)", Severity.WARNING)
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


# --------------------------------------------------------------------------- CODEOWNERS


@dataclass(frozen=True, slots=True)
class Ownership:
    """Who owns an article and where that came from.

    ``source`` is "front-matter", "codeowners" or "none"; ``line`` is the front-matter line or
    the CODEOWNERS line. A CODEOWNERS line without owners ("explicitly unowned") gives
    ``source="codeowners"`` with empty ``owners`` and that line.
    """

    owners: tuple[str, ...]
    source: str
    line: int = 1
    file: str | None = None  # the CODEOWNERS file (display path) when source is "codeowners"
    pattern: str | None = None

    @property
    def describe(self) -> str:
        """Where the owners came from, for people: "front matter", "CODEOWNERS:12 (docs/*)"."""
        if self.source == OwnerSource.FRONT_MATTER:
            return f"front matter (line {self.line})"
        if self.source == OwnerSource.CODEOWNERS:
            return f"{self.file or 'CODEOWNERS'}:{self.line} ({self.pattern})"
        return "none"


_NO_OWNER = Ownership((), OwnerSource.NONE)


@dataclass(frozen=True, slots=True)
class _Section:
    name: str | None
    default_owners: tuple[str, ...]
    matcher: Any  # codeowners.CodeOwners


@dataclass(slots=True)
class CodeOwnersFile:
    """A parsed CODEOWNERS file and the folder its patterns are relative to."""

    path: Path
    governs: Path
    shown: str
    sections: list[_Section]
    gitlab: bool

    def match(self, relative: str) -> tuple[tuple[str, ...], int, str] | None:
        """Owners, line and pattern for a path relative to ``governs``; None when no line matches.

        GitHub: the last matching line wins. GitLab: each section's last matching line counts
        and the owners of every matching section are combined (line/pattern of the first).
        """
        owners: list[str] = []
        first: tuple[int, str] | None = None
        for section in self.sections:
            found, line, pattern, _name = section.matcher.matching_line(relative)
            if line is None:
                continue
            names = tuple(owner for _kind, owner in found) or section.default_owners
            if first is None:
                first = (line, pattern)
            owners.extend(name for name in names if name not in owners)
        if first is None:
            return None
        return tuple(owners), first[0], first[1]


@dataclass(slots=True)
class OwnershipReport:
    """Owners of every article, and what went wrong reading CODEOWNERS."""

    ownership: dict[str, Ownership]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def find_git_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` holding ``.git`` (folder or file), or None."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def find_codeowners(config: Config) -> Path | None:
    """The CODEOWNERS file to use: configured, else GitHub's locations at the base then git root."""
    if config.codeowners is not None:
        return config.codeowners
    roots = [config.root]
    git_root = find_git_root(config.root)
    if git_root is not None and git_root != config.root:
        roots.append(git_root)
    for root in roots:
        for location in CODEOWNERS_LOCATIONS:
            candidate = root / location
            if candidate.is_file():
                return candidate
    return None


def governed_folder(codeowners: Path) -> Path:
    """The folder a CODEOWNERS file's patterns are relative to (its repository root)."""
    parent = codeowners.parent
    if parent.name in (".github", "docs", ".gitlab"):
        return parent.parent
    return parent


def load_codeowners(config: Config) -> tuple[CodeOwnersFile | None, list[Diagnostic]]:
    """Find and parse the CODEOWNERS file; problems become diagnostics, never exceptions."""
    path = find_codeowners(config)
    if path is None:
        return None, []
    shown = _display_path(path, config)
    if config.codeowners is None:
        # Found in the repository: a link there must not lead kbctl to read a file elsewhere.
        # (A configured path was checked when the configuration was read.)
        repository = find_git_root(config.root) or config.root
        if not path.resolve().is_relative_to(repository.resolve()):
            message = "CODEOWNERS is a link to a file outside the repository; ignored"
            return None, [Diagnostic(shown, 1, message, Severity.ERROR, "codeowners")]
    try:
        text = _read_small_file(path, "codeowners").decode("utf-8-sig")
    except FileNotFoundError:
        return None, [
            Diagnostic(shown, 1, "CODEOWNERS file not found", Severity.WARNING, "codeowners")
        ]
    except _Unusable as problem:
        message = f"CODEOWNERS: {problem}"
        return None, [Diagnostic(shown, 1, message, Severity.ERROR, "codeowners")]
    except OSError as error:
        message = f"cannot read CODEOWNERS: {error.strerror}"
        return None, [Diagnostic(shown, 1, message, Severity.ERROR, "codeowners")]
    except UnicodeDecodeError:
        message = "CODEOWNERS is not UTF-8"
        return None, [Diagnostic(shown, 1, message, Severity.ERROR, "codeowners")]
    parsed, diagnostics = parse_codeowners(text, shown)
    return (
        CodeOwnersFile(path, governed_folder(path), shown, parsed[0], parsed[1]),
        diagnostics,
    )


def parse_codeowners(
    text: str, shown: str = "CODEOWNERS"
) -> tuple[tuple[list[_Section], bool], list[Diagnostic]]:
    """Parse CODEOWNERS text into sections (one for GitHub files) and diagnostics.

    Lines GitHub does not support are blanked (line numbers kept) and reported.
    """
    from codeowners import CodeOwners, parse_owner

    diagnostics: list[Diagnostic] = []
    lines = text.splitlines()
    gitlab = any(_is_gitlab_header(line.strip()) for line in lines)
    # Each section keeps the original line numbers: other lines become blank.
    sections: list[tuple[str | None, tuple[str, ...], list[str]]] = [(None, (), [""] * len(lines))]
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if any(unicodedata.category(char) == "Cc" and char != "\t" for char in line):
            diagnostics.append(
                Diagnostic(
                    shown,
                    number,
                    f"line does not parse (control characters) {_excerpt(line)}; line ignored",
                    Severity.WARNING,
                    "codeowners",
                )
            )
            continue
        if gitlab and (header := _GITLAB_SECTION.match(line)) and _is_gitlab_header(line):
            defaults = tuple((header.group(2) or "").split("#", 1)[0].split())
            sections.append((header.group(1).strip(), defaults, [""] * len(lines)))
            continue
        problem = _unsupported(line)
        if problem is not None:
            diagnostics.append(
                Diagnostic(
                    shown, number, f"{problem}; line ignored", Severity.WARNING, "codeowners"
                )
            )
            continue
        tokens = line.replace("\\ ", "\0").split()
        for token in tokens[1:]:
            if token.startswith("#"):
                break
            if parse_owner(token) is None:
                diagnostics.append(
                    Diagnostic(
                        shown,
                        number,
                        f"{_excerpt(token)} is not an owner (@user, @org/team or e-mail): ignored",
                        Severity.WARNING,
                        "codeowners",
                    )
                )
        sections[-1][2][number - 1] = _strip_inline_comment(raw)
    built: list[_Section] = []
    for name, defaults, section_lines in sections:
        if name is None and gitlab and not any(section_lines):
            continue
        try:
            matcher = CodeOwners("\n".join(section_lines))
        except ValueError as error:  # an unterminated [ in a pattern
            diagnostics.append(
                Diagnostic(shown, 1, f"CODEOWNERS: {error}", Severity.ERROR, "codeowners")
            )
            continue
        built.append(_Section(name, defaults, matcher))
    if gitlab:
        built = _merge_sections(built)
    return (built, gitlab), diagnostics


def _is_gitlab_header(line: str) -> bool:
    match = _GITLAB_SECTION.match(line)
    if match is None:
        return False
    rest = (match.group(2) or "").split("#", 1)[0].split()
    return all(token.startswith("@") or "@" in token for token in rest)


def _unsupported(line: str) -> str | None:
    """Why GitHub cannot use this pattern line, or None when it can."""
    pattern = line.split()[0]
    if pattern.startswith("!"):
        return "'!' (negation) is not supported in CODEOWNERS"
    if pattern.startswith("\\#"):
        return "escaping '#' with '\\' is not supported in CODEOWNERS"
    if "[" in pattern or "]" in pattern:
        return "'[ ]' character ranges are not supported in CODEOWNERS"
    return None


def _strip_inline_comment(line: str) -> str:
    # "docs/ @a # note": the library would read "#" and "note" as owners (and drop them);
    # cut the comment so only real owners remain.
    return re.split(r"\s#", line, maxsplit=1)[0]


def _merge_sections(sections: list[_Section]) -> list[_Section]:
    """GitLab combines sections with the same name (case-insensitive)."""
    from codeowners import CodeOwners

    merged: dict[str | None, _Section] = {}
    for section in sections:
        key = section.name.casefold() if section.name else None
        if key not in merged:
            merged[key] = section
            continue
        previous = merged[key]
        combined = CodeOwners("")
        combined.paths = section.matcher.paths + previous.matcher.paths
        merged[key] = _Section(
            previous.name, previous.default_owners or section.default_owners, combined
        )
    return list(merged.values())


def ownership_report(config: Config, articles: Sequence[Article]) -> OwnershipReport:
    """Owners of every article (front matter, else CODEOWNERS) and CODEOWNERS diagnostics."""
    codeowners: CodeOwnersFile | None = None
    diagnostics: list[Diagnostic] = []
    if any(not article.owners for article in articles):
        codeowners, diagnostics = load_codeowners(config)
    result: dict[str, Ownership] = {}
    for article in articles:
        if article.owners:
            result[article.path] = Ownership(
                article.owners, OwnerSource.FRONT_MATTER, article.line_of("owner")
            )
            continue
        result[article.path] = _from_codeowners(codeowners, article)
    return OwnershipReport(result, diagnostics)


def resolve_ownership(config: Config, articles: Sequence[Article]) -> dict[str, Ownership]:
    """Owners of every article keyed by ``Article.path``: front matter, else CODEOWNERS."""
    return ownership_report(config, articles).ownership


def load_ownership(
    config: Config, articles: Sequence[Article]
) -> tuple[dict[str, Ownership], Roster | None, list[Diagnostic]]:
    """Owners of every article, the roster, and what went wrong reading CODEOWNERS and roster."""
    report = ownership_report(config, articles)
    roster, roster_problems = load_roster(config)
    return report.ownership, roster, [*report.diagnostics, *roster_problems]


def _from_codeowners(codeowners: CodeOwnersFile | None, article: Article) -> Ownership:
    if codeowners is None:
        return _NO_OWNER
    try:
        relative = article.abs_path.resolve().relative_to(codeowners.governs.resolve()).as_posix()
    except ValueError:
        return _NO_OWNER
    found = codeowners.match(relative)
    if found is None:
        return _NO_OWNER
    owners, line, pattern = found
    return Ownership(owners, OwnerSource.CODEOWNERS, line, codeowners.shown, pattern)


def _display_path(path: Path, config: Config) -> str:
    for base in (config.config_dir, config.root):
        try:
            return path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


# --------------------------------------------------------------------------- owner standing


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


def queue_owners(owners: Sequence[str], roster: Roster | None) -> tuple[str, ...]:
    """Everyone whose queue an article with these owners is in (teams expanded), once each."""
    found: dict[str, str] = {}
    for owner in owners:
        for name in roster.expand(owner) if roster is not None else (owner,):
            found.setdefault(normalise_handle(name), name)
    return tuple(found.values())


def owned_by(owners: Sequence[str], who: str, roster: Roster | None) -> bool:
    """Whether ``who`` (a handle or a roster e-mail) is among the owners, teams expanded."""
    wanted = {normalise_handle(who)}
    if roster is not None and (entry := roster.get(who)) is not None:
        wanted.add(normalise_handle(entry.handle))
    return any(normalise_handle(name) in wanted for name in queue_owners(owners, roster))


# --------------------------------------------------------------------------- review workflow


class QueueReason(StrEnum):
    """Why an article is in the review queue, most harmful first."""

    FLAGGED = "flagged"
    OVERDUE = "overdue"
    NEVER_REVIEWED = "never reviewed"
    OWNER_MISSING = "validated, owner missing"
    WIP_TOO_OLD = "wip too old"
    DUE_SOON = "due soon"


_REASON_RANK = {reason: rank for rank, reason in enumerate(QueueReason)}


@dataclass(slots=True)
class QueueItem:
    """One article of the review queue."""

    article: Article
    ownership: Ownership
    review: ReviewStatus
    reasons: list[QueueReason]
    detail: list[str]

    @property
    def external(self) -> bool:
        """Customer- or public-facing: mistakes there hurt most."""
        return self.article.audience in EXTERNAL_AUDIENCES

    def rank(self) -> tuple[int, int, int, str]:
        """Sort key: worst reason, then external before internal, then most overdue."""
        worst = min(_REASON_RANK[reason] for reason in self.reasons)
        audience_rank = 0 if self.external else (1 if self.article.audience == "partner" else 2)
        overdue = self.review.days_overdue if self.review.days_overdue is not None else 0
        return worst, audience_rank, -overdue, self.article.id.casefold()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        article = self.article
        return {
            "id": article.id,
            "path": article.path,
            "title": article.title,
            "owners": list(self.ownership.owners),
            "owner_source": self.ownership.source,
            "status": article.status,
            "audience": article.audience,
            "reasons": [str(reason) for reason in self.reasons],
            "detail": self.detail,
            "review_state": self.review.state,
            "last_reviewed": article.last_reviewed,
            "due": self.review.due_date,
            "days_overdue": self.review.days_overdue,
            "open_flags": len(article.flags),
        }


def wip_max_age(config: Config) -> int:
    """Days a Work in Progress article may stay so: ``[review] wip_max_age`` (default 30d)."""
    value = config.section("review").get("wip_max_age", DEFAULT_WIP_MAX_AGE)
    try:
        return parse_interval(value) or DEFAULT_WIP_MAX_AGE
    except ValueError:
        return DEFAULT_WIP_MAX_AGE


def last_changed(history: Mapping[str, ArticleHistory] | None, article: Article) -> date | None:
    """The UTC date of the article's last content change, when git can be trusted for it."""
    from kbctl.policy.stale import usable_last_change

    return usable_last_change(history.get(article.path)) if history else None


def wip_started(article: Article, history: Mapping[str, ArticleHistory] | None) -> date | None:
    """When a Work in Progress article was started: ``created``, else its first commit.

    The first commit counts only when git can be trusted (committed, not a shallow cut).
    """
    if article.created is not None:
        return article.created
    facts = history.get(article.path) if history else None
    if facts is None or not facts.committed or not facts.reliable or facts.first_change is None:
        return None
    return facts.first_change.authored.astimezone(UTC).date()


def review_queue(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
    owner: str | None = None,
) -> list[QueueItem]:
    """The review queue, most harmful first. Pure.

    In the queue: open flags; overdue or never-reviewed articles; Validated articles without a
    live owner; Work in Progress older than ``[review] wip_max_age``; reviews due soon.
    ``owner`` limits it to one person's or team's articles (teams expanded to members);
    ``history`` (git facts by path) dates articles without a review date and WIP without
    ``created``.
    """
    max_wip = wip_max_age(config)
    items: list[QueueItem] = []
    for article in articles:
        if article.is_archived:
            continue
        owned = ownership.get(article.path) or _NO_OWNER
        if owner is not None and not owned_by(owned.owners, owner, roster):
            continue
        status = review_status(article, last_changed(history, article), config, today)
        reasons: list[QueueReason] = []
        detail: list[str] = []
        if article.flags:
            reasons.append(QueueReason.FLAGGED)
            detail.append(f"{len(article.flags)} open flag(s): {article.flags[-1].reason}")
        if status.state is ReviewState.OVERDUE:
            reasons.append(QueueReason.OVERDUE)
            detail.append(status.reason)
        elif status.state is ReviewState.NEVER:
            reasons.append(QueueReason.NEVER_REVIEWED)
            detail.append(status.reason)
        elif status.state is ReviewState.DUE_SOON:
            reasons.append(QueueReason.DUE_SOON)
            detail.append(status.reason)
        if article.status == Status.VALIDATED and not has_live_owner(owned.owners, roster):
            reasons.append(QueueReason.OWNER_MISSING)
            detail.append(_owner_problem(owned.owners, roster))
        started = wip_started(article, history) if article.status == Status.WIP else None
        if started is not None and (age := (today - started).days) > max_wip:
            reasons.append(QueueReason.WIP_TOO_OLD)
            detail.append(f"work in progress for {age}d (max {max_wip}d)")
        if reasons:
            items.append(QueueItem(article, owned, status, reasons, detail))
    items.sort(key=QueueItem.rank)
    return items


def _owner_problem(owners: Sequence[str], roster: Roster | None) -> str:
    if not owners:
        return "no owner"
    problems = [f"{name} {owner_standing(name, roster)}" for name in owners]
    return "owner gone: " + ", ".join(problems)


@dataclass(slots=True)
class OwnerRow:
    """Per-owner counts for ``kbctl owners``."""

    owner: str
    standing: OwnerStanding
    is_team: bool
    articles: int = 0
    due: int = 0
    overdue: int = 0
    flagged: int = 0
    oldest: date | None = None
    oldest_id: str | None = None
    paths: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "owner": self.owner,
            "roster": str(self.standing),
            "team": self.is_team,
            "articles": self.articles,
            "due": self.due,
            "overdue": self.overdue,
            "flagged": self.flagged,
            "oldest": self.oldest,
            "oldest_id": self.oldest_id,
        }


@dataclass(slots=True)
class OwnersSummary:
    """Everything ``kbctl owners`` shows."""

    owners: list[OwnerRow]
    ownerless: list[tuple[Article, Ownership]]
    roster_problems: list[OwnerRow]

    def ownerless_rows(self) -> list[dict[str, Any]]:
        """The ownerless articles as plain data (why: no owner, or an owner-less CODEOWNERS line)."""
        return [
            {
                "id": article.id,
                "path": article.path,
                "title": article.title,
                "status": article.status,
                "audience": article.audience,
                "why": (
                    "CODEOWNERS line without owners"
                    if owned.source == OwnerSource.CODEOWNERS
                    else "no owner"
                ),
                "source": owned.describe,
            }
            for article, owned in self.ownerless
        ]

    def as_dict(self, roster: Roster | None) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "roster": roster.shown if roster else None,
            "owners": [row.as_dict() for row in self.owners],
            "ownerless": self.ownerless_rows(),
            "roster_problems": [row.as_dict() for row in self.roster_problems],
        }


def owners_summary(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
) -> OwnersSummary:
    """Per owner (teams and each of their members): articles, due, overdue, flagged, oldest.

    Archived articles are left out. "due" counts reviews due within 30 days; "overdue" counts
    overdue ones and those never reviewed with no dated change. Pure.
    """
    rows: dict[str, OwnerRow] = {}
    ownerless: list[tuple[Article, Ownership]] = []
    for article in articles:
        if article.is_archived:
            continue
        owned = ownership.get(article.path) or _NO_OWNER
        if not owned.owners:
            ownerless.append((article, owned))
            continue
        status = review_status(article, last_changed(history, article), config, today)
        for name in queue_owners(owned.owners, roster):
            key = normalise_handle(name)
            entry = roster.get(name) if roster is not None else None
            row = rows.get(key)
            if row is None:
                row = rows[key] = OwnerRow(
                    name,
                    owner_standing(name, roster),
                    bool(entry and (entry.is_team or entry.members)),
                )
            row.articles += 1
            row.paths.append(article.path)
            if status.state is ReviewState.DUE_SOON:
                row.due += 1
            elif status.state in (ReviewState.OVERDUE, ReviewState.NEVER):
                row.overdue += 1
            if article.flags:
                row.flagged += 1
            if status.basis_date is not None and (
                row.oldest is None or status.basis_date < row.oldest
            ):
                row.oldest, row.oldest_id = status.basis_date, article.id
    ordered = sorted(
        rows.values(), key=lambda row: (-row.overdue, -row.due, normalise_handle(row.owner))
    )
    problems = [
        row for row in ordered if row.standing in (OwnerStanding.INACTIVE, OwnerStanding.UNKNOWN)
    ]
    ownerless.sort(key=lambda pair: pair[0].path)
    return OwnersSummary(ordered, ownerless, problems)


@dataclass(frozen=True, slots=True)
class OpenFlag:
    """One open flag and its article."""

    article: Article
    flag: Flag
    owners: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {
            "id": self.article.id,
            "path": self.article.path,
            "line": self.flag.line,
            "title": self.article.title,
            "owners": list(self.owners),
            "by": self.flag.by,
            "date": self.flag.date,
            "reason": self.flag.reason,
        }


def open_flags(articles: Sequence[Article], ownership: Mapping[str, Ownership]) -> list[OpenFlag]:
    """Every open flag of the base, oldest first (undated last)."""
    found = [
        OpenFlag(article, flag, (ownership.get(article.path) or _NO_OWNER).owners)
        for article in articles
        for flag in article.flags
    ]
    found.sort(
        key=lambda item: (item.flag.date is None, item.flag.date or date.min, item.article.path)
    )
    return found


# --------------------------------------------------------------------------- recording reviews and flags


def due_for_review(
    articles: Sequence[Article],
    ownership: Mapping[str, Ownership],
    roster: Roster | None,
    config: Config,
    today: date,
    *,
    history: Mapping[str, ArticleHistory] | None = None,
    owner: str | None = None,
) -> list[Article]:
    """Articles due, overdue or never reviewed on ``today`` (of ``owner`` when given), in
    review-queue order. Pure."""
    due = (ReviewState.OVERDUE, ReviewState.DUE_SOON, ReviewState.NEVER)
    queue = review_queue(articles, ownership, roster, config, today, history=history, owner=owner)
    return [item.article for item in queue if item.review.state in due]


def articles_to_edit(base: LoadResult, keys: Sequence[str], config: Config) -> list[Article]:
    """Articles for ``ID|PATH`` arguments, each once; raises NotFoundError naming every miss.

    A file of the base the loader skipped (broken front matter) is returned as a bare article,
    so that the editor refuses it with the precise reason rather than "no such article".
    """
    found: list[Article] = []
    missing: list[str] = []
    for key in keys:
        article = resolve_article(base, key, config) or _unloadable_file(key, config)
        if article is None:
            missing.append(key)
        elif article not in found:
            found.append(article)
    if missing:
        raise NotFoundError(
            f"no article with id or path {', '.join(map(repr, missing))}",
            hint="see `kbctl list` for ids and paths (files with broken front matter are skipped)",
        )
    return found


def _unloadable_file(key: str, config: Config) -> Article | None:
    from kbctl.articles import relative_path

    root = config.root.resolve()
    for candidate in (Path(key).expanduser(), config.root / key):
        if candidate.is_file():
            path = candidate.resolve()
            if not path.is_relative_to(root):
                return None
            relative = relative_path(path, root)
            return Article(id=relative, path=relative, abs_path=path, title=relative, body="")
    return None


def front_matter_key(article: Article, field_name: str, config: Config) -> str:
    """The key to write a field to: the one the article already uses, else the first configured."""
    keys = config.fields.get(field_name) or [field_name]
    return next((key for key in keys if key in article.meta), keys[0])


def review_updates(
    article: Article,
    config: Config,
    *,
    on: date,
    by: str,
    status: str | None = None,
    clear_flags: bool = False,
) -> dict[str, object | None]:
    """The front-matter edit that records a review (None deletes a key).

    The date is written the way the article wrote the old one (``04/21/2020`` stays US-style).
    """
    reviewed_key = front_matter_key(article, "last_reviewed", config)
    updates: dict[str, object | None] = {
        reviewed_key: _date_like(article.meta.get(reviewed_key), on),
        front_matter_key(article, "reviewed_by", config): by,
    }
    if status is not None:
        updates[front_matter_key(article, "status", config)] = status
    if clear_flags:
        updates[front_matter_key(article, "flags", config)] = None
    return updates


def flag_updates(
    article: Article, config: Config, *, on: date, by: str, reason: str
) -> dict[str, object | None]:
    """The front-matter edit that appends a flag (who, when, why) to the article's flags."""
    key = front_matter_key(article, "flags", config)
    existing = article.meta.get(key)
    if existing is None:
        current: list[object] = []
    elif isinstance(existing, list):
        current = list(existing)
    else:
        current = [existing]
    current.append({"by": by, "date": on, "reason": " ".join(reason.split())})
    return {key: current}


def _date_like(previous: object, new: date) -> object:
    if isinstance(previous, str):
        text = previous.strip()
        if text.count("/") == 2:
            return f"{new.month:02d}/{new.day:02d}/{new.year}"
        if text.count(".") == 2 and text[:4].count(".") == 1:
            return f"{new.day:02d}.{new.month:02d}.{new.year}"
    return new
