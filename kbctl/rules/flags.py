"""KB5xx: "flag it or fix it" — flags must not stay open for long."""

from __future__ import annotations

from collections.abc import Iterator

from kbctl.model import Article, Finding, Severity
from kbctl.policy.verdicts import old_flags
from kbctl.rules.registry import CheckContext, Rule, register


def _old_flags(article: Article, context: CheckContext) -> Iterator[Finding]:
    for flag, age in old_flags(article, context.today, int(context.params.get("max_days", 30))):
        by = f" by {flag.by}" if flag.by else ""
        reason = f": {flag.reason}" if flag.reason else ""
        yield OLD_FLAG.finding(
            article, flag.line, f"flag open for {age} days (raised {flag.date}{by}){reason}"
        )


OLD_FLAG = register(
    Rule(
        id="KB501",
        name="flag-open-too-long",
        severity=Severity.WARNING,
        summary="Someone flagged the article as wrong more than `max_days` days ago and the flag is still there.",
        why="A flag is a promise that the owner will look; an old one means agents keep using a known-wrong answer.",
        fix="Fix the article and remove the flag from `flags:` (or archive the article).",
        configure="`max_days`.",
        params={"max_days": 30},
        article_check=_old_flags,
        dated=True,
    )
)
