"""Relevance on the bundled base: realistic agent queries must find the right article.

The queries and the article a person would pick are in ``relevance_queries.yaml``. The test
asserts hit@3 >= 90% and prints hit@1, hit@3 and MRR (also in the assertion message).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kbctl.config import load_config
from kbctl.search.query import search
from tests.conftest import KB_CONTENT, PROJECT_ROOT

QUERIES = Path(__file__).with_name("relevance_queries.yaml")


def _cases() -> list[dict]:
    return yaml.safe_load(QUERIES.read_text(encoding="utf-8"))["queries"]


def test_query_set_is_realistic_and_balanced() -> None:
    cases = _cases()
    assert len(cases) >= 40
    russian = [case for case in cases if any("а" <= ch <= "я" for ch in case["query"].lower())]
    russian += [
        case
        for case in cases
        if case["kind"] == "layout" and not any("а" <= ch <= "я" for ch in case["query"].lower())
    ]
    assert len(russian) * 2 >= len(cases), "at least half of the queries are Russian"
    kinds = {case["kind"] for case in cases}
    assert {"typo", "word-form", "layout", "code", "synonym"} <= kinds
    for case in cases:
        for path in (case["expected"], *case.get("also", ())):
            assert (KB_CONTENT / path).is_file(), path


@pytest.mark.skipif(not (PROJECT_ROOT / "kbctl.toml").is_file(), reason="no bundled config")
def test_relevance_hit_at_3() -> None:
    config = load_config(cwd=PROJECT_ROOT)
    cases = _cases()
    reciprocal_ranks: list[float] = []
    misses: list[str] = []
    by_kind: dict[str, list[int]] = {}
    for case in cases:
        wanted = {case["expected"], *case.get("also", ())}
        paths = [hit.path for hit in search(config, case["query"], limit=10).hits]
        rank = next((number for number, path in enumerate(paths, 1) if path in wanted), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        by_kind.setdefault(case["kind"], []).append(1 if rank and rank <= 3 else 0)
        if rank is None or rank > 3:
            misses.append(f"  {case['query']!r}: expected {case['expected']}, got {paths[:3]}")
    total = len(cases)
    hit1 = sum(1 for rr in reciprocal_ranks if rr == 1.0) / total
    hit3 = sum(1 for rr in reciprocal_ranks if rr >= 1 / 3) / total
    mrr = sum(reciprocal_ranks) / total
    kinds = ", ".join(
        f"{kind} {sum(values)}/{len(values)}" for kind, values in sorted(by_kind.items())
    )
    summary = (
        f"relevance on {total} queries: hit@1 {hit1:.1%}, hit@3 {hit3:.1%}, MRR {mrr:.3f} "
        f"(hit@3 by kind: {kinds})"
    )
    print("\n" + summary + ("\nmisses:\n" + "\n".join(misses) if misses else ""))
    assert hit3 >= 0.9, summary + "\nmisses:\n" + "\n".join(misses)
