"""Time one shell completion (a Tab) against a generated base: first Tab, warm Tab, after an edit.

python bench/gen_base.py /tmp/kbctl-bench/base-10000 10000 --seed 42
python bench/bench_complete.py /tmp/kbctl-bench/base-10000 --runs 5
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


def tab(base: Path, words: str, env: dict[str, str]) -> float:
    """Seconds for one `kbctl` completion request, as bash sends it."""
    command = [
        shutil.which("kbctl") or sys.executable,
        *([] if shutil.which("kbctl") else ["-m", "kbctl"]),
    ]
    started = time.perf_counter()
    subprocess.run(
        command,
        cwd=base,
        env={
            **env,
            "_KBCTL_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(len(words.split()) - 1),
        },
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="kbctl-complete-"))
    env = {**os.environ, "KBCTL_CACHE_DIR": str(cache), "KBCTL_KB": str(args.base)}
    print(f"first Tab (no cache):  {tab(args.base, 'kbctl list --tag b', env):.2f} s")
    warm = [tab(args.base, "kbctl list --tag b", env) for _ in range(args.runs)]
    print(f"warm Tab, tags:        {statistics.median(warm):.2f} s (median of {args.runs})")
    ids = [tab(args.base, "kbctl show KB-0000", env) for _ in range(args.runs)]
    print(f"warm Tab, ids:         {statistics.median(ids):.2f} s")
    some = sorted(args.base.rglob("*.md"))[:10]
    for path in some:
        os.utime(path)
    print(f"Tab after 10 edits:    {tab(args.base, 'kbctl list --tag b', env):.2f} s")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import kbctl.cli.app"], check=True)
    print(f"start-up alone:        {time.perf_counter() - started:.2f} s")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
