"""Benchmark ``kbctl gaps`` and ``kbctl usage`` over a large usage log (not a test).

    python bench/bench_usage.py --lines 1000000 --runs 3

Generates a log of ``--lines`` events under ``--out`` (default /tmp/kbctl-use-bench): 200
agents, sittings of 1-6 events, Zipf-distributed queries in Russian and English (a fifth of
them never find anything, some are typos), shows and edits after searches, timestamps over
180 days, written in two files with 2% of the events copied into both (duplicates to drop)
and a torn last line. Then runs real ``kbctl`` processes on the bundled base. Target (issue
15): ``kbctl gaps`` over 1M log lines <= 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
WORDS_RU = [
    "пароль",
    "письмо",
    "оплата",
    "счёт",
    "возврат",
    "вебхук",
    "интеграция",
    "телефон",
    "вход",
    "ошибка",
    "доступ",
]
WORDS_EN = [
    "password",
    "email",
    "payment",
    "invoice",
    "refund",
    "webhook",
    "integration",
    "phone",
    "login",
    "error",
]
MORE = [
    "не",
    "приходит",
    "сломался",
    "отключился",
    "не",
    "работает",
    "failed",
    "broken",
    "declined",
    "expired",
]


def queries(count: int, rng: random.Random) -> list[tuple[str, bool]]:
    """``count`` distinct queries, each with whether it ever finds anything."""
    found: dict[str, bool] = {}
    while len(found) < count:
        words = rng.choice([WORDS_RU, WORDS_EN])
        text = " ".join([rng.choice(words), rng.choice(MORE), str(rng.randint(1, 400))])
        if rng.random() < 0.1:
            text = text.replace("о", "", 1).replace("o", "", 1)  # a typo
        found[text] = rng.random() > 0.2
    return list(found.items())


def generate(out: Path, lines: int, seed: int = 15) -> list[Path]:
    """Write the log files; return their paths."""
    rng = random.Random(seed)
    pool = queries(5000, rng)
    weights = [1 / (rank + 1) for rank in range(len(pool))]
    ids = [f"KB-{n:04d}" for n in range(1, 61)]
    start = datetime(2026, 6, 1, tzinfo=UTC)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "agents-a.jsonl", out / "agents-b.jsonl"]
    handles = [path.open("w", encoding="utf-8") for path in paths]
    written = 0
    clock = {agent: start + timedelta(minutes=rng.randint(0, 600)) for agent in range(200)}
    while written < lines:
        agent = rng.randrange(200)
        when = clock[agent]
        for _ in range(rng.randint(1, 6)):
            query, answers = rng.choices(pool, weights)[0]
            shown = rng.sample(ids, rng.randint(1, 5)) if answers else []
            record = {
                "v": 1,
                "id": f"{rng.getrandbits(64):016x}",
                "time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "event": rng.choice(["search", "search", "interactive-search", "mcp-search"]),
                "query": query,
                "hits": len(shown),
                "shown": shown,
                "user": f"agent{agent}",
            }
            events = [record]
            if shown and rng.random() < 0.6:
                when += timedelta(seconds=rng.randint(5, 90))
                events.append(
                    {
                        "v": 1,
                        "id": f"{rng.getrandbits(64):016x}",
                        "time": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                        "event": rng.choice(["show", "edit", "open"]),
                        "opened": rng.choice(shown),
                        "user": f"agent{agent}",
                    }
                )
            for event in events:
                line = json.dumps(event, ensure_ascii=False, separators=(",", ":")) + "\n"
                target = agent % 2
                handles[target].write(line)
                written += 1
                if rng.random() < 0.02:
                    handles[1 - target].write(line)
                    written += 1
            when += timedelta(minutes=rng.randint(1, 10))
        clock[agent] = when + timedelta(hours=rng.randint(2, 30))
    handles[1].write('{"v":1,"id":"torn","time":"2026-')
    for handle in handles:
        handle.close()
    return paths


def run(args: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """One real kbctl process on the bundled base: (wall seconds, result)."""
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "kbctl", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return time.perf_counter() - started, process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path("/tmp/kbctl-use-bench"))
    parser.add_argument("--reuse", action="store_true", help="Reuse the log already in --out.")
    options = parser.parse_args()
    started = time.perf_counter()
    existing = [options.out / "agents-a.jsonl", options.out / "agents-b.jsonl"]
    reuse = options.reuse and all(path.exists() for path in existing)
    paths = existing if reuse else generate(options.out, options.lines)
    size = sum(path.stat().st_size for path in paths) / 1e6
    lines = sum(1 for path in paths for _ in path.open("rb"))
    print(f"generated {lines:,} lines, {size:.0f} MB in {time.perf_counter() - started:.1f} s")
    print(f"python {platform.python_version()}, load {os.getloadavg()[0]:.2f}")
    logs = [str(path) for path in paths]
    print("| command | median wall (s) | runs wall (s) | median CPU (s) | peak RSS (MB) | result |")
    print("|---|---:|---|---:|---:|---|")
    for name, args in (
        ("kbctl gaps LOGS --format json", ["gaps", *logs, "--format", "json"]),
        (
            "kbctl usage LOGS --format json",
            ["usage", *logs, "--format", "json", "--today", "2026-11-30"],
        ),
        (
            "kbctl report --log LOGS --format json",
            [
                "report",
                "--log",
                logs[0],
                "--log",
                logs[1],
                "--format",
                "json",
                "--today",
                "2026-11-30",
            ],
        ),
    ):
        times: list[float] = []
        cpu: list[float] = []
        result = None
        for _ in range(options.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            elapsed, result = run(args)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            if result.returncode != 0:
                raise SystemExit(f"{name} failed:\n{result.stderr}")
            times.append(elapsed)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        assert result is not None
        data = json.loads(result.stdout)
        summary = (
            f"{len(data['gaps'])} gaps, {data['searches']:,} searches"
            if "gaps" in data
            else f"{len(data.get('archive_candidates', []))} archive candidates"
            if "archive_candidates" in data
            else f"{len(data['usage']['gaps'])} gaps in the report"
        )
        runs = ", ".join(f"{value:.2f}" for value in times)
        print(
            f"| `{name}` | {statistics.median(times):.2f} | {runs}"
            f" | {statistics.median(cpu):.2f} | {rss:.0f} | {summary} |"
        )
    print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
