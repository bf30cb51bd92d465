"""The typed results of the MCP tools; their JSON Schemas are the tools' output schemas.

Field names are those of kbctl's JSON vocabulary (README, "JSON output"); the models are
filled from the records :mod:`kbctl.render.vocabulary` builds, plus what the server adds:
``citation`` (``path:line``), ``uri`` (``kb://ID``) and the trust verdict of
:func:`kbctl.policy.trust.assess_trust` (``trust``, ``trust_level``, ``warnings``).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Shape(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Filters(_Shape):
    """Metadata filters: different fields must all match, several values of one field may
    any match. Values as in `kbctl list` (statuses and audiences accept aliases)."""

    tags: list[str] = Field(default_factory=list, description="Articles with any of these tags.")
    owners: list[str] = Field(
        default_factory=list,
        description="Articles of any of these owners (@handle, @org/team or e-mail; a team counts for its members).",
    )
    statuses: list[str] = Field(
        default_factory=list, description="wip, not_validated, validated, archived."
    )
    audiences: list[str] = Field(
        default_factory=list,
        description="internal, partner, customer, public (never above the server's ceiling).",
    )
    products: list[str] = Field(default_factory=list, description="Articles for these products.")
    where: list[str] = Field(
        default_factory=list, description="KEY=VALUE matches on any front-matter key."
    )
    include_archived: bool = Field(
        default=False, description="Also archived articles (hidden unless asked for)."
    )


class FlagOut(_Shape):
    """An open "flag it or fix it" mark: someone found the article wrong."""

    by: str | None
    date: date | None
    reason: str


class TrustFields(_Shape):
    """What every result carries so the assistant can tell how far to trust it."""

    status: str | None = Field(description="KCS status: wip, not_validated, validated, archived.")
    audience: str | None
    owners: list[str]
    last_reviewed: date | None
    last_changed: datetime | None = Field(
        default=None, description="Author date of the last content change in git (None: unknown)."
    )
    last_changed_by: str | None = None
    review_state: str = Field(description="ok, due_soon, overdue, never, archived.")
    due: date | None = None
    flags: list[FlagOut] = Field(description="Open flags: the article is reported wrong.")
    trust_level: str = Field(description="high, medium or low.")
    warnings: list[str] = Field(
        description="Reasons to warn, worst first: archived, flagged, wip, review_overdue, never_reviewed, owner_missing, not_validated, changed_since_review, review_due_soon."
    )
    trust: str = Field(description="One line for the reader: trust level, status, review, owners.")


class ArticleInfo(TrustFields):
    """An article's metadata and trust verdict."""

    id: str
    title: str
    citation: str = Field(description="path:line to cite (the body's first line).")
    path: str
    base_path: str = Field(description="The path relative to the base root.")
    line: int
    uri: str = Field(description="The article as an MCP resource (kb://ID).")
    description: str | None = None
    type: str | None = None
    product: str | None = None
    tags: list[str] = Field(default_factory=list)
    reasons: list[str] = Field(
        default_factory=list, description="Why it is listed (stale, review_queue)."
    )


class SearchHit(TrustFields):
    """One search hit with its best passage."""

    id: str
    title: str
    citation: str = Field(description="path:line of the best passage: cite it.")
    path: str
    base_path: str
    line: int
    snippet: str
    uri: str
    product: str | None = None
    tags: list[str] = Field(default_factory=list)


class SearchAnswer(_Shape):
    """The hits of a search, best first."""

    query: str
    hits: list[SearchHit]
    total: int = Field(description="How many articles matched (before the limit).")
    notices: list[str] = Field(default_factory=list)
    suggestion: str | None = Field(default=None, description="A spelling fix that finds more.")


class ArticleText(_Shape):
    """An article (or one section of it) as Markdown, with its metadata."""

    article: ArticleInfo
    section: str | None = Field(
        description="The heading of the section returned (None: the whole body)."
    )
    citation: str = Field(description="path:line where the Markdown returned starts.")
    markdown: str
    sections: list[str] = Field(description="Every heading of the article, to ask for one.")


class ArticleList(_Shape):
    """Articles, with the total before the limit."""

    articles: list[ArticleInfo]
    total: int


class RelatedArticles(_Shape):
    """Articles linked from and to an article, and similar ones by content."""

    article: ArticleInfo
    links_to: list[ArticleInfo]
    linked_from: list[ArticleInfo]
    similar: list[ArticleInfo]


class FindingOut(_Shape):
    """A check rule's finding."""

    rule: str
    name: str
    severity: str
    citation: str
    line: int
    message: str
    hint: str | None


class CheckAnswer(_Shape):
    """The check rules' findings for one article."""

    article: ArticleInfo
    findings: list[FindingOut]
    counts: dict[str, int]


class FlagAnswer(_Shape):
    """The article after a flag was added."""

    article: ArticleInfo
    flagged_by: str


class DraftAnswer(_Shape):
    """The new Work in Progress article."""

    article: ArticleInfo
    markdown: str = Field(description="Its body as written, to be completed by a person.")
