"""KCS reuse: the tickets an article solved, kept in its front matter (``tickets:``).

``kbctl link ID --ticket REF`` appends to the list through the byte-preserving editor; the
count of distinct tickets is the article's reuse, which orders the review queue (a wrong
article that solves many tickets hurts most) and picks the keeper among duplicates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from kbctl.errors import UsageError
from kbctl.i18n import _
from kbctl.model import Article

TICKETS_KEY = "tickets"
MAX_TICKET = 200
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


def tickets(article: Article | None) -> tuple[str, ...]:
    """The distinct ticket references in the article's ``tickets`` key (a list or one
    string), in the order written; anything else there is ignored."""
    if article is None:
        return ()
    value = article.meta.get(TICKETS_KEY)
    items: Iterable[Any] = [value] if isinstance(value, (str, int)) else value or ()
    if not isinstance(items, (list, tuple)) and not isinstance(value, (str, int)):
        return ()
    seen: dict[str, None] = {}
    for item in items:
        if isinstance(item, (str, int)) and not isinstance(item, bool):
            text = str(item).strip()
            if text:
                seen.setdefault(text, None)
    return tuple(seen)


def reuse_count(article: Article) -> int:
    """How many tickets the article solved (distinct references in ``tickets``)."""
    return len(tickets(article))


def reuse_counts(articles: Iterable[Article]) -> dict[str, int]:
    """Base-relative path -> tickets solved, for the articles that solved any."""
    return {article.path: count for article in articles if (count := reuse_count(article))}


def check_ticket(reference: str) -> str:
    """A ticket reference as it will be written: stripped, one line, at most 200
    characters, no control characters; UsageError otherwise."""
    text = reference.strip()
    if not text:
        raise UsageError(_("the ticket reference is empty"), hint=_("e.g. --ticket RELAY-1234"))
    if _UNSAFE.search(text):
        raise UsageError(
            _("the ticket reference has control or line-break characters"),
            hint=_("pass the ticket's id or URL as one line"),
        )
    if len(text) > MAX_TICKET:
        raise UsageError(
            _("the ticket reference is longer than {count} characters").format(count=MAX_TICKET)
        )
    return text


def with_tickets(article: Article | None, references: Iterable[str]) -> Mapping[str, object | None]:
    """The front-matter update that adds ``references`` to the article's tickets (the ones
    already there are kept, none twice); empty when there is nothing new."""
    present = list(tickets(article))
    new = [ref for ref in dict.fromkeys(references) if ref not in present]
    if not new:
        return {}
    return {TICKETS_KEY: [*present, *new]}
