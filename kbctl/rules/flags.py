"""KB5xx: "flag it or fix it" — flags must not stay open for long."""

from __future__ import annotations

from collections.abc import Iterator

from kbctl.i18n import N_, _, ngettext
from kbctl.model import Article, Finding, Severity
from kbctl.policy.verdicts import old_flags
from kbctl.rules.registry import CheckContext, Rule, register


def _old_flags(article: Article, context: CheckContext) -> Iterator[Finding]:
    for flag, age in old_flags(article, context.today, int(context.params.get("max_days", 30))):
        if flag.by:
            message = ngettext(
                "flag open for {count} day (raised {date} by {by})",
                "flag open for {count} days (raised {date} by {by})",
                age,
            )
        else:
            message = ngettext(
                "flag open for {count} day (raised {date})",
                "flag open for {count} days (raised {date})",
                age,
            )
        message = message.format(count=age, date=flag.date, by=flag.by)
        if flag.reason:
            message = _("{message}: {reason}").format(message=message, reason=flag.reason)
        yield OLD_FLAG.finding(article, flag.line, message)


OLD_FLAG = register(
    Rule(
        id="KB501",
        name="flag-open-too-long",
        severity=Severity.WARNING,
        summary=N_(
            "Someone flagged the article as wrong more than `max_days` days ago and the flag is still there."
        ),
        why=N_(
            "A flag is a promise that the owner will look; an old one means agents keep using a known-wrong answer."
        ),
        fix=N_("Fix the article and remove the flag from `flags:` (or archive the article)."),
        configure=N_("`max_days`."),
        params={"max_days": 30},
        article_check=_old_flags,
        dated=True,
    )
)
