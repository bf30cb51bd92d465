"""Resolving an article's owners: front matter, else CODEOWNERS; teams expanded to members.

Owners come from the article's front matter (``owner``/``owners`` and the configured aliases,
already parsed into :attr:`Article.owners`). Where an article names none, the ``CODEOWNERS``
file decides (see :mod:`kbctl.ownership.codeowners`). Owners are handles (``@anna``,
``@org/team``) or e-mail addresses; the roster, when there is one, maps e-mails to handles and
teams to their members.

The two questions every command asks go through this module: :func:`effective_owners` (who
owns this article, and where that came from) and :func:`belongs_to` (does this article belong
to owner X). Everything here is pure except :func:`ownership_report`, :func:`load_ownership`
and :func:`load_ownership_facts`, which read the CODEOWNERS and roster files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from kbctl.config import Config
from kbctl.i18n import _
from kbctl.model import Article, Diagnostic
from kbctl.ownership.codeowners import CodeOwnersFile, load_codeowners
from kbctl.ownership.roster import Roster, load_roster, normalise_handle


class OwnerSource(StrEnum):
    """Where an article's owners came from."""

    FRONT_MATTER = "front-matter"
    CODEOWNERS = "codeowners"
    NONE = "none"


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
            return _("front matter (line {line})").format(line=self.line)
        if self.source == OwnerSource.CODEOWNERS:
            return f"{self.file or 'CODEOWNERS'}:{self.line} ({self.pattern})"
        return "none"


NO_OWNER = Ownership((), OwnerSource.NONE)


@dataclass(slots=True)
class OwnershipReport:
    """Owners of every article, and what went wrong reading CODEOWNERS."""

    ownership: dict[str, Ownership]
    diagnostics: list[Diagnostic] = field(default_factory=list)


def ownership_report(config: Config, articles: Sequence[Article]) -> OwnershipReport:
    """Owners of every article (front matter, else CODEOWNERS) and CODEOWNERS diagnostics."""
    codeowners: CodeOwnersFile | None = None
    diagnostics: list[Diagnostic] = []
    if any(not article.owners for article in articles):
        codeowners, diagnostics = load_codeowners(config)
    result: dict[str, Ownership] = {}
    for article in articles:
        result[article.path] = _from_front_matter(article) or _from_codeowners(codeowners, article)
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


def _from_front_matter(article: Article) -> Ownership | None:
    if not article.owners:
        return None
    return Ownership(article.owners, OwnerSource.FRONT_MATTER, article.line_of("owner"))


def _from_codeowners(codeowners: CodeOwnersFile | None, article: Article) -> Ownership:
    if codeowners is None:
        return NO_OWNER
    try:
        relative = article.abs_path.resolve().relative_to(codeowners.governs.resolve()).as_posix()
    except ValueError:
        return NO_OWNER
    found = codeowners.match(relative)
    if found is None:
        return NO_OWNER
    owners, line, pattern = found
    return Ownership(owners, OwnerSource.CODEOWNERS, line, codeowners.shown, pattern)


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


# --------------------------------------------------------------------------- the one answer


@dataclass(frozen=True, slots=True)
class OwnershipFacts:
    """Owners of every article (keyed by ``Article.path``), the roster, and what went wrong
    reading CODEOWNERS and the roster."""

    by_path: Mapping[str, Ownership] = field(default_factory=dict)
    roster: Roster | None = None
    diagnostics: tuple[Diagnostic, ...] = ()

    def of(self, article: Article) -> Ownership:
        """The article's effective owners (see :func:`effective_owners`)."""
        return effective_owners(article, self)

    def owns(self, who: str | Iterable[str], article: Article) -> bool:
        """Whether the article belongs to ``who`` (see :func:`belongs_to`)."""
        return belongs_to(article, who, self)


def load_ownership_facts(config: Config, articles: Sequence[Article]) -> OwnershipFacts:
    """Resolve the owners of ``articles`` and read the roster; problems become diagnostics."""
    ownership, roster, diagnostics = load_ownership(config, articles)
    return OwnershipFacts(ownership, roster, tuple(diagnostics))


def effective_owners(article: Article, facts: OwnershipFacts | None = None) -> Ownership:
    """Who owns ``article`` and where that came from: its front matter, else CODEOWNERS.

    ``facts`` holds the owners resolved for the base; an article it does not know (or no facts
    at all) falls back to the article's front-matter owners.
    """
    found = facts.by_path.get(article.path) if facts is not None else None
    if found is not None:
        return found
    return _from_front_matter(article) or NO_OWNER


def belongs_to(
    article: Article, who: str | Iterable[str], facts: OwnershipFacts | None = None
) -> bool:
    """Whether ``article`` belongs to the owner ``who`` (or to any of several).

    The one meaning of ``--owner``: the article's effective owners (front matter, else
    CODEOWNERS), teams expanded to their members (so a person gets their teams' articles), and
    ``who`` may be a handle (``@`` and case optional) or an e-mail the roster knows.
    """
    wanted = [who] if isinstance(who, str) else list(who)
    owners = effective_owners(article, facts).owners
    roster = facts.roster if facts is not None else None
    return any(owned_by(owners, name, roster) for name in wanted)


# --------------------------------------------------------------------------- for an index


def owner_keys(owners: Sequence[str], roster: Roster | None) -> frozenset[str]:
    """Every normalised name under which :func:`belongs_to` finds an article with these
    owners: each owner and team member (teams expanded), and their roster handles and e-mails.

    An index that stores these keys answers ``--owner WHO`` with the one term
    ``normalise_handle(WHO)``, the same answer :func:`belongs_to` gives.
    """
    keys: set[str] = set()
    for name in queue_owners(owners, roster):
        keys.add(normalise_handle(name))
        entry = roster.get(name) if roster is not None else None
        if entry is not None:
            keys.add(normalise_handle(entry.handle))
            if entry.email:
                keys.add(normalise_handle(entry.email))
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class OwnerFiles:
    """CODEOWNERS and the roster, read once, to resolve articles one at a time (an index
    parses articles one by one and cannot ask for the whole base's facts)."""

    codeowners: CodeOwnersFile | None
    roster: Roster | None

    def of(self, article: Article) -> Ownership:
        """The article's effective owners: front matter, else CODEOWNERS."""
        return _from_front_matter(article) or _from_codeowners(self.codeowners, article)

    def keys(self, article: Article) -> frozenset[str]:
        """The article's :func:`owner_keys`."""
        return owner_keys(self.of(article).owners, self.roster)


def load_owner_files(config: Config) -> OwnerFiles:
    """Read CODEOWNERS and the roster (problems are other commands' to report)."""
    codeowners, _problems = load_codeowners(config)
    roster, _roster_problems = load_roster(config)
    return OwnerFiles(codeowners, roster)


def owner_files_digest(config: Config) -> str:
    """A digest of the CODEOWNERS and roster files: what an index of owners depends on."""
    import hashlib

    from kbctl.ownership._files import UnusableFile, read_small_file
    from kbctl.ownership.codeowners import find_codeowners

    digest = hashlib.blake2b(digest_size=12)
    for path in (find_codeowners(config), config.roster):
        digest.update(b"\0" + (str(path).encode("utf-8", "surrogatepass") if path else b"-"))
        if path is None:
            continue
        try:
            digest.update(read_small_file(path, "owners"))
        except (OSError, UnusableFile):
            digest.update(b"unreadable")
    return digest.hexdigest()
