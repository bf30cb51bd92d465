"""KB2xx: every article has an owner, and the owner still exists."""

from __future__ import annotations

from collections.abc import Iterator

from kbctl.i18n import N_, _
from kbctl.model import Article, Finding, Severity
from kbctl.ownership import Ownership, OwnerSource, OwnerStanding
from kbctl.policy.verdicts import owner_missing, owner_standings, ownership_of
from kbctl.rules.registry import CheckContext, Rule, register


def _ownership(article: Article, context: CheckContext) -> Ownership:
    """The article's effective owners, as the review queue and ``kbctl owners`` see them."""
    return ownership_of(article, context.ownership, context.roster)


def _owner_missing(article: Article, context: CheckContext) -> Iterator[Finding]:
    owned = _ownership(article, context)
    missing = owner_missing(owned, context.roster)
    if missing is None:
        return
    line = article.line_of("owner") if owned.source == OwnerSource.FRONT_MATTER else 1
    yield OWNER_MISSING.finding(article, line, missing.reason)


OWNER_MISSING = register(
    Rule(
        id="KB201",
        name="owner-missing",
        severity=Severity.ERROR,
        summary=N_(
            "Nobody can answer for the article: no `owner` in the front matter and no matching CODEOWNERS line, or every owner named is inactive or not in the roster."
        ),
        why=N_(
            "An article without an owner is never reviewed and never fixed; KCS names who is in charge of every article."
        ),
        fix=N_(
            'Add `owner: "@team-or-person"` to the front matter, or a CODEOWNERS pattern that covers the file; replace owners who left with active ones.'
        ),
        configure=N_(
            "The same verdict as the review queue's `owner missing` and `kbctl owners --missing`. Without a roster, any named owner counts as live."
        ),
        article_check=_owner_missing,
    )
)


def _standings(
    article: Article, context: CheckContext
) -> Iterator[tuple[str, OwnerStanding, int | None, int]]:
    """(owner, roster standing, where the owner came from, line) for each owner of the article."""
    if context.roster is None:
        return
    owned = _ownership(article, context)
    from_codeowners = owned.source == OwnerSource.CODEOWNERS
    where = owned.line if from_codeowners else None
    line = 1 if from_codeowners else article.line_of("owner")
    for owner, standing in owner_standings(owned, context.roster):
        yield owner, standing, where, line


def _owner_unknown(article: Article, context: CheckContext) -> Iterator[Finding]:
    for owner, standing, where, line in _standings(article, context):
        if standing is OwnerStanding.UNKNOWN:
            if where is None:
                message = _("owner {owner} is not in the roster").format(owner=owner)
            else:
                message = _("owner {owner} is not in the roster (from CODEOWNERS line {line})")
                message = message.format(owner=owner, line=where)
            yield OWNER_UNKNOWN.finding(article, line, message)


OWNER_UNKNOWN = register(
    Rule(
        id="KB202",
        name="owner-not-in-roster",
        severity=Severity.WARNING,
        summary=N_(
            "An owner is not a person or team of the roster (the file named by `roster` in kbctl.toml)."
        ),
        why=N_(
            "A misspelt handle or someone who was never on the team means nobody is really responsible."
        ),
        fix=N_("Correct the handle, or add the person or team to the roster."),
        configure=N_(
            'Set `roster = "owners.yaml"` in kbctl.toml; without a roster the rule does nothing.'
        ),
        article_check=_owner_unknown,
    )
)


def _owner_inactive(article: Article, context: CheckContext) -> Iterator[Finding]:
    for owner, standing, where, line in _standings(article, context):
        if standing is OwnerStanding.INACTIVE:
            if where is None:
                message = _("owner {owner} is inactive (left the team)").format(owner=owner)
            else:
                message = _(
                    "owner {owner} is inactive (left the team) (from CODEOWNERS line {line})"
                ).format(owner=owner, line=where)
            yield OWNER_INACTIVE.finding(article, line, message)


OWNER_INACTIVE = register(
    Rule(
        id="KB203",
        name="owner-inactive",
        severity=Severity.WARNING,
        summary=N_("An owner is marked inactive in the roster (they left or moved on)."),
        why=N_("Owners leave; their articles silently become ownerless."),
        fix=N_(
            "Hand the article to someone active (`owner:` or CODEOWNERS) — `kbctl owners` lists the orphans."
        ),
        configure=N_(
            "Mark people `active: false` in the roster instead of deleting them, so this rule can find their articles."
        ),
        article_check=_owner_inactive,
    )
)
