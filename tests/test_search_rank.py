"""Ranking fusion: the field-wise and BM25F scores, fused, scaled by word coverage."""

from __future__ import annotations

from pathlib import Path

from kbctl.config import load_config
from kbctl.search.index import open_index
from kbctl.search.interpret import interpret
from kbctl.search.query import search
from kbctl.search.rank import rerank_explained
from kbctl.search.searcher import Searcher
from tests.conftest import article_text


def test_a_body_holding_the_rare_words_outranks_a_title_sharing_a_common_one(
    tmp_path: Path,
) -> None:
    root = tmp_path / "kb"
    (root / "a").mkdir(parents=True)
    # Many articles share the common word "email" in their titles.
    for number in range(12):
        (root / f"a/email-{number}.md").write_text(
            article_text(f"Routine text number {number}.\n", title=f"Email settings {number}"),
            encoding="utf-8",
        )
    (root / "a/bounces.md").write_text(
        article_text(
            "When a message bounces, check the dmarc alignment, the spf record and the "
            "dkim selector; a quarantine policy explains the bounce.\n",
            title="Delivery problems",
        ),
        encoding="utf-8",
    )
    config = load_config(kb=str(root))
    hits = search(config, "email bounce dmarc alignment quarantine").hits
    assert hits[0].path == "a/bounces.md"

    index = open_index(config)
    searcher = Searcher(index)
    try:
        units, _notices = interpret(searcher, "email bounce dmarc alignment quarantine")
        results = searcher.searcher.search(
            __import__("whoosh.query", fromlist=["Or"]).Or(
                [
                    __import__("kbctl.search.query", fromlist=["_unit_query"])._unit_query(u)
                    for u in units
                ]
            ),
            limit=30,
        )
        ranked = rerank_explained(searcher, results, units)
    finally:
        searcher.close()
        index.ix.close()
    stored, score, parts = ranked[0]
    assert stored["path"] == "a/bounces.md"
    assert parts["bm25f_rank"] == 1 and parts["coverage"] == 0.8  # 4 of the 5 words
    assert parts["fused"] == score > 0
    assert all(item[2]["coverage"] == 0.2 for item in ranked[1:])  # "email" only
    assert [item[1] for item in ranked] == sorted((item[1] for item in ranked), reverse=True)
