"""CODEOWNERS: finding the file and reading it with GitHub's (or GitLab's) rules.

GitHub's rules: the last matching pattern wins, a pattern without owners makes paths unowned,
and ``!``, ``[ ]`` and ``\\#`` are not supported (such lines are skipped with a warning, as
GitHub skips lines it cannot read). A file with GitLab ``[Section]`` headers is read with
GitLab's rules instead: every matching section adds its owners.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Diagnostic, Severity
from kbctl.ownership._files import display_path, excerpt, read_owner_file

CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")

# A GitLab section header: [Name], ^[Name] (optional), [Name][2] (approvals), then owners.
_GITLAB_SECTION = re.compile(r"^\^?\[([^\]]+)\](?:\[\d+\])?(?:\s+(.*))?$")


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
    shown = display_path(path, config)
    if config.codeowners is None:
        # Found in the repository: a link there must not lead kbctl to read a file elsewhere.
        # (A configured path was checked when the configuration was read.)
        repository = find_git_root(config.root) or config.root
        if not path.resolve().is_relative_to(repository.resolve()):
            message = _("CODEOWNERS is a link to a file outside the repository; ignored")
            return None, [Diagnostic(shown, 1, message, Severity.ERROR, "codeowners")]
    text, problems = read_owner_file(path, "codeowners", "CODEOWNERS", shown)
    if text is None:
        return None, problems
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
                    _("line does not parse (control characters) {excerpt}; line ignored").format(
                        excerpt=excerpt(line)
                    ),
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
                    shown,
                    number,
                    _("{problem}; line ignored").format(problem=problem),
                    Severity.WARNING,
                    "codeowners",
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
                        _("{excerpt} is not an owner (@user, @org/team or e-mail): ignored").format(
                            excerpt=excerpt(token)
                        ),
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
        return _("'!' (negation) is not supported in CODEOWNERS")
    if pattern.startswith("\\#"):
        return _("escaping '#' with '\\' is not supported in CODEOWNERS")
    if "[" in pattern or "]" in pattern:
        return _("'[ ]' character ranges are not supported in CODEOWNERS")
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
