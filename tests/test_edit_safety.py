"""Edits lose nothing and stay inside the base: per-article locks, no writing through links.

The concurrency tests start real ``kbctl`` processes two at a time on one article; before the
lock, two ``flag`` lost a flag in 18 of 20 pairs and ``review mark`` + ``flag`` lost an edit
in 14 of 20.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import yaml

from kbctl.articles import update_front_matter
from kbctl.config import load_config
from kbctl.errors import EditError
from tests.conftest import article_text, messages, run_kbctl

PAIRS = 20
BATCH = 5  # pairs started together (each pair on its own article)

# A real kbctl process that imports everything first, says it is ready, then waits for the
# start signal: the processes of a batch then run their commands at the same moment.
_BARRIER = """
import sys, time
from pathlib import Path
import kbctl.articles, kbctl.cli.app, kbctl.cli.owners_cmd, kbctl.ownership
ready, go = Path(sys.argv[1]), Path(sys.argv[2])
ready.touch()
while not go.exists():
    time.sleep(0.001)
sys.argv = ["kbctl", *sys.argv[3:]]
kbctl.cli.app.main()
"""


def _front(path: Path) -> dict[str, object]:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n")[1])


def _run_pairs(
    base: Path, pair: Sequence[Sequence[str]], count: int
) -> list[tuple[int, int, int, str]]:
    """Run ``count`` pairs of kbctl commands (``{id}`` filled in), each pair on its own article
    and all of a batch released at once: (index, exit of first, exit of second, stderr)."""
    signals = base.parent / "signals"
    signals.mkdir()
    results: list[tuple[int, int, int, str]] = []
    for start in range(0, count, BATCH):
        go = signals / f"go-{start}"
        running = []
        ready: list[Path] = []
        for index in range(start, min(start + BATCH, count)):
            procs = []
            for number, args in enumerate(pair):
                ready.append(signals / f"ready-{index}-{number}")
                command = [sys.executable, "-c", _BARRIER, str(ready[-1]), str(go)]
                procs.append(
                    subprocess.Popen(
                        [*command, *(arg.format(id=f"KB-{index}") for arg in args)],
                        cwd=base,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                )
            running.append((index, procs))
        deadline = time.monotonic() + 60
        while not all(path.exists() for path in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        for index, (first, second) in running:
            _out1, err1 = first.communicate(timeout=120)
            _out2, err2 = second.communicate(timeout=120)
            results.append((index, first.returncode, second.returncode, err1 + err2))
    return results


@pytest.fixture
def race_base(tmp_path: Path) -> Path:
    base = tmp_path / "kb"
    base.mkdir()
    for index in range(PAIRS):
        (base / f"a{index}.md").write_text(
            article_text(
                id=f"KB-{index}",
                title=f"Article {index}",
                owner="@anna",
                last_reviewed="2025-01-01",
                flags=[{"by": "@old", "date": "2025-02-01", "reason": "old flag"}],
            ),
            encoding="utf-8",
        )
    return base


def test_two_flags_at_once_keep_both(race_base: Path) -> None:
    results = _run_pairs(
        race_base,
        [
            ("flag", "{id}", "first reason", "--by", "@one", "--date", "2026-03-01"),
            ("flag", "{id}", "second reason", "--by", "@two", "--date", "2026-03-01"),
        ],
        PAIRS,
    )
    lost = []
    for index, code1, code2, stderr in results:
        assert (code1, code2) == (0, 0), stderr
        reasons = [item["reason"] for item in _front(race_base / f"a{index}.md")["flags"]]
        if sorted(reasons) != ["first reason", "old flag", "second reason"]:
            lost.append((index, reasons))
    assert not lost, f"{len(lost)} of {PAIRS} pairs lost a flag: {lost}"


def test_review_mark_next_to_a_flag_keeps_both(race_base: Path) -> None:
    results = _run_pairs(
        race_base,
        [
            ("review", "mark", "{id}", "--by", "@rev", "--date", "2026-03-02"),
            ("flag", "{id}", "new problem", "--by", "@two", "--date", "2026-03-01"),
        ],
        PAIRS,
    )
    lost = []
    for index, code1, code2, stderr in results:
        assert (code1, code2) == (0, 0), stderr
        front = _front(race_base / f"a{index}.md")
        reasons = [item["reason"] for item in front["flags"]]
        reviewed = (str(front["last_reviewed"]), front.get("reviewed_by"))
        if reasons != ["old flag", "new problem"] or reviewed != ("2026-03-02", "@rev"):
            lost.append((index, reasons, reviewed))
    assert not lost, f"{len(lost)} of {PAIRS} pairs lost an edit: {lost}"


# --------------------------------------------------------------------------- links and places


@pytest.fixture
def outside_target(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "system.conf"
    target.parent.mkdir()
    target.write_text(article_text(id="KB-LINK", title="Linked"), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    "args",
    [
        ("flag", "KB-LINK", "wrong", "--by", "@a"),
        ("flag", "link.md", "wrong", "--by", "@a"),
        ("review", "mark", "KB-LINK", "--by", "@a"),
    ],
)
def test_a_symlinked_article_is_never_written_through(
    tmp_path: Path, outside_target: Path, args: tuple[str, ...]
) -> None:
    base = tmp_path / "kb"
    base.mkdir()
    (base / "link.md").symlink_to(outside_target)
    before = outside_target.read_bytes()
    result = run_kbctl(*args, cwd=base)
    assert result.returncode == 2, result.stderr
    assert outside_target.read_bytes() == before
    assert (base / "link.md").is_symlink()
    assert "internal error" not in result.stderr
    # The scan reports the link (KB107) and never loads it, so the edit finds no article.
    lines = [line for line in messages(result.stderr) if not line.startswith("link.md:1: ")]
    assert lines[0].startswith("kbctl: error: ")
    assert len(lines) <= 2 and all(line.startswith("  hint: ") for line in lines[1:])


def test_a_link_to_an_article_inside_the_base_is_not_followed_either(tmp_path: Path) -> None:
    base = tmp_path / "kb"
    base.mkdir()
    real = base / "real.md"
    real.write_text(article_text(id="KB-1", title="Real"), encoding="utf-8")
    (base / "alias.md").symlink_to("real.md")
    before = real.read_bytes()
    with pytest.raises(EditError, match="symbolic link"):
        update_front_matter(base / "alias.md", {"status": "wip"})
    assert real.read_bytes() == before
    assert (base / "alias.md").is_symlink()


def test_a_file_in_a_linked_folder_outside_the_base_is_refused(
    tmp_path: Path, outside_target: Path
) -> None:
    base = tmp_path / "kb"
    base.mkdir()
    (base / "sub").symlink_to(outside_target.parent, target_is_directory=True)
    before = outside_target.read_bytes()
    with pytest.raises(EditError, match="outside the knowledge base"):
        update_front_matter(
            base / "sub" / outside_target.name, {"status": "wip"}, config=load_config(base)
        )
    assert outside_target.read_bytes() == before


# --------------------------------------------------------------------------- cannot write


def test_a_read_only_file_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    base = tmp_path / "kb"
    base.mkdir()
    article = base / "a.md"
    article.write_text(article_text(id="KB-1", title="T"), encoding="utf-8")
    article.chmod(0o444)
    before = article.read_bytes()
    result = run_kbctl("flag", "KB-1", "wrong", "--by", "@a", cwd=base)
    assert result.returncode == 2, result.stderr
    assert "read-only" in messages(result.stderr)[0]
    assert article.read_bytes() == before


@pytest.fixture
def read_only_base(tmp_path: Path) -> Iterator[Path]:
    """A base on a read-only bind mount (needs root and mount; skipped where unavailable)."""
    source = tmp_path / "source"
    source.mkdir()
    (source / "a.md").write_text(article_text(id="KB-1", title="T"), encoding="utf-8")
    mounted = tmp_path / "ro"
    mounted.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a read-only bind mount needs root and mount(8)")
    bind = subprocess.run(["mount", "--bind", source, mounted], capture_output=True, check=False)
    if bind.returncode != 0:
        pytest.skip(f"mount --bind is not allowed here: {bind.stderr.decode().strip()}")
    try:
        remount = subprocess.run(
            ["mount", "-o", "remount,ro,bind", mounted], capture_output=True, check=False
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only here: {remount.stderr.decode().strip()}")
        yield mounted
    finally:
        subprocess.run(["umount", mounted], capture_output=True, check=False)


def test_an_edit_in_a_read_only_base_is_a_clear_error(read_only_base: Path) -> None:
    before = (read_only_base / "a.md").read_bytes()
    result = run_kbctl("flag", "KB-1", "wrong", "--by", "@a", cwd=read_only_base)
    assert result.returncode == 2, result.stderr
    assert "internal error" not in result.stderr
    assert "read-only" in messages(result.stderr)[0]
    assert (read_only_base / "a.md").read_bytes() == before


def test_an_article_with_a_long_file_name_can_be_edited(tmp_path: Path) -> None:
    # The temporary file once carried the article's name plus a suffix: past 255 bytes it
    # could not be created, and the edit ended in "internal error".
    base = tmp_path / "kb"
    base.mkdir()
    article = base / ("n" * 240 + ".md")
    article.write_text(article_text(id="KB-1", title="T"), encoding="utf-8")
    result = run_kbctl("flag", "KB-1", "wrong", "--by", "@a", cwd=base)
    assert result.returncode == 0, result.stderr
    assert _front(article)["flags"][0]["reason"] == "wrong"
    assert sorted(p.name for p in base.iterdir()) == [article.name]
