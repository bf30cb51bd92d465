"""A base imported in one commit: kbctl's history pass and ``kbctl stale`` against bare ``git log``.

    python bench/bench_import.py                          # 10k, 30k, 50k; medians of 3
    python bench/bench_import.py --sizes 50000 --repeat 5
    python bench/bench_import.py --code /tmp/kbctl-old    # the same, with another kbctl source

Each size N is a repository made by ``bench/gen_repo.py --one-commit N`` under /tmp (made
when missing): a layout commit, then one commit adding N articles. For each run it measures,
with an empty cache folder every time:

- floor: the bare ``git log`` with exactly kbctl's options (printed), to /dev/null;
- pass: ``read_history`` for every article in a fresh process, after the articles are
  loaded and GitPython imported (so: ``ls-tree``, the ``git log`` pass, folding, the cache);
- stale: a real ``python -m kbctl --kb kb stale --format json`` process, end to end.

Wall seconds (medians), and CPU seconds (user + sys, Python and git together), which the
machine's load moves less. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
TODAY = "2026-11-22"

PROBE = """
import gc, json, os, resource, sys, time
from kbctl.articles import load_base
from kbctl.config import load_config
from kbctl.history import read_history
import git  # noqa: F401 - imported before the clock starts
config = load_config(kb=sys.argv[1])
articles = load_base(config).articles
gc.collect()
before = resource.getrusage(resource.RUSAGE_SELF)
started = time.perf_counter()
report = read_history(config, articles)
wall = time.perf_counter() - started
after = resource.getrusage(resource.RUSAGE_SELF)
children = resource.getrusage(resource.RUSAGE_CHILDREN)
python = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
print(json.dumps({"wall": wall, "cpu": python + children.ru_utime + children.ru_stime,
                  "articles": len(articles), "skipped": len(report.skipped)}))
"""


def repository(size: int) -> Path:
    path = Path(f"/tmp/kbctl-import-{size // 1000}k")
    if not (path / ".git").is_dir():
        from bench.gen_repo import generate

        generate(size, 0, path, one_commit=True)
    return path


def environment(code: Path | None, cache: str) -> dict[str, str]:
    env = {**os.environ, "KBCTL_CACHE_DIR": cache}
    if code is not None:
        env["PYTHONPATH"] = str(code)
    return env


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + sys, children included) seconds of a command, via GNU time."""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%U %S", *command],
            cwd=cwd,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - started
        user, system = report.read().strip().splitlines()[-1].split()
    return wall, float(user) + float(system)


def bench(size: int, repeat: int, code: Path | None, stale: bool) -> dict[str, str]:
    from bench.bench_history import floor_command

    repo = repository(size)
    floor_cmd = floor_command(repo)
    floors, passes, stales = [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as cache:
            env = environment(code, cache)
            floors.append(timed(floor_cmd, repo, env))
            out = subprocess.run(
                [sys.executable, "-c", PROBE, str(repo / "kb")],
                cwd=repo,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            measured = json.loads(out.strip().splitlines()[-1])
            assert measured["articles"] == size, measured
            passes.append((measured["wall"], measured["cpu"]))
        if stale:
            with tempfile.TemporaryDirectory() as cache:
                command = [sys.executable, "-m", "kbctl", "--kb", "kb", "stale"]
                command += ["--today", TODAY, "--format", "json"]
                stales.append(timed(command, repo, environment(code, cache)))

    def median(runs: list[tuple[float, float]], index: int) -> float:
        return statistics.median(run[index] for run in runs)

    floor = median(floors, 0)
    row = {
        "articles (one commit)": f"{size:,}",
        "git log wall / CPU": f"{floor:.3f} / {median(floors, 1):.2f} s",
        "history pass wall / CPU": f"{median(passes, 0):.2f} / {median(passes, 1):.2f} s",
        "pass / git log": f"{median(passes, 0) / floor:.0f}x",
    }
    if stale:
        row["stale e2e wall / CPU"] = f"{median(stales, 0):.2f} / {median(stales, 1):.2f} s"
    return row


def main() -> None:
    """Command-line entry point."""
    from bench.bench_history import floor_command

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 50_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", type=Path, help="run this kbctl source (PYTHONPATH)")
    parser.add_argument("--no-stale", action="store_true", help="skip `kbctl stale` e2e")
    options = parser.parse_args()
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load {load[0]:.1f}")
    rows = [
        bench(size, options.repeat, options.code, not options.no_stale) for size in options.sizes
    ]
    load = os.getloadavg()
    print(f"load at the end {load[0]:.1f}")
    print(f"floor: {shlex.join(floor_command(repository(options.sizes[0])))}\n")
    print("| " + " | ".join(rows[0]) + " |")
    print("|" + "---|" * len(rows[0]))
    for row in rows:
        print("| " + " | ".join(row.values()) + " |")


if __name__ == "__main__":
    main()
