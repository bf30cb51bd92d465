"""Benchmark ``kbctl duplicates`` on a generated base (not a test; prints figures).

    python bench/gen_base.py /tmp/kbb/base-10000 10000 --seed 42
    python bench/bench_duplicates.py --base /tmp/kbb/base-10000 --runs 3

Each run is a real ``kbctl duplicates --format json`` process; its wall time and peak
resident memory (``ru_maxrss`` of that child, from ``os.wait4``) are measured. The first run
has an empty cache folder (the parse cache and the signature cache are built); the others
reuse them; then runs after one article's body is edited (a different one each time: that
article is shingled again, the others come from the signature cache). A few planted
near-duplicates (copies of existing articles with a paragraph changed) check that the
result is right, not only fast. Target (issue 15): <= 30 s and <= 500 MB at 10k articles.
An in-process breakdown shows where the time goes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PLANTED = 5


def run(base: Path, cache: Path) -> tuple[float, float, list[dict[str, object]]]:
    """(wall seconds, peak RSS in MB, JSON groups) of one kbctl duplicates process."""
    env = {**os.environ, "KBCTL_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kbctl", "--kb", str(base), "duplicates", "-f", "json"],
            stdout=out,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            raise SystemExit(f"kbctl duplicates failed with exit {code}")
        out.seek(0)
        groups = json.loads(out.read() or b"[]")
    return elapsed, usage.ru_maxrss / 1024, groups


def plant(base: Path) -> list[tuple[str, str]]:
    """Copy a few articles under new names with one paragraph dropped; the planted pairs."""
    articles = sorted(base.rglob("*.md"))
    step = max(1, len(articles) // PLANTED)
    pairs = []
    for number, source in enumerate(articles[::step][:PLANTED]):
        text = source.read_text(encoding="utf-8")
        head, _sep, body = text.partition("\n---\n")
        paragraphs = body.split("\n\n")
        copy = "\n\n".join(paragraphs[:3] + paragraphs[4:])
        copy = head.replace("id: ", f"id: DUP-{number}-", 1) + "\n---\n" + copy
        target = source.with_name(f"planted-duplicate-{number}.md")
        target.write_text(copy, encoding="utf-8")
        pairs.append((source.relative_to(base).as_posix(), target.relative_to(base).as_posix()))
    return pairs


def breakdown(base: Path) -> dict[str, float]:
    """Seconds per phase, in process: the cold path (shingles, MinHash) and the warm one
    (signatures from the cache, LSH); loading is the parse cache's warm path."""
    from kbctl.config import load_config
    from kbctl.duplicates import SignatureCache, find_duplicates
    from kbctl.duplicates.detect import (
        WordHashes,
        _lsh_pairs,
        _signatures,
        fingerprint,
        signatures,
    )
    from kbctl.workspace import Workspace

    phases: dict[str, float] = {}
    started = time.perf_counter()
    ws = Workspace(config=load_config(kb=str(base)))
    articles = [article for article in ws.articles if not article.is_archived]
    phases["load (warm parse cache)"] = time.perf_counter() - started
    started = time.perf_counter()
    words = WordHashes()
    prints = [fingerprint(article, words=words) for article in articles]
    phases["cold: shingles"] = time.perf_counter() - started
    started = time.perf_counter()
    _signatures(prints)
    phases["cold: minhash"] = time.perf_counter() - started
    started = time.perf_counter()
    cache = SignatureCache.open(ws.config)
    phases["warm: open the signature cache"] = time.perf_counter() - started
    started = time.perf_counter()
    found = signatures(articles, cache)
    phases["warm: body digests + cached signatures"] = time.perf_counter() - started
    phases["warm: signatures computed"] = float(len(cache.computed))
    started = time.perf_counter()
    pairs = _lsh_pairs([item.values for item in found], 0.3)
    phases["lsh insert + query"] = time.perf_counter() - started
    phases["candidate pairs"] = float(len(pairs))
    started = time.perf_counter()
    find_duplicates(ws.articles, cache=cache)
    phases["warm find_duplicates, whole"] = time.perf_counter() - started
    return phases


def edit_one(base: Path, number: int) -> None:
    """Append a line to one article's body (a different one for each ``number``)."""
    articles = sorted(base.rglob("*.md"))
    target = articles[(number * 997) % len(articles)]
    with target.open("a", encoding="utf-8") as handle:
        handle.write(f"\nEdited for the benchmark, pass {number}.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/kbb/base-10000"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/kbctl-bench-duplicates"))
    arguments = parser.parse_args()
    work = arguments.work
    if work.exists():
        shutil.rmtree(work)
    base = work / "base"
    shutil.copytree(arguments.base, base)
    pairs = plant(base)
    cache = work / "cache"
    cold = run(base, cache)
    warm = [run(base, cache) for _ in range(arguments.runs)]
    edited = []
    for number in range(arguments.runs):
        edit_one(base, number)
        edited.append(run(base, cache))
    found = {
        frozenset(str(a["base_path"]) for a in group["articles"])  # type: ignore[union-attr]
        for group in warm[0][2]
    }
    missed = [pair for pair in pairs if frozenset(pair) not in found]
    count = sum(1 for _ in base.rglob("*.md"))
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cpus, load {os.getloadavg()[0]:.2f}"
    )
    print(f"articles: {count}; planted pairs: {len(pairs)}, missed: {len(missed)} {missed}")
    print(f"groups found: {len(warm[0][2])}")
    print(f"cold (parse and signature caches built): {cold[0]:.1f} s, peak {cold[1]:.0f} MB")
    times = [item[0] for item in warm]
    peaks = [item[1] for item in warm]
    print(
        f"warm: median {statistics.median(times):.1f} s (runs {', '.join(f'{t:.1f}' for t in times)}),"
        f" peak {max(peaks):.0f} MB"
    )
    times = [item[0] for item in edited]
    print(
        f"one article edited: median {statistics.median(times):.1f} s"
        f" (runs {', '.join(f'{t:.1f}' for t in times)}), peak {max(i[1] for i in edited):.0f} MB"
    )
    os.environ["KBCTL_CACHE_DIR"] = str(cache)
    for phase, value in breakdown(base).items():
        print(f"  {phase}: {value:.2f}")


if __name__ == "__main__":
    main()
