"""Benchmark ``kbctl check`` end to end on a generated repository (not a test; prints figures).

    python bench/gen_repo.py --files 10000 --commits 50000 --out /tmp/repo10k
    python bench/bench_check.py --repo /tmp/repo10k

The repository is cloned once into ``--work`` (objects hard-linked, so the original is never
touched); five articles are then edited in the clone's working tree for ``--changed-since``.
Each scenario is a real ``kbctl`` process; the history cache lives in a fresh folder per
"cold" run. Targets (issue 6): whole base <= 10 s; ``--changed-since`` with 5 changed files
costs only those articles. A phase breakdown (in-process) shows where the time goes.
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
from datetime import date
from pathlib import Path

TODAY = "2026-11-22"


def kbctl(
    args: list[str], cwd: Path, cache: Path
) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Run a kbctl process; return (wall seconds, result)."""
    env = {**os.environ, "KBCTL_CACHE_DIR": str(cache), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "kbctl", "check", "--today", TODAY, "--fail-on", "never", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(
            f"kbctl check {' '.join(args)} failed ({process.returncode}):\n{process.stderr}"
        )
    return elapsed, process


def prepare(repo: Path, work: Path, changed: int) -> list[str]:
    """Clone ``repo`` into ``work`` and edit ``changed`` articles; return their paths."""
    if work.exists():
        shutil.rmtree(work)
    subprocess.run(["git", "clone", "-q", str(repo), str(work)], check=True)
    articles = sorted((work / "kb").rglob("*.md"))
    step = max(1, len(articles) // changed)
    edited = articles[::step][:changed]
    for path in edited:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("\nOne more line, added by bench_check.py.\n")
    return [str(path.relative_to(work)) for path in edited]


def phases(work: Path, cache: Path) -> dict[str, float]:
    """Time each phase of a whole-base check in-process (warm history cache)."""
    os.environ["KBCTL_CACHE_DIR"] = str(cache)
    from kbctl.articles import base_files, load_base
    from kbctl.config import load_config
    from kbctl.history import read_history
    from kbctl.ownership import load_roster, ownership_report
    from kbctl.render.json import dumps
    from kbctl.rules.engine import run_check
    from kbctl.rules.registry import CheckContext

    times: dict[str, float] = {}

    def clock(name: str, started: float) -> float:
        now = time.perf_counter()
        times[name] = now - started
        return now

    started = time.perf_counter()
    config = load_config(cwd=work)
    loaded = load_base(config)
    started = clock("load articles (YAML)", started)
    files = base_files(config)
    started = clock("list base files", started)
    report = read_history(config, loaded.articles)
    started = clock("git history (cache)", started)
    roster, _ = load_roster(config)
    owned = ownership_report(config, loaded.articles).ownership
    started = clock("ownership + roster", started)
    context = CheckContext(
        loaded.articles,
        config,
        date.fromisoformat(TODAY),
        loaded.diagnostics,
        report.facts,
        owned,
        roster,
        files,
    )
    result = run_check(context)
    started = clock("rules", started)
    dumps([finding.message for finding in result.findings])
    clock("render", started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repo", type=Path, default=Path("/tmp/repo10k"))
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "kbctl-bench-check"
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per warm scenario (median shown)")
    parser.add_argument("--changed", type=int, default=5)
    options = parser.parse_args()
    if not (options.repo / ".git").exists():
        raise SystemExit(
            f"{options.repo} is not a git repository; generate it with bench/gen_repo.py"
        )

    edited = prepare(options.repo, options.work, options.changed)
    caches = Path(tempfile.mkdtemp(prefix="kbctl-bench-cache-"))
    rows: list[tuple[str, float, str]] = []

    def scenario(name: str, args: list[str], *, cold: bool, runs: int) -> None:
        samples = []
        detail = ""
        for run in range(runs):
            cache = caches / (f"cold-{name}-{run}" if cold else "warm")
            if cold and cache.exists():
                shutil.rmtree(cache)
            elapsed, process = kbctl(args, options.work, cache)
            samples.append(elapsed)
            data = json.loads(process.stdout)
            detail = (
                f"{data['summary']['checked']} articles checked, {len(data['findings'])} findings"
            )
        rows.append((name, statistics.median(samples), detail))

    scenario("whole base, cold history cache", ["-f", "json"], cold=True, runs=1)
    scenario("whole base, warm cache", ["-f", "json"], cold=False, runs=options.runs)
    scenario(
        "whole base, --no-history", ["-f", "json", "--no-history"], cold=False, runs=options.runs
    )
    scenario(
        f"--changed-since HEAD ({len(edited)} edited), cold cache",
        ["-f", "json", "--changed-since", "HEAD"],
        cold=True,
        runs=1,
    )
    scenario(
        f"--changed-since HEAD ({len(edited)} edited), warm cache",
        ["-f", "json", "--changed-since", "HEAD"],
        cold=False,
        runs=options.runs,
    )
    scenario(
        f"{len(edited)} paths, --no-history --no-date-rules (pre-commit hook)",
        ["-f", "json", "--no-history", "--no-date-rules", *edited],
        cold=False,
        runs=options.runs,
    )
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import kbctl.cli.app"], check=True)
    startup = time.perf_counter() - started
    breakdown = phases(options.work, caches / "warm")

    articles = sum(1 for _ in (options.work / "kb").rglob("*.md"))
    commits = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"],
        cwd=options.work,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    load = os.getloadavg()
    print(f"# kbctl check benchmark ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.  "
    )
    print(f"Repository: {options.repo} ({articles} article files, {commits} commits).\n")
    print("| scenario | wall (s) | result |\n|---|---:|---|")
    for name, seconds, detail in rows:
        print(f"| {name} | {seconds:.2f} | {detail} |")
    print(f"| import kbctl.cli.app (process start) | {startup:.2f} | |")
    print("\nPhases of a whole-base check, in-process, warm cache:\n")
    print("| phase | seconds |\n|---|---:|")
    for name, seconds in breakdown.items():
        print(f"| {name} | {seconds:.2f} |")
    shutil.rmtree(caches, ignore_errors=True)


if __name__ == "__main__":
    main()
