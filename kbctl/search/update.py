"""Applying a freshness plan to an existing index: one small segment per update.

Each update writes one small segment. Past MAX_SMALL_SEGMENTS of them, the articles of the
smallest ones are indexed again from their files into the new segment and those segments are
dropped (Whoosh's own merge re-reads every posting: ~10x slower). When the small segments
hold half as many articles as the big one, a full build is due.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

from kbctl.articles import read_article_bytes
from kbctl.config import Config
from kbctl.i18n import _
from kbctl.search.build import index_documents
from kbctl.search.manifest import Plan, file_hash
from kbctl.search.report import IndexLockedError, Progress, RefreshReport
from kbctl.search.spelling import add_to_vocabulary

# Small segments written by updates are folded into one once there are more than this.
MAX_SMALL_SEGMENTS = 3


def update(
    config: Config,
    folder: Path,
    ix: Any,
    plan: Plan,
    report: RefreshReport,
    progress: Progress | None,
) -> bool:
    """Apply ``plan`` to an existing index (one commit). False when a full build is due."""
    from whoosh.index import LockError
    from whoosh.reading import SegmentReader

    report.added = len(plan.added)
    report.changed = len(plan.to_index) - len(plan.added)
    report.removed = len(plan.removed)
    try:
        writer = ix.writer(timeout=60.0, compound=False)
    except LockError:
        raise IndexLockedError(
            _("the search index is locked by another process"),
            hint=_("wait for the other kbctl run to finish, then try again"),
        ) from None
    vocabulary: Counter[str] = Counter()
    try:
        segments = sorted(writer.segments, key=lambda seg: seg.doc_count_all(), reverse=True)
        folded: set[str] = set()
        if len(segments) > MAX_SMALL_SEGMENTS:
            small = segments[1:]
            live = sum(segment.doc_count() for segment in small)
            if live * 2 >= segments[0].doc_count():
                writer.cancel()
                return False
            chosen = _segments_to_fold(small)
            folded = {segment.segment_id() for segment in chosen}
            for segment in chosen:
                reader = SegmentReader(writer.storage, writer.schema, segment)
                try:
                    paths = [fields["path"] for fields in reader.all_stored_fields()]
                finally:
                    reader.close()
                for path in paths:
                    if path not in plan.to_index and path in plan.files:
                        _reload(config, path, plan)
        for path in plan.removed:
            writer.delete_by_term("path", path)
        index_documents(writer, config, plan.to_index, vocabulary, report, progress, update=True)
        writer.commit(
            mergetype=lambda _writer, current: [
                segment for segment in current if segment.segment_id() not in folded
            ]
        )
    except BaseException:
        with contextlib.suppress(Exception):
            writer.cancel()
        raise
    if vocabulary:
        # Words of removed articles stay until the next full build: suggestions are checked
        # against the index before they are shown, so a stale word costs nothing.
        add_to_vocabulary(folder, vocabulary)
    return True


def _segments_to_fold(small: list[Any]) -> list[Any]:
    """The smallest segments, as long as each next one is no bigger than those taken so far
    (a binary counter: every document is indexed again only a logarithmic number of times)."""
    ascending = sorted(small, key=lambda segment: segment.doc_count_all())
    chosen = ascending[:2]
    for segment in ascending[2:]:
        if segment.doc_count_all() > sum(item.doc_count_all() for item in chosen):
            break
        chosen.append(segment)
    return chosen


def _reload(config: Config, path: str, plan: Plan) -> None:
    """Add an unchanged article to ``plan`` so that it is indexed again."""
    try:
        data = read_article_bytes(config.root / path, config.max_article_bytes)
        mtime = (config.root / path).stat().st_mtime_ns
    except OSError:
        return
    plan.to_index[path] = data
    plan.files[path] = (len(data), mtime, file_hash(data))
