"""Relevance of `kbctl search` on a set of realistic queries: hit@1, hit@5 and MRR.

    python bench/bench_relevance.py                       # the bundled set on kb-content/
    python bench/bench_relevance.py --set bench/relevance/magento.yaml \\
        --kb /tmp/real/magento+knowledge-base             # the Magento support base
    python bench/bench_relevance.py --cli --misses        # real `kbctl search` processes
    python bench/bench_relevance.py --json                # the figures as JSON

`--kb DIR` is either a repository holding a kbctl.toml (its `content` folder is the base, as
when kbctl runs there; the Magento clone has one written by `kbctl init`) or the base folder
itself (as `kbctl --kb DIR`). `expected` paths are relative to that base folder.

A set is a YAML file with a `queries` list of `{query, expected, also?, kind, split}`:
`expected` (and any exact duplicates in `also`) are paths relative to the base's content
folder, `kind` says what makes the query hard, `split` is `tune` (may be used to tune the
engine) or `held` (never is). Each query is searched with `--limit 10`; its rank is the first
position holding the expected article (or a duplicate). hit@k is the share of queries ranked
at k or better; MRR is the mean of 1/rank (0 when not in the first 10).

By default the queries go through the Python API (`kbctl.search.query.search`, one process,
the same code `kbctl search` runs); `--cli` starts one real `kbctl search --format json
--limit 10` process per query instead (slower, same ranking). The script fetches nothing:
a base that is not on disk is an error.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SET = ROOT / "tests" / "relevance_queries.yaml"
LIMIT = 10


@dataclass(frozen=True)
class Case:
    """One query of a relevance set and the answers that count as a hit."""

    query: str
    expected: str
    also: tuple[str, ...]
    kind: str
    split: str

    @property
    def wanted(self) -> set[str]:
        return {self.expected, *self.also}


@dataclass(frozen=True)
class Scores:
    """hit@1, hit@5 and MRR of a group of queries."""

    count: int
    hit1: float
    hit5: float
    mrr: float


def load_cases(path: Path) -> list[Case]:
    """Read a relevance set; every entry must have query, expected, kind and split."""
    import yaml

    cases = []
    for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]:
        cases.append(
            Case(
                query=str(entry["query"]),
                expected=str(entry["expected"]),
                also=tuple(str(item) for item in entry.get("also", ())),
                kind=str(entry["kind"]),
                split=str(entry["split"]),
            )
        )
    return cases


def rank_of(case: Case, paths: Sequence[str]) -> int | None:
    """1-based position of the first wanted article in ``paths``, None when absent."""
    return next((number for number, path in enumerate(paths, 1) if path in case.wanted), None)


def scores(ranks: Sequence[int | None]) -> Scores:
    """hit@1, hit@5 and MRR (0 for a miss) of a list of ranks."""
    count = len(ranks)
    if not count:
        return Scores(0, 0.0, 0.0, 0.0)
    return Scores(
        count=count,
        hit1=sum(1 for rank in ranks if rank == 1) / count,
        hit5=sum(1 for rank in ranks if rank is not None and rank <= 5) / count,
        mrr=sum(1 / rank for rank in ranks if rank is not None) / count,
    )


def _uses_config(kb: Path | None) -> bool:
    """True when ``kb`` is a repository whose kbctl.toml names the content folder."""
    return kb is None or (kb / "kbctl.toml").is_file()


def api_searcher(kb: Path | None) -> Callable[[str], list[str]]:
    """A function giving the base paths of the first 10 hits, through the Python API."""
    from kbctl.config import load_config
    from kbctl.search.query import search

    if _uses_config(kb):
        config = load_config(cwd=(kb or ROOT).resolve())
    else:
        config = load_config(kb=str(kb))

    def run(query: str) -> list[str]:
        return [hit.path for hit in search(config, query, limit=LIMIT).hits]

    return run


def cli_searcher(kb: Path | None) -> Callable[[str], list[str]]:
    """The same through one `python -m kbctl search --format json` process per query."""
    configured = _uses_config(kb)
    base = [sys.executable, "-m", "kbctl"] + ([] if configured else ["--kb", str(kb)])
    cwd = (kb or ROOT).resolve() if configured else ROOT
    env = dict(os.environ, PYTHONPATH=str(ROOT), NO_COLOR="1")
    env.pop("KBCTL_KB", None)

    def run(query: str) -> list[str]:
        command = [*base, "search", "--format", "json", "--limit", str(LIMIT), "--", query]
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, check=False
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"kbctl search failed ({done.returncode}): {done.stderr.strip()}")
        return [hit["base_path"] for hit in json.loads(done.stdout or "[]")]

    return run


def evaluate(cases: Sequence[Case], run: Callable[[str], list[str]]) -> list[list[str]]:
    """The first 10 hits (base paths) of every case, in order."""
    return [run(case.query) for case in cases]


def report(cases: Sequence[Case], results: Sequence[Sequence[str]]) -> dict[str, Any]:
    """Scores for the whole set, each split, each kind and each kind within each split."""
    ranks = [rank_of(case, paths) for case, paths in zip(cases, results, strict=True)]

    def group(keep: Callable[[Case], bool]) -> dict[str, float | int]:
        picked = [rank for case, rank in zip(cases, ranks, strict=True) if keep(case)]
        return vars(scores(picked))

    kinds = sorted({case.kind for case in cases})
    splits = ("tune", "held")
    return {
        "all": group(lambda case: True),
        "splits": {split: group(lambda case, s=split: case.split == s) for split in splits},
        "kinds": {
            kind: {
                "all": group(lambda case, k=kind: case.kind == k),
                **{
                    split: group(lambda case, k=kind, s=split: case.kind == k and case.split == s)
                    for split in splits
                },
            }
            for kind in kinds
        },
        "misses": [
            {
                "query": case.query,
                "kind": case.kind,
                "split": case.split,
                "expected": case.expected,
                "rank": rank,
                "got": list(paths[:3]),
            }
            for case, rank, paths in zip(cases, ranks, results, strict=True)
            if rank is None or rank > 5
        ],
    }


def _pct(value: float) -> str:
    return f"{value:.1%}"


def markdown(summary: dict[str, Any]) -> str:
    """The summary as a Markdown table: one row per split and per kind."""
    lines = [
        "| queries | n | hit@1 | hit@5 | MRR | hit@5 tune / held | MRR tune / held |",
        "|---|---|---|---|---|---|---|",
    ]

    def row(name: str, whole: dict[str, Any], tune: dict[str, Any], held: dict[str, Any]) -> str:
        return (
            f"| {name} | {whole['count']} | {_pct(whole['hit1'])} | {_pct(whole['hit5'])} | "
            f"{whole['mrr']:.3f} | {_pct(tune['hit5'])} / {_pct(held['hit5'])} | "
            f"{tune['mrr']:.3f} / {held['mrr']:.3f} |"
        )

    splits = summary["splits"]
    lines.append(row("**all**", summary["all"], splits["tune"], splits["held"]))
    for split in ("tune", "held"):
        part = splits[split]
        lines.append(
            f"| {split} | {part['count']} | {_pct(part['hit1'])} | {_pct(part['hit5'])} | "
            f"{part['mrr']:.3f} | | |"
        )
    for kind, parts in summary["kinds"].items():
        lines.append(row(kind, parts["all"], parts["tune"], parts["held"]))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="relevance set (YAML)")
    parser.add_argument(
        "--kb",
        type=Path,
        help="a repository whose kbctl.toml names the base, or the base folder itself "
        "(default: this repository, i.e. kb-content/)",
    )
    parser.add_argument("--cli", action="store_true", help="one real kbctl process per query")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="list queries not in the top 5")
    args = parser.parse_args(argv)
    if args.kb is not None and not args.kb.is_dir():
        print(f"no base at {args.kb} (this script fetches nothing)", file=sys.stderr)
        return 2
    cases = load_cases(args.set)
    searcher = cli_searcher(args.kb) if args.cli else api_searcher(args.kb)
    summary = report(cases, evaluate(cases, searcher))
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
        return 0
    print(f"{args.set.name}: {len(cases)} queries\n")
    print(markdown(summary))
    if args.misses:
        print("\nnot in the top 5:")
        for miss in summary["misses"]:
            print(
                f"  [{miss['kind']}/{miss['split']}] {miss['query']!r}: expected "
                f"{miss['expected']} (rank {miss['rank']}), got {miss['got']}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
