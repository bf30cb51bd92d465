"""Benchmark ``kbctl search -i`` on a synthetic base; print a Markdown table.

    python bench/bench_interactive.py --size 10000 --data /tmp/kbctl-bench --runs 7

Two targets (issue 14): start-up to first results <= 0.5 s, keystroke -> updated results
<= 50 ms median at 10k articles.

- **start-up**: a real ``kbctl search -i QUERY`` process on a pseudo-terminal (120x30): the
  time from starting it to the moment its status line with the hit count ("N hits") has been
  written to the terminal; then Escape. The index exists and is current (as after any
  ``kbctl search``); the freshness check runs, as it always does.
- **keystroke**: in one process, the app driven by Textual's pilot (headless, the same
  widgets and compositor, no terminal writes): each query typed one character at a time; for
  each keystroke the time from pressing it to its results being on screen (the app's
  ``searches_shown`` counter). "burst": all characters of a query pressed without waiting,
  then the time from the last one to its results (stale searches are skipped).
- **pty keystroke**: the same one-at-a-time typing in the real process on the pty: from
  writing the key to the terminal until the status line was rewritten ("N ms" of the search).

Beside each wall time, the CPU time the kbctl process (all its threads, from
/proc/PID/task/*/schedstat) or the pilot's process used for it: on a shared machine the
wall times grow with the load, the CPU times much less; on an idle machine the wall time is
about the CPU time (nothing here waits on the disk once the page cache is warm).

The base is made by gen_base.py (seed 42) under --data unless it is there already.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import select
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gen_base import generate

QUERIES = ("password reset email", "ошибка пароля клиента", "pasword resett")
STATUS = re.compile(rb"(\d+ (?:of \d+ )?hits|no articles match)[^\n]*? \d+ ms")
ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def kbctl_command() -> list[str]:
    """The installed console script next to this interpreter (not a pyenv shim)."""
    script = Path(sys.executable).with_name("kbctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "kbctl"]


class Pty:
    """A kbctl process on a pseudo-terminal of 30 rows, 120 columns."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        import fcntl
        import struct
        import termios

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [*kbctl_command(), *args], env=env, stdin=slave, stdout=slave, stderr=slave
        )
        os.close(slave)
        self.output = b""

    def wait_for(self, pattern: re.Pattern[bytes], start: int, timeout: float = 30) -> float:
        """Read until ``pattern`` appears after byte ``start``; the time it appeared."""
        deadline = time.perf_counter() + timeout
        while not pattern.search(ESCAPES.sub(b"", self.output[start:])):
            if not select.select([self.master], [], [], max(deadline - time.perf_counter(), 0))[0]:
                self.process.kill()
                raise SystemExit(f"timed out; last output: {self.output[-500:]!r}")
            self.output += os.read(self.master, 65536)
        return time.perf_counter()

    def close(self) -> None:
        os.write(self.master, b"\x1b")
        try:
            while select.select([self.master], [], [], 5)[0]:
                if not os.read(self.master, 65536):
                    break
        except OSError:
            pass
        self.process.wait(timeout=10)
        os.close(self.master)


def cpu_seconds(pid: int) -> float:
    """CPU seconds a process has run so far, all its threads (/proc schedstat: ns)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[0])
        except (OSError, IndexError, ValueError):  # a thread that just ended
            continue
    return total / 1e9


def start_up(base: Path, env: dict[str, str], query: str) -> tuple[float, float]:
    """(wall, CPU) seconds from starting ``kbctl search -i QUERY`` to its first results on
    the pty."""
    pty = Pty(["--kb", str(base), "search", "-i", query], env)
    shown = pty.wait_for(STATUS, 0)
    cpu = cpu_seconds(pty.process.pid)
    pty.close()
    return shown - pty.started, cpu


def pty_keystrokes(base: Path, env: dict[str, str], query: str) -> list[tuple[float, float]]:
    """(wall, CPU) milliseconds from each key written to the status line written again."""
    pty = Pty(["--kb", str(base), "search", "-i"], env)
    pty.wait_for(re.compile(rb"type to search"), 0)
    time.sleep(0.3)
    times = []
    for char in query:
        mark = len(pty.output)
        used = cpu_seconds(pty.process.pid)
        sent = time.perf_counter()
        os.write(pty.master, char.encode())
        shown = pty.wait_for(STATUS, mark)
        times.append(((shown - sent) * 1000, (cpu_seconds(pty.process.pid) - used) * 1000))
        time.sleep(0.1)  # the repaint after the status line, and Textual's idle work
    pty.close()
    return times


def pilot_keystrokes(
    base: Path, queries: tuple[str, ...]
) -> tuple[list[float], list[float], list[float]]:
    """(per-keystroke ms, its CPU ms, burst ms) driving the app with Textual's pilot in this
    process."""
    from kbctl.config import load_config
    from kbctl.interactive.app import SearchApp
    from kbctl.interactive.session import SearchSession

    session = SearchSession(load_config(str(base)))
    each: list[float] = []
    cpu: list[float] = []
    bursts: list[float] = []

    async def wait_shown(app: SearchApp, count: int, pilot: object) -> None:
        while app.searches_shown < count or any(worker.is_running for worker in app.workers):
            await asyncio.sleep(0.0005)

    async def run() -> None:
        app = SearchApp(session)
        async with app.run_test(size=(120, 30)) as pilot:
            await pilot.pause()
            for query in queries:
                for char in query:
                    count = app.searches_shown + 1
                    started, used = time.perf_counter(), time.process_time()
                    await pilot.press(char)
                    await wait_shown(app, count, pilot)
                    each.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - used) * 1000)
                await pilot.press("ctrl+u")
                await wait_shown(app, app.searches_shown, pilot)
                await pilot.pause(0.2)
            for query in queries:
                await pilot.press(*query[:-1])
                count = app.searches_shown + 1
                started = time.perf_counter()
                await pilot.press(query[-1])
                await app.workers.wait_for_complete()
                await wait_shown(app, count, pilot)
                bursts.append((time.perf_counter() - started) * 1000)
                await pilot.press("ctrl+u")
                await app.workers.wait_for_complete()
                await pilot.pause(0.2)

    asyncio.run(run())
    session.close()
    return each, cpu, bursts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--data", type=Path, default=Path("/tmp/kbctl-bench"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--base", type=Path, help="an existing base instead of generating one")
    options = parser.parse_args()
    base = options.base or options.data / f"base-{options.size}"
    if not base.exists():
        generate(base, options.size, seed=42)
    cache = options.data / "cache"
    env = {
        **os.environ,
        "KBCTL_CACHE_DIR": str(cache),
        "PYTHONPYCACHEPREFIX": str(options.data / "pycache"),
        "TERM": "xterm-256color",
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update(KBCTL_CACHE_DIR=str(cache))
    subprocess.run([*kbctl_command(), "--kb", str(base), "index"], env=env, check=True)
    start_up(base, env, QUERIES[0])  # warm the byte-code cache and the page cache

    starts = [start_up(base, env, query) for query in QUERIES for _ in range(options.runs)]
    each, each_cpu, bursts = pilot_keystrokes(base, QUERIES)
    on_pty = [ms for query in QUERIES for ms in pty_keystrokes(base, env, query)]
    load = os.getloadavg()[0]
    print(f"base {base} ({options.size} articles), load {load:.1f}")
    print("| measure | median | p90 | max | samples |")
    print("|---|---|---|---|---|")
    for name, values, unit in (
        ("start-up to first results", [wall * 1000 for wall, _ in starts], "ms"),
        ("start-up, CPU time of the process", [cpu * 1000 for _, cpu in starts], "ms"),
        ("keystroke -> results (pilot)", each, "ms"),
        ("keystroke, CPU time (pilot)", each_cpu, "ms"),
        ("burst, last key -> results (pilot)", bursts, "ms"),
        ("keystroke -> results (pty)", [wall for wall, _ in on_pty], "ms"),
        ("keystroke, CPU time of the process (pty)", [cpu for _, cpu in on_pty], "ms"),
    ):
        ordered = sorted(values)
        p90 = ordered[min(int(len(ordered) * 0.9), len(ordered) - 1)]
        print(
            f"| {name} | {statistics.median(values):.0f} {unit} | {p90:.0f} {unit} "
            f"| {max(values):.0f} {unit} | {len(values)} |"
        )


if __name__ == "__main__":
    main()
