"""``--format jsonl``: one exported article a line, for bots and other tools.

An incremental export writes the changed articles, then one tombstone line per deleted
article: ``{"id": ..., "deleted": true}``.
"""

from __future__ import annotations

import json
from typing import Any

from kbctl.export.body import resolve_placeholders
from kbctl.export.plan import ExportedArticle, ExportPlan


def article_url(plan: ExportPlan, number: int) -> str:
    """The URL a link to exported article ``number`` gets outside the help center: its
    public URL, else its path in the base."""
    article = plan.articles[number]
    return article.url or article.path


def record(plan: ExportPlan, article: ExportedArticle) -> dict[str, Any]:
    """The JSON record of one exported article."""

    def media(number: int) -> str:
        return plan.media[number].path

    def link(number: int) -> str:
        return article_url(plan, number)

    found: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "description": article.description,
        "tags": list(article.tags),
        "product": article.product,
        "language": article.language,
        "audience": article.audience,
        "status": article.status,
        "url": article.url,
        "path": article.path,
        "slug": article.slug,
        "aliases": list(article.aliases),
        "last_reviewed": article.last_reviewed.isoformat() if article.last_reviewed else None,
        "review_state": article.review_state,
        "body_markdown": resolve_placeholders(article.body, link, media),
        "body_text": article.text,
        "sections": [
            {
                "heading": section.heading,
                "anchor": section.anchor,
                "kind": section.kind,
                "markdown": resolve_placeholders(section.markdown, link, media),
            }
            for section in article.sections
        ],
        "terms": " ".join(article.terms),
    }
    if article.owners or article.reviewers:
        found["owners"] = list(article.owners)
        found["reviewers"] = list(article.reviewers)
    if article.meta:
        found["meta"] = dict(article.meta)
    return found


def jsonl_lines(plan: ExportPlan) -> str:
    """The whole JSONL text: records of the articles to write, then tombstones."""
    lines = [
        json.dumps(record(plan, article), ensure_ascii=False, default=str)
        for article in plan.to_write()
    ]
    lines += [
        json.dumps({"id": gone.id, "deleted": True}, ensure_ascii=False) for gone in plan.deleted
    ]
    return "".join(line + "\n" for line in lines)
