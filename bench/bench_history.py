"""Benchmark kbctl's git history reading against the bare ``git log`` pass (the floor).

    python bench/bench_history.py                      # 1k/5k and 10k/50k, repos under /tmp
    python bench/bench_history.py --sizes 1k --repeat 5
    python bench/bench_history.py --sizes 10k-25k,10k   # growth in commits at a fixed size

For each size it generates the repository if missing (bench/gen_repo.py), then measures:
the bare ``git log`` with kbctl's exact options; ``read_history`` with a cold cache (a full
pass); with a warm cache; after 10 new commits (incremental); ``kbctl stale`` end to end
(a real process, cold and warm cache); and peak memory of kbctl's process and of git beside
it. Medians of ``--repeat`` runs. Prints a Markdown table.
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
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
SIZES = {
    "1k": (1000, 5000, Path("/tmp/repo1k")),
    "10k": (10000, 50000, Path("/tmp/repo10k")),
    "10k-25k": (10000, 25000, Path("/tmp/repo10k25")),  # same base, half the history
}
TODAY = "2026-11-22"


def probe(kind: str, kb: str) -> None:
    """Run inside a fresh process: time the history reads and report peak memory as JSON."""
    from kbctl.articles import load_base
    from kbctl.config import load_config
    from kbctl.history import read_history

    config = load_config(kb=kb)
    base = load_base(config)
    result: dict[str, float | int | bool] = {"articles": len(base.articles)}
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    report = read_history(config, base.articles)
    result["first"] = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["python_cpu"] = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    result["git_cpu"] = children.ru_utime + children.ru_stime
    result["first_from_cache"] = report.from_cache
    result["notices"] = len(report.notices)
    if kind == "cold+warm":
        started = time.perf_counter()
        again = read_history(config, base.articles)
        result["warm"] = time.perf_counter() - started
        assert again.from_cache
    result["self_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["git_maxrss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(result))


def probe_cli(argv: list[str]) -> None:
    """Run ``kbctl ARGV`` in this process; report peak memory of kbctl and of its git."""
    from kbctl.cli.app import main

    sys.argv = ["kbctl", *argv]
    stdout = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the report must not go to /dev/null
    try:
        main()
    except SystemExit:
        pass
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    print(
        json.dumps(
            {
                "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "git_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
            }
        )
    )


def run_probe(args: list[str], cache: Path) -> dict:
    env = {**os.environ, "KBCTL_CACHE_DIR": str(cache)}
    out = subprocess.run(
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds of a command, via GNU time."""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%M %U %S", *command],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        elapsed = time.perf_counter() - started
        rss, user, system = report.read().strip().splitlines()[-1].split()
        return elapsed, int(rss) / 1024, float(user) + float(system)


def floor_command(repo: Path) -> list[str]:
    """The bare ``git log`` the targets were set against: the folder-limited ``-M`` pass.

    kbctl's own pass now reads one log over every file without renames and asks git about
    single commits (``kbctl/history/walk.py``); the floor stays the same reference.
    """
    from kbctl.history.log import log_args

    return ["git", *log_args(["HEAD"], "auto", ["--", "kb/"])]


def add_commits(repo: Path, count: int) -> None:
    files = sorted((repo / "kb").rglob("*.md"))[:count]
    for number, path in enumerate(files):
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"\nBench edit {number}.\n")
        env = {
            **os.environ,
            "GIT_AUTHOR_DATE": f"2026-11-2{number % 2} 10:00:0{number % 10} +0300",
            "GIT_COMMITTER_DATE": f"2026-11-2{number % 2} 10:00:0{number % 10} +0300",
        }
        subprocess.run(["git", "add", str(path)], cwd=repo, check=True)
        subprocess.run(
            [
                "git",
                "-c",
                "user.name=Bench",
                "-c",
                "user.email=b@x",
                "commit",
                "-q",
                "-m",
                f"bench {number}",
            ],
            cwd=repo,
            env=env,
            check=True,
        )


def bench_size(name: str, repeat: int) -> dict[str, float | str]:
    files, commits, repo = SIZES[name]
    if not (repo / ".git").is_dir():
        from bench.gen_repo import generate

        generate(files, commits, repo)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout.strip()
    kb = str(repo / "kb")
    floor_runs = []
    cold_runs, warm_runs, incremental_runs, ratios, cpu = [], [], [], [], []
    stale_cold, stale_warm = [], []
    memory: dict = {}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache_dir:
            cache = Path(cache_dir)
            # Floor and kbctl back to back, so that both see the same machine load.
            floor_runs.append(timed(floor_command(repo), repo))
            measured = run_probe(["--probe", "cold+warm", kb], cache)
            cold_runs.append(measured["first"])
            ratios.append(measured["first"] / floor_runs[-1][0])
            cpu.append(measured["python_cpu"] + measured["git_cpu"])
            warm_runs.append(measured["warm"])
            memory["history"] = measured
            add_commits(repo, 10)
            try:
                measured = run_probe(["--probe", "first", kb], cache)
                assert measured["first_from_cache"], "incremental read did not use the cache"
                incremental_runs.append(measured["first"])
            finally:
                subprocess.run(["git", "reset", "-q", "--hard", head], cwd=repo, check=True)
        with tempfile.TemporaryDirectory() as cache_dir:
            env = {"KBCTL_CACHE_DIR": cache_dir}
            stale = ["kbctl", "--kb", kb, "stale", "--today", TODAY, "--format", "json"]
            stale_cold.append(timed(stale, repo, env))
            stale_warm.append(timed(stale, repo, env))
            memory["stale"] = run_probe(
                ["--probe-cli", "--kb", kb, "stale", "--today", TODAY, "--format", "json"],
                Path(tempfile.mkdtemp()),
            )
    floor = statistics.median(run[0] for run in floor_runs)
    cold = statistics.median(cold_runs)
    return {
        "size": f"{files:,} files / {commits:,} commits",
        "git log (floor)": floor,
        "git log peak MB": statistics.median(run[1] for run in floor_runs),
        "kbctl full pass, cold cache": cold,
        "ratio (median of pairs)": statistics.median(ratios),
        "CPU s: git log": statistics.median(run[2] for run in floor_runs),
        "CPU s: kbctl (python + git)": statistics.median(cpu),
        "warm cache": statistics.median(warm_runs),
        "incremental (+10 commits)": statistics.median(incremental_runs),
        "stale e2e cold": statistics.median(run[0] for run in stale_cold),
        "stale e2e warm": statistics.median(run[0] for run in stale_warm),
        "stale kbctl peak MB": memory["stale"]["self_maxrss_mb"],
        "stale git peak MB": memory["stale"]["git_maxrss_mb"],
        "history probe kbctl peak MB": memory["history"]["self_maxrss_mb"],
        "articles": memory["history"]["articles"],
    }


def machine() -> str:
    free = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    memory = free[1].split()[1] if len(free) > 1 else "?"
    load = os.getloadavg()
    git = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; nproc {os.cpu_count()}; "
        f"RAM {memory}; load {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; "
        f"Python {platform.python_version()}; {git}"
    )


def main() -> None:
    """Command-line entry point (also the probe's)."""
    if len(sys.argv) > 1 and sys.argv[1] == "--probe":
        probe(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "--probe-cli":
        probe_cli(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,10k")
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    if not shutil.which("kbctl"):
        raise SystemExit("kbctl is not installed (pip install -e .)")
    before = machine()
    rows = [bench_size(name, options.repeat) for name in options.sizes.split(",")]
    print(f"machine before: {before}\nmachine after:  {machine()}\n")
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
