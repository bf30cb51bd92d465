"""Rule KB408: an article too similar to another one (off by default)."""

from __future__ import annotations

from collections.abc import Iterator

from kbctl.i18n import N_, _
from kbctl.model import Finding, Severity
from kbctl.rules.registry import CheckContext, Rule, register


def _near_duplicates(context: CheckContext) -> Iterator[Finding]:
    from kbctl.duplicates import find_duplicates_cached
    from kbctl.policy.reuse import reuse_counts

    percent = int(context.params.get("percent", 0))
    threshold = percent / 100 if percent else context.config.settings.duplicates.threshold
    groups = find_duplicates_cached(
        context.config,
        context.articles,
        live=context.articles,
        threshold=threshold,
        reuse=reuse_counts(context.articles),
        within=context.scope,
    )
    reported: set[tuple[str, str]] = set()
    for group in groups:
        for pair in group.pairs:
            # pair.first is the better keeper: flag the other one, unless only the keeper
            # is new in this run (--changed-since, PATHS): then the new one is the problem.
            if context.scope is not None and pair.second not in context.scope:
                mine, other = pair.first, pair.second
            else:
                mine, other = pair.second, pair.first
            if (mine, other) in reported:
                continue
            reported.add((mine, other))
            article, existing = context.by_path[mine], context.by_path[other]
            passages = pair.passages
            if passages:
                line = passages[0].line if mine == pair.first else passages[0].other_line
            else:
                line = article.body_line
            yield NEAR_DUPLICATE.finding(
                article,
                line,
                _("{similarity} like {id} ({path}), threshold {threshold}").format(
                    similarity=f"{pair.similarity:.0%}",
                    id=existing.id,
                    path=existing.path,
                    threshold=f"{threshold:.0%}",
                ),
            )


NEAR_DUPLICATE = register(
    Rule(
        id="KB408",
        name="near-duplicate",
        severity=Severity.WARNING,
        summary=N_("The article's body is too similar to another article's (near-duplicate)."),
        why=N_(
            "Two articles for one problem split reuse and drift apart; KCS merges them. In CI "
            "with `--changed-since`, it catches a pull request that captures a fix the base "
            "already has."
        ),
        fix=N_(
            "Merge it into the existing article (`kbctl duplicates` shows the shared "
            "passages and the one to keep), or make the difference clear."
        ),
        configure=N_(
            'off by default: turn it on with `KB408 = "warning"` in [check.rules]; '
            "`percent`: the share of word shingles shared (0: `[duplicates] threshold`)."
        ),
        params={"percent": 0},
        base_check=_near_duplicates,
        enabled_by_default=False,
    )
)
