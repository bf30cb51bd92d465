"""One interactive search session: the index opened once and searched on every keystroke.

Searches run on a worker thread; :class:`SearchSession` serialises them with a lock, and
the caller drops a search that a newer keystroke made stale before it starts (see
``SearchApp``), so at most one search runs and one waits.
"""

from __future__ import annotations

import threading
from datetime import date

from kbctl.config import Config
from kbctl.errors import KbError
from kbctl.i18n import _
from kbctl.interactive.panel import QueryLine
from kbctl.model import Article, Hit
from kbctl.search.index import SearchIndex, open_index
from kbctl.search.query import SearchFilter, SearchResult, search_open

RESULT_LIMIT = 30
"""Hits fetched per keystroke: a screenful (each costs a snippet; 30 take ~17 ms at 10k)."""


class SearchSession:
    """The open index of one base and the searches made over it."""

    def __init__(self, config: Config, *, refresh: bool = True, limit: int = RESULT_LIMIT):
        self.config = config
        self.limit = limit
        self.refresh = refresh
        self.lock = threading.Lock()
        self.index: SearchIndex = open_index(config, refresh=refresh)
        self.notices: list[str] = list(self.index.report.notices)

    def search(self, line: QueryLine, *, include_archived: bool = False) -> SearchResult:
        """The hits of ``line`` (its words and filters). Raises UsageError when it has no
        word to search for. A damaged index is rebuilt once, as ``kbctl search`` does."""
        filters = SearchFilter(line.selection, include_archived=include_archived)
        with self.lock:
            try:
                return search_open(self.index, self.config, line.words, filters, limit=self.limit)
            except KbError:
                raise
            except Exception as error:  # a damaged segment only shows when it is read
                self.index.ix.close()
                self.index = open_index(self.config, rebuild=True)
                result = search_open(self.index, self.config, line.words, filters, limit=self.limit)
                result.notices.insert(
                    0,
                    _("the search index was damaged ({kind}); rebuilt it").format(
                        kind=type(error).__name__
                    ),
                )
                return result

    def reopen(self) -> None:
        """Bring the index up to date (after the editor may have changed an article)."""
        with self.lock:
            fresh = open_index(self.config, refresh=True)  # on an error the old one stays
            self.index.ix.close()
            self.index = fresh

    def close(self) -> None:
        """Close the index."""
        with self.lock:
            self.index.ix.close()

    def article(self, hit: Hit) -> tuple[Article | None, list[str]]:
        """The hit's article read from its file now (flags, body), and its lines; (None,
        []) when it cannot be read."""
        from kbctl.articles import read_article_bytes
        from kbctl.articles.parse import parse_article

        path = self.config.root / hit.path
        try:
            data = read_article_bytes(path, self.config.max_article_bytes)
        except OSError:  # refused (a link, too large) or gone since it was indexed
            return None, []
        article, _problems = parse_article(data, hit.path, path, self.config)
        return article, data.decode("utf-8", "replace").splitlines()

    def review(self, article: Article, hit: Hit, today: date) -> tuple[str, str]:
        """The review verdict of an article, as (reason, tone) for the trust panel."""
        from kbctl.policy.review import ReviewState, review_status

        changed = hit.last_changed.date() if hit.last_changed is not None else None
        status = review_status(article, changed, self.config, today)
        tone = {
            ReviewState.OK: "ok",
            ReviewState.DUE_SOON: "warn",
            ReviewState.OVERDUE: "bad",
            ReviewState.NEVER: "warn",
        }.get(status.state, "dim")
        return status.reason, tone
