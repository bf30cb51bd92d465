"""Benchmark ``kbctl export --format html`` on a synthetic base; print a Markdown table.

    python bench/bench_export.py --base /tmp/kbb/base-10000 --runs 3

Measures (targets of issue 16): the wall and CPU time of a full html export of every
article of the base (``--audience internal`` with every status but archived, so the most
pages; a fresh output each run; the parse cache warm after the first, cold run), the size
of the client search index gzipped, and in headless Chromium the time from typing a query
to the results being in the page (the index loaded once, on focus; median and worst of
several queries, each typed several times). Generate the base with
``python bench/gen_base.py /tmp/kbb/base-10000 10000 --seed 42`` (no kbctl.toml: --kb).
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUERIES = [
    "ошибка пароля клиента",
    "клиентам письмами",
    "password reset email",
    "pasword resett",
    "webhok",
    "0x80070005",
    "импорт",
]


def export_once(base: Path, output: Path, env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of one full html export."""
    for stale in (output, output.with_name(output.name + ".kbctl-state.json")):
        if stale.is_dir():
            shutil.rmtree(stale)
        elif stale.exists():
            stale.unlink()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    command = [sys.executable, "-m", "kbctl", "--kb", str(base), "export", "--audience",
               "internal", "--status", "validated", "--status", "not_validated", "--status",
               "wip", "--format", "html", "--output", str(output)]  # fmt: skip
    subprocess.run(command, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def browser_times(site: Path, repeats: int) -> list[float]:
    """Milliseconds from typing each query to its results in the page (index loaded)."""
    from playwright.sync_api import sync_playwright

    times: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True)
        page = browser.new_page()
        page.goto((site / "index.html").as_uri())
        page.focus("#kb-search")
        page.wait_for_function("() => window.KBCTL_INDEX !== undefined", timeout=60000)
        for _ in range(repeats):
            for query in QUERIES:
                elapsed = page.evaluate(
                    """async (query) => {
                        const input = document.getElementById('kb-search');
                        const started = performance.now();
                        input.value = query;
                        input.dispatchEvent(new Event('input'));
                        await new Promise(done => requestAnimationFrame(() => done()));
                        return performance.now() - started;
                    }""",
                    query,
                )
                times.append(float(elapsed))
        browser.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/kbb/base-10000"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kbctl-bench-export-"))
    env = {**os.environ, "KBCTL_CACHE_DIR": str(work / "cache")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    site = work / "site"
    runs = [export_once(args.base, site, env) for _ in range(args.runs)]
    index = (site / "assets" / "search-index.js").read_bytes()
    pages = sum(1 for _ in (site / "articles").iterdir())
    times = browser_times(site, args.repeats)
    load = os.getloadavg()[0]
    print(f"| html export of {args.base.name} ({pages} pages) | value |")
    print("|---|---|")
    print(f"| first run (parse cache cold): wall / CPU | {runs[0][0]:.1f} s / {runs[0][1]:.1f} s |")
    warm = runs[1:] or runs
    print(
        f"| later runs, median of {len(warm)}: wall / CPU | "
        f"{statistics.median(r[0] for r in warm):.1f} s / {statistics.median(r[1] for r in warm):.1f} s |"
    )
    print(
        f"| client index: raw / gzipped | {len(index) / 1e6:.2f} MB / {len(gzip.compress(index)) / 1e6:.2f} MB |"
    )
    print(
        f"| typing to results ({len(times)} searches): median / worst | "
        f"{statistics.median(times):.1f} ms / {max(times):.1f} ms |"
    )
    print(f"| load average during the run (2 cores) | {load:.1f} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
