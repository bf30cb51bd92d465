"""Query reading (issue 13, items 1, 2, 5): relevance on the bundled set, and what the new
steps cost a cold ``kbctl search``.

    python bench/bench_reading.py                        # this checkout
    python bench/bench_reading.py --code /work/main      # the same, with another kbctl source
    python bench/bench_reading.py --runs 9

Prints two Markdown tables:

- relevance on ``tests/relevance_queries.yaml`` of the measured source, with its kbctl.toml (hit@1, hit@3, hit@5, MRR; per kind, and per
  ``split`` when the set has one), searched in one process against the bundled base;
- cold-process CPU time (user + sys, median of ``--runs``) of ``kbctl search --format json``
  on the bundled base for queries that take each path: words found as typed, a typo (loads the
  general word list), a synonym, a transliteration; and, in-process, the cost of each new step
  alone (loading the word list, parsing the built-in synonyms, a first-letter typo search over
  a 90,000-word vocabulary).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RELEVANCE = """
import json, sys, yaml
from pathlib import Path
from kbctl.config import load_config
from kbctl.search.query import search
root = Path(sys.argv[1])
cases = yaml.safe_load((root / "tests" / "relevance_queries.yaml").read_text())["queries"]
config = load_config(cwd=root)
out = []
for case in cases:
    wanted = {case["expected"], *case.get("also", ())}
    paths = [hit.path for hit in search(config, case["query"], limit=10).hits]
    rank = next((n for n, p in enumerate(paths, 1) if p in wanted), None)
    out.append({"kind": case["kind"], "split": case.get("split", "-"), "rank": rank})
print(json.dumps(out))
"""

STEPS = """
import json, time
from kbctl.search.analysis import analyze
analyze("пароль password")  # the stemmers, loaded by every search anyway
from kbctl.search.wordlist import general_words, is_real_word
t = time.perf_counter()
is_real_word("слово")
load_ru = time.perf_counter() - t
t = time.perf_counter()
is_real_word("word")
load_en = time.perf_counter() - t
words = general_words()
t = time.perf_counter()
from kbctl.search.synonyms import builtin_synonyms
builtin_synonyms()
synonyms = time.perf_counter() - t
from kbctl.search.spelling import Vocabulary
buckets = {}
for word in sorted(words):
    buckets.setdefault((word[0], len(word)), []).append(word)
vocabulary = Vocabulary({key: "\\n".join(v) for key, v in buckets.items()})
t = time.perf_counter()
for word in ("jeyboard", "моутбук", "xassword", "gfccword"):
    vocabulary.first_letter_corrections(word, 1)
first = (time.perf_counter() - t) / 4
print(json.dumps({"words": len(words), "ru": load_ru, "en": load_en, "synonyms": synonyms, "first": first}))
"""

QUERIES = {
    "as typed": "клиент не получает письма",
    "typo": "пароль не сбрасыватся",
    "synonym": "ноут винда",
    "transliteration": "klient ne poluchaet pisma",
}


def _env(code: Path, cache: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(code)
    env["KBCTL_CACHE_DIR"] = cache
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(cache) / "pycache")
    return env


def relevance(code: Path, cache: str) -> list[dict]:
    """(kind, split, rank) of every query of the bundled set."""
    output = subprocess.run(
        [sys.executable, "-c", RELEVANCE, str(code)],
        env=_env(code, cache),
        capture_output=True,
        text=True,
        check=True,
        cwd=code,
    ).stdout
    return json.loads(output)


def _row(label: str, ranks: list[int | None]) -> str:
    total = len(ranks)

    def share(limit: int) -> str:
        return f"{sum(1 for r in ranks if r and r <= limit) / total:.1%}"

    mrr = sum(1 / r for r in ranks if r) / total
    return f"| {label} | {total} | {share(1)} | {share(3)} | {share(5)} | {mrr:.3f} |"


def cold_cpu(code: Path, cache: str, query: str, runs: int) -> float:
    """Median CPU seconds (user + sys of the child) of one cold search process."""
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, "-m", "kbctl", "search", query, "--format", "json"],
            env=_env(code, cache),
            capture_output=True,
            check=False,
            cwd=code,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        times.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="kbctl source to measure")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kbctl-reading-") as cache:
        results = relevance(args.code, cache)
        print(f"relevance with {args.code}:\n")
        print("| queries | n | hit@1 | hit@3 | hit@5 | MRR |\n|---|---|---|---|---|---|")
        print(_row("all", [r["rank"] for r in results]))
        for split in sorted({r["split"] for r in results} - {"-"}):
            print(_row(f"split {split}", [r["rank"] for r in results if r["split"] == split]))
        for kind in sorted({r["kind"] for r in results}):
            print(_row(kind, [r["rank"] for r in results if r["kind"] == kind]))
        print(f"\ncold `kbctl search --format json` CPU, median of {args.runs}:\n")
        print("| query | kind | CPU ms |\n|---|---|---|")
        cold_cpu(args.code, cache, "warm up", 1)
        for kind, query in QUERIES.items():
            ms = cold_cpu(args.code, cache, query, args.runs) * 1000
            print(f"| `{query}` | {kind} | {ms:.0f} |")
        if (args.code / "kbctl" / "search" / "wordlist.py").is_file():
            steps = subprocess.run(
                [sys.executable, "-c", STEPS],
                env=_env(args.code, cache),
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            figures = json.loads(steps)
            print(
                f"\nin-process: word list load ru {figures['ru'] * 1000:.0f} ms, en "
                f"{figures['en'] * 1000:.0f} ms ({figures['words']} words); built-in synonyms parse "
                f"{figures['synonyms'] * 1000:.1f} ms; first-letter typo search over that "
                f"vocabulary {figures['first'] * 1000:.1f} ms per word"
            )


if __name__ == "__main__":
    main()
