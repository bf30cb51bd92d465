"""Time ``kbctl stale`` on a real clone against the bare ``git log`` over its articles.

    kbctl init /tmp/real/hugoDocs              # once: writes kbctl.toml for the clone
    python bench/bench_real_history.py /tmp/real/hugoDocs --runs 7

Issue 11's targets for such a base: ``kbctl stale`` warm (cache present) under 0.5 s; cold
(an empty cache folder) within 1.5x the bare ``git log -z --name-status -M -c --format=%H
-- '*.md'`` (the floor). Each round runs the floor, a cold ``kbctl stale --format json`` and
a warm one, one after the other, so that a busy machine slows all three alike; the ratio is
the median of the rounds' ratios. kbctl runs as ``python -m kbctl`` with this interpreter
(the same entry point as the console script). Prints a Markdown table row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FLOOR = ["git", "log", "-z", "--name-status", "-M", "-c", "--format=%H", "--", "*.md"]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall seconds of one run (output discarded); exits on failure (status 2 and up)."""
    start = time.perf_counter()
    done = subprocess.run(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode > 1:  # kbctl stale exits 1 when something is due
        sys.exit(f"{' '.join(command)} failed: {done.stderr.decode(errors='replace')[-400:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("repo", type=Path, help="a clone with a kbctl.toml (run kbctl init)")
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    repo = options.repo.resolve()
    if not (repo / "kbctl.toml").is_file():
        sys.exit(f"no kbctl.toml in {repo}: run `kbctl init {repo}` first")
    stale = [sys.executable, "-m", "kbctl", "stale", "--format", "json"]
    cache = Path(tempfile.mkdtemp(prefix="kbctl-bench-cache-"))
    env = {**os.environ, "KBCTL_CACHE_DIR": str(cache), "KBCTL_LANG": "en"}
    floors, colds, warms = [], [], []
    try:
        timed(FLOOR, repo, env)  # warm the page cache for both
        for _round in range(options.runs):
            floors.append(timed(FLOOR, repo, env))
            shutil.rmtree(cache, ignore_errors=True)
            cache.mkdir()
            colds.append(timed(stale, repo, env))
            warms.append(timed(stale, repo, env))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    ratios = [cold / floor for cold, floor in zip(colds, floors, strict=True)]

    def spread(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"

    load = os.getloadavg()[0]
    print("| base | floor `git log` | `stale` cold | cold / floor | `stale` warm | load |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {repo.name} | {spread(floors)} | {spread(colds)} | "
        f"{statistics.median(ratios):.2f}x | {spread(warms)} | {load:.1f} |"
    )


if __name__ == "__main__":
    main()
