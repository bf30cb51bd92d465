"""The JSON vocabulary: every command's JSON records are built here, and only here.

The same fact has the same name in every command (see the README, "JSON output"):

- ``path``: the file as kbctl prints it everywhere (the path contract of
  :mod:`kbctl.render.paths`): relative to the current folder when the file is under it, else
  absolute; ``base_path``: the same file relative to the base root (POSIX).
- ``line``: the 1-based line of ``path`` that the record points at, for ``$EDITOR +LINE``:
  where the body starts (list, show), the best passage (search), the ``flags`` key (flags),
  the place of the finding (check).
- ``status``: the KCS lifecycle status; ``review_state``: where the article stands against its
  review interval (ok, due_soon, overdue, never, archived).
- ``owners``: the effective owners (front matter, else CODEOWNERS), teams not expanded;
  ``owner_source``: where they came from (front-matter, codeowners, none).
- ``flags``: always a list of ``{by, date, reason}``.
- ``last_reviewed``: the front-matter review date; ``last_changed``: the author date (with
  offset) of the last content change in git.

Every top-level object, and every item of a top-level list, carries ``schema_version``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from kbctl.model import Article, ArticleHistory, Finding, Flag, Hit
from kbctl.render.paths import PathView, article_root, shown_path

if TYPE_CHECKING:  # `kbctl search` writes hit records only: it does not load these
    from datetime import date

    from kbctl.duplicates import DuplicateGroup
    from kbctl.history import ArticleLog, SkippedCommit
    from kbctl.ownership import Ownership, Roster
    from kbctl.policy.archive import ArticleUsage, UsageSummary
    from kbctl.policy.queue import OpenFlag, OwnedArticle, OwnerRow, OwnersSummary, QueueItem
    from kbctl.policy.review import ReviewStatus
    from kbctl.policy.stale import StaleItem
    from kbctl.report.digest import DigestItem, OwnerDigest
    from kbctl.report.model import ArticleLine, Count, Report
    from kbctl.search.explain import Explanation
    from kbctl.usage.gaps import Gap, UsageFacts

SCHEMA_VERSION = 2

Record = dict[str, Any]


def _versioned(record: Record) -> Record:
    return {"schema_version": SCHEMA_VERSION, **record}


def _paths(article: Article) -> Record:
    """``path`` (as printed) and ``base_path`` (relative to the base root) of an article."""
    return {"path": shown_path(article.abs_path), "base_path": article.path}


def flag_records(flags: Iterable[Flag]) -> list[Record]:
    """Open flags as ``{by, date, reason}``."""
    return [{"by": flag.by, "date": flag.date, "reason": flag.reason} for flag in flags]


def _owners(ownership: Ownership | None, article: Article) -> Record:
    from kbctl.ownership import NO_OWNER, Ownership

    found = ownership or (Ownership(article.owners, "front-matter") if article.owners else NO_OWNER)
    return {"owners": list(found.owners), "owner_source": str(found.source)}


def _review(review: ReviewStatus) -> Record:
    return {
        "review_state": review.state,
        "review_basis": review.basis,
        "review_interval_days": review.interval_days,
        "due": review.due_date,
        "days_overdue": review.days_overdue,
    }


def _last_changed(history: ArticleHistory | None) -> Record:
    last = history.last_change if history is not None else None
    return {
        "last_changed": last.authored if last else None,
        "last_changed_by": last.author if last else None,
    }


def article_record(
    article: Article, ownership: Ownership | None = None, *, body: bool = False
) -> Record:
    """An article's metadata (``kbctl list``; with ``body`` for ``kbctl show``)."""
    record: Record = {
        "id": article.id,
        **_paths(article),
        "line": article.body_line,
        "title": article.title,
        "description": article.description,
        "type": article.type,
        **_owners(ownership, article),
        "reviewers": list(article.reviewers),
        "status": article.status,
        "audience": article.audience,
        "product": article.product,
        "tags": list(article.tags),
        "aliases": list(article.aliases),
        "created": article.created,
        "last_reviewed": article.last_reviewed,
        "reviewed_by": article.reviewed_by,
        "review_interval_days": article.review_interval,
        "flags": flag_records(article.flags),
    }
    if body:
        record["body"] = article.body
    return _versioned(record)


def articles_json(
    articles: Iterable[Article], ownership: Mapping[str, Ownership] | None = None
) -> list[Record]:
    """``kbctl list --format json``."""
    found = ownership or {}
    return [article_record(article, found.get(article.path)) for article in articles]


def hit_record(hit: Hit, shown: PathView) -> Record:
    """One search hit (``kbctl search --format json``); ``shown`` shows paths of the base."""
    return _versioned(
        {
            "id": hit.id,
            "path": shown(hit.path),
            "base_path": hit.path,
            "line": hit.line,
            "column": hit.column,
            "title": hit.title,
            "score": round(hit.score, 4),
            "snippet": hit.snippet,
            "highlights": [list(span) for span in hit.highlights],
            "owners": list(hit.owners),
            "status": hit.status,
            "audience": hit.audience,
            "product": hit.product,
            "tags": list(hit.tags),
            "last_reviewed": hit.last_reviewed,
            "last_changed": hit.last_changed,
            "last_changed_by": hit.last_changed_by,
        }
    )


def explanation_record(explanation: Explanation) -> Record:
    """Why a hit ranks where it does (``kbctl search --explain --format json``, key
    ``explain`` of each hit): ``words``, one per query word as read: ``word`` (as typed),
    ``required``, ``terms`` (index term -> weight: 1 for the word as typed, less for a
    correction, transliteration or synonym), ``phrases`` (synonym phrases, each a list of
    terms that must all appear), ``applied`` (``{kind, from, to}``, kind one of layout,
    transliteration, correction, synonym) and ``fields`` (field -> the terms found there;
    fields: head = id, title, aliases; labels = tags, description; body); ``score_parts``:
    name -> number, in the order the ranking computed them, ending with ``score`` (the
    names may grow as ranking steps are added: read the ones you know)."""
    return {
        "words": [
            {
                "word": word.word,
                "required": word.required,
                "terms": {term: round(weight, 4) for term, weight in word.terms.items()},
                "phrases": [list(group) for group in word.groups],
                "applied": [
                    {"kind": item.kind, "from": item.source, "to": item.target}
                    for item in word.applied
                ],
                "fields": {name: list(terms) for name, terms in word.fields.items()},
            }
            for word in explanation.words
        ],
        "score_parts": {name: round(value, 4) for name, value in explanation.parts.items()},
    }


def stale_record(item: StaleItem, ownership: Ownership | None = None) -> Record:
    """One article of ``kbctl stale``: the review verdict and what git adds to it."""
    article, facts = item.article, item.history
    last = facts.last_change if facts else None
    from kbctl.ownership import Ownership

    found = ownership or Ownership(item.owners, "front-matter" if item.owners else "none")
    return _versioned(
        {
            "id": article.id,
            **_paths(article),
            "title": article.title,
            **_owners(found, article),
            "status": article.status,
            "audience": article.audience,
            "last_reviewed": article.last_reviewed,
            **_review(item.review),
            **_last_changed(facts),
            "last_changed_commit": last.commit if last else None,
            "last_changed_subject": last.subject if last else None,
            "committed": facts.committed if facts else None,
            "git_reliable": facts.reliable if facts else None,
            "git_note": facts.note if facts else None,
            "front_matter_modified": item.modified.value if item.modified else None,
            "disagreement": (
                {
                    "front_matter": item.disagreement.front_matter,
                    "git": item.disagreement.git,
                    "days": item.disagreement.days,
                }
                if item.disagreement
                else None
            ),
            "flags": flag_records(article.flags),
            "reason": item.reason,
        }
    )


def queue_record(item: QueueItem) -> Record:
    """One article of the review queue (``kbctl review --format json``)."""
    return _versioned(
        {
            **_reviewed_article(item.article, item.ownership, item.review),
            "reasons": [str(reason) for reason in item.reasons],
            "detail": list(item.detail),
            "flags": flag_records(item.article.flags),
        }
    )


def owned_record(item: OwnedArticle) -> Record:
    """One article of ``kbctl owners --owner X``."""
    return _versioned(
        {
            **_reviewed_article(item.article, item.ownership, item.review),
            "flags": flag_records(item.article.flags),
        }
    )


def _reviewed_article(
    article: Article, ownership: Ownership | None, review: ReviewStatus
) -> Record:
    """The fields the review queue and an owner's list share, in their order."""
    return {
        "id": article.id,
        **_paths(article),
        "title": article.title,
        **_owners(ownership, article),
        "status": article.status,
        "audience": article.audience,
        "last_reviewed": article.last_reviewed,
        **_review(review),
    }


def _owner_row(row: OwnerRow) -> Record:
    return {
        "owner": row.owner,
        "roster": str(row.standing),
        "team": row.is_team,
        "articles": row.articles,
        "due": row.due,
        "overdue": row.overdue,
        "flagged": row.flagged,
        "oldest": row.oldest,
        "oldest_id": row.oldest_id,
    }


def ownerless_records(summary: OwnersSummary) -> list[Record]:
    """The articles without a live owner (``kbctl owners --missing``), and why: no owner, an
    owner-less CODEOWNERS line, or no live owner (every named owner inactive or not in the
    roster)."""
    return [
        _versioned(
            {
                "id": article.id,
                **_paths(article),
                "title": article.title,
                **_owners(owned, article),
                "owner_from": owned.describe,
                "status": article.status,
                "audience": article.audience,
                "why": (
                    "no live owner"
                    if owned.owners
                    else "CODEOWNERS line without owners"
                    if owned.source == "codeowners"
                    else "no owner"
                ),
            }
        )
        for article, owned in summary.ownerless
    ]


def owners_summary_json(summary: OwnersSummary, roster: Roster | None) -> Record:
    """``kbctl owners --format json``: per-owner counts, ownerless articles, roster problems."""
    return _versioned(
        {
            "roster": roster.shown if roster else None,
            "owner_rows": [_owner_row(row) for row in summary.owners],
            "ownerless": ownerless_records(summary),
            "roster_problems": [_owner_row(row) for row in summary.roster_problems],
        }
    )


def flags_json(found: Sequence[OpenFlag]) -> list[Record]:
    """``kbctl flags --format json``: one record per flagged article, in the order of its
    oldest open flag, with every open flag in ``flags``."""
    records: dict[str, Record] = {}
    for item in found:
        article = item.article
        if article.path not in records:
            records[article.path] = _versioned(
                {
                    "id": article.id,
                    **_paths(article),
                    "line": item.flag.line,
                    "title": article.title,
                    "owners": list(item.owners),
                    "flags": [],
                }
            )
        records[article.path]["flags"].extend(flag_records([item.flag]))
    return list(records.values())


def history_json(article: Article, log: ArticleLog) -> Record:
    """``kbctl history --format json``: an article's commits, newest first."""
    shown = PathView(article_root(article.abs_path, article.path))
    return _versioned(
        {
            "id": article.id,
            **_paths(article),
            "git": log.available,
            "committed": log.committed,
            "commits": [
                {
                    "commit": entry.change.commit,
                    "authored": entry.change.authored,
                    "author": entry.change.author,
                    "email": entry.change.email,
                    "subject": entry.change.subject,
                    "kind": entry.kind,
                    "reason": entry.reason,
                    "path": shown(entry.path),
                    "base_path": entry.path,
                }
                for entry in log.entries
            ],
            "notices": list(log.notices),
        }
    )


def skipped_json(skipped: Sequence[SkippedCommit]) -> list[Record]:
    """``kbctl history --skipped --format json``: the commits not counted as content
    changes, newest first, and why."""
    from kbctl.history.report import skip_kind

    return [
        _versioned(
            {
                "commit": item.commit,
                "authored": item.authored,
                "subject": item.subject,
                "kind": skip_kind(item.reason),
                "reason": item.reason,
            }
        )
        for item in skipped
    ]


def check_json(
    findings: Sequence[Finding],
    counts: Mapping[str, int],
    checked: int,
    silenced: int,
    shown: PathView,
) -> Record:
    """``kbctl check --format json``: the counts, then every finding (``findings`` hold
    base-relative paths; ``shown`` shows them by the path contract)."""
    return _versioned(
        {
            "summary": {**counts, "checked": checked, "silenced": silenced},
            "findings": [
                {
                    "rule": finding.rule_id,
                    "name": finding.rule_name,
                    "severity": finding.severity,
                    "path": shown(finding.path),
                    "base_path": finding.path,
                    "line": finding.line,
                    "message": finding.message,
                    "hint": finding.hint,
                }
                for finding in findings
            ],
        }
    )


def duplicates_json(
    groups: Sequence[DuplicateGroup], by_path: Mapping[str, Article]
) -> list[Record]:
    """``kbctl duplicates --format json``: one record per group of near-duplicates, most
    similar first: the suggested keeper, every article (keeper first) and the pairs with
    their shared passages."""
    records: list[Record] = []
    for group in groups:
        articles = []
        for path in group.paths:
            article = by_path[path]
            articles.append(
                {
                    "id": article.id,
                    **_paths(article),
                    "title": article.title,
                    "status": article.status,
                    "last_reviewed": article.last_reviewed,
                    "links_in": group.links_in.get(path, 0),
                    "reuse": group.reuse.get(path, 0),
                    "keep": path == group.keeper,
                }
            )
        pairs = []
        for pair in group.pairs:
            first, second = by_path[pair.first], by_path[pair.second]
            pairs.append(
                {
                    "id": first.id,
                    **_paths(first),
                    "other_id": second.id,
                    "other_path": shown_path(second.abs_path),
                    "other_base_path": second.path,
                    "similarity": pair.similarity,
                    "passages": [
                        {
                            "line": passage.line,
                            "other_line": passage.other_line,
                            "words": passage.words,
                            "text": passage.text,
                        }
                        for passage in pair.passages
                    ],
                }
            )
        keeper = by_path[group.keeper]
        records.append(
            _versioned(
                {
                    "similarity": round(group.similarity, 3),
                    "keeper": {"id": keeper.id, **_paths(keeper)},
                    "keeper_reasons": list(group.reasons),
                    "articles": articles,
                    "pairs": pairs,
                }
            )
        )
    return records


# ------------------------------------------------------------ usage log: gaps and usage


def gap_record(gap: Gap) -> Record:
    """One failed query and its fix."""
    return {
        "query": gap.query,
        "failed": gap.failed,
        "no_hits": gap.no_hits,
        "poor": gap.poor,
        "searches": gap.searches,
        "last": gap.last,
        "fix": gap.suggestion.fix,
        "suggestion": gap.suggestion.text,
        "action": gap.suggestion.action,
        "article": gap.suggestion.article,
    }


def gaps_json(gaps: Sequence[Gap], facts: UsageFacts) -> Record:
    """``kbctl gaps --format json``."""
    return _versioned(
        {
            "searches": facts.searches,
            "first": facts.first,
            "last": facts.last,
            "gaps": [gap_record(gap) for gap in gaps],
        }
    )


def article_usage_record(row: ArticleUsage) -> Record:
    """One article's use."""
    return {
        "id": row.article.id,
        "title": row.article.title,
        **_paths(row.article),
        "opened": row.opened,
        "shown": row.shown,
        "last_opened": row.last_opened,
        "status": row.article.status,
        "review_state": row.review.state,
    }


def usage_json(summary: UsageSummary) -> Record:
    """``kbctl usage --format json``."""
    return _versioned(
        {
            "searches": summary.searches,
            "opens": summary.opens,
            "covered_days": summary.covered_days,
            "archive_after": summary.archive_after,
            "most_used": [article_usage_record(row) for row in summary.most_used],
            "least_used": [article_usage_record(row) for row in summary.least_used],
            "archive_candidates": [
                {**article_usage_record(item.usage), "reasons": list(item.reasons)}
                for item in summary.candidates
            ],
            "unknown_ids": summary.unknown_ids,
        }
    )


# ------------------------------------------------------------------------ the report


def _report_line(line: ArticleLine) -> Record:
    return {
        "id": line.id,
        "title": line.title,
        "base_path": line.path,
        "owners": list(line.owners),
        "detail": line.detail,
        "date": line.when,
    }


def _counts(found: Sequence[Count]) -> list[Record]:
    return [{"value": count.label, "articles": count.value} for count in found]


def report_json(report: Report) -> Record:
    """``kbctl report --format json``: the whole report model."""
    from kbctl.report.model import duplicate_rows

    usage = report.usage
    return _versioned(
        {
            "generated": report.generated,
            "base": report.base,
            "articles": report.total,
            "live": report.live,
            "by_status": _counts(report.by_status),
            "by_audience": _counts(report.by_audience),
            "by_owner": _counts(report.by_owner),
            "by_product": _counts(report.by_product),
            "by_tag": _counts(report.by_tag),
            "trust": {
                "trusted": report.trust.trusted,
                "total": report.trust.total,
                "share": round(report.trust.share, 4),
                "target": report.trust.target,
                "met": report.trust.met,
            },
            "review": {
                "ok": report.review.ok,
                "due_soon": report.review.due_soon,
                "overdue": report.review.overdue,
                "never": report.review.never,
            },
            "weeks": [
                {
                    "start": week.start,
                    "end": week.end,
                    "on_time": week.on_time,
                    "due_soon": week.due_soon,
                    "overdue": week.overdue,
                    "unknown": week.unknown,
                    "reviews": week.reviews,
                }
                for week in report.weeks
            ],
            "ownerless": [_report_line(line) for line in report.ownerless],
            "departed_owner": [_report_line(line) for line in report.departed],
            "flags": [_report_line(line) for line in report.flags],
            "wip_too_old": [_report_line(line) for line in report.wip_too_old],
            "oldest": [_report_line(line) for line in report.oldest],
            "workload": [
                {
                    "owner": row.owner,
                    "standing": row.standing,
                    "articles": row.articles,
                    "overdue": row.overdue,
                    "due_soon": row.due_soon,
                    "flagged": row.flagged,
                }
                for row in report.workload
            ],
            "duplicates": None
            if report.duplicates is None
            else [
                {
                    "ids": [line.id for line in lines],
                    "titles": [line.title for line in lines],
                    "base_paths": [line.path for line in lines],
                    "similarity": group.similarity,
                    "keep": next(
                        (line.id for line in lines if line.path == group.keeper), group.keeper
                    ),
                    "reasons": group.reasons,
                }
                for group, lines in duplicate_rows(report)
            ],
            "usage": None
            if usage is None
            else {
                "searches": usage.searches,
                "covered_days": usage.covered_days,
                "archive_after": usage.archive_after,
                "gaps": [gap_record(gap) for gap in usage.gaps],
                "archive_candidates": [
                    {**article_usage_record(item.usage), "reasons": list(item.reasons)}
                    for item in usage.archive
                ],
            },
            "history_available": report.history_available,
            "notes": report.notes,
        }
    )


def _digest_items(items: Iterable[DigestItem]) -> list[Record]:
    return [
        {"id": item.id, "title": item.title, "base_path": item.path, "detail": item.detail}
        for item in items
    ]


def digests_json(digests: Sequence[OwnerDigest], today: date) -> list[Record]:
    """``kbctl digest --format json``: per owner, the items, an issue title and the Markdown."""
    from kbctl.render.digest import digest_markdown, digest_title

    return [
        _versioned(
            {
                "owner": digest.owner,
                "standing": digest.standing,
                "title": digest_title(digest),
                "overdue": _digest_items(digest.overdue),
                "due_soon": _digest_items(digest.due_soon),
                "flagged": _digest_items(digest.flagged),
                "wip_too_old": _digest_items(digest.wip_too_old),
                "gaps": [gap_record(gap) for gap in digest.gaps],
                "archive_candidates": [
                    {**article_usage_record(item.usage), "reasons": list(item.reasons)}
                    for item in digest.archive
                ],
                "markdown": digest_markdown(digest, today),
            }
        )
        for digest in digests
    ]
