"""Who is in charge of each article: the roster, CODEOWNERS, and resolving an article's owners.

Everything other modules use is importable from here.
"""

from kbctl.ownership.codeowners import (
    CODEOWNERS_LOCATIONS,
    CodeOwnersFile,
    find_codeowners,
    find_git_root,
    governed_folder,
    load_codeowners,
    parse_codeowners,
)
from kbctl.ownership.resolve import (
    NO_OWNER,
    Ownership,
    OwnershipFacts,
    OwnershipReport,
    OwnerSource,
    belongs_to,
    effective_owners,
    load_ownership,
    load_ownership_facts,
    owned_by,
    ownership_report,
    queue_owners,
    resolve_ownership,
)
from kbctl.ownership.roster import (
    OwnerStanding,
    Roster,
    RosterEntry,
    has_live_owner,
    load_roster,
    normalise_handle,
    owner_standing,
    parse_roster,
)

__all__ = [
    "CODEOWNERS_LOCATIONS",
    "NO_OWNER",
    "CodeOwnersFile",
    "OwnerSource",
    "OwnerStanding",
    "Ownership",
    "OwnershipFacts",
    "OwnershipReport",
    "Roster",
    "RosterEntry",
    "belongs_to",
    "effective_owners",
    "find_codeowners",
    "find_git_root",
    "governed_folder",
    "has_live_owner",
    "load_codeowners",
    "load_ownership",
    "load_ownership_facts",
    "load_roster",
    "normalise_handle",
    "owned_by",
    "owner_standing",
    "ownership_report",
    "parse_codeowners",
    "parse_roster",
    "queue_owners",
    "resolve_ownership",
]
