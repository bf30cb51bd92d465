"""KB305: the front matter's "modified" date and git's last content change disagree."""

from __future__ import annotations

from collections.abc import Iterator

from kbctl.i18n import N_, ngettext
from kbctl.model import Article, Finding, Severity
from kbctl.policy.stale import date_disagreement, front_matter_modified
from kbctl.policy.verdicts import facts_of
from kbctl.rules.registry import CheckContext, Rule, register


def _disagrees(article: Article, context: CheckContext) -> Iterator[Finding]:
    settings = context.config.settings.history
    modified = front_matter_modified(article, settings.modified_keys)
    apart = date_disagreement(
        modified, facts_of(context.history, article), settings.disagreement_days
    )
    if apart is None or modified is None:
        return
    if apart.days > 0:
        message = ngettext(
            "`{key}: {front_matter}` but git's last content change is {git}"
            " ({count} day apart; git is newer)",
            "`{key}: {front_matter}` but git's last content change is {git}"
            " ({count} days apart; git is newer)",
            abs(apart.days),
        )
    else:
        message = ngettext(
            "`{key}: {front_matter}` but git's last content change is {git}"
            " ({count} day apart; the front matter is newer)",
            "`{key}: {front_matter}` but git's last content change is {git}"
            " ({count} days apart; the front matter is newer)",
            abs(apart.days),
        )
    yield MODIFIED_DISAGREES.finding(
        article,
        modified.line,
        message.format(
            key=modified.key, front_matter=apart.front_matter, git=apart.git, count=abs(apart.days)
        ),
    )


MODIFIED_DISAGREES = register(
    Rule(
        id="KB305",
        name="modified-date-disagrees",
        severity=Severity.WARNING,
        summary=N_(
            "The front matter's modified date (`[history] modified_keys`, e.g. `lastmod`) and the last content change in git are more than `[history] disagreement_days` apart."
        ),
        why=N_(
            "Readers and site generators show the front-matter date; when git says the text changed long after (or long before) it, the date on the page is wrong."
        ),
        fix=N_(
            "Set the modified key to the date of the last real change (or let the site generator take it from git); bulk sweeps can be ignored through ignore-revs."
        ),
        configure=N_(
            "Off by default; `kbctl init` turns it on when the base has a modified key. Keys: `[history] modified_keys`; span: `[history] disagreement_days` (default 365). Needs git history."
        ),
        article_check=_disagrees,
        needs_history=True,
        enabled_by_default=False,
    )
)
