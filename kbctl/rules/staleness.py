"""KB3xx: reviews on time, reviews after changes, drafts that never finish."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from kbctl.i18n import N_, _, ngettext
from kbctl.model import Article, ArticleHistory, Finding, Severity
from kbctl.policy.review import ReviewState, review_status
from kbctl.policy.verdicts import (
    changed_since_review,
    facts_of,
    trusted_last_change,
    wip_too_old,
)
from kbctl.rules.registry import CheckContext, Rule, register


def _facts(article: Article, context: CheckContext) -> ArticleHistory | None:
    return facts_of(context.history, article)


def last_changed(article: Article, context: CheckContext) -> date | None:
    """The UTC date of the article's last content change, from git (when it can be trusted)."""
    return trusted_last_change(_facts(article, context))


def _soon_days(context: CheckContext) -> int:
    return int(context.params.get("days", 30))


def _overdue(article: Article, context: CheckContext) -> Iterator[Finding]:
    status = review_status(article, last_changed(article, context), context.config, context.today)
    if status.state is ReviewState.OVERDUE:
        yield OVERDUE.finding(
            article,
            article.line_of("last_reviewed"),
            _("review overdue: {reason}").format(reason=status.reason),
        )


OVERDUE = register(
    Rule(
        id="KB301",
        name="review-overdue",
        severity=Severity.ERROR,
        summary=N_(
            "The article's review date plus its review interval is in the past (without a review date, its last change in git counts)."
        ),
        why=N_(
            "KCS weeds out the outdated: an unreviewed article keeps giving answers that were true once."
        ),
        fix=N_(
            "Check the article and run `kbctl review mark ID` (sets `last_reviewed` to today), or archive it."
        ),
        configure=N_(
            "Intervals come from `review_interval` (article), `[review_interval_by_path]`, `[review_interval_by_tag]` and `review_interval` in kbctl.toml."
        ),
        article_check=_overdue,
        dated=True,
    )
)


def _due_soon(article: Article, context: CheckContext) -> Iterator[Finding]:
    days = _soon_days(context)
    status = review_status(
        article, last_changed(article, context), context.config, context.today, days
    )
    if status.state is ReviewState.DUE_SOON:
        yield DUE_SOON.finding(
            article,
            article.line_of("last_reviewed"),
            _("review due soon: {reason}").format(reason=status.reason),
        )


DUE_SOON = register(
    Rule(
        id="KB302",
        name="review-due-soon",
        severity=Severity.WARNING,
        summary=N_("The article's review falls due within the next `days` days."),
        why=N_(
            "A warning before the deadline lets owners plan reviews instead of fixing a red build."
        ),
        fix=N_("Review the article before the due date (`kbctl review mark ID`)."),
        configure=N_("`days`."),
        params={"days": 30},
        article_check=_due_soon,
        dated=True,
    )
)


def _changed_since_review(article: Article, context: CheckContext) -> Iterator[Finding]:
    change = changed_since_review(article, _facts(article, context))
    if change is None:
        return
    yield CHANGED_SINCE_REVIEW.finding(
        article,
        article.line_of("last_reviewed"),
        _("changed on {date} (commit {commit}) after its last review on {reviewed}").format(
            date=last_changed(article, context),
            commit=change.commit[:10],
            reviewed=article.last_reviewed,
        ),
    )


CHANGED_SINCE_REVIEW = register(
    Rule(
        id="KB303",
        name="changed-since-review",
        severity=Severity.WARNING,
        summary=N_("The content changed in git after the article's `last_reviewed` date."),
        why=N_(
            "Someone vouched for the old text, not for the new one; changed content needs a fresh pair of eyes."
        ),
        fix=N_(
            "Review the change and run `kbctl review mark ID`. Bulk mechanical commits can be ignored through the history settings (ignore-revs file)."
        ),
        configure=N_(
            "Needs git history; skipped with `--no-history` and for shallow clones (fetch the full history)."
        ),
        article_check=_changed_since_review,
        needs_history=True,
    )
)


def _wip_too_old(article: Article, context: CheckContext) -> Iterator[Finding]:
    verdict = wip_too_old(article, _facts(article, context), context.config, context.today)
    if verdict is not None:
        yield WIP_TOO_OLD.finding(
            article,
            article.line_of("status"),
            ngettext(
                "work in progress for {count} day (since {started}; limit {limit})",
                "work in progress for {count} days (since {started}; limit {limit})",
                verdict.age,
            ).format(count=verdict.age, started=verdict.started, limit=verdict.limit),
        )


WIP_TOO_OLD = register(
    Rule(
        id="KB304",
        name="wip-too-old",
        severity=Severity.WARNING,
        summary=N_(
            "The article has been Work in Progress for longer than `[review] wip_max_age` (counted from `created`, else its first commit)."
        ),
        why=N_(
            "A draft that never finishes is either needed (finish it) or not (drop it); KCS keeps WIP short."
        ),
        fix=N_(
            "Finish and validate the article (`status: not_validated` or `validated`), or archive it."
        ),
        configure=N_(
            "`wip_max_age` in `[review]` (default 30 days), the one WIP limit, which the review queue uses too. The old `max_days` of this rule is a deprecated alias of it (refused per path and when it contradicts `wip_max_age`)."
        ),
        # Accepted only as the deprecated alias of [review] wip_max_age (mapped when kbctl.toml
        # is loaded); the rule itself reads the one setting.
        params={"max_days": None},
        article_check=_wip_too_old,
        dated=True,
    )
)
