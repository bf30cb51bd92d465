"""What the index holds per article: the Whoosh schema and the document of an article."""

from __future__ import annotations

from typing import Any

# Text fields searched, with their weights (title and aliases count more than the body).
# Few fields: every field of every query word is one more posting list to merge per search.
TEXT_FIELDS: dict[str, float] = {
    "head": 4.0,  # id, title and aliases: what people call the article
    "labels": 2.0,  # tags and description
    "body": 1.0,
}


def schema() -> Any:
    """The Whoosh schema. Text fields keep frequencies only (no positions)."""
    from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

    from kbctl.search.analysis import MixedAnalyzer, TermCounts

    analyzer = MixedAnalyzer()
    # Field weights are applied at query time (see TEXT_FIELDS), not baked into the index.
    text = {name: TEXT(analyzer=analyzer, phrase=False) for name in TEXT_FIELDS}
    for text_field in text.values():
        text_field.format = TermCounts()
    return Schema(
        path=ID(unique=True, stored=True),
        f_tag=KEYWORD(commas=True, lowercase=True),
        f_owner=KEYWORD(commas=True, lowercase=True),
        f_where=KEYWORD,
        f_product=ID,
        f_status=ID,
        f_audience=ID,
        meta=STORED,
        **text,
    )


def _name_words(path: str) -> str:
    """The words of an article's file name: ``email/klient-ne-poluchaet-pisma.md`` ->
    ``klient ne poluchaet pisma``."""
    name = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return " ".join(name.replace("-", " ").replace("_", " ").split())


def document(article: Any, owners: Any) -> dict[str, Any]:
    """The Whoosh document of an article (``article`` is a kbctl.model.Article).

    ``owners`` is a :class:`kbctl.ownership.OwnerFiles`. ``f_owner`` holds the keys of the
    article's effective owners (front matter, else CODEOWNERS; teams expanded; roster handles
    and e-mails), so that ``--owner`` selects what it selects in every other command;
    ``f_where`` holds a token per front-matter (key, value) for ``--where``.
    """
    from kbctl.search.analysis import index_text
    from kbctl.selection import where_terms, where_token

    owned = owners.of(article)
    return {
        "path": article.path,
        "head": "\n".join((article.id, article.title, *article.aliases)),
        "labels": "\n".join((*article.tags, article.description or "")),
        # No data: URIs, HTML tags or link targets; the file's own name is words too (a
        # transliterated slug, klient-ne-poluchaet-pisma.md, is how many bases name articles).
        "body": f"{index_text(article.body)}\n{_name_words(article.path)}",
        "f_tag": ",".join(tag.casefold() for tag in article.tags),
        "f_owner": ",".join(key.replace(",", " ") for key in sorted(owners.keys(article))),
        "f_where": " ".join(sorted(where_token(*term) for term in where_terms(article))),
        "f_product": (article.product or "").casefold() or None,
        "f_status": article.status or "none",
        "f_audience": article.audience or "none",
        "meta": {
            "id": article.id,
            "title": article.title,
            "description": article.description,
            "owners": list(owned.owners),
            "owner_source": str(owned.source),
            "status": article.status,
            "audience": article.audience,
            "tags": list(article.tags),
            "product": article.product,
            "last_reviewed": article.last_reviewed.isoformat() if article.last_reviewed else None,
            "body_line": article.body_line,
        },
    }
