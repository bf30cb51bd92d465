"""Benchmark ``kbctl report`` on a generated repository (not a test; prints figures).

    python bench/gen_repo.py --files 10000 --commits 50000 --out /tmp/repo10k
    python bench/bench_report.py --repo /tmp/repo10k --runs 5

The repository is cloned once into ``--work`` (objects hard-linked: the original is never
touched). "cold" runs with a new, empty cache folder (no history cache, no parsed
articles); "warm" runs reuse the cache the cold run left. Each run is a real ``kbctl``
process. Target (issue 15): ``kbctl report`` at 10k articles / 50k commits <= 10 s warm.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

TODAY = "2026-11-22"


def run(args: list[str], cwd: Path, cache: Path) -> tuple[float, float, str]:
    """One kbctl process: (wall seconds, CPU seconds, its stdout)."""
    env = {**os.environ, "KBCTL_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "kbctl", "report", "--today", TODAY, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"kbctl report {' '.join(args)} failed:\n{process.stderr}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, process.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", type=Path, default=Path("/tmp/repo10k"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/kbctl-use-bench/repo"))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--log", type=Path, action="append", default=[])
    options = parser.parse_args()
    if options.work.exists():
        shutil.rmtree(options.work)
    subprocess.run(["git", "clone", "-q", str(options.repo), str(options.work)], check=True)
    articles = sum(1 for _ in (options.work / "kb").rglob("*.md"))
    commits = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"],
        cwd=options.work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"{articles} articles, {commits} commits; python {platform.python_version()}")
    print(f"load before: {os.getloadavg()[0]:.2f}")
    cache = options.work.parent / "report-cache"
    shutil.rmtree(cache, ignore_errors=True)
    wall, cpu, out = run(["--format", "json"], options.work, cache)
    groups = json.loads(out)["duplicates"]
    print(f"duplicate groups in the report: {len(groups)}")
    print("| scenario | median wall (s) | runs wall (s) | median CPU (s) |")
    print("|---|---:|---|---:|")
    print(f"| json, cold cache | {wall:.2f} | {wall:.2f} | {cpu:.2f} |")
    logs = [arg for log in options.log for arg in ("--log", str(log))]
    for name, args in (
        ("json, warm", ["--format", "json"]),
        ("text (piped), warm", []),
        ("markdown, warm", ["--format", "markdown"]),
        ("html to a file, warm", ["--format", "html", "--output", str(cache / "r.html")]),
        *((("json with the usage logs, warm", ["--format", "json", *logs]),) if logs else ()),
    ):
        walls, cpus = [], []
        for _ in range(options.runs):
            wall, cpu, _out = run(args, options.work, cache)
            walls.append(wall)
            cpus.append(cpu)
        shown = ", ".join(f"{value:.2f}" for value in walls)
        print(
            f"| {name} | {statistics.median(walls):.2f} | {shown} | {statistics.median(cpus):.2f} |"
        )
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS of the runs: {rss:.0f} MB; load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
