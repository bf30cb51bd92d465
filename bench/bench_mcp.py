"""Benchmark ``kbctl mcp``: the ``search`` tool's round trip through the SDK's stdio client.

    python bench/bench_mcp.py --base /tmp/kbb/base-10000 --runs 30

Starts a real ``kbctl mcp --kb BASE`` process (this checkout first on PYTHONPATH, its own
cache under --cache), talks to it with ``mcp.ClientSession`` over ``stdio_client`` and
prints: the time to an initialised session, the first search (which builds the index when
the cache is cold), then the median and 90th percentile of ``--runs`` search round trips
after start-up (queries cycle through Russian, English and a typo), the same with
``--no-refresh`` (no freshness check: the share the check costs), and ``get_article``;
then the wall and CPU time of the same searches inside one process (no stdio).
The base is only read; it is generated with gen_base.py (seed 42) when missing.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_base import generate
from mcp import ClientSession, StdioServerParameters, stdio_client

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ["ошибка пароля клиента", "password reset email", "pasword resett"]


async def measure(base: Path, cache: Path, runs: int, extra: list[str]) -> dict[str, float]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        KBCTL_CACHE_DIR=str(cache),
        PYTHONPATH=str(ROOT),
        PYTHONPYCACHEPREFIX=str(cache.parent / "pycache"),
    )
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "kbctl", "--kb", str(base), "mcp", *extra],
        env=env,
    )
    figures: dict[str, float] = {}
    started = time.perf_counter()
    with (cache.parent / "server-stderr.log").open("a") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            figures["start_s"] = time.perf_counter() - started
            began = time.perf_counter()
            first = await session.call_tool("search", {"query": QUERIES[0]})
            figures["first_search_s"] = time.perf_counter() - began
            assert not first.is_error, first.content
            times = []
            for number in range(runs):
                began = time.perf_counter()
                result = await session.call_tool(
                    "search", {"query": QUERIES[number % len(QUERIES)], "limit": 10}
                )
                times.append(time.perf_counter() - began)
                assert not result.is_error, result.content
                assert result.structured_content and result.structured_content["hits"]
            figures["search_median_ms"] = 1000 * statistics.median(times)
            figures["search_p90_ms"] = 1000 * statistics.quantiles(times, n=10)[-1]
            hit = first.structured_content["hits"][0]["id"] if first.structured_content else ""
            times = []
            for _ in range(max(3, runs // 3)):
                began = time.perf_counter()
                got = await session.call_tool("get_article", {"id_or_path": hit})
                times.append(time.perf_counter() - began)
                assert not got.is_error, got.content
            figures["get_article_median_ms"] = 1000 * statistics.median(times)
    return figures


def in_process(base: Path, cache: Path, runs: int, refresh: bool) -> dict[str, float]:
    """Median wall and CPU milliseconds of ``KbService.search`` inside one process (no
    stdio): on a shared machine the CPU time is the steadier figure."""
    os.environ["KBCTL_CACHE_DIR"] = str(cache)
    sys.path.insert(0, str(ROOT))
    from kbctl.mcp.service import KbService

    service = KbService(str(base), refresh=refresh)
    service.warm()
    walls, cpus = [], []
    for number in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        service.search(QUERIES[number % len(QUERIES)])
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "wall_median_ms": 1000 * statistics.median(walls),
        "cpu_median_ms": 1000 * statistics.median(cpus),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", type=Path, default=Path("/tmp/kbb/base-10000"))
    parser.add_argument("--size", type=int, default=10000, help="articles, when generating")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/kbb-mcp/cache"))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if not args.base.exists():
        generate(args.base, args.size, seed=42)
    args.cache.mkdir(parents=True, exist_ok=True)
    print(f"# base {args.base}, load {os.getloadavg()[0]:.2f}", flush=True)
    for label, extra in (("fresh", []), ("--no-refresh", ["--no-refresh"])):
        figures = asyncio.run(measure(args.base, args.cache, args.runs, extra))
        shown = ", ".join(f"{key} {value:.3f}" for key, value in figures.items())
        print(f"{label}: {shown}; load {os.getloadavg()[0]:.2f}", flush=True)
    for refresh in (True, False):
        figures = in_process(args.base, args.cache, args.runs, refresh)
        shown = ", ".join(f"{key} {value:.1f}" for key, value in figures.items())
        label = "in-process search" + ("" if refresh else " --no-refresh")
        print(f"{label}: {shown}; load {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main()
